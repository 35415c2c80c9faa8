package sample_test

import (
	"math/rand/v2"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// TestItemTypesSampleAnswersValid: every generator answers the new item
// types as the form accepts them (exclusive options alone, consent given,
// dates and decimals within their bounds, Other specified).
func TestItemTypesSampleAnswersValid(t *testing.T) {
	in, err := instrument.Parse([]byte(fixtures.Instrument("item-types.yaml")), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		for name, a := range map[string]survey.Answers{
			"Answers":       sample.Answers(f, rng),
			"ExportAnswers": sample.ExportAnswers(f, rng),
		} {
			if err := f.Check(a, false); err != nil {
				t.Fatalf("%s #%d: %s: %v", name, i, a.Canonical(), err)
			}
		}
	}
	a := sample.Fixed(f, nil, func(id string) string { return "text of " + id })
	if err := f.Check(a, false); err != nil {
		t.Fatalf("Fixed: %s: %v", a.Canonical(), err)
	}
}
