package stats

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// testYAML is a small instrument with every item type: subscale att holds
// the four items of dataset B (att_3 reverse-keyed) and scores from 3
// answered items; subscale solo has one item; tools is shown to
// psychiatrists only.
var testYAML = fixtures.Instrument("stats-test.yaml")

func testForm(tb testing.TB) *survey.Form {
	tb.Helper()
	in, err := instrument.Parse([]byte(testYAML), instrument.YAML)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

var day0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// complete is a complete response submitted on day d (0-based) after
// minutes of answering.
func complete(d int, minutes float64, a survey.Answers) *survey.Response {
	sub := day0.Add(time.Duration(d) * 24 * time.Hour)
	return &survey.Response{Status: survey.ResponseComplete, Answers: a,
		StartedAt: sub.Add(-time.Duration(minutes * float64(time.Minute))), SubmittedAt: &sub}
}

// testResponses are dataset B's eight respondents with a role, tools,
// years and comments, one more complete response that skipped att_2 and
// role, and one response in progress.
func testResponses() []*survey.Response {
	years := []int64{3, 5, 10, 0, 7, 6, 2, 4}
	var out []*survey.Response
	for i, row := range datasetB.raw {
		a := survey.Answers{"att_1": survey.IntVal(row[0]), "att_2": survey.IntVal(row[1]),
			"att_3": survey.IntVal(row[2]), "att_4": survey.IntVal(row[3]),
			"solo_1": survey.IntVal(4), "years": survey.IntVal(years[i])}
		if i%2 == 0 {
			a["role"] = survey.IntVal(1)
		} else {
			a["role"] = survey.IntVal(2)
		}
		switch i {
		case 0:
			a["tools"] = survey.ListVal(1, 2)
			a["comment"] = survey.TextVal("Good")
		case 2:
			a["tools"] = survey.ListVal(2)
		case 6:
			a["tools"] = survey.ListVal(1)
			a["comment"] = survey.TextVal("Fine")
		} // respondent 5 (i = 4) was shown tools and skipped it
		out = append(out, complete(i/3, float64(10+i), a))
	}
	out = append(out, complete(2, 20, survey.Answers{"att_1": survey.IntVal(5), "att_3": survey.IntVal(1), "att_4": survey.IntVal(5)}))
	out = append(out, &survey.Response{Status: survey.ResponseInProgress, StartedAt: day0.Add(4 * 24 * time.Hour),
		Answers: survey.Answers{"role": survey.IntVal(1)}})
	return out
}

func build(tb testing.TB, f *survey.Form, opt Options, rs []*survey.Response) *Report {
	tb.Helper()
	b, err := New(f, opt)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range rs {
		b.Add(r)
	}
	return b.Report()
}

func itemOf(tb testing.TB, g Group, id string) ItemStats {
	tb.Helper()
	for _, it := range g.Items {
		if it.ID == id {
			return it
		}
	}
	tb.Fatalf("no item %s", id)
	return ItemStats{}
}

func TestReport(t *testing.T) {
	f := testForm(t)
	rep := build(t, f, Options{}, testResponses())
	if rep.By != nil || len(rep.Groups) != 1 || rep.Groups[0].Label != LabelAll || rep.Groups[0].Value != nil {
		t.Fatalf("groups: %+v", rep.Groups)
	}
	g := rep.Groups[0]

	t.Run("Responses", func(t *testing.T) {
		r := g.Responses
		if r.N != 10 || r.Complete != 9 || r.InProgress != 1 {
			t.Errorf("n %d, complete %d, in progress %d; want 10, 9, 1", r.N, r.Complete, r.InProgress)
		}
		near(t, "completion rate", r.CompletionRate, 0.9)
		// Durations 10..17 and 20 minutes: the median of 9 is the 5th, 14 min.
		near(t, "median completion", r.MedianCompletionSeconds, 14*60)
		want := []DayCount{
			{"2026-03-02", 3, 0}, {"2026-03-03", 3, 0}, {"2026-03-04", 3, 0},
			{"2026-03-05", 0, 0}, {"2026-03-06", 0, 1},
		}
		if !slices.Equal(r.PerDay, want) {
			t.Errorf("per day %+v, want %+v", r.PerDay, want)
		}
	})

	t.Run("LikertItem", func(t *testing.T) {
		// att_1 answered 4 2 5 3 1 4 2 3 5: mean 29/9; squares sum to 109,
		// so SS = 109 − 29²/9 = 140/9 and SD = √(140/72); median 3.
		it := itemOf(t, g, "att_1")
		if it.N != 9 || it.Missing != 1 {
			t.Errorf("n %d missing %d, want 9 and 1 (the response in progress)", it.N, it.Missing)
		}
		wantCounts := []int{1, 2, 2, 2, 2}
		for i, o := range it.Options {
			if o.Value != int64(i+1) || o.Count != wantCounts[i] {
				t.Errorf("option %d: %+v, want value %d count %d", i, o, i+1, wantCounts[i])
			}
		}
		near(t, "percent of 1", it.Options[0].Percent, 100.0/9)
		near(t, "mean", it.Mean, 29.0/9)
		near(t, "sd", it.SD, math.Sqrt(140.0/72))
		near(t, "median", it.Median, 3)
	})

	t.Run("ReverseKeyedItemShownAsAnswered", func(t *testing.T) {
		// The item's own figures are of the answers as given: 2 4 1 3 4 2 5 3 1.
		it := itemOf(t, g, "att_3")
		near(t, "mean", it.Mean, 25.0/9)
		if !it.Reverse || it.Subscale != "att" {
			t.Errorf("reverse %v subscale %q", it.Reverse, it.Subscale)
		}
	})

	t.Run("MissingAnswer", func(t *testing.T) {
		it := itemOf(t, g, "att_2")
		if it.N != 8 || it.Missing != 2 {
			t.Errorf("att_2: n %d missing %d, want 8 and 2", it.N, it.Missing)
		}
	})

	t.Run("ShownOnlyIfMissing", func(t *testing.T) {
		// tools is shown to the 4 + 1 psychiatrists; 3 answered, respondent
		// 5 and the one in progress did not. Family physicians never saw it.
		it := itemOf(t, g, "tools")
		if it.N != 3 || it.Missing != 2 {
			t.Errorf("tools: n %d missing %d, want 3 and 2", it.N, it.Missing)
		}
		var counts []int
		for _, o := range it.Options {
			counts = append(counts, o.Count)
		}
		if !slices.Equal(counts, []int{2, 2, 0}) {
			t.Errorf("selections %v, want [2 2 0]", counts)
		}
		near(t, "percent Scribe", it.Options[0].Percent, 200.0/3)
		if it.Mean != nil || it.SD != nil || it.Median != nil || it.Note == "" {
			t.Errorf("multiple choice has mean %v sd %v median %v note %q", it.Mean, it.SD, it.Median, it.Note)
		}
	})

	t.Run("ChoiceOptionsInTheirOrder", func(t *testing.T) {
		it := itemOf(t, g, "role")
		if it.Options[0].Label != "Family medicine" || it.Options[0].Count != 4 || it.Options[1].Count != 5 {
			t.Errorf("role options %+v", it.Options)
		}
		// 2 2 2 2 1 1 1 1 1: the median is 1, the mean 13/9.
		near(t, "median", it.Median, 1)
		near(t, "mean", it.Mean, 13.0/9)
	})

	t.Run("IntegerItem", func(t *testing.T) {
		// 3 5 10 0 7 6 2 4: mean 37/8, median (4 + 5)/2, squares 239,
		// SS = 239 − 37²/8 = 543/8, SD = √(543/56).
		it := itemOf(t, g, "years")
		if len(it.Options) != 11 || it.Options[1].Count != 0 || it.Options[10].Count != 1 {
			t.Errorf("years: %+v, want every value 0..10 with its count", it.Options)
		}
		near(t, "mean", it.Mean, 37.0/8)
		near(t, "median", it.Median, 4.5)
		near(t, "sd", it.SD, math.Sqrt(543.0/56))
	})

	t.Run("Texts", func(t *testing.T) {
		if len(g.Texts) != 1 || g.Texts[0].N != 2 || g.Texts[0].Missing != 8 {
			t.Errorf("texts %+v, want comment answered 2, missing 8", g.Texts)
		}
	})

	t.Run("SubscaleScoresAndReliability", func(t *testing.T) {
		s := g.Subscales[0]
		// Scores: dataset B's totals / 4, and 5 for the response that
		// skipped att_2 (3 items answered, the minimum).
		if s.ID != "att" || s.N != 9 || s.Min != 1 || s.Max != 5 {
			t.Fatalf("att: %+v", s)
		}
		near(t, "mean score", s.Mean, (98.0/4+5)/9)
		// Reliability on the 8 complete cases only: dataset B's figures,
		// which also proves att_3 was reversed first.
		checkReliabilityB(t, s.Reliability)
		if len(s.Histogram) != 8 || s.Histogram[7].To != 5 {
			t.Errorf("histogram %+v", s.Histogram)
		}
		total := 0
		for _, b := range s.Histogram {
			total += b.Count
		}
		if total != 9 || s.Histogram[7].Count != 2 { // 4.5 (18/4) and 5
			t.Errorf("histogram counts %+v", s.Histogram)
		}
	})

	t.Run("SubscaleOfOneItem", func(t *testing.T) {
		s := g.Subscales[1]
		if s.Scoring != "sum" || s.N != 8 || s.Reliability.Alpha != nil || !strings.Contains(s.Reliability.Note, "at least 2 items") {
			t.Errorf("solo: %+v", s)
		}
	})
}

func TestReportBy(t *testing.T) {
	f := testForm(t)
	rep := build(t, f, Options{By: "role"}, testResponses())
	if rep.By == nil || rep.By.ID != "role" {
		t.Fatalf("by %+v", rep.By)
	}
	var labels []string
	var ns []int
	for _, g := range rep.Groups {
		labels = append(labels, g.Label)
		ns = append(ns, g.Responses.N)
	}
	if !slices.Equal(labels, []string{"Family medicine", "Psychiatry", LabelNotAnswered}) || !slices.Equal(ns, []int{4, 5, 1}) {
		t.Fatalf("groups %v with %v responses", labels, ns)
	}
	if v := rep.Groups[1].Value; v == nil || *v != 1 {
		t.Errorf("psychiatry value %v", v)
	}
	// Family physicians never see tools: nothing answered, nothing missing.
	if it := itemOf(t, rep.Groups[0], "tools"); it.N != 0 || it.Missing != 0 || it.Options[0].Percent != nil {
		t.Errorf("tools among family physicians: %+v", it)
	}
	if rel := rep.Groups[1].Subscales[0].Reliability; rel.CompleteCases != 4 || rel.Alpha == nil {
		t.Errorf("psychiatry att reliability %+v", rel)
	}
	if rel := rep.Groups[2].Subscales[0].Reliability; rel.CompleteCases != 0 || rel.Alpha != nil || rel.Note == "" {
		t.Errorf("not answered att reliability %+v", rel)
	}

	t.Run("NoNotAnsweredGroupWhenEveryoneAnswered", func(t *testing.T) {
		rep := build(t, f, Options{By: "role"}, testResponses()[:8])
		if len(rep.Groups) != 2 {
			t.Errorf("%d groups, want 2", len(rep.Groups))
		}
	})
	t.Run("EmptyOptionGroupListed", func(t *testing.T) {
		rep := build(t, f, Options{By: "role"}, nil)
		if len(rep.Groups) != 2 || rep.Groups[0].Responses.N != 0 {
			t.Errorf("groups %+v", rep.Groups)
		}
		mustJSON(t, rep)
	})
	for _, c := range []struct{ by, msg string }{
		{"nope", `unknown item "nope"`},
		{"tools", `"tools" is a multiple_choice item; responses can be grouped by a single_choice item only`},
		{"att_1", `"att_1" is a likert item`},
	} {
		_, err := New(f, Options{By: c.by})
		var se *survey.Error
		if !errors.As(err, &se) || se.Code != survey.EInvalid || len(se.Details) != 1 || se.Details[0].Path != "by" ||
			!strings.Contains(se.Details[0].Message, c.msg) {
			t.Errorf("by=%s: %v", c.by, err)
		}
	}
}

// TestReportNoNaN: a constant item, a single answer, no answers at all:
// the JSON holds nulls and notes, never NaN (which encoding/json refuses).
func TestReportNoNaN(t *testing.T) {
	f := testForm(t)
	var rs []*survey.Response
	for i, v := range []int64{1, 2, 3, 4, 5} {
		rs = append(rs, complete(i, 5, survey.Answers{"att_1": survey.IntVal(v), "att_2": survey.IntVal(3),
			"att_3": survey.IntVal(6 - v), "att_4": survey.IntVal(v)}))
	}
	rep := build(t, f, Options{}, rs)
	att := rep.Groups[0].Subscales[0]
	if att.Reliability.Alpha == nil {
		t.Fatalf("alpha nil: %+v", att.Reliability)
	}
	if it := att.Reliability.Items[1]; it.ItemRestR != nil || !strings.Contains(it.Note, "zero variance") {
		t.Errorf("constant att_2: %+v", it)
	}
	if it := itemOf(t, rep.Groups[0], "att_2"); it.SD == nil || *it.SD != 0 {
		t.Errorf("constant item SD %v, want 0", it.SD)
	}
	body := mustJSON(t, rep)
	if !strings.Contains(body, `"corrected_item_total_r":null`) {
		t.Errorf("no null correlation in %s", body)
	}

	one := build(t, f, Options{}, rs[:1])
	if it := itemOf(t, one.Groups[0], "att_1"); it.SD != nil || it.Mean == nil || it.Note == "" {
		t.Errorf("one answer: %+v", it)
	}
	mustJSON(t, one)
	none := build(t, f, Options{}, nil)
	if s := none.Groups[0].Subscales[0]; s.Mean != nil || s.Note == "" || s.Reliability.Note == "" {
		t.Errorf("no responses: %+v", s)
	}
	if r := none.Groups[0].Responses; r.CompletionRate != nil || r.MedianCompletionSeconds != nil || r.PerDay == nil {
		t.Errorf("no responses: %+v", r)
	}
	mustJSON(t, none)
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		x, w []float64
		want float64
	}{
		{[]float64{1, 2, 3}, nil, 2},
		{[]float64{1, 2, 3, 4}, nil, 2.5},
		{[]float64{7}, nil, 7},
		{[]float64{1, 2, 3, 4, 5}, []float64{0, 2, 0, 2, 0}, 3}, // 2 2 4 4
		{[]float64{1, 2, 3}, []float64{5, 0, 5}, 2},             // five 1s, five 3s
		{[]float64{1, 2, 3}, []float64{5, 1, 4}, 1.5},
	} {
		n := float64(len(c.x))
		if c.w != nil {
			n = 0
			for _, w := range c.w {
				n += w
			}
		}
		if got := median(c.x, c.w, n); got != c.want {
			t.Errorf("median(%v, %v) = %v, want %v", c.x, c.w, got, c.want)
		}
	}
}

func mustJSON(t *testing.T, rep *Report) string {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if s := string(b); strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Fatalf("NaN or Inf in %s", s)
	}
	return string(b)
}

// TestAddKeepsNothing feeds the responses as the store's scanner does:
// one Response, one Answers map and one submission time reused for every
// response. The report must equal that of distinct responses.
func TestAddKeepsNothing(t *testing.T) {
	f := testForm(t)
	rs := testResponses()
	for _, by := range []string{"", "role"} {
		b, err := New(f, Options{By: by})
		if err != nil {
			t.Fatal(err)
		}
		var (
			r   survey.Response
			sub time.Time
		)
		r.Answers = survey.Answers{}
		for _, src := range rs {
			a := r.Answers
			clear(a)
			maps.Copy(a, src.Answers)
			r = *src
			r.Answers = a
			if src.SubmittedAt != nil {
				sub = *src.SubmittedAt
				r.SubmittedAt = &sub
			}
			b.Add(&r)
		}
		if got, want := mustJSON(t, b.Report()), mustJSON(t, build(t, f, Options{By: by}, rs)); got != want {
			t.Errorf("by=%q: reused responses give\n%s\nwant\n%s", by, got, want)
		}
	}
}

func TestIntegerValues(t *testing.T) {
	in, err := instrument.Parse([]byte(`
key: ints
version: 1
title: Ints
sections:
  - id: s
    title: S
    items:
      - {id: age, type: integer, text: Age, min: 18}
`), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	var rs []*survey.Response
	for _, v := range []int64{40, 30, 40} {
		rs = append(rs, complete(0, 1, survey.Answers{"age": survey.IntVal(v)}))
	}
	it := itemOf(t, build(t, f, Options{}, rs).Groups[0], "age")
	if len(it.Options) != 2 || it.Options[0].Value != 30 || it.Options[1].Count != 2 {
		t.Errorf("open range: options %+v, want the values given", it.Options)
	}
	for v := range int64(150) {
		rs = append(rs, complete(0, 1, survey.Answers{"age": survey.IntVal(18 + v)}))
	}
	it = itemOf(t, build(t, f, Options{}, rs).Groups[0], "age")
	if len(it.Options) != 0 || !strings.Contains(it.Note, "150 different values") || it.Mean == nil {
		t.Errorf("many values: %d options, note %q, mean %v", len(it.Options), it.Note, it.Mean)
	}
}

// TestReportByLanguage: by=language gives a group per language of the
// instrument in its order (its own first, listed with no responses too),
// then other languages as met, then the responses with none recorded;
// each group has its own reliability.
func TestReportByLanguage(t *testing.T) {
	in := testForm(t).Instrument
	tr := survey.Translation{}
	for _, s := range in.SourceTexts() {
		tr[s.ID] = "de: " + s.Text
	}
	de, err := in.WithTranslation("de", tr)
	if err != nil {
		t.Fatal(err)
	}
	es, err := de.WithTranslation("es", tr)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(es)
	if err != nil {
		t.Fatal(err)
	}
	rs := testResponses()
	langs := []string{"de", "en", "de", "en", "de", "en", "fr", "de", "", "de"}
	for i, r := range rs {
		r.Language = langs[i%len(langs)]
	}
	rep := build(t, f, Options{By: ByLanguage}, rs)
	if rep.By == nil || rep.By.ID != "language" {
		t.Fatalf("by %+v", rep.By)
	}
	var got []string
	for _, g := range rep.Groups {
		got = append(got, fmt.Sprintf("%s/%s/%d", g.Language, g.Label, g.Responses.N))
	}
	want := []string{"en/en/3", "de/de/5", "es/es/0", "fr/fr/1", "/" + LabelNoLanguage + "/1"}
	if !slices.Equal(got, want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	if rel := rep.Groups[1].Subscales[0].Reliability; rel.CompleteCases == 0 {
		t.Errorf("German reliability %+v", rel)
	}
	b, _ := json.Marshal(rep.Groups[4])
	if strings.Contains(string(b), `"language"`) {
		t.Errorf("the group without a language names one: %s", b)
	}
}
