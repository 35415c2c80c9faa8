package xlsform_test

import (
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/instrument/xlsform"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

func branching(t *testing.T) *survey.Instrument {
	t.Helper()
	in, err := instrument.Parse([]byte(fixtures.Instrument("branching.yaml")), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// roundTrip writes in and reads it back: the same questionnaire.
func roundTrip(t *testing.T, in *survey.Instrument) {
	t.Helper()
	data, err := xlsform.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := xlsform.Decode(data)
	if err != nil {
		t.Fatalf("the export does not read back: %v", err)
	}
	for _, d := range interop.Diff(in, res.Instrument) {
		t.Error(d)
	}
}

// TestRoundTripConditions: every form of condition goes out as relevant
// (a section's as its group's) and comes back deciding alike.
func TestRoundTripConditions(t *testing.T) {
	roundTrip(t, branching(t))
}
