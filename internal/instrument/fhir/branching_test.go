package fhir_test

import (
	"errors"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/fhir"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
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
	data, err := fhir.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := fhir.Decode(data)
	if err != nil {
		t.Fatalf("the export does not read back: %v", err)
	}
	for _, d := range interop.Diff(in, res.Instrument) {
		t.Error(d)
	}
}

// TestEncodeRefusesRichConditions: enableWhen is written for the first
// format's conditions; a richer one is refused at its path, and a
// section's simple condition goes to each of its items.
func TestEncodeRefusesRichConditions(t *testing.T) {
	in := branching(t)
	if _, err := fhir.Encode(in); !refusedAt(err, "sections[1].items[0].show_if") {
		t.Errorf("a section's and an item's condition: %v", err)
	}
	one := int64(1)
	in.Sections[1].ShowIf = &survey.Condition{Item: "smoker", Equals: &one}
	for i := range in.Sections[1].Items {
		in.Sections[1].Items[i].ShowIf = nil
	}
	if _, err := fhir.Encode(in); !refusedAt(err, "sections[2].items[0].show_if") {
		t.Errorf("not: %v", err)
	}
	in.Sections[2].Items = in.Sections[2].Items[:1]
	in.Sections[2].Items[0].ShowIf = &survey.Condition{Item: "tools", In: []int64{1, 3}}
	roundTrip(t, in)
}
