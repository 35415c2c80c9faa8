package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// itemTypesFixture deploys the instrument with every item type of
// survey/itemtypes.go as the open survey {types}.
func itemTypesFixture(tb testing.TB, e *testEnv) vars {
	tb.Helper()
	e.createInstrument(tb, fixtures.Instrument("item-types.yaml"), ctYAML)
	e.publish(tb, "item-types", 1)
	return vars{"types": e.createSurvey(tb, map[string]any{"instrument_key": "item-types", "instrument_version": 1})}
}

// itemTypesAnswers is a valid submission to {types}, changed by changes
// (omit removes an answer).
func itemTypesAnswers(changes map[string]any) string {
	a := map[string]any{"agree": 1, "visit": "2024-05-31", "weight": json.RawMessage("72.5"), "pain": 0,
		"place": 3, "place_other": "Pharmacy", "aids": []int{3}}
	for k, v := range changes {
		if v == omit {
			delete(a, k)
		} else {
			a[k] = v
		}
	}
	b, err := json.Marshal(map[string]any{"answers": a})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestItemTypesAPI: each new item type through the public API, a valid
// submission stored exactly (a fraction as its decimal text) and every
// bad answer refused with 422 at its path, nothing stored.
func TestItemTypesAPI(t *testing.T) {
	t.Parallel()
	const url = "/api/v1/public/surveys/{types}/responses"
	bad := func(name string, changes map[string]any, paths ...string) scenario {
		return scenario{name: name, method: "POST", url: url, body: itemTypesAnswers(changes), contentType: ctJSON,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: paths}
	}
	stored := func(name string, changes map[string]any, want map[string]any) scenario {
		return scenario{name: name, method: "POST", url: url, body: itemTypesAnswers(changes), contentType: ctJSON,
			wantStatus: 201, changes: true,
			after: func(tb testing.TB, e *testEnv, v vars, _ []byte) {
				rs := e.responses(tb, v["types"])
				if len(rs) != 1 {
					tb.Fatalf("%d responses stored, want 1", len(rs))
				}
				for k, w := range want {
					if !sameJSON(tb, rs[0].Answers[k], w) {
						tb.Errorf("stored %s = %v, want %v", k, rs[0].Answers[k], w)
					}
				}
			}}
	}
	runScenarios(t, itemTypesFixture, []scenario{
		{
			name: "public form carries the new fields", method: "GET", url: "/api/v1/public/surveys/{types}", wantStatus: 200,
			wantContent: []string{`"type":"date","text":"When was your last visit?"`, `"min":"2020-01-01"`, `"min":30,"max":250.5`,
				`"decimals":1,"unit":"kg"`, `"min_label":"No pain","max_label":"Worst pain imaginable"`,
				`"type":"consent","text":"I agree to take part in this study.","required":true`,
				`"exclusive":true`, `"other":{"value":4,"label":"Something else","item":"aids_other"}`,
				`"other":{"value":3,"label":"Other, please specify","item":"place_other"}`},
		},
		stored("every type answered", map[string]any{"weight": json.RawMessage("72.50"), "pain": 100, "aids": []int{1, 4}, "aids_other": "Glasses"},
			map[string]any{"agree": 1, "visit": "2024-05-31", "weight": "72.5", "pain": 100, "place": 3, "place_other": "Pharmacy", "aids": []int{1, 4}, "aids_other": "Glasses"}),
		stored("whole number and decimal text", map[string]any{"weight": 72, "place": 1, "place_other": omit}, map[string]any{"weight": 72, "place": 1}),
		stored("optional items left out", map[string]any{"weight": omit, "pain": omit, "place": omit, "place_other": omit, "aids": omit},
			map[string]any{"weight": nil, "pain": nil}),
		bad("consent missing", map[string]any{"agree": omit}, "answers.agree"),
		bad("consent not 1", map[string]any{"agree": 0}, "answers.agree"),
		bad("consent true", map[string]any{"agree": true}, "answers.agree"),
		bad("info answered", map[string]any{"intro": "read"}, "answers.intro"),
		bad("date not ISO", map[string]any{"visit": "05/31/2024"}, "answers.visit"),
		bad("date before min", map[string]any{"visit": "2019-12-31"}, "answers.visit"),
		bad("date after max", map[string]any{"visit": "2031-01-01"}, "answers.visit"),
		bad("date missing", map[string]any{"visit": omit}, "answers.visit"),
		bad("number with too many decimals", map[string]any{"weight": json.RawMessage("72.55")}, "answers.weight"),
		bad("number below min", map[string]any{"weight": 29}, "answers.weight"),
		bad("number above max", map[string]any{"weight": json.RawMessage("250.6")}, "answers.weight"),
		bad("number with too many digits", map[string]any{"weight": json.RawMessage("72.0000000000000001")}, "answers.weight"),
		bad("number as words", map[string]any{"weight": "seventy"}, "answers.weight"),
		bad("slider above 100", map[string]any{"pain": 101}, "answers.pain"),
		bad("slider fraction", map[string]any{"pain": json.RawMessage("50.5")}, "answers.pain"),
		bad("exclusive option with another", map[string]any{"aids": []int{1, 3}}, "answers.aids"),
		bad("other not specified", map[string]any{"place_other": omit}, "answers.place_other"),
		bad("other text without other", map[string]any{"place": 1}, "answers.place_other"),
		bad("other text as a number", map[string]any{"place_other": 5}, "answers.place_other"),
		bad("several at once", map[string]any{"agree": omit, "weight": json.RawMessage("0.5"), "aids": []int{3, 1}},
			"answers.agree", "answers.weight", "answers.aids"),
	})
}

// TestItemTypesFractionStaysExact: 0.1 + 0.2 never meets a float on the
// way to the store and back.
func TestItemTypesFractionStaysExact(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite")
	v := itemTypesFixture(t, e)
	in := `{"id": "` + tidyID + `", "answers": {"agree": 1, "visit": "2024-05-31", "weight": 30.3}}`
	e.submit(t, v["types"], in, http.StatusCreated)
	body := e.mustDo(t, request{Method: "GET", URL: "/api/v1/surveys/" + v["types"] + "/responses", Authorization: bearer}, http.StatusOK)
	if !json.Valid(body) || !strings.Contains(string(body), `"weight":"30.3"`) {
		t.Errorf("responses = %s, want weight \"30.3\"", body)
	}
}

const tidyID = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"

// TestItemTypesInstrumentAPI: an instrument with the new item types is
// created, and each broken field of theirs is refused with 422 at its
// path, nothing stored.
func TestItemTypesInstrumentAPI(t *testing.T) {
	t.Parallel()
	doc := fixtures.Instrument("item-types.yaml")
	bad := func(name, old, repl string, paths ...string) scenario {
		if !strings.Contains(doc, old) {
			panic("item-types.yaml has no " + old)
		}
		return scenario{name: name, method: "POST", url: "/api/v1/instruments", body: strings.Replace(doc, old, repl, 1),
			contentType: ctYAML, authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: paths}
	}
	runScenarios(t, func(testing.TB, *testEnv) vars { return vars{} }, []scenario{
		{name: "created", method: "POST", url: "/api/v1/instruments", body: doc, contentType: ctYAML, authorization: bearer,
			wantStatus: 201, changes: true,
			after: func(tb testing.TB, e *testEnv, _ vars, _ []byte) {
				// The stored definition reads back in the format it was written in.
				body := e.mustDo(tb, request{Method: "GET", URL: "/api/v1/instruments/item-types/versions/1", Authorization: bearer}, http.StatusOK)
				for _, want := range []string{`"min":"2020-01-01"`, `"max":250.5`, `"exclusive":true`, `"other_label":"Something else"`, `"decline":"Without your consent`} {
					if !strings.Contains(string(body), want) {
						tb.Errorf("the stored definition lacks %s: %s", want, body)
					}
				}
			}},
		bad("date min not a date", `min: "2020-01-01"`, `min: "1st of January"`, "sections[0].items[2].min"),
		bad("date min after max", `min: "2020-01-01"`, `min: "2031-01-01"`, "sections[0].items[2].min"),
		bad("number with too many places", "max: 250.5", "max: 250.55", "sections[0].items[3].max"),
		bad("number decimals out of range", "decimals: 1", "decimals: 12", "sections[0].items[3].decimals"),
		bad("slider with min", `min_label: "No pain"`, "min: 0", "sections[0].items[4].min"),
		bad("info required", `text: "The next questions are about your visit."}`, `text: "The next questions are about your visit.", required: true}`, "sections[0].items[0].required"),
		bad("consent not required", `{id: agree, type: consent,`, `{id: agree, type: consent, required: false,`, "sections[0].items[1].required"),
		bad("exclusive on a single choice", "{value: 2, label: Home}", "{value: 2, label: Home, exclusive: true}", "sections[1].items[0].options[1].exclusive"),
		bad("other label without other", "        other: true\n        other_label:", "        other_label:", "sections[1].items[1].other_label"),
		bad("item named like an Other text", `{id: intro, type: info,`, `{id: place_other, type: info,`, "sections[0].items[0].id"),
	})
}
