package instrument_test

// These tests keep api/instrument.schema.json, the JSON Schema editors use
// for instrument files, in step with the parser: every shipped instrument
// passes both, and documents that break a rule the schema can express are
// rejected by both, while ones the parser accepts pass the schema too.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/api"
	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// mustInstrumentSchema compiles api/instrument.schema.json from the
// embedded FS.
func mustInstrumentSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	data, err := api.FS.ReadFile(api.InstrumentSchemaFile)
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("%s: %v", api.InstrumentSchemaFile, err)
	}
	c := jsonschema.NewCompiler()
	// The URL only names the resource; nothing is fetched.
	const url = "https://dyad.invalid/api/instrument.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		tb.Fatalf("%s: %v", api.InstrumentSchemaFile, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		tb.Fatalf("compile %s: %v", api.InstrumentSchemaFile, err)
	}
	return sch
}

// schemaYAMLToJSON turns a YAML document into JSON text, as an editor's YAML
// language server sees it.
func schemaYAMLToJSON(tb testing.TB, name string, data []byte) []byte {
	tb.Helper()
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return j
}

func schemaJSONValue(tb testing.TB, j []byte) any {
	tb.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		tb.Fatalf("decode JSON: %v", err)
	}
	return v
}

func TestSchema_ShippedInstruments(t *testing.T) {
	sch := mustInstrumentSchema(t)
	files, err := fs.Glob(instruments.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("instruments.FS holds no *.yaml files")
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			data, err := fs.ReadFile(instruments.FS, name)
			if err != nil {
				t.Fatal(err)
			}
			if instrument.IsTranslationFile(instruments.FS, name) {
				// Not an instrument: LoadFS reads it with its instrument
				// (TestLoadFS_Shipped).
				if _, err := instrument.ParseTranslationFile(data, instrument.YAML); err != nil {
					t.Errorf("%s does not parse: %v", name, err)
				}
				return
			}
			if err := sch.Validate(schemaJSONValue(t, schemaYAMLToJSON(t, name, data))); err != nil {
				t.Errorf("%s does not match %s:\n%v", name, api.InstrumentSchemaFile, err)
			}
			if _, err := instrument.Parse(data, instrument.YAML); err != nil {
				t.Errorf("%s does not parse: %v", name, err)
			}
		})
	}
}

// schemaBase is a small valid instrument using every item type; the cases
// below change one thing in it.
var schemaBase = fixtures.Instrument("demo-instrument.yaml")

// schemaEdit changes a decoded instrument.
type schemaEdit func(m map[string]any)

// schemaAt returns the object at a path of keys and indexes.
func schemaAt(m map[string]any, path ...any) map[string]any {
	var v any = m
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v.(map[string]any)
}

func schemaItem(i int) []any { return []any{"sections", 0, "items", i} }

// schemaSet sets field of the object at path; a nil value removes it.
func schemaSet(field string, value any, path ...any) schemaEdit {
	return func(m map[string]any) {
		o := schemaAt(m, path...)
		if value == nil {
			delete(o, field)
			return
		}
		o[field] = value
	}
}

// edits applies several edits in turn.
func edits(es ...schemaEdit) schemaEdit {
	return func(m map[string]any) {
		for _, e := range es {
			e(m)
		}
	}
}

func TestSchema_AgreesWithParser(t *testing.T) {
	sch := mustInstrumentSchema(t)
	options := []any{map[string]any{"value": 1, "label": "A"}, map[string]any{"value": 2, "label": "B"}}
	for _, tc := range []struct {
		name  string
		edit  schemaEdit
		valid bool
	}{
		{"OK", func(map[string]any) {}, true},
		{"OKMinimalItems", func(m map[string]any) {
			schemaSet("min", nil, schemaItem(3)...)(m)
			schemaSet("max", nil, schemaItem(3)...)(m)
			schemaSet("multiline", nil, schemaItem(4)...)(m)
			schemaSet("max_length", 0, schemaItem(4)...)(m)
		}, true},
		{"OKLoneCheckbox", func(m map[string]any) {
			schemaSet("options", options[:1], schemaItem(2)...)(m)
			schemaSet("in", []any{1}, append(schemaItem(4), "show_if")...)(m)
		}, true},
		{"OKNoScalesOrSubscales", func(m map[string]any) {
			schemaAt(m, "sections", 0)["items"] = schemaAt(m, "sections", 0)["items"].([]any)[1:]
			delete(m, "scales")
			delete(m, "subscales")
		}, true},

		{"OKMissingCodeOnScale", func(m map[string]any) {
			o := schemaAt(m, "scales", 0)
			o["options"] = append(o["options"].([]any), map[string]any{"value": 9, "label": "Not applicable", "missing": true})
		}, true},
		{"OKMissingCodeOnChoice", schemaSet("missing", true, append(schemaItem(1), "options", 1)...), true},
		{"OKMissingFalse", schemaSet("missing", false, "scales", 0, "options", 0), true},
		{"OKCombineRescale", schemaSet("combine", "rescale", "subscales", 0), true},
		{"ErrCombineUnknown", schemaSet("combine", "average", "subscales", 0), false},
		{"ErrMissingNotBoolean", schemaSet("missing", "yes", "scales", 0, "options", 0), false},

		{"ErrUnknownTopField", schemaSet("author", "me"), false},
		{"ErrUnknownItemField", schemaSet("hint", "typo for help", schemaItem(0)...), false},
		{"ErrUnknownOptionField", schemaSet("score", 3, "scales", 0, "options", 0), false},
		{"ErrUnknownConditionField", schemaSet("greater", 1, append(schemaItem(2), "show_if")...), false},
		{"ErrKeyPattern", schemaSet("key", "Demo_Instrument"), false},
		{"ErrVersionZero", schemaSet("version", 0), false},
		{"ErrVersionText", schemaSet("version", "1"), false},
		{"ErrTitleMissing", schemaSet("title", nil), false},
		{"ErrTitleBlank", schemaSet("title", "   "), false},
		{"ErrLanguage", schemaSet("language", "english"), false},
		{"ErrScoring", schemaSet("scoring", "median", "subscales", 0), false},
		{"ErrNoSections", schemaSet("sections", []any{}), false},
		{"ErrNoItems", schemaSet("items", []any{}, "sections", 0), false},
		{"ErrScaleOneOption", schemaSet("options", []any{map[string]any{"value": 1, "label": "Only"}}, "scales", 0), false},
		{"ErrOptionWithoutLabel", schemaSet("label", nil, "scales", 0, "options", 0), false},
		{"ErrOptionValueFraction", schemaSet("value", 1.5, "scales", 0, "options", 0), false},
		{"ErrItemIDPattern", schemaSet("id", "Q1", schemaItem(3)...), false},
		{"ErrItemIDTooLong", schemaSet("id", "q"+strings.Repeat("x", 32), schemaItem(3)...), false},
		{"ErrSectionIDPattern", schemaSet("id", "1st", "sections", 0), false},
		{"ErrScaleIDPattern", schemaSet("id", "agree-3", "scales", 0), false},
		{"ErrItemIDReserved", schemaSet("id", "status", schemaItem(3)...), false},
		{"ErrItemIDScorePrefix", schemaSet("id", "score_x", schemaItem(3)...), false},
		{"ErrItemIDDoubleUnderscore", schemaSet("id", "q__num", schemaItem(3)...), false},
		{"ErrItemTypeUnknown", schemaSet("type", "vas", schemaItem(3)...), false},
		{"ErrItemTextMissing", schemaSet("text", nil, schemaItem(3)...), false},
		{"ErrLikertWithoutScale", schemaSet("scale", nil, schemaItem(0)...), false},
		{"ErrLikertWithOptions", schemaSet("options", options, schemaItem(0)...), false},
		{"ErrLikertWithMin", schemaSet("min", 1, schemaItem(0)...), false},
		{"ErrSingleChoiceWithoutOptions", schemaSet("options", nil, schemaItem(1)...), false},
		{"ErrSingleChoiceOneOption", schemaSet("options", options[:1], schemaItem(1)...), false},
		{"ErrChoiceWithScale", schemaSet("scale", "agree3", schemaItem(1)...), false},
		{"ErrMultipleChoiceNoOptions", schemaSet("options", []any{}, schemaItem(2)...), false},
		{"ErrIntegerWithOptions", schemaSet("options", options, schemaItem(3)...), false},
		{"ErrIntegerMinFraction", schemaSet("min", 0.5, schemaItem(3)...), false},
		{"ErrTextWithOptions", schemaSet("options", options, schemaItem(4)...), false},
		{"ErrTextWithReverseFalse", schemaSet("reverse", false, schemaItem(4)...), false},
		{"ErrTextWithMax", schemaSet("max", 10, schemaItem(4)...), false},
		{"ErrTextMaxLengthTooLarge", schemaSet("max_length", 100001, schemaItem(4)...), false},
		{"ErrTextMaxLengthNegative", schemaSet("max_length", -1, schemaItem(4)...), false},
		{"ErrRequiredNotBoolean", schemaSet("required", "yes", schemaItem(3)...), false},
		{"ErrShowIfEqualsAndIn", schemaSet("in", []any{1}, append(schemaItem(2), "show_if")...), false},
		{"ErrShowIfNeither", schemaSet("equals", nil, append(schemaItem(2), "show_if")...), false},
		{"ErrShowIfEmptyIn", schemaSet("in", []any{}, append(schemaItem(4), "show_if")...), false},
		{"ErrShowIfWithoutItem", schemaSet("item", nil, append(schemaItem(2), "show_if")...), false},
		// Richer conditions: every form, on items and sections, and
		// the shapes both refuse.
		{"OKShowIfNotEquals", schemaSet("show_if", map[string]any{"item": "q_pick", "not_equals": 0}, schemaItem(2)...), true},
		{"OKShowIfRange", schemaSet("show_if", map[string]any{"item": "q_num", "gte": 2, "lt": 8}, schemaItem(4)...), true},
		{"OKShowIfAnsweredText", schemaSet("show_if", map[string]any{"item": "q_like", "answered": false}, schemaItem(4)...), true},
		{"OKShowIfAllAnyNot", schemaSet("show_if", map[string]any{"all": []any{
			map[string]any{"any": []any{map[string]any{"item": "q_like", "lte": 2}, map[string]any{"item": "q_pick", "equals": 1}}},
			map[string]any{"not": map[string]any{"item": "q_num", "in": []any{3, 4}}},
		}}, schemaItem(4)...), true},
		{"OKSectionShowIf", func(m map[string]any) {
			m["sections"] = append(m["sections"].([]any), map[string]any{"id": "more", "title": "More",
				"show_if": map[string]any{"item": "q_num", "gt": 5},
				"items":   []any{map[string]any{"id": "q_more", "type": "text", "text": "More?"}}})
		}, true},
		{"ErrSectionShowIfNotObject", schemaSet("show_if", true, "sections", 0), false},
		{"ErrShowIfTwoComparisons", schemaSet("not_equals", 2, append(schemaItem(2), "show_if")...), false},
		{"ErrShowIfGtAndGte", schemaSet("show_if", map[string]any{"item": "q_num", "gt": 2, "gte": 3}, schemaItem(4)...), false},
		{"ErrShowIfAnsweredNotBoolean", schemaSet("show_if", map[string]any{"item": "q_num", "answered": 1}, schemaItem(4)...), false},
		{"ErrShowIfAllEmpty", schemaSet("show_if", map[string]any{"all": []any{}}, schemaItem(4)...), false},
		{"ErrShowIfAllWithItem", schemaSet("show_if", map[string]any{"item": "q_num", "all": []any{map[string]any{"item": "q_num", "gt": 2}}}, schemaItem(4)...), false},
		{"ErrShowIfAllAndAny", schemaSet("show_if", map[string]any{"all": []any{map[string]any{"item": "q_num", "gt": 2}}, "any": []any{map[string]any{"item": "q_num", "gt": 2}}}, schemaItem(4)...), false},
		{"ErrShowIfNestedUnknownField", schemaSet("show_if", map[string]any{"not": map[string]any{"item": "q_num", "above": 2}}, schemaItem(4)...), false},
		{"ErrShowIfNestedNoComparison", schemaSet("show_if", map[string]any{"any": []any{map[string]any{"item": "q_num"}}}, schemaItem(4)...), false},
		{"OKLimits", func(m map[string]any) {
			schemaSet("title", strings.Repeat("é", 500))(m)
			schemaSet("value", -9999, "scales", 0, "options", 0)(m)
			schemaSet("value", 9999, "scales", 0, "options", 2)(m)
			schemaSet("min", -1000000000, schemaItem(3)...)(m)
			schemaSet("max", 1000000000, schemaItem(3)...)(m)
			schemaSet("text", strings.Repeat("x", 5000), schemaItem(3)...)(m)
		}, true},
		{"ErrTitleTooLong", schemaSet("title", strings.Repeat("é", 501)), false},
		{"ErrConsentTooLong", schemaSet("consent", strings.Repeat("x", 50001)), false},
		{"ErrEstimatedMinutesTooLarge", schemaSet("estimated_minutes", 1001), false},
		{"ErrOptionValueTooLarge", schemaSet("value", 10000, "scales", 0, "options", 2), false},
		{"ErrOptionValueTooSmall", schemaSet("value", -10000, "scales", 0, "options", 0), false},
		{"ErrOptionLabelTooLong", schemaSet("label", strings.Repeat("x", 501), "scales", 0, "options", 0), false},
		{"ErrTooManyOptions", func(m map[string]any) {
			var opts []any
			for v := range 301 {
				opts = append(opts, map[string]any{"value": v, "label": fmt.Sprint(v)})
			}
			schemaSet("options", opts, schemaItem(1)...)(m)
		}, false},
		{"ErrItemTextTooLong", schemaSet("text", strings.Repeat("x", 5001), schemaItem(3)...), false},
		{"ErrIntegerMinTooSmall", schemaSet("min", -1000000001, schemaItem(3)...), false},
		{"ErrIntegerMaxTooLarge", schemaSet("max", 1000000001, schemaItem(3)...), false},

		// The types of internal/survey/itemtypes.go, on the integer item.
		{"OKDate", edits(schemaSet("type", "date", schemaItem(3)...), schemaSet("min", "2020-01-01", schemaItem(3)...), schemaSet("max", "2030-12-31", schemaItem(3)...)), true},
		{"ErrDateNumberMin", schemaSet("type", "date", schemaItem(3)...), false},
		{"ErrDateDecimals", edits(schemaSet("type", "date", schemaItem(3)...), schemaSet("min", nil, schemaItem(3)...), schemaSet("max", nil, schemaItem(3)...), schemaSet("decimals", 1, schemaItem(3)...)), false},
		{"OKNumber", edits(schemaSet("type", "number", schemaItem(3)...), schemaSet("min", 0.5, schemaItem(3)...), schemaSet("decimals", 2, schemaItem(3)...), schemaSet("unit", "kg", schemaItem(3)...)), true},
		{"ErrNumberStringMin", edits(schemaSet("type", "number", schemaItem(3)...), schemaSet("min", "0.5", schemaItem(3)...), schemaSet("decimals", 1, schemaItem(3)...)), false},
		{"ErrNumberDecimalsTooMany", edits(schemaSet("type", "number", schemaItem(3)...), schemaSet("decimals", 10, schemaItem(3)...)), false},
		{"ErrNumberMultiline", edits(schemaSet("type", "number", schemaItem(3)...), schemaSet("multiline", true, schemaItem(3)...)), false},
		{"OKSlider", edits(schemaSet("type", "slider", schemaItem(3)...), schemaSet("min", nil, schemaItem(3)...), schemaSet("max", nil, schemaItem(3)...), schemaSet("min_label", "None", schemaItem(3)...), schemaSet("max_label", "Worst", schemaItem(3)...)), true},
		{"ErrSliderWithMin", schemaSet("type", "slider", schemaItem(3)...), false},
		{"OKInfo", edits(schemaSet("type", "info", schemaItem(3)...), schemaSet("min", nil, schemaItem(3)...), schemaSet("max", nil, schemaItem(3)...)), true},
		{"ErrInfoRequired", edits(schemaSet("type", "info", schemaItem(3)...), schemaSet("min", nil, schemaItem(3)...), schemaSet("max", nil, schemaItem(3)...), schemaSet("required", true, schemaItem(3)...)), false},
		{"OKConsent", edits(schemaSet("type", "consent", schemaItem(3)...), schemaSet("min", nil, schemaItem(3)...), schemaSet("max", nil, schemaItem(3)...), schemaSet("decline", "Thank you.", schemaItem(3)...)), true},
		{"ErrConsentNotRequired", edits(schemaSet("type", "consent", schemaItem(3)...), schemaSet("min", nil, schemaItem(3)...), schemaSet("max", nil, schemaItem(3)...), schemaSet("required", false, schemaItem(3)...)), false},
		{"ErrConsentWithUnit", edits(schemaSet("type", "consent", schemaItem(3)...), schemaSet("min", nil, schemaItem(3)...), schemaSet("max", nil, schemaItem(3)...), schemaSet("unit", "kg", schemaItem(3)...)), false},
		{"ErrUnitTooLong", edits(schemaSet("type", "number", schemaItem(3)...), schemaSet("unit", strings.Repeat("k", 501), schemaItem(3)...)), false},
		{"OKUnitAtLimit", edits(schemaSet("type", "number", schemaItem(3)...), schemaSet("unit", strings.Repeat("k", 500), schemaItem(3)...)), true},
		{"ErrDeclineTooLong", edits(schemaSet("type", "consent", schemaItem(3)...), schemaSet("min", nil, schemaItem(3)...), schemaSet("max", nil, schemaItem(3)...), schemaSet("decline", strings.Repeat("x", 5001), schemaItem(3)...)), false},
		{"ErrUnitOnInteger", schemaSet("unit", "kg", schemaItem(3)...), false},
		{"ErrDeclineOnText", schemaSet("decline", "no", schemaItem(4)...), false},
		{"OKExclusive", schemaSet("exclusive", true, append(schemaItem(2), "options", 1)...), true},
		{"ErrExclusiveOnSingleChoice", schemaSet("exclusive", true, append(schemaItem(1), "options", 1)...), false},
		{"ErrExclusiveOnScale", schemaSet("exclusive", true, "scales", 0, "options", 0), false},
		{"OKOther", edits(schemaSet("other", true, schemaItem(1)...), schemaSet("other_label", "Elsewhere", schemaItem(1)...), schemaSet("other", true, schemaItem(2)...)), true},
		{"ErrOtherOnInteger", schemaSet("other", true, schemaItem(3)...), false},
		{"ErrOtherNotBoolean", schemaSet("other", "yes", schemaItem(1)...), false},
		{"ErrShowIfNotObject", schemaSet("show_if", "q_pick = 1", schemaItem(2)...), false},
		{"OKRandomizeItemsFixed", func(m map[string]any) {
			schemaSet("randomize", "items", "sections", 0)(m)
			schemaSet("fixed", true, schemaItem(0)...)(m)
		}, true},
		{"OKRandomizeSectionsFixed", func(m map[string]any) {
			schemaSet("randomize", "sections")(m)
			schemaSet("fixed", true, "sections", 0)(m)
		}, true},
		{"OKFixedFalseWithoutRandomize", func(m map[string]any) {
			schemaSet("fixed", false, schemaItem(0)...)(m)
			schemaSet("fixed", false, "sections", 0)(m)
		}, true},
		{"ErrRandomizeItemsOnInstrument", schemaSet("randomize", "items"), false},
		{"ErrRandomizeSectionsOnSection", schemaSet("randomize", "sections", "sections", 0), false},
		{"ErrRandomizeNotString", schemaSet("randomize", true, "sections", 0), false},
		{"ErrItemFixedWithoutRandomize", schemaSet("fixed", true, schemaItem(0)...), false},
		{"ErrSectionFixedWithoutRandomize", schemaSet("fixed", true, "sections", 0), false},
		{"ErrFixedNotBoolean", func(m map[string]any) {
			schemaSet("randomize", "items", "sections", 0)(m)
			schemaSet("fixed", "yes", schemaItem(0)...)(m)
		}, false},

		{"OKAttentionLikert", schemaSet("attention", map[string]any{"expect": 1}, schemaItem(0)...), true},
		{"OKAttentionChoice", schemaSet("attention", map[string]any{"expect": 0}, schemaItem(1)...), true},
		{"OKAttentionInteger", schemaSet("attention", map[string]any{"expect": 3}, schemaItem(3)...), true},
		{"ErrAttentionOnText", schemaSet("attention", map[string]any{"expect": 1}, schemaItem(4)...), false},
		{"ErrAttentionOnMultipleChoice", schemaSet("attention", map[string]any{"expect": 1}, schemaItem(2)...), false},
		{"ErrAttentionWithoutExpect", schemaSet("attention", map[string]any{}, schemaItem(0)...), false},
		{"ErrAttentionUnknownField", schemaSet("attention", map[string]any{"expect": 1, "weight": 2}, schemaItem(0)...), false},
		{"ErrAttentionExpectText", schemaSet("attention", map[string]any{"expect": "1"}, schemaItem(0)...), false},
		{"ErrAttentionNotObject", schemaSet("attention", 4, schemaItem(0)...), false},
		{"ErrItemIDDQPrefix", schemaSet("id", "dq_any", schemaItem(3)...), false},
		{"ErrItemIDDurationPrefix", schemaSet("id", "duration_s1_s", schemaItem(3)...), false},
		{"OKTranslated", schemaTranslate(t, nil), true},
		{"ErrLanguagesTwice", func(m map[string]any) {
			schemaTranslate(t, nil)(m)
			m["languages"] = []any{"en-GB", "de", "de"}
		}, false},
		{"ErrLanguagesPattern", func(m map[string]any) {
			schemaTranslate(t, nil)(m)
			m["languages"] = []any{"en-GB", "german"}
		}, false},
		{"ErrTranslationNotText", schemaTranslate(t, func(tr map[string]any) { tr["title"] = 3 }), false},
		{"ErrTranslationNotObject", func(m map[string]any) {
			schemaTranslate(t, nil)(m)
			m["translations"] = map[string]any{"de": "Demo"}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(schemaYAMLToJSON(t, "base", []byte(schemaBase)), &m); err != nil {
				t.Fatal(err)
			}
			tc.edit(m)
			doc, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			schemaErr := sch.Validate(schemaJSONValue(t, doc))
			_, parseErr := instrument.Parse(doc, instrument.JSON)
			switch {
			case tc.valid && schemaErr != nil:
				t.Errorf("the schema rejects a valid instrument:\n%v", schemaErr)
			case !tc.valid && schemaErr == nil:
				t.Errorf("the schema accepts an invalid instrument: %s", doc)
			}
			// The parser is the authority; a case it does not judge the
			// same way is a wrong case, not a schema bug.
			if (parseErr == nil) != tc.valid {
				t.Errorf("parser: %v; the case expects valid=%v", parseErr, tc.valid)
			}
		})
	}
}

// schemaTranslate adds German to the instrument: every text of the base
// prefixed with "de:", then changed by edit.
func schemaTranslate(tb testing.TB, edit func(map[string]any)) schemaEdit {
	in, err := instrument.Parse([]byte(schemaBase), instrument.YAML)
	if err != nil {
		tb.Fatal(err)
	}
	return func(m map[string]any) {
		tr := map[string]any{}
		for _, s := range in.SourceTexts() {
			tr[s.ID] = "de: " + s.Text
		}
		if edit != nil {
			edit(tr)
		}
		m["languages"] = []any{"en-GB", "de"}
		m["translations"] = map[string]any{"de": tr}
	}
}
