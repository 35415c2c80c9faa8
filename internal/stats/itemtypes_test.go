package stats

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// TestItemTypesStats: descriptives of a number item (exact decimals in,
// hand-computed mean, SD and median out) and a slider, the earliest,
// median and latest answer of a date item, no entry for the info item;
// and Scan, reading the stored answers by position, agrees with Add.
func TestItemTypesStats(t *testing.T) {
	in, err := instrument.Parse([]byte(fixtures.Instrument("item-types.yaml")), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	answers := []string{
		`{"agree":1,"visit":"2024-05-31","weight":"72.5","pain":37,"place":3,"place_other":"Pharmacy"}`,
		`{"agree":1,"visit":"1969-12-31","weight":30,"pain":0,"aids":[3]}`,
		`{"agree":1,"visit":"2030-12-31","weight":"0.3"}`,
		`{"agree":1,"visit":"2024-06-01","weight":"30.0"}`,
	}
	sc := &sliceScanner{}
	want, _ := New(f, Options{})
	for i, a := range answers {
		r := &survey.Response{ID: survey.NewUUID(), Status: survey.ResponseComplete, StartedAt: at, SubmittedAt: &at}
		sc.rs, sc.raw = append(sc.rs, r), append(sc.raw, []byte(a))
		rr := *r
		if err := json.Unmarshal([]byte(a), &rr.Answers); err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		want.Add(&rr)
	}
	got, _ := New(f, Options{})
	if err := got.Scan(context.Background(), sc, survey.ExportFilter{}); err != nil {
		t.Fatal(err)
	}
	rep := got.Report()
	if w := want.Report(); !reflect.DeepEqual(rep, w) {
		t.Fatalf("Scan gives\n%s\nAdd gives\n%s", mustJSON(t, rep), mustJSON(t, w))
	}
	items := map[string]ItemStats{}
	for _, it := range rep.Groups[0].Items {
		items[it.ID] = it
	}
	if _, ok := items["intro"]; ok {
		t.Error("the info item has statistics")
	}
	near := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	// weight: 72.5, 30, 0.3, 30 (30.0 is 30). Mean 132.8/4 = 33.2; median
	// (30 + 30)/2 = 30; SD: deviations 39.3, −3.2, −32.9, −3.2, squares
	// summing to 1544.49 + 10.24 + 1082.41 + 10.24 = 2647.38, / 3, sqrt.
	w := items["weight"]
	if w.N != 4 {
		t.Errorf("weight n = %d", w.N)
	}
	near("weight mean", w.Mean, 33.2)
	near("weight median", w.Median, 30)
	near("weight sd", w.SD, math.Sqrt(2647.38/3))
	// pain: 37 and 0, shown to all four, so two missing.
	p := items["pain"]
	near("pain mean", p.Mean, 18.5)
	near("pain sd", p.SD, math.Sqrt(2*18.5*18.5))
	if p.N != 2 || p.Missing != 2 {
		t.Errorf("pain n = %d, missing = %d", p.N, p.Missing)
	}
	d := items["visit"]
	if d.Earliest != "1969-12-31" || d.MedianDate != "2024-05-31" || d.Latest != "2030-12-31" || d.Mean != nil || d.N != 4 {
		t.Errorf("visit = %+v", d)
	}
	if c := items["agree"]; c.N != 4 || len(c.Options) != 1 || c.Options[0].Count != 4 {
		t.Errorf("agree = %+v", c)
	}
	var texts []string
	for _, tx := range rep.Groups[0].Texts {
		texts = append(texts, tx.ID)
	}
	if !reflect.DeepEqual(texts, []string{"place_other", "aids_other"}) || rep.Groups[0].Texts[0].N != 1 {
		t.Errorf("texts = %v (%+v)", texts, rep.Groups[0].Texts)
	}
}
