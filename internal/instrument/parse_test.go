package instrument_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// minimal is a valid instrument each case below breaks in one place.
var minimal = fixtures.Instrument("demo.yaml")

func problems(t *testing.T, err error) map[string]string {
	t.Helper()
	var se *survey.Error
	if !errors.As(err, &se) {
		t.Fatalf("want *survey.Error, got %v", err)
	}
	out := map[string]string{}
	for _, d := range se.Details {
		out[d.Path] = d.Message
	}
	return out
}

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		in, err := instrument.Parse([]byte(minimal), instrument.YAML)
		if err != nil {
			t.Fatal(err)
		}
		if in.Key != "demo" || len(in.Sections[0].Items) != 6 || !in.Sections[0].Items[2].Reverse {
			t.Fatalf("parsed wrongly: %+v", in)
		}
		if c := in.Sections[0].Items[3].ShowIf; c == nil || c.Item != "use" || *c.Equals != 1 {
			t.Fatalf("show_if parsed wrongly: %+v", c)
		}
	})

	cases := []struct {
		name, from, to string
		path, message  string
	}{
		{"UnknownTopField", "title: Demo", "title: Demo\ncolour: red", "colour", "unknown field"},
		{"BadKey", "key: demo", "key: Demo", "key", "must match"},
		{"MissingKey", "key: demo\n", "", "key", "is required"},
		{"ZeroVersion", "version: 1", "version: 0", "version", "positive"},
		{"VersionNotInt", "version: 1", "version: one", "version", "must be an integer"},
		{"UnknownScale", "scale: agree5, subscale: eff, required", "scale: agree7, subscale: eff, required", "sections[0].items[1].scale", `unknown scale "agree7"`},
		{"UnknownSubscale", "subscale: eff, required", "subscale: efx, required", "sections[0].items[1].subscale", `unknown subscale "efx"`},
		{"DuplicateItem", "{id: years,", "{id: use,", "sections[0].items[4].id", `duplicate item id "use"`},
		{"BadItemID", "{id: years,", "{id: Years,", "sections[0].items[4].id", "must match"},
		{"ReservedItemID", "{id: years,", "{id: status,", "sections[0].items[4].id", "reserved"},
		{"DoubleUnderscore", "{id: years,", "{id: a__b,", "sections[0].items[4].id", `"__"`},
		{"ForwardShowIf", "show_if: {item: use, equals: 1}", "show_if: {item: years, equals: 1}", "sections[0].items[3].show_if.item", "comes later"},
		{"SelfShowIf", "show_if: {item: use, equals: 1}", "show_if: {item: tools, equals: 1}", "sections[0].items[3].show_if.item", "itself"},
		{"UnknownShowIf", "show_if: {item: use, equals: 1}", "show_if: {item: nope, equals: 1}", "sections[0].items[3].show_if.item", `unknown item "nope"`},
		{"ShowIfValueNotOption", "show_if: {item: use, equals: 1}", "show_if: {item: use, equals: 7}", "sections[0].items[3].show_if.equals", "7 is not an option"},
		{"ShowIfBoth", "show_if: {item: use, equals: 1}", "show_if: {item: use, equals: 1, in: [0]}", "sections[0].items[3].show_if", "not both"},
		{"ShowIfOnText", "{id: note, type: text, text: Anything else?, multiline: true, max_length: 500}", "{id: note, type: text, text: Anything else?}\n      - {id: n2, type: integer, text: N, show_if: {item: note, equals: 1}}", "sections[0].items[6].show_if.equals", "text item"},
		{"ShowIfUnknownField", "show_if: {item: use, equals: 1}", "show_if: {item: use, greater: 1}", "sections[0].items[3].show_if.greater", "unknown field"},
		{"ShowIfAnsweredNotBool", "show_if: {item: use, equals: 1}", "show_if: {item: use, answered: 1}", "sections[0].items[3].show_if.answered", "must be true or false"},
		{"ShowIfAllNotList", "show_if: {item: use, equals: 1}", "show_if: {all: {item: use, equals: 1}}", "sections[0].items[3].show_if.all", "must be a list"},
		{"ShowIfNested", "show_if: {item: use, equals: 1}", "show_if: {any: [{item: use, equals: 1}, {not: {item: use, gt: 2}}]}", "sections[0].items[3].show_if.any[1].not.gt", "outside the values"},
		{"SectionShowIfUnknownField", "- id: s1\n", "- id: s1\n    show_if: {itm: use}\n", "sections[0].show_if.itm", "unknown field"},
		{"ScaleOneOption", "options:\n      - {value: 1, label: Strongly disagree}\n      - {value: 2, label: Disagree}\n      - {value: 3, label: Neutral}\n      - {value: 4, label: Agree}\n      - {value: 5, label: Strongly agree}", "options:\n      - {value: 1, label: Only}", "scales[0].options", "at least 2 options"},
		{"DuplicateOptionValue", "{value: 2, label: Disagree}", "{value: 1, label: Disagree}", "scales[0].options[1].value", "duplicate value 1"},
		{"FractionalOptionValue", "{value: 2, label: Disagree}", "{value: 2.5, label: Disagree}", "scales[0].options[1].value", "must be an integer"},
		{"ReverseOnText", "multiline: true, max_length: 500", "multiline: true, reverse: false", "sections[0].items[5].reverse", "not allowed for an item of type text"},
		{"ScaleOnChoice", `{id: use, type: single_choice,`, `{id: use, type: single_choice, scale: agree5,`, "sections[0].items[0].scale", "not allowed"},
		{"MinOverMax", "min: 0, max: 60", "min: 61, max: 60", "sections[0].items[4].min", "greater than max"},
		{"BadType", "{id: years, type: integer", "{id: years, type: decimal", "sections[0].items[4].type", "must be one of"},
		{"BadScoring", "scoring: mean", "scoring: median", "subscales[0].scoring", "mean or sum"},
		{"MinAnsweredTooHigh", "min_answered: 1", "min_answered: 3", "subscales[0].min_answered", "only 2 items"},
		{"UnknownItemField", "{id: years, type: integer,", "{id: years, type: integer, units: years,", "sections[0].items[4].units", "unknown field"},
		{"NoSections", "sections:", "sections: []\nold_sections:", "sections", "at least one section"},
		{"MissingNotBoolean", "{value: 5, label: Strongly agree}", "{value: 5, label: Strongly agree, missing: yes}", "scales[0].options[4].missing", "must be true or false"},
		{"ScaleOnlyOneSubstantive", "options:\n      - {value: 1, label: Strongly disagree}\n      - {value: 2, label: Disagree}\n      - {value: 3, label: Neutral}\n      - {value: 4, label: Agree}\n      - {value: 5, label: Strongly agree}", "options:\n      - {value: 1, label: Only}\n      - {value: 9, label: Not applicable, missing: true}", "scales[0].options", "at least 2 options that are not missing codes"},
		{"ChoiceOnlyMissingCodes", `options: [{value: 1, label: "Yes"}, {value: 0, label: "No"}]`, `options: [{value: 8, label: "Don't know", missing: true}, {value: 9, label: "Prefer not to say", missing: true}]`, "sections[0].items[0].options", "every option is a missing code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(minimal, tc.from, tc.to, 1)
			if src == minimal {
				t.Fatalf("case does not change the document: %q not found", tc.from)
			}
			_, err := instrument.Parse([]byte(src), instrument.YAML)
			got := problems(t, err)
			msg, ok := got[tc.path]
			if !ok {
				t.Fatalf("no problem at %s; got %v", tc.path, got)
			}
			if !strings.Contains(msg, tc.message) {
				t.Fatalf("%s: message %q does not contain %q", tc.path, msg, tc.message)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := instrument.Parse([]byte(fixtures.Instrument("broken.yaml")), instrument.YAML)
	got := problems(t, err)
	for _, path := range []string{
		"key", "version", "colour", "scales[0].options[1].value", "scales[1].options",
		"subscales[0].scoring", "sections[0].items[0].scale", "sections[0].items[1].id",
		"sections[0].items[1].reverse", "sections[0].items[2].min", "sections[0].items[3].show_if.item",
		"sections[0].items[4].options[1].value", "sections[0].items[5].show_if.item",
	} {
		if _, ok := got[path]; !ok {
			t.Errorf("no problem reported at %s", path)
		}
	}
	if t.Failed() {
		t.Logf("reported: %v", got)
	}
}

func TestParseJSONAndYAMLAgree(t *testing.T) {
	y, err := instrument.Parse([]byte(minimal), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	j := `{"key":"demo","version":1,"title":"Demo","scales":[{"id":"agree5","options":[{"value":1,"label":"No"},{"value":2,"label":"Yes"}]}],
	"sections":[{"id":"s1","title":"One","items":[{"id":"eff_1","type":"likert","text":"Saves time","scale":"agree5","reverse":true}]}]}`
	in, err := instrument.Parse([]byte(j), instrument.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if in.Key != y.Key || !in.Sections[0].Items[0].Reverse {
		t.Fatalf("JSON parsed wrongly: %+v", in)
	}
	_, err = instrument.Parse([]byte(`{"key": "demo",`), instrument.JSON)
	if survey.ErrorCode(err) != survey.EMalformed {
		t.Fatalf("truncated JSON: want malformed, got %v", err)
	}
	_, err = instrument.Parse([]byte("key: [demo\ntitle: x"), instrument.YAML)
	if survey.ErrorCode(err) != survey.EMalformed {
		t.Fatalf("broken YAML: want malformed, got %v", err)
	}
	_, err = instrument.Parse([]byte("- just\n- a list\n"), instrument.YAML)
	if got := problems(t, err); got[""] == "" {
		t.Fatalf("a list document: want a problem at the root, got %v", got)
	}
}

// TestParseBoundsAllowTextRules: the byte gate of bounds.go does not
// mistake a rule of dashes or brackets in a text for nesting.
func TestParseBoundsAllowTextRules(t *testing.T) {
	doc := strings.Replace(minimal, "title: Demo", "title: Demo\nintroduction: |\n  "+strings.Repeat("-", 80)+"\n  "+strings.Repeat("[", 40)+" see below\n  - - - a list in prose", 1)
	if _, err := instrument.Parse([]byte(doc), instrument.YAML); err != nil {
		t.Fatal(err)
	}
}

// A subscale's items must share their substantive values: scales that
// differ only in labels or in missing codes may be mixed, others not.
func TestParseSubscaleScales(t *testing.T) {
	const freq3 = "  - id: freq3\n    options: [{value: 0, label: Never}, {value: 1, label: Sometimes}, {value: 2, label: Often}]\n"
	const agree5na = "  - id: agree5na\n    options: [{value: 1, label: SD}, {value: 2, label: D}, {value: 3, label: N}, {value: 4, label: A}, {value: 5, label: SA}, {value: 9, label: Not applicable, missing: true}]\n"
	edit := func(scale, use string) string {
		src := strings.Replace(minimal, "subscales:", scale+"subscales:", 1)
		return strings.Replace(src, "scale: agree5, subscale: eff, reverse: true", "scale: "+use+", subscale: eff, reverse: true", 1)
	}
	t.Run("ErrMixed", func(t *testing.T) {
		_, err := instrument.Parse([]byte(edit(freq3, "freq3")), instrument.YAML)
		got := problems(t, err)
		const want = `subscale "eff" mixes scales: this item's scale "freq3" has the values 0, 1, 2 but sections[0].items[1] is on scale "agree5" with 1, 2, 3, 4, 5`
		if msg := got["sections[0].items[2].scale"]; !strings.Contains(msg, want) {
			t.Fatalf("sections[0].items[2].scale: %q; want it to contain %q (all: %v)", msg, want, got)
		}
	})
	t.Run("OKMixedWithCombineRescale", func(t *testing.T) {
		src := strings.Replace(edit(freq3, "freq3"), "scoring: mean,", "scoring: mean, combine: rescale,", 1)
		in, err := instrument.Parse([]byte(src), instrument.YAML)
		if err != nil {
			t.Fatal(err)
		}
		if in.Subscales[0].Combine != "rescale" {
			t.Fatalf("combine parsed wrongly: %+v", in.Subscales[0])
		}
	})
	t.Run("OKSameValuesOtherMissingCodes", func(t *testing.T) {
		in, err := instrument.Parse([]byte(edit(agree5na, "agree5na")), instrument.YAML)
		if err != nil {
			t.Fatal(err)
		}
		opts := in.Scales[1].Options
		if len(opts) != 6 || !opts[5].Missing || opts[4].Missing {
			t.Fatalf("missing codes parsed wrongly: %+v", opts)
		}
	})
}
