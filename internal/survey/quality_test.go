package survey_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// qualityForm: a Likert block of five (s1), a subscale with two regular
// and one reverse-keyed item on a scale with a missing code (s2), and two
// attention checks, one behind a condition.
func qualityForm(t *testing.T) *survey.Form {
	t.Helper()
	agree := []survey.Option{{Value: 1, Label: "1"}, {Value: 2, Label: "2"}, {Value: 3, Label: "3"}, {Value: 4, Label: "4"}, {Value: 5, Label: "5"}, {Value: 9, Label: "NA", Missing: true}}
	lik := func(id string, rev bool, sub string) survey.Item {
		return survey.Item{ID: id, Type: survey.Likert, Text: id, Scale: "agree", Reverse: rev, Subscale: sub}
	}
	one := int64(1)
	in := &survey.Instrument{Key: "quality", Version: 1, Title: "Q",
		Scales:    []survey.Scale{{ID: "agree", Options: agree}},
		Subscales: []survey.Subscale{{ID: "trust", Title: "Trust"}},
		Sections: []survey.Section{
			{ID: "s1", Title: "S1", Items: []survey.Item{lik("b1", false, ""), lik("b2", false, ""), lik("b3", false, ""), lik("b4", false, ""), lik("b5", false, "")}},
			{ID: "s2", Title: "S2", Items: []survey.Item{
				lik("t1", false, "trust"), lik("t2", false, "trust"), lik("t3", true, "trust"),
				{ID: "check", Type: survey.Likert, Text: "Please choose 4", Scale: "agree", Attention: &survey.Attention{Expect: 4}},
				{ID: "gate", Type: survey.SingleChoice, Text: "Gate", Options: []survey.Option{{Value: 1, Label: "Yes"}, {Value: 0, Label: "No"}}},
				{ID: "check2", Type: survey.Integer, Text: "Type 7", Min: ptr64(0), Max: ptr64(10), Attention: &survey.Attention{Expect: 7}, ShowIf: &survey.Condition{Item: "gate", Equals: &one}},
			}},
		},
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func ptr64(v int64) *int64 { return &v }

func TestQualityFlags(t *testing.T) {
	f := qualityForm(t)
	start := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	// good answers: varied block, consistent subscale, checks passed.
	good := func() survey.Answers {
		return survey.Answers{"b1": survey.IntVal(2), "b2": survey.IntVal(3), "b3": survey.IntVal(2), "b4": survey.IntVal(4), "b5": survey.IntVal(3),
			"t1": survey.IntVal(4), "t2": survey.IntVal(5), "t3": survey.IntVal(2), "check": survey.IntVal(4), "gate": survey.IntVal(0)}
	}
	with := func(a survey.Answers, kv ...any) survey.Answers {
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(a, kv[i].(string))
				continue
			}
			a[kv[i].(string)] = survey.IntVal(int64(kv[i+1].(int)))
		}
		return a
	}
	// Median of the complete responses' times: 600 s; cutoff 0.3 × 600 = 180 s.
	q := f.Quality(0.3, 600)
	resp := func(a survey.Answers, seconds int, pages survey.PageTimes) *survey.Response {
		end := start.Add(time.Duration(seconds) * time.Second)
		return &survey.Response{Status: survey.ResponseComplete, Answers: a, StartedAt: start, SubmittedAt: &end, PageTimes: pages}
	}
	for _, c := range []struct {
		name string
		r    *survey.Response
		want survey.QualityFlags
	}{
		{"clean", resp(good(), 600, nil), survey.QualityFlags{}},
		{"speeder by the API's times", resp(good(), 179, nil), survey.QualityFlags{Speeder: true}},
		{"at the cutoff is no speeder", resp(good(), 180, nil), survey.QualityFlags{}},
		// A web response: its page times (100 s) count, not the hour from
		// start to submission (a break).
		{"speeder by page times", resp(good(), 3600, survey.PageTimes{"s1": 60000, "s2": 40000}), survey.QualityFlags{Speeder: true}},
		{"page times above the cutoff", resp(good(), 60, survey.PageTimes{"s1": 200000}), survey.QualityFlags{}},
		{"straight block", resp(with(good(), "b1", 3, "b2", 3, "b3", 3, "b4", 3, "b5", 3), 600, nil), survey.QualityFlags{Straightline: true}},
		{"block with one missing code is not straight", resp(with(good(), "b1", 3, "b2", 3, "b3", 3, "b4", 3, "b5", 9), 600, nil), survey.QualityFlags{}},
		{"block with one unanswered is not straight", resp(with(good(), "b1", 3, "b2", 3, "b3", 3, "b4", 3, "b5", nil), 600, nil), survey.QualityFlags{}},
		{"reverse contradiction at the top", resp(with(good(), "t2", 5, "t3", 5), 600, nil), survey.QualityFlags{Straightline: true}},
		{"reverse contradiction at the bottom", resp(with(good(), "t1", 1, "t3", 1), 600, nil), survey.QualityFlags{Straightline: true}},
		{"opposite extremes agree with the keying", resp(with(good(), "t1", 5, "t3", 1), 600, nil), survey.QualityFlags{}},
		{"missing code on the reversed item", resp(with(good(), "t1", 5, "t3", 9), 600, nil), survey.QualityFlags{}},
		{"attention failed", resp(with(good(), "check", 5), 600, nil), survey.QualityFlags{Attention: true}},
		{"attention unanswered", resp(with(good(), "check", nil), 600, nil), survey.QualityFlags{Attention: true}},
		{"attention answered with a missing code", resp(with(good(), "check", 9), 600, nil), survey.QualityFlags{Attention: true}},
		{"hidden check does not count", resp(with(good(), "gate", 0), 600, nil), survey.QualityFlags{}},
		{"shown check failed", resp(with(good(), "gate", 1, "check2", 6), 600, nil), survey.QualityFlags{Attention: true}},
		{"shown check passed", resp(with(good(), "gate", 1, "check2", 7), 600, nil), survey.QualityFlags{}},
		{"every rule", resp(with(good(), "b1", 1, "b2", 1, "b3", 1, "b4", 1, "b5", 1, "check", 1), 10, nil), survey.QualityFlags{Speeder: true, Straightline: true, Attention: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := q.Flags(c.r); got != c.want {
				t.Errorf("flags %+v, want %+v", got, c.want)
			}
			if got := q.Flags(c.r).Any(); got != (c.want != survey.QualityFlags{}) {
				t.Errorf("Any = %v", got)
			}
			// The same from the answers as stored (a scan with RawAnswers).
			raw := *c.r
			raw.AnswersJSON, raw.Answers = c.r.Answers.Canonical(), survey.Answers{}
			if got := q.Flags(&raw); got != c.want {
				t.Errorf("from the stored answers: flags %+v, want %+v", got, c.want)
			}
		})
	}
	// A response in progress is never flagged.
	ip := resp(with(good(), "check", 1), 1, nil)
	ip.Status, ip.SubmittedAt = survey.ResponseInProgress, nil
	if got := q.Flags(ip); got.Any() {
		t.Errorf("in progress: %+v", got)
	}
	// No median (no complete response): no speeder.
	if got := f.Quality(0.3, 0).Flags(resp(good(), 1, nil)); got.Speeder {
		t.Error("a speeder without a median")
	}
}

func TestMedianSeconds(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{5}, 5}, {[]float64{9, 1, 5}, 5}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := survey.MedianSeconds(c.in); got != c.want {
			t.Errorf("MedianSeconds(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseQualityOptions(t *testing.T) {
	for _, c := range []struct {
		exclude, fraction string
		want              survey.QualityOptions
		bad               []string
	}{
		{"", "", survey.QualityOptions{Fraction: 0.3}, nil},
		{"dq", "0.5", survey.QualityOptions{Fraction: 0.5, Exclude: true}, nil},
		{"speeders", "", survey.QualityOptions{Fraction: 0.3}, []string{"exclude"}},
		{"", "1", survey.QualityOptions{Fraction: 0.3}, []string{"speeder_fraction"}},
		{"", "0", survey.QualityOptions{Fraction: 0.3}, []string{"speeder_fraction"}},
		{"x", "NaN", survey.QualityOptions{Fraction: 0.3}, []string{"exclude", "speeder_fraction"}},
	} {
		var p survey.Problems
		got := survey.ParseQualityOptions(&p, c.exclude, c.fraction)
		var paths []string
		for _, d := range p {
			paths = append(paths, d.Path)
		}
		if got != c.want || len(paths) != len(c.bad) || (len(paths) > 0 && paths[0] != c.bad[0]) {
			t.Errorf("(%q, %q): %+v, problems %v; want %+v, %v", c.exclude, c.fraction, got, paths, c.want, c.bad)
		}
	}
}

// TestAttentionValidation: an attention check must expect a value its
// item can take, on an item type that has one answer.
func TestAttentionValidation(t *testing.T) {
	base := func() *survey.Instrument {
		return &survey.Instrument{Key: "att", Version: 1, Title: "A",
			Scales: []survey.Scale{{ID: "agree", Options: []survey.Option{{Value: 1, Label: "No"}, {Value: 2, Label: "Yes"}, {Value: 9, Label: "NA", Missing: true}}}},
			Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{
				{ID: "l", Type: survey.Likert, Text: "L", Scale: "agree"},
				{ID: "c", Type: survey.SingleChoice, Text: "C", Options: []survey.Option{{Value: 1, Label: "A"}, {Value: 2, Label: "B"}}},
				{ID: "n", Type: survey.Integer, Text: "N", Min: ptr64(0), Max: ptr64(10)},
				{ID: "m", Type: survey.MultipleChoice, Text: "M", Options: []survey.Option{{Value: 1, Label: "A"}}},
				{ID: "t", Type: survey.Text, Text: "T"},
			}}}}
	}
	for _, c := range []struct {
		item   int
		expect int64
		path   string // "" for valid
	}{
		{0, 2, ""}, {1, 1, ""}, {2, 10, ""},
		{0, 3, "sections[0].items[0].attention.expect"},
		{0, 9, "sections[0].items[0].attention.expect"}, // a missing code
		{1, 5, "sections[0].items[1].attention.expect"},
		{2, 11, "sections[0].items[2].attention.expect"},
		{3, 1, "sections[0].items[3].attention"},
		{4, 1, "sections[0].items[4].attention"},
	} {
		in := base()
		in.Sections[0].Items[c.item].Attention = &survey.Attention{Expect: c.expect}
		err := in.Validate()
		if c.path == "" {
			if err != nil {
				t.Errorf("item %d expect %d: %v", c.item, c.expect, err)
			}
			continue
		}
		e, ok := err.(*survey.Error)
		if !ok || len(e.Details) != 1 || e.Details[0].Path != c.path {
			t.Errorf("item %d expect %d: %v, want one problem at %s", c.item, c.expect, err, c.path)
		}
	}
	in := base()
	in.Sections[0].Items[2].ID = "dq_any"
	if err := in.Validate(); err == nil {
		t.Error("an item id dq_any is accepted")
	}
}

// TestCountQuality: the panel's counts agree with Flags over the same
// responses, the speeder rule applied after the one scan.
func TestCountQuality(t *testing.T) {
	f := qualityForm(t)
	start := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	mk := func(seconds int, a survey.Answers) *survey.Response {
		end := start.Add(time.Duration(seconds) * time.Second)
		return &survey.Response{Status: survey.ResponseComplete, Answers: a, StartedAt: start, SubmittedAt: &end}
	}
	good := survey.Answers{"b1": survey.IntVal(2), "b2": survey.IntVal(3), "check": survey.IntVal(4)}
	straight := survey.Answers{"b1": survey.IntVal(2), "b2": survey.IntVal(2), "b3": survey.IntVal(2), "b4": survey.IntVal(2), "b5": survey.IntVal(2), "check": survey.IntVal(4)}
	failed := survey.Answers{"check": survey.IntVal(1)}
	rs := memScanner{mk(100, good), mk(200, good), mk(300, straight), mk(400, failed), mk(20, failed), mk(500, good),
		{Status: survey.ResponseInProgress, StartedAt: start, Answers: failed}}
	c, err := survey.CountQuality(t.Context(), rs, f, survey.ExportFilter{}, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	// Times 100, 200, 300, 400, 20, 500: median 250, cutoff 75: one speeder (20 s), which also failed the check.
	want := survey.QualityCounts{Complete: 6, Speeder: 1, Straightline: 1, Attention: 2, AnyFlag: 3, Median: 250}
	if c != want {
		t.Errorf("counts %+v, want %+v", c, want)
	}
	q := f.Quality(0.3, 250)
	n := 0
	for _, r := range rs {
		if q.Flags(r).Any() {
			n++
		}
	}
	if n != c.AnyFlag {
		t.Errorf("Flags finds %d flagged, CountQuality %d", n, c.AnyFlag)
	}
}

// memScanner scans responses in memory, honouring the status filter.
type memScanner []*survey.Response

func (s memScanner) ScanResponses(ctx context.Context, f survey.ExportFilter, fn func(*survey.Response) error) error {
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

// TestReservedPrefixesAdmissionOnly: an item id starting dq_ or duration_
// is refused for a new instrument, but a version stored before the rule
// still makes a form.
func TestReservedPrefixesAdmissionOnly(t *testing.T) {
	in := &survey.Instrument{Key: "old", Version: 1, Title: "Old", Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{
		{ID: "duration_x", Type: survey.Integer, Text: "How long?"},
	}}}}
	e, ok := in.Validate().(*survey.Error)
	if !ok || len(e.Details) != 1 || e.Details[0].Path != "sections[0].items[0].id" || !strings.Contains(e.Details[0].Message, `"duration_"`) {
		t.Errorf("Validate: %v, want the id refused", e)
	}
	if _, err := survey.NewForm(in); err != nil {
		t.Errorf("a stored version with the id: %v", err)
	}
}
