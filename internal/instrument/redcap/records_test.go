package redcap_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument/redcap"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestWriteRecords writes responses to the study instrument as REDCap
// records: every column is a field of the dictionary Encode writes (a
// checkbox column one of its choices, a {form}_complete column one of
// its forms), and every cell is the response's answer, a multiple-choice
// answer as 0/1 columns, an unanswered item empty.
func TestWriteRecords(t *testing.T) {
	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	submitted := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var responses []*survey.Response
	for i := range 20 {
		r := &survey.Response{ID: "r" + strings.Repeat("x", i%3) + string(rune('a'+i)), Status: survey.ResponseComplete,
			Answers: sample.Answers(form, rng), StartedAt: submitted.Add(-time.Hour), SubmittedAt: &submitted, InstrumentVersion: 1}
		if i%5 == 0 {
			r.Status, r.SubmittedAt = survey.ResponseInProgress, nil
		}
		responses = append(responses, r)
	}
	scan := func(_ context.Context, fn func(*survey.Response) error) error {
		for _, r := range responses {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	var out bytes.Buffer
	if err := redcap.WriteRecords(context.Background(), &out, form, scan); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(responses)+1 {
		t.Fatalf("%d rows, want a header and %d records", len(recs), len(responses))
	}

	dict, err := redcap.Encode(form.Instrument)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(dict)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	fields, forms := map[string][]string{}, map[string]bool{}
	for _, r := range rows[1:] {
		forms[r[1]] = true
		if r[3] == "descriptive" {
			continue
		}
		var codes []string
		for _, c := range strings.Split(r[5], "|") {
			code, _, _ := strings.Cut(c, ",")
			codes = append(codes, strings.TrimSpace(code))
		}
		fields[r[0]] = append([]string{r[3]}, codes...)
	}
	header := recs[0]
	if header[0] != rows[1][0] {
		t.Errorf("first column %q, want the dictionary's record id %q", header[0], rows[1][0])
	}
	for _, col := range header[1:] {
		if f, ok := strings.CutSuffix(col, "_complete"); ok && forms[f] {
			continue
		}
		if name, code, ok := strings.Cut(col, "___"); ok {
			if f := fields[name]; len(f) == 0 || f[0] != "checkbox" || !strings.Contains(strings.Join(f[1:], " "), code) {
				t.Errorf("column %s is no choice of a checkbox field", col)
			}
			continue
		}
		if fields[col] == nil {
			t.Errorf("column %s is no field of the dictionary", col)
		}
	}
	// The cells, against the answers.
	index := map[string]int{}
	for i, col := range header {
		index[col] = i
	}
	for i, r := range responses {
		rec := recs[i+1]
		if rec[0] != r.ID {
			t.Errorf("record %d id %q, want %q", i, rec[0], r.ID)
		}
		wantComplete := map[bool]string{true: "2", false: "0"}[r.Status == survey.ResponseComplete]
		if got := rec[index[form.Instrument.Sections[0].ID+"_complete"]]; got != wantComplete {
			t.Errorf("record %d complete %q, want %q", i, got, wantComplete)
		}
		for _, it := range form.Items() {
			v, answered := r.Answers[it.ID]
			if it.Type == survey.Consent {
				// The one-choice checkbox of Encode: consent___1.
				col, ok := index[it.ID+"___1"]
				want := ""
				if answered {
					want = map[bool]string{true: "1", false: "0"}[v.Int == 1]
				}
				if !ok || rec[col] != want {
					t.Errorf("record %d %s___1 = %q (column %v), want %q", i, it.ID, rec[col], ok, want)
				}
				continue
			}
			if it.Type == survey.MultipleChoice {
				for _, o := range it.Options {
					got := rec[index[it.ID+"___"+strings.ReplaceAll(strconv.FormatInt(o.Value, 10), "-", "_")]]
					want := ""
					if answered {
						want = "0"
						for _, x := range v.List {
							if x == o.Value {
								want = "1"
							}
						}
					}
					if got != want {
						t.Errorf("record %d %s___%d = %q, want %q", i, it.ID, o.Value, got, want)
					}
				}
				continue
			}
			want := ""
			switch {
			case !answered:
			case v.Kind == survey.TextValue:
				want = v.Text
			default:
				want = strconv.FormatInt(v.Int, 10)
			}
			if got := rec[index[it.ID]]; got != want {
				t.Errorf("record %d %s = %q, want %q", i, it.ID, got, want)
			}
		}
	}
}
