package survey_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"0", "0", true}, {"-0", "0", true}, {"0.30", "0.3", true}, {"72.50", "72.5", true},
		{"7.25e1", "72.5", true}, {"1e3", "1000", true}, {"1E-3", "0.001", true}, {"-0.05", "-0.05", true},
		{"007.100", "7.1", true}, {"123456789012345", "123456789012345", true},
		{"1234567890123456", "", false}, {"1e16", "", false}, {"1e-16", "", false}, {"1e99999", "", false},
		{"", "", false}, {"-", "", false}, {".5", "", false}, {"5.", "", false}, {"+5", "", false},
		{"5,5", "", false}, {"1e", "", false}, {"0x10", "", false}, {"NaN", "", false}, {"1.2.3", "", false},
	} {
		got, ok := survey.ParseDecimal(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseDecimal(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if survey.CompareDecimal("0.3", "0.30000000000000004") >= 0 || survey.CompareDecimal("-1.5", "-1.25") >= 0 || survey.CompareDecimal("250.5", "250.5") != 0 {
		t.Error("CompareDecimal is not exact")
	}
}

func itemTypesForm(tb testing.TB) *survey.Form {
	tb.Helper()
	in, err := instrument.Parse([]byte(fixtures.Instrument("item-types.yaml")), instrument.YAML)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// decode reads answers as the API does.
func decode(tb testing.TB, s string) survey.Answers {
	tb.Helper()
	var a survey.Answers
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		tb.Fatal(err)
	}
	out, p := survey.DecodeAnswers(a)
	if len(p) > 0 {
		tb.Fatalf("decode %s: %v", s, p)
	}
	return out
}

func TestItemTypesCheck(t *testing.T) {
	f := itemTypesForm(t)
	const ok = `"agree": 1, "visit": "2024-05-31"`
	for _, tc := range []struct {
		name, answers string
		path, message string // "" for valid
	}{
		{"OK", `{` + ok + `}`, "", ""},
		{"OKEverything", `{` + ok + `, "weight": 72.5, "pain": 0, "place": 3, "place_other": "Pharmacy", "aids": [1, 2, 4], "aids_other": "Glasses"}`, "", ""},
		{"OKNumberWhole", `{` + ok + `, "weight": 72}`, "", ""},
		{"OKNumberAsText", `{` + ok + `, "weight": "250.5"}`, "", ""},
		{"OKNumberTrailingZeros", `{` + ok + `, "weight": 72.50}`, "", ""},
		{"OKSliderTop", `{` + ok + `, "pain": 100}`, "", ""},
		{"OKExclusiveAlone", `{` + ok + `, "aids": [3]}`, "", ""},
		{"ErrConsentMissing", `{"visit": "2024-05-31"}`, "answers.agree", "is required"},
		{"ErrConsentZero", `{"agree": 0, "visit": "2024-05-31"}`, "answers.agree", "must be 1"},
		{"ErrConsentText", `{"agree": "yes", "visit": "2024-05-31"}`, "answers.agree", "must be 1"},
		{"ErrInfoAnswered", `{` + ok + `, "intro": 1}`, "answers.intro", "info item"},
		{"ErrDateRequired", `{"agree": 1}`, "answers.visit", "is required"},
		{"ErrDateShape", `{"agree": 1, "visit": "31/05/2024"}`, "answers.visit", "ISO date"},
		{"ErrDateImpossible", `{"agree": 1, "visit": "2024-02-30"}`, "answers.visit", "ISO date"},
		{"ErrDateNumber", `{"agree": 1, "visit": 20240531}`, "answers.visit", "ISO date"},
		{"ErrDateEarly", `{"agree": 1, "visit": "2019-12-31"}`, "answers.visit", "2020-01-01 or later"},
		{"ErrDateLate", `{"agree": 1, "visit": "2031-01-01"}`, "answers.visit", "2030-12-31 or earlier"},
		{"ErrNumberDecimals", `{` + ok + `, "weight": 72.25}`, "answers.weight", "at most 1 are allowed"},
		{"ErrNumberLow", `{` + ok + `, "weight": 29.9}`, "answers.weight", "at least 30"},
		{"ErrNumberHigh", `{` + ok + `, "weight": 250.6}`, "answers.weight", "at most 250.5"},
		{"ErrNumberText", `{` + ok + `, "weight": "heavy"}`, "answers.weight", "must be a number"},
		{"ErrNumberComma", `{` + ok + `, "weight": "72,5"}`, "answers.weight", "must be a number"},
		{"ErrNumberList", `{` + ok + `, "weight": [72]}`, "answers.weight", "must be a number"},
		{"ErrSliderHigh", `{` + ok + `, "pain": 101}`, "answers.pain", "from 0 to 100"},
		{"ErrSliderNegative", `{` + ok + `, "pain": -1}`, "answers.pain", "from 0 to 100"},
		{"ErrSliderFraction", `{` + ok + `, "pain": 50.5}`, "answers.pain", "must be an integer, got 50.5"},
		{"ErrFractionForChoice", `{` + ok + `, "place": 1.5}`, "answers.place", "must be an integer, got 1.5"},
		{"ErrExclusiveWithOthers", `{` + ok + `, "aids": [1, 3]}`, "answers.aids", "3 (None of these) is exclusive"},
		{"ErrOtherUnspecified", `{` + ok + `, "place": 3}`, "answers.place_other", "is required"},
		{"ErrOtherNotChosen", `{` + ok + `, "place": 1, "place_other": "Pharmacy"}`, "answers.place_other", "must not be answered"},
		{"ErrOtherTooLong", `{` + ok + `, "aids": [4], "aids_other": "` + strings.Repeat("x", 501) + `"}`, "answers.aids_other", "at most 500"},
		{"ErrOtherNotAnOptionWithoutOther", `{` + ok + `, "aids": [5]}`, "answers.aids", "5 is not an option"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.Check(decode(t, tc.answers), false)
			if tc.path == "" {
				if err != nil {
					t.Fatalf("Check = %v", err)
				}
				return
			}
			var se *survey.Error
			if err == nil || !asError(err, &se) {
				t.Fatalf("Check = %v, want a problem at %s", err, tc.path)
			}
			for _, d := range se.Details {
				if d.Path == tc.path && strings.Contains(d.Message, tc.message) {
					return
				}
			}
			t.Fatalf("Check = %+v, want %s: ...%s...", se.Details, tc.path, tc.message)
		})
	}
}

func asError(err error, se **survey.Error) bool {
	e, ok := err.(*survey.Error)
	*se = e
	return ok
}

// TestItemTypesCanonical: a fraction is stored as its canonical decimal
// text, never through a float.
func TestItemTypesCanonical(t *testing.T) {
	a := decode(t, `{"weight": 0.30, "x": 1e-1, "pain": 40}`)
	if got, want := string(a.Canonical()), `{"pain":40,"weight":"0.3","x":"0.1"}`; got != want {
		t.Errorf("Canonical = %s, want %s", got, want)
	}
	if v := a["weight"]; v.Kind != survey.NumberValue || v.Text != "0.3" {
		t.Errorf("weight = %+v", v)
	}
}

func TestItemTypesForm(t *testing.T) {
	f := itemTypesForm(t)
	o := f.OtherItem("aids")
	if o == nil || o.ID != "aids_other" || o.Type != survey.Text || !f.IsOtherItem("aids_other") || f.IsOtherItem("aids") {
		t.Fatalf("OtherItem(aids) = %+v", o)
	}
	if f.OtherItem("weight") != nil {
		t.Error("a number item has no Other companion")
	}
	opts := f.Options("aids")
	if last := opts[len(opts)-1]; !last.Other || last.Value != 4 || last.Label != "Something else" {
		t.Errorf("last option of aids = %+v", last)
	}
	if opts := f.Options("place"); opts[len(opts)-1].Label != survey.DefaultOtherLabel {
		t.Errorf("place's Other option = %+v", opts[len(opts)-1])
	}
	if f.SectionOf("aids_other") != 1 || f.Position("aids_other") != f.Position("aids")+1 {
		t.Error("the companion must follow its item, in its section")
	}
}

// TestItemJSONRoundTrip: a stored definition (encoding/json) reads back
// the bounds of date and number items, in the format's own min and max.
func TestItemJSONRoundTrip(t *testing.T) {
	in, err := instrument.Parse([]byte(fixtures.Instrument("item-types.yaml")), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"min":"2020-01-01"`, `"max":"2030-12-31"`, `"min":30`, `"max":250.5`, `"decimals":1`, `"exclusive":true`, `"other":true`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	var back survey.Instrument
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	w := back.Sections[0].Items[3]
	if w.MinText != "30" || w.MaxText != "250.5" || w.Min != nil {
		t.Errorf("weight read back = %+v", w)
	}
	if d := back.Sections[0].Items[2]; d.MinText != "2020-01-01" || d.MaxText != "2030-12-31" {
		t.Errorf("visit read back = %+v", d)
	}
	again, err := instrument.Parse(b, instrument.JSON)
	if err != nil {
		t.Fatalf("the JSON form does not parse: %v", err)
	}
	if b2, _ := json.Marshal(again); string(b2) != string(b) {
		t.Errorf("round trip changed the instrument:\n%s\n%s", b, b2)
	}
}
