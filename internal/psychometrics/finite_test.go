package psychometrics

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestRunFinite: whatever the data (few respondents, few categories,
// constant or duplicated items, much missing), the analysis either fails
// with an EInvalid error or gives a report that encodes as JSON: never
// NaN or an infinity, which encoding/json refuses (and the API would
// answer with a 500).
func TestRunFinite(t *testing.T) {
	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range form.Items() {
		if it.Type == survey.Likert && it.Subscale != "" {
			ids = append(ids, it.ID)
		}
	}
	outcomes := map[string]int{}
	for seed := range uint64(24) {
		rng := rand.New(rand.NewPCG(seed, 77))
		n := 8 + rng.IntN(60)
		cats := 2 + rng.IntN(4)
		missing := rng.Float64() * 0.4
		d := NewData(ids)
		row := make([]float64, len(ids))
		constant := rng.IntN(len(ids) * 3) // most runs: no constant item
		dup := rng.IntN(len(ids) * 3)
		for range n {
			f := rng.NormFloat64()
			for j := range row {
				v := math.Round(min(max(float64(cats+1)/2+f*rng.Float64()+rng.NormFloat64(), 1), float64(cats)))
				switch {
				case j == constant:
					v = 2
				case j == dup && j > 0:
					v = row[j-1]
				case rng.Float64() < missing:
					v = math.NaN()
				}
				row[j] = v
			}
			d.Add(row)
		}
		k := 3 + rng.IntN(8)
		items := strings.Join(ids[:k], ",")
		q := Query{Items: items, Resamples: "20", Simulations: "5", Seed: "3"}
		if rng.IntN(2) == 0 {
			q.Correlation = "polychoric"
		}
		if rng.IntN(3) == 0 {
			q.Deletion = "listwise"
		}
		if rng.IntN(3) == 0 {
			q.Extraction = "ml"
		}
		if rng.IntN(3) == 0 {
			q.Factors = "2"
		}
		var p survey.Problems
		opt := parseQuery(&p, q, form)
		if len(p) > 0 {
			t.Fatalf("seed %d: %v", seed, p)
		}
		rep := &Report{Form: form, Warnings: []Warning{}}
		err := (&Service{}).run(context.Background(), rep, d, opt)
		var se *survey.Error
		switch {
		case errors.As(err, &se) && se.Code == survey.EInvalid:
			outcomes["invalid"]++
			continue
		case err != nil:
			t.Fatalf("seed %d (%+v): %v", seed, q, err)
		}
		if _, err := json.Marshal(rep); err != nil {
			t.Fatalf("seed %d (%+v, n %d): %v", seed, q, n, err)
		}
		outcomes["ok"]++
	}
	if outcomes["ok"] == 0 || outcomes["invalid"] == 0 {
		t.Errorf("outcomes %v: the data should lead to both", outcomes)
	}
	t.Logf("outcomes %v", outcomes)
}
