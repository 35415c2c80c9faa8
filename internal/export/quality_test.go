package export_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// qualityExport has a Likert block of five, a reverse-keyed subscale and
// an attention check.
const qualityExport = `key: quality-export
version: 1
title: Quality
scales:
  - id: a5
    options: [{value: 1, label: "1"}, {value: 2, label: "2"}, {value: 3, label: "3"}, {value: 4, label: "4"}, {value: 5, label: "5"}]
subscales:
  - {id: trust, title: Trust}
sections:
  - id: block
    title: Block
    items:
      - {id: b1, type: likert, text: B1, scale: a5}
      - {id: b2, type: likert, text: B2, scale: a5}
      - {id: b3, type: likert, text: B3, scale: a5}
      - {id: b4, type: likert, text: B4, scale: a5}
      - {id: b5, type: likert, text: B5, scale: a5}
  - id: more
    title: More
    items:
      - {id: t1, type: likert, text: T1, scale: a5, subscale: trust}
      - {id: t2, type: likert, text: T2, scale: a5, subscale: trust, reverse: true}
      - {id: check, type: likert, text: Please choose 4, scale: a5, attention: {expect: 4}}
`

// TestExportQualityColumns: page times and flags in the CSV, against
// hand-built responses; the median comes from ScanQuality over the same
// responses (complete ones only); the codebook states the rules.
func TestExportQualityColumns(t *testing.T) {
	in, err := instrument.Parse([]byte(qualityExport), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	start := at("2026-01-05T09:00:00Z")
	ans := func(b []int64, t1, t2, check int64) survey.Answers {
		a := survey.Answers{"t1": survey.IntVal(t1), "t2": survey.IntVal(t2), "check": survey.IntVal(check)}
		for i, v := range b {
			a["b"+string(rune('1'+i))] = survey.IntVal(v)
		}
		return a
	}
	done := func(id string, seconds int, pages survey.PageTimes, a survey.Answers) *survey.Response {
		end := start.Add(time.Duration(seconds) * time.Second)
		return &survey.Response{ID: id, InstrumentVersion: 1, Status: survey.ResponseComplete, StartedAt: start, SubmittedAt: &end, PageTimes: pages, Answers: a}
	}
	varied := []int64{1, 2, 3, 2, 1}
	rs := []*survey.Response{
		// Web responses: their page times are their time (200, 300 s).
		done("clean", 9999, survey.PageTimes{"block": 120000, "more": 80000}, ans(varied, 4, 2, 4)),
		done("web2", 300, survey.PageTimes{"block": 150000, "more": 150000}, ans(varied, 4, 2, 4)),
		// API responses: started_at to submitted_at (400, 500 s).
		done("api", 400, nil, ans(varied, 3, 3, 4)),
		done("straight", 500, nil, ans([]int64{3, 3, 3, 3, 3}, 3, 3, 4)),
		// 60 s < 0.3 × median 350 s = 105 s; page "more" never saved.
		done("fast", 3600, survey.PageTimes{"block": 60123}, ans(varied, 5, 5, 2)),
		{ID: "open", InstrumentVersion: 1, Status: survey.ResponseInProgress, StartedAt: start, PageTimes: survey.PageTimes{"block": 1000}, Answers: ans([]int64{3, 3, 3, 3, 3}, 1, 1, 1)},
	}
	// The median of the complete responses: 200, 300, 400, 500, 60 → 300.
	scanner := sliceScanner(rs)
	q, err := survey.ScanQuality(context.Background(), scanner, f, survey.ExportFilter{}, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	if q.Median() != 300 {
		t.Fatalf("median %v, want 300", q.Median())
	}
	recs := parseCSV(t, writeCSV(t, f, export.Options{Quality: q}, rs))
	head := recs[0]
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s in %q", name, head)
		return -1
	}
	want := map[string][]string{ // duration_block_s, duration_more_s, dq_speeder, dq_straightline, dq_attention, dq_any
		"clean":    {"120", "80", "0", "0", "0", "0"},
		"web2":     {"150", "150", "0", "0", "0", "0"},
		"api":      {"", "", "0", "0", "0", "0"},
		"straight": {"", "", "0", "1", "0", "1"},
		"fast":     {"60.1", "", "1", "1", "1", "1"}, // t1 5 and reversed t2 5: a contradiction
		"open":     {"1", "", "", "", "", ""},
	}
	names := []string{"duration_block_s", "duration_more_s", "dq_speeder", "dq_straightline", "dq_attention", "dq_any"}
	for _, r := range recs[1:] {
		for k, name := range names {
			if got := r[col(name)]; got != want[r[0]][k] {
				t.Errorf("%s %s = %q, want %q", r[0], name, got, want[r[0]][k])
			}
		}
	}
	if got := len(head); got != len(export.Columns(f)) || head[len(head)-1] != "dq_any" {
		t.Errorf("header %q", head)
	}
	var cb strings.Builder
	if err := export.WriteCodebook(&cb, f, export.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"under 0.3 × the median time of the complete responses exported",
		"check (expects 4)", "at least 5 consecutive likert items", "attention check: the answer asked for is 4; any other answer, or none, sets dq_attention", "duration_more_s,duration_more_s,more,More"} {
		if !strings.Contains(cb.String(), w) {
			t.Errorf("codebook lacks %q:\n%s", w, cb.String())
		}
	}
	// The same cells in the typed files (.xlsx through the row reader).
	for _, name := range []string{"sav", "dta", "xlsx"} {
		var b strings.Builder
		if err := export.FormatByName(name).Write(context.Background(), &b, export.Job{Form: f, Info: dataInfo, Options: export.Options{Quality: q}, Scan: scanOf(rs)}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// sliceScanner is a survey.ResponseScanner over responses in memory,
// honouring the status filter.
type sliceScanner []*survey.Response

func (s sliceScanner) ScanResponses(ctx context.Context, f survey.ExportFilter, fn func(*survey.Response) error) error {
	for _, r := range s {
		if f.Status != "" && r.Status != f.Status {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}
