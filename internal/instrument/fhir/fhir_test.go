package fhir_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/fhir"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestRoundTripShipped holds the export: every shipped instrument
// written as a Questionnaire and read back is the same questionnaire
// (interop.Diff), indeed the same instrument, with nothing to report.
func TestRoundTripShipped(t *testing.T) {
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil || len(files) == 0 {
		t.Fatalf("shipped instruments: %v (%d)", err, len(files))
	}
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			data, err := fhir.Encode(f.Instrument)
			if err != nil {
				t.Fatal(err)
			}
			if !fhir.Sniff(data) {
				t.Error("the Questionnaire is not recognised as one")
			}
			// One value[x] per answer option: no empty variants written.
			if strings.Contains(string(data), "null") {
				t.Error("the export writes variants that are not set")
			}
			res, err := fhir.Decode(data)
			if err != nil {
				t.Fatalf("the export does not read back: %v", err)
			}
			for _, d := range interop.Diff(f.Instrument, res.Instrument) {
				t.Error(d)
			}
			// The randomised order, attention checks and the consent's
			// decline travel in Dyad's own extensions (columns) too.
			for _, d := range interop.DiffDesign(f.Instrument, res.Instrument) {
				t.Error(d)
			}
			// Dyad's extensions carry the rest: the very same instrument.
			a, _ := json.Marshal(f.Instrument)
			b, _ := json.Marshal(res.Instrument)
			if string(a) != string(b) {
				t.Errorf("not the same instrument:\n%s\n%s", a, b)
			}
			if len(res.Warnings) != 0 {
				t.Errorf("warnings: %v", res.Warnings)
			}
		})
	}
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "interop", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func items(in *survey.Instrument) []*survey.Item {
	var out []*survey.Item
	for si := range in.Sections {
		for ii := range in.Sections[si].Items {
			out = append(out, &in.Sections[si].Items[ii])
		}
	}
	return out
}

// TestRealWorld reads Questionnaires written by others
// (testdata/interop, SOURCES.md): the PHQ-9 in its two published shapes
// (answerOption with ordinalValue, and a contained ValueSet) and the
// GAD-7 become scored likert items on one scale with values 0 to 3; the
// skip-logic example's enableWhen becomes show_if; each form builds and
// goes out and back unchanged.
func TestRealWorld(t *testing.T) {
	for _, tc := range []struct {
		name   string
		items  int
		likert bool
		warn   []string
	}{
		{"fhir-phq9.json", 10, true, []string{"item[9]"}}, // the total score is calculated
		{"fhir-argonaut-phq9.json", 10, true, nil},
		{"fhir-gad7.json", 7, true, nil},
		{"fhir-skip-logic.json", 4, false, []string{"item[1]", "item[3]"}}, // codes numbered; a date
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := read(t, tc.name)
			if !fhir.Sniff(data) {
				t.Fatal("not recognised as a Questionnaire")
			}
			res, err := fhir.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := survey.NewForm(res.Instrument); err != nil {
				t.Fatalf("the form does not build: %v", err)
			}
			its := items(res.Instrument)
			if len(its) != tc.items {
				t.Errorf("%d items, want %d", len(its), tc.items)
			}
			if tc.likert {
				if len(res.Instrument.Scales) != 1 {
					t.Fatalf("scales %+v, want one shared scale", res.Instrument.Scales)
				}
				for i, o := range res.Instrument.Scales[0].Options {
					if o.Value != int64(i) {
						t.Errorf("scale option %d = %+v, want value %d", i, o, i)
					}
				}
				if its[0].Type != survey.Likert || !its[0].Required {
					t.Errorf("first item %+v, want a required likert item", its[0])
				}
			}
			at := map[string]bool{}
			for _, w := range res.Warnings {
				at[w.Path] = true
			}
			for _, p := range tc.warn {
				if !at[p] {
					t.Errorf("no warning at %s: %v", p, res.Warnings)
				}
			}
			out, err := fhir.Encode(res.Instrument)
			if err != nil {
				t.Fatal(err)
			}
			back, err := fhir.Decode(out)
			if err != nil {
				t.Fatalf("exported again, it does not read back: %v", err)
			}
			for _, d := range interop.Diff(res.Instrument, back.Instrument) {
				t.Error(d)
			}
		})
	}
}

// TestSkipLogic checks the conditions of the skip-logic example: a
// boolean answered true shows the follow-ups.
func TestSkipLogic(t *testing.T) {
	res, err := fhir.Decode(read(t, "fhir-skip-logic.json"))
	if err != nil {
		t.Fatal(err)
	}
	its := items(res.Instrument)
	if c := its[1].ShowIf; c == nil || c.Item != its[0].ID || c.Equals == nil || *c.Equals != 1 {
		t.Errorf("flavour show_if = %+v, want %s = 1 (true)", c, its[0].ID)
	}
	// The flavours' codes are words: numbered 1 to 4 in order, "other" is 4.
	if c := its[2].ShowIf; c == nil || c.Item != its[1].ID || c.Equals == nil || *c.Equals != 4 {
		t.Errorf("the 'other' follow-up's show_if = %+v, want %s = 4", c, its[1].ID)
	}
}

// TestEnableWhen holds the enableWhen that becomes a condition, and that
// which is reported instead.
func TestEnableWhen(t *testing.T) {
	base := `{"resourceType": "Questionnaire", "title": "T", "item": [{"linkId": "g", "type": "group", "text": "G", "item": [
	  {"linkId": "color", "type": "choice", "text": "Colour", "answerOption": [
	    {"valueCoding": {"code": "r", "display": "Red"}}, {"valueCoding": {"code": "g", "display": "Green"}}, {"valueCoding": {"code": "b", "display": "Blue"}}]},
	  {"linkId": "age", "type": "integer", "text": "Age", "extension": [
	    {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 18},
	    {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 30}]},
	  {"linkId": "q", "type": "string", "text": "Q", %s}]}]}`
	for _, tc := range []struct {
		cond string
		ref  string
		want []int64
	}{
		{`"enableWhen": [{"question": "color", "operator": "=", "answerCoding": {"code": "g"}}]`, "color", []int64{2}},
		{`"enableWhen": [{"question": "color", "operator": "!=", "answerCoding": {"code": "g"}}]`, "color", []int64{1, 3}},
		{`"enableWhen": [{"question": "color", "operator": "=", "answerCoding": {"code": "r"}}, {"question": "color", "operator": "=", "answerCoding": {"code": "b"}}], "enableBehavior": "any"`, "color", []int64{1, 3}},
		{`"enableWhen": [{"question": "color", "operator": "!=", "answerCoding": {"code": "r"}}, {"question": "color", "operator": "!=", "answerCoding": {"code": "b"}}], "enableBehavior": "all"`, "color", []int64{2}},
		{`"enableWhen": [{"question": "color", "operator": "exists", "answerBoolean": true}]`, "color", []int64{1, 2, 3}},
		{`"enableWhen": [{"question": "age", "operator": ">=", "answerInteger": 29}]`, "age", []int64{29, 30}},
		{`"enableWhen": [{"question": "color", "operator": "=", "answerCoding": {"code": "r"}}, {"question": "age", "operator": "=", "answerInteger": 20}], "enableBehavior": "any"`, "", nil},
		{`"enableWhen": [{"question": "color", "operator": "=", "answerCoding": {"code": "r"}}, {"question": "color", "operator": "=", "answerCoding": {"code": "b"}}]`, "", nil},
		{`"enableWhen": [{"question": "color", "operator": "=", "answerCoding": {"code": "x"}}]`, "", nil},
		{`"enableWhen": [{"question": "later", "operator": "=", "answerCoding": {"code": "r"}}]`, "", nil},
		{`"enableWhen": [{"question": "color", "operator": "exists", "answerBoolean": false}]`, "", nil},
		{`"enableWhen": [{"question": "age", "operator": "=", "answerDecimal": 2.5}]`, "", nil},
	} {
		t.Run(tc.cond, func(t *testing.T) {
			res, err := fhir.Decode([]byte(strings.Replace(base, "%s", tc.cond, 1)))
			if err != nil {
				t.Fatal(err)
			}
			q := items(res.Instrument)[2]
			warned := false // the colours' codes being numbered is reported too, at item[0].item[0]
			for _, w := range res.Warnings {
				warned = warned || w.Path == "item[0].item[2].enableWhen"
			}
			if tc.want == nil {
				if q.ShowIf != nil || !warned {
					t.Errorf("show_if %+v, warnings %v; want none and a warning", q.ShowIf, res.Warnings)
				}
				return
			}
			if q.ShowIf == nil || warned {
				t.Fatalf("show_if %+v, warnings %v", q.ShowIf, res.Warnings)
			}
			got := interop.SortedValues(q.ShowIf)
			if q.ShowIf.Item != tc.ref || len(got) != len(tc.want) {
				t.Fatalf("show_if %s %v, want %s %v", q.ShowIf.Item, got, tc.ref, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("show_if %s %v, want %s %v", q.ShowIf.Item, got, tc.ref, tc.want)
				}
			}
		})
	}
}

// TestDecodeErrors: a Questionnaire that cannot become an instrument is
// refused with every problem at its place in the Questionnaire.
func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data, code string
		paths            []string
	}{
		{"not JSON", `{"resourceType": "Questionnaire", `, survey.EMalformed, []string{""}},
		{"another resource", `{"resourceType": "Patient"}`, survey.EMalformed, []string{"resourceType"}},
		{"no items", `{"resourceType": "Questionnaire", "title": "T"}`, survey.EInvalid, []string{"item"}},
		{"problems", `{"resourceType": "Questionnaire", "title": "T", "item": [
			{"linkId": "a", "type": "choice", "text": "A", "answerValueSet": "http://loinc.org/vs/LL358-3"},
			{"linkId": "b", "type": "choice", "text": "B"},
			{"linkId": "c", "type": "magic", "text": "C"},
			{"linkId": "c", "type": "string", "text": "C again"}]}`,
			survey.EInvalid, []string{"item[0].answerValueSet", "item[1].answerOption", "item[2].type", "item[3].linkId"}},
		// Written by others: questions without text, which every Dyad item needs.
		{"itemWeight example", string(read(t, "fhir-itemweight.json")), survey.EInvalid, []string{"item[0].item[0].item[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := fhir.Decode([]byte(tc.data))
			if err == nil {
				t.Fatalf("took it: %+v", res.Instrument)
			}
			se, ok := err.(*survey.Error)
			if !ok || se.Code != tc.code {
				t.Fatalf("error %v, want code %s", err, tc.code)
			}
			at := map[string]bool{}
			for _, d := range se.Details {
				at[d.Path] = true
			}
			for _, p := range tc.paths {
				if !at[p] {
					t.Errorf("no problem at %q: %v", p, se.Details)
				}
			}
		})
	}
}

// TestExportShape checks the exported JSON against the parts of the R4
// Questionnaire that other tools read.
func TestExportShape(t *testing.T) {
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	data, err := fhir.Encode(files[0].Instrument)
	if err != nil {
		t.Fatal(err)
	}
	var q map[string]any
	if err := json.Unmarshal(data, &q); err != nil {
		t.Fatal(err)
	}
	if q["resourceType"] != "Questionnaire" || q["status"] != "active" || q["url"] == nil {
		t.Errorf("resourceType, status, url = %v %v %v", q["resourceType"], q["status"], q["url"])
	}
	vs := q["contained"].([]any)[0].(map[string]any)
	if vs["resourceType"] != "ValueSet" {
		t.Errorf("contained[0] is %v", vs["resourceType"])
	}
}

// TestRoundTripMissingCodes: missing codes on a scale and on a choice
// item, and a subscale with combine: rescale, come back the same.
func TestRoundTripMissingCodes(t *testing.T) {
	in, err := instrument.Parse([]byte(`key: mc
version: 1
title: Missing codes
scales:
  - id: a5
    options: [{value: 1, label: SD}, {value: 5, label: SA}, {value: 9, label: Not applicable, missing: true}]
  - id: f3
    options: [{value: 0, label: Never}, {value: 2, label: Often}]
subscales:
  - {id: mix, title: Mixed, combine: rescale}
sections:
  - id: s
    title: S
    items:
      - {id: a, type: likert, text: A, scale: a5, subscale: mix}
      - {id: f, type: likert, text: F, scale: f3, subscale: mix}
      - {id: g, type: single_choice, text: G, options: [{value: 1, label: Woman}, {value: 99, label: Prefer not to say, missing: true}]}
`), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	data, err := fhir.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := fhir.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(in)
	b, _ := json.Marshal(res.Instrument)
	if string(a) != string(b) {
		t.Errorf("not the same instrument:\n%s\n%s", a, b)
	}
}
