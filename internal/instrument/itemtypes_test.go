package instrument_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/fhir"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// TestParseItemTypes: each rule of the new item types is reported at its
// path, once.
func TestParseItemTypes(t *testing.T) {
	base := fixtures.Instrument("item-types.yaml")
	const (
		visit  = `{id: visit, type: date, text: "When was your last visit?", min: "2020-01-01", max: "2030-12-31", required: true}`
		weight = `{id: weight, type: number, text: "Your weight", decimals: 1, unit: kg, min: 30, max: 250.5}`
		pain   = `{id: pain, type: slider, text: "How much pain do you feel now?", min_label: "No pain", max_label: "Worst pain imaginable"}`
		intro  = `{id: intro, type: info, text: "The next questions are about your visit."}`
		none   = `{value: 3, label: None of these, exclusive: true}`
		aids   = "        other: true\n        other_label: \"Something else\"\n"
	)
	for _, tc := range []struct {
		name, old, new, path, message string
	}{
		{"DateUnquotedOK", `min: "2020-01-01"`, `min: 2020-01-01`, "", ""},
		{"DateBadMin", `min: "2020-01-01"`, `min: "01/01/2020"`, "sections[0].items[2].min", "ISO date"},
		{"DateNumberMin", `min: "2020-01-01"`, `min: 2020`, "sections[0].items[2].min", "ISO date"},
		{"DateMinAfterMax", `min: "2020-01-01"`, `min: "2031-01-01"`, "sections[0].items[2].min", "later than max"},
		{"DateDecimals", visit, strings.Replace(visit, "required: true", "decimals: 1", 1), "sections[0].items[2].decimals", "not allowed for an item of type date"},
		{"NumberMinAfterMax", "min: 30,", "min: 300,", "sections[0].items[3].min", "greater than max"},
		{"NumberTooManyPlaces", "max: 250.5", "max: 250.55", "sections[0].items[3].max", "decimal places"},
		{"NumberBadDecimals", "decimals: 1", "decimals: 10", "sections[0].items[3].decimals", "between 0 and 9"},
		{"NumberTextMin", "min: 30,", `min: "thirty",`, "sections[0].items[3].min", "must be a number"},
		{"NumberHugeMax", "max: 250.5", "max: 12345678901234567.0", "sections[0].items[3].max", "at most 15 digits"},
		{"NumberOptions", weight, strings.Replace(weight, "unit: kg", "options: [{value: 1, label: A}]", 1), "sections[0].items[3].options", "not allowed for an item of type number"},
		{"SliderMin", pain, strings.Replace(pain, `min_label: "No pain"`, "min: 0", 1), "sections[0].items[4].min", "not allowed for an item of type slider"},
		{"SliderUnit", pain, strings.Replace(pain, `min_label: "No pain"`, "unit: mm", 1), "sections[0].items[4].unit", "not allowed for an item of type slider"},
		{"InfoRequired", intro, strings.Replace(intro, "}", ", required: true}", 1), "sections[0].items[0].required", "cannot be required"},
		{"InfoDecline", intro, strings.Replace(intro, "}", ", decline: no}", 1), "sections[0].items[0].decline", "not allowed for an item of type info"},
		{"ExclusiveOnSingle", "{value: 2, label: Home}", "{value: 2, label: Home, exclusive: true}", "sections[1].items[0].options[1].exclusive", "only an option of a multiple_choice item"},
		{"ExclusiveNotBool", none, strings.Replace(none, "exclusive: true", "exclusive: 1", 1), "sections[1].items[1].options[2].exclusive", "true or false"},
		{"OtherLabelAlone", aids, "        other_label: \"Something else\"\n", "sections[1].items[1].other_label", "needs other: true"},
		{"OtherOnText", intro, strings.Replace(intro, "}", ", other: true}", 1), "sections[0].items[0].other", "not allowed for an item of type info"},
		{"OtherIDTaken", intro, `{id: place_other, type: info, text: "Hi"}`, "sections[0].items[0].id", `"Other, please specify"`},
		{"ConditionOnDate", intro, strings.Replace(intro, "}", ", show_if: {item: visit, equals: 1}}", 1) + "\n      - " + visit, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(base, tc.old) {
				t.Fatalf("the fixture has no %q", tc.old)
			}
			doc := strings.Replace(base, tc.old, tc.new, 1)
			if tc.name == "ConditionOnDate" {
				// the condition's item must come first: move the info item after visit
				doc = strings.Replace(base, intro, "{id: intro2, type: info, text: x}", 1)
				doc = strings.Replace(doc, visit, visit+"\n      - {id: note, type: info, text: Hi, show_if: {item: visit, equals: 1}}", 1)
				tc.path, tc.message = "sections[0].items[3].show_if.equals", "is a date item; a condition can only ask whether it is answered"
			}
			_, err := instrument.Parse([]byte(doc), instrument.YAML)
			if tc.path == "" {
				if err != nil {
					t.Fatalf("Parse = %v", err)
				}
				return
			}
			se, ok := err.(*survey.Error)
			if !ok {
				t.Fatalf("Parse = %v, want a problem at %s", err, tc.path)
			}
			n := 0
			for _, d := range se.Details {
				if d.Path == tc.path && strings.Contains(d.Message, tc.message) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("Parse = %+v, want one problem %s: ...%s...", se.Details, tc.path, tc.message)
			}
		})
	}
}

// TestEncodeItemTypes: every encoder writes the new item types in its
// format's own terms (no error for a valid instrument), and the file it
// writes is one its importer reads.
func TestEncodeItemTypes(t *testing.T) {
	in, err := instrument.Parse([]byte(fixtures.Instrument("item-types.yaml")), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"redcap": {"date_ymd,2020-01-01,2030-12-31", "number_1dp,30,250.5", "@DYAD-UNIT=kg", "slider", "No pain | | Worst pain imaginable",
			"descriptive", "@DYAD-CONSENT", "@NONEOFTHEABOVE=3", "4, Something else", "aids_other", "[aids(4)] = '1'", "[place] = '3'"},
		"fhir": {`"type": "date"`, `"valueDate": "2020-01-01"`, `"type": "decimal"`, `"valueDecimal": 250.5`, `"code": "slider"`,
			`"type": "display"`, `"type": "boolean"`, `"type": "open-choice"`, "exclusive"},
		"xlsform": nil, // a zip: read back below, like the others
	}
	for _, enc := range instrument.Encoders {
		data, err := enc.Encode(in)
		if err != nil {
			t.Errorf("%s: %v", enc.Name, err)
			continue
		}
		for _, w := range want[enc.Name] {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s lacks %s", enc.Name, w)
			}
		}
		if enc.Name != "yaml" && enc.Name != "json" {
			dec := instrument.Detect(enc.MediaType, "x"+enc.Extension, data)
			if dec == nil {
				t.Fatalf("%s: no decoder for what it writes", enc.Name)
			}
			if _, err := dec.Decode(data); err != nil {
				t.Errorf("%s: its importer refuses what it writes: %v", enc.Name, err)
			}
		}
		if enc.Name == "yaml" || enc.Name == "json" {
			back, err := instrument.Parse(data, instrument.FormatOf("x"+enc.Extension))
			if err != nil {
				t.Fatalf("%s does not parse back: %v", enc.Name, err)
			}
			if back.Sections[0].Items[3].MaxText != "250.5" || back.Sections[1].Items[1].OtherLabel != "Something else" {
				t.Errorf("%s lost fields: %+v", enc.Name, back.Sections[0].Items[3])
			}
		}
	}
}

// TestFHIRResponseItemTypes: a QuestionnaireResponse answers the new item
// types with FHIR's own value types, and the Other text beside its code.
func TestFHIRResponseItemTypes(t *testing.T) {
	in, err := instrument.Parse([]byte(fixtures.Instrument("item-types.yaml")), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	form, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	r := &survey.Response{ID: "r1", Status: survey.ResponseComplete, InstrumentVersion: 1,
		Answers: survey.Answers{"agree": survey.IntVal(1), "visit": survey.TextVal("2024-05-31"), "weight": survey.TextVal("72.5"),
			"pain": survey.IntVal(37), "aids": survey.ListVal(4), "aids_other": survey.TextVal("Glasses")}}
	b, err := json.Marshal(fhir.Response(form, r))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"valueBoolean":true`, `"valueDate":"2024-05-31"`, `"valueDecimal":72.5`, `"valueInteger":37`,
		`"code":"4","display":"Something else"`, `"valueString":"Glasses"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("QuestionnaireResponse lacks %s: %s", want, b)
		}
	}
}
