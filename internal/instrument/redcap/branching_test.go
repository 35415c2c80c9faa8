package redcap_test

import (
	"errors"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/instrument/redcap"
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

// refusedAt tells whether err is an invalid error with a detail at path.
func refusedAt(err error, path string) bool {
	var se *survey.Error
	if !errors.As(err, &se) || se.Code != survey.EInvalid {
		return false
	}
	for _, d := range se.Details {
		if d.Path == path {
			return true
		}
	}
	return false
}

// roundTrip writes in and reads it back: the same questionnaire.
func roundTrip(t *testing.T, in *survey.Instrument) {
	t.Helper()
	data, err := redcap.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := redcap.Decode(data)
	if err != nil {
		t.Fatalf("the export does not read back: %v", err)
	}
	for _, d := range interop.Diff(in, res.Instrument) {
		t.Error(d)
	}
}

// TestRoundTripConditions: every condition branching logic can say goes
// out (a section's on each of its fields) and comes back deciding alike;
// not, and not_equals on a checkbox field, are refused at their path.
func TestRoundTripConditions(t *testing.T) {
	in := branching(t)
	if _, err := redcap.Encode(in); !refusedAt(err, "sections[2].items[0].show_if") {
		t.Errorf("not: %v", err)
	}
	in.Sections[2].Items[0].ShowIf = nil
	if _, err := redcap.Encode(in); !refusedAt(err, "sections[2].items[1].show_if") {
		t.Errorf("not_equals on a checkbox field: %v", err)
	}
	in.Sections[2].Items[1].ShowIf = nil
	roundTrip(t, in)
}
