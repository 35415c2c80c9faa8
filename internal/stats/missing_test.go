package stats

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// missingYAML has a 1–5 scale with 9 = "Not applicable" as a missing
// code, four items (m2 reverse-keyed) scored as a mean from 3 answered
// items, and a single-choice item with 99 = "Prefer not to say".
const missingYAML = `key: missing-stats
version: 1
title: Missing codes
scales:
  - id: agree5na
    options:
      - {value: 1, label: Strongly disagree}
      - {value: 2, label: Disagree}
      - {value: 3, label: Neutral}
      - {value: 4, label: Agree}
      - {value: 5, label: Strongly agree}
      - {value: 9, label: Not applicable, missing: true}
subscales:
  - {id: m, title: M, scoring: mean, min_answered: 3}
sections:
  - id: s
    title: S
    items:
      - {id: m1, type: likert, text: m1, scale: agree5na, subscale: m}
      - {id: m2, type: likert, text: m2, scale: agree5na, subscale: m, reverse: true}
      - {id: m3, type: likert, text: m3, scale: agree5na, subscale: m}
      - {id: m4, type: likert, text: m4, scale: agree5na, subscale: m}
      - {id: sex, type: single_choice, text: Sex, options: [{value: 1, label: Female}, {value: 2, label: Male}, {value: 99, label: Prefer not to say, missing: true}]}
`

// missingData is the small data set of the missing-code tests, 9 marking
// "Not applicable" (rows 2, 3, 5 and 9 use it; rows 1, 4, 6, 7 and 8 are
// the complete cases). TestMissingCodesAgainstR reads it with 9 as NA.
var missingData = [][4]int64{
	{4, 2, 5, 4},
	{9, 4, 3, 3},
	{2, 9, 1, 2},
	{5, 1, 4, 5},
	{3, 3, 9, 3},
	{4, 2, 4, 4},
	{1, 5, 2, 1},
	{3, 3, 3, 4},
	{5, 2, 5, 9},
}

// missingSex is each row's answer to sex; 99 is "Prefer not to say".
var missingSex = []int64{1, 2, 99, 1, 2, 99, 1, 2, 1}

func missingForm(tb testing.TB) *survey.Form {
	tb.Helper()
	in, err := instrument.Parse([]byte(missingYAML), instrument.YAML)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// missingResponses are the rows as responses; with dropCodes the missing
// codes are left unanswered instead.
func missingResponses(dropCodes bool) []*survey.Response {
	var out []*survey.Response
	for i, row := range missingData {
		a := survey.Answers{}
		for j, v := range row {
			if !(dropCodes && v == 9) {
				a["m"+string(rune('1'+j))] = survey.IntVal(v)
			}
		}
		if !(dropCodes && missingSex[i] == 99) {
			a["sex"] = survey.IntVal(missingSex[i])
		}
		out = append(out, complete(0, 10, a))
	}
	return out
}

func TestMissingCodesHandComputed(t *testing.T) {
	f := missingForm(t)
	g := build(t, f, Options{}, missingResponses(false)).Groups[0]

	// m1: 4 2 5 3 4 1 3 5 (row 2's 9 left out): mean 27/8; sorted
	// 1 2 3 3 4 4 5 5, median 3.5; squared deviations from 3.375 sum to
	// 13.875, SD √(13.875/7).
	m1 := itemOf(t, g, "m1")
	if m1.N != 8 || m1.Missing != 0 || m1.MissingCodes != 1 {
		t.Errorf("m1: n %d, missing %d, missing_codes %d; want 8, 0, 1", m1.N, m1.Missing, m1.MissingCodes)
	}
	wantFloat(t, "m1 mean", m1.Mean, 27.0/8)
	wantFloat(t, "m1 sd", m1.SD, math.Sqrt(13.875/7))
	wantFloat(t, "m1 median", m1.Median, 3.5)
	if len(m1.Options) != 6 {
		t.Fatalf("m1 options: %+v", m1.Options)
	}
	// The substantive options' percentages are of the 8 substantive
	// answers; the code's of all 9 answers.
	if o := m1.Options[3]; o.Value != 4 || o.Count != 2 || o.MissingCode || o.Percent == nil || *o.Percent != 25 {
		t.Errorf("m1 option 4: %+v, want count 2, 25%%", o)
	}
	if o := m1.Options[5]; o.Value != 9 || o.Count != 1 || !o.MissingCode || o.Percent == nil || math.Abs(*o.Percent-100.0/9) > 1e-12 {
		t.Errorf("m1 option 9: %+v, want a missing code, count 1, 11.1%%", o)
	}

	// sex: 1 2 1 2 1 2 1 (two 99s left out): mean 10/7, median 1.
	sex := itemOf(t, g, "sex")
	if sex.N != 7 || sex.MissingCodes != 2 {
		t.Errorf("sex: n %d, missing_codes %d; want 7, 2", sex.N, sex.MissingCodes)
	}
	wantFloat(t, "sex mean", sex.Mean, 10.0/7)
	wantFloat(t, "sex median", sex.Median, 1)

	// Scores (m2 reversed: 6 − value; a 9 is unanswered, never reversed):
	// row 1 (4+4+5+4)/4 = 17/4, 2 (2+3+3)/3 = 8/3, 3 (2+1+2)/3 = 5/3,
	// 4 (5+5+4+5)/4 = 19/4, 5 (3+3+3)/3 = 3, 6 (4+4+4+4)/4 = 4,
	// 7 (1+1+2+1)/4 = 5/4, 8 (3+3+3+4)/4 = 13/4, 9 (5+4+5)/3 = 14/3.
	scores := []float64{17.0 / 4, 8.0 / 3, 5.0 / 3, 19.0 / 4, 3, 4, 5.0 / 4, 13.0 / 4, 14.0 / 3}
	var sum float64
	for _, s := range scores {
		sum += s
	}
	mean := sum / 9
	var ss float64
	for _, s := range scores {
		ss += (s - mean) * (s - mean)
	}
	m := g.Subscales[0]
	if m.N != 9 || m.Min != 1 || m.Max != 5 {
		t.Errorf("subscale m: n %v, range %v–%v; want 9 on 1–5 (9 is no scale point)", m.N, m.Min, m.Max)
	}
	wantFloat(t, "score mean", m.Mean, mean)
	wantFloat(t, "score sd", m.SD, math.Sqrt(ss/8))
	wantFloat(t, "score median", m.Median, 13.0/4) // sorted: 5/4 5/3 8/3 3 13/4 4 17/4 14/3 19/4

	// Alpha from the 5 complete cases only, scored values (m2 reversed):
	//   m1: 4 5 4 1 3   m2r: 4 5 4 1 3   m3: 5 4 4 2 3   m4: 4 5 4 1 4
	// item variances 2.3, 2.3, 1.3, 2.3 (sum 8.2); totals 17 19 16 5 13,
	// mean 14, variance (9+25+4+81+1)/4 = 30; α = 4/3 · (1 − 8.2/30).
	rel := m.Reliability
	if rel.CompleteCases != 5 {
		t.Errorf("complete cases %d, want 5 (rows with a 9 are not complete)", rel.CompleteCases)
	}
	wantFloat(t, "alpha", rel.Alpha, 4.0/3*(1-8.2/30))
}

// TestMissingCodesAreUnanswered holds the rule in general: every figure of
// a report on answers with missing codes is the figure of the same
// answers with the codes left unanswered, apart from the counts of the
// codes themselves.
func TestMissingCodesAreUnanswered(t *testing.T) {
	f := missingForm(t)
	for _, opt := range []Options{{}, {By: "sex"}} {
		with := build(t, f, opt, missingResponses(true))
		codes := build(t, f, opt, missingResponses(false))
		if opt.By != "" {
			// Grouped by sex, the code 99 is a group of its own when
			// given and "not answered" when dropped: compare the others.
			with.Groups, codes.Groups = with.Groups[:2], codes.Groups[:2]
		}
		for gi := range with.Groups {
			a, b := &with.Groups[gi], &codes.Groups[gi]
			for i := range b.Items {
				b.Items[i].MissingCodes = 0
				a.Items[i].Missing = 0 // dropped codes count as skipped
				b.Items[i].Missing = 0
				for j := range b.Items[i].Options {
					if b.Items[i].Options[j].MissingCode {
						b.Items[i].Options = b.Items[i].Options[:j]
						a.Items[i].Options = a.Items[i].Options[:j]
						break
					}
				}
			}
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if string(ja) != string(jb) {
				t.Errorf("by %q, group %d: codes as unanswered:\n%s\nwith codes:\n%s", opt.By, gi, ja, jb)
			}
		}
	}
}

func wantFloat(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if got == nil || math.Abs(*got-want) > 1e-9 {
		if got == nil {
			t.Errorf("%s = nil, want %v", name, want)
			return
		}
		t.Errorf("%s = %v, want %v", name, *got, want)
	}
}

// TestCombineRescale: a subscale of a 1–5 and a 0–2 item with combine:
// rescale has the first item's range, 1–5, and its complete cases hold
// the rescaled values (1 + 2x for the 0–2 item).
func TestCombineRescale(t *testing.T) {
	const src = `key: rescale-stats
version: 1
title: Rescale
scales:
  - id: a5
    options: [{value: 1, label: "1"}, {value: 2, label: "2"}, {value: 3, label: "3"}, {value: 4, label: "4"}, {value: 5, label: "5"}]
  - id: f3
    options: [{value: 0, label: Never}, {value: 1, label: Sometimes}, {value: 2, label: Often}]
subscales:
  - {id: mix, title: Mixed, scoring: sum, combine: rescale}
sections:
  - id: s
    title: S
    items:
      - {id: a, type: likert, text: a, scale: a5, subscale: mix}
      - {id: f, type: likert, text: f, scale: f3, subscale: mix}
`
	in, err := instrument.Parse([]byte(src), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	var rs []*survey.Response
	for _, row := range [][2]int64{{1, 0}, {3, 1}, {5, 2}} {
		rs = append(rs, complete(0, 5, survey.Answers{"a": survey.IntVal(row[0]), "f": survey.IntVal(row[1])}))
	}
	m := build(t, f, Options{}, rs).Groups[0].Subscales[0]
	// Sums: 1 + 1, 3 + 3, 5 + 5; on 2–10 (two items of 1–5).
	if m.Min != 2 || m.Max != 10 {
		t.Errorf("range %v–%v, want 2–10", m.Min, m.Max)
	}
	wantFloat(t, "mean", m.Mean, 6)
	// The two rescaled items agree perfectly: alpha 1.
	wantFloat(t, "alpha", m.Reliability.Alpha, 1)
}
