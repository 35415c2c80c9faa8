package export_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// sectionBranching has a section shown only to smokers and an item shown
// by a combination of conditions.
const sectionBranching = `key: section-branching
version: 1
title: Section branching
sections:
  - id: screen
    title: Screen
    items:
      - {id: smoker, type: single_choice, text: Smoker?, options: [{value: 1, label: "Yes"}, {value: 0, label: "No"}]}
      - {id: age, type: integer, text: Age, min: 18, max: 120}
  - id: smoking
    title: Smoking
    show_if: {item: smoker, equals: 1}
    items:
      - {id: cigs, type: integer, text: Cigarettes a day, min: 1, max: 80}
      - id: quit
        type: single_choice
        text: Tried to quit?
        options: [{value: 1, label: "Yes"}, {value: 0, label: "No"}]
        show_if: {any: [{item: cigs, gte: 10}, {not: {item: age, lt: 40}}]}
`

// sectionBranchingForm parses sectionBranching; with sectionOnly, quit
// loses its own condition, so only the section's hides anything.
func sectionBranchingForm(t *testing.T, sectionOnly bool) *survey.Form {
	t.Helper()
	in, err := instrument.Parse([]byte(sectionBranching), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	if sectionOnly {
		in.Sections[1].Items[1].ShowIf = nil
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCodebookSectionCondition: the codebook puts each item's conditions
// in words, its section's included.
func TestCodebookSectionCondition(t *testing.T) {
	f := sectionBranchingForm(t, false)
	var b bytes.Buffer
	if err := export.WriteCodebook(&b, f, export.Options{}); err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, r := range parseCSV(t, b.String())[1:] {
		rows[r[0]] = r
	}
	for id, want := range map[string]string{
		"smoker": "",
		"cigs":   "shown if smoker = 1 (Yes) (the condition of section smoking)",
		"quit":   "shown if smoker = 1 (Yes) (the condition of section smoking) and (cigs is at least 10 or not (age is less than 40))",
	} {
		if got := rows[id][9]; got != want {
			t.Errorf("%s: show_if %q, want %q", id, got, want)
		}
	}
}

// TestSectionConditionNotShown: an item of a skipped section is "Not
// shown" in the labelled data files, as an item hidden by its own
// condition is, and empty in the CSV.
func TestSectionConditionNotShown(t *testing.T) {
	f := sectionBranchingForm(t, true)
	rs := []*survey.Response{{ID: "r1", InstrumentVersion: 1, Status: survey.ResponseComplete, StartedAt: at("2026-01-02T10:00:00Z"),
		SubmittedAt: ptr(at("2026-01-02T10:01:00Z")), Answers: survey.Answers{"smoker": survey.IntVal(0), "age": survey.IntVal(30)}}}
	var sav bytes.Buffer
	info := export.SyntaxInfo{Survey: &survey.Survey{ID: "s1", Title: "Branching"}, Base: "branching", Generated: at("2026-01-03T00:00:00Z")}
	if err := export.WriteSAV(context.Background(), &sav, f, info, scanOf(rs)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sav.Bytes(), []byte("Not shown")) {
		t.Error("the .sav declares no Not shown code for the skipped section's items")
	}
	csv := writeCSV(t, f, export.Options{}, rs)
	recs := parseCSV(t, csv)
	if len(recs) != 2 {
		t.Fatalf("CSV: %q", recs)
	}
	got := map[string]string{}
	for i, name := range recs[0] {
		got[name] = recs[1][i]
	}
	if got["smoker"] != "0" || got["age"] != "30" || got["cigs"] != "" || got["quit"] != "" {
		t.Errorf("CSV: %q", recs)
	}
}
