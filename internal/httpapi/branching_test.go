package httpapi_test

import (
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// cond is a show_if written as JSON would decode it.
type cond = map[string]any

// TestBranchingInstrumentAPI: every form of condition, on items and on
// sections, is stored as sent; every bad condition is refused with 422 at
// its path, and nothing is stored.
func TestBranchingInstrumentAPI(t *testing.T) {
	t.Parallel()
	const list = "/api/v1/instruments"
	v3 := func(edits ...edit) string { return testInstrument(append([]edit{withVersion(3)}, edits...)...) }
	tools := func(c cond) edit { return set("show_if", c, item(0, 3)...) }
	note := func(c cond) edit { return set("show_if", c, item(1, 1)...) }
	more := func(c cond) edit { return set("show_if", c, "sections", 1) }
	created := func(name string, edits ...edit) scenario {
		body := v3(edits...)
		return scenario{name: "create: " + name, method: "POST", url: list, body: body, contentType: ctJSON,
			authorization: bearer, wantStatus: 201, changes: true,
			wantContent: []string{`{"key":"wellbeing-test","version":3,"status":"draft"}`},
			after: func(tb testing.TB, e *testEnv, _ vars, _ []byte) {
				var want map[string]any
				mustUnmarshal(tb, []byte(body), &want)
				if got := getDefinition(tb, e, "wellbeing-test", 3); !sameJSON(tb, got, want) {
					tb.Errorf("stored %v, want %v", got, want)
				}
			}}
	}
	invalid := func(name string, body string, paths ...string) scenario {
		return scenario{name: "create invalid: " + name, method: "POST", url: list, body: body, contentType: ctJSON,
			authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: paths}
	}
	deep := cond{"item": "q_use", "equals": 1}
	for range survey.MaxConditionDepth {
		deep = cond{"not": deep}
	}
	runScenarios(t, fixture, []scenario{
		created("not_equals", tools(cond{"item": "q_use", "not_equals": 0})),
		created("a range", note(cond{"item": "q_years", "gte": 5, "lt": 40})),
		created("lt, lte, gt", note(cond{"any": []any{cond{"item": "q_years", "lt": 2}, cond{"item": "q_years", "lte": 3}, cond{"item": "q_like", "gt": 3}}})),
		created("answered", note(cond{"item": "q_years", "answered": true})),
		created("not answered", tools(cond{"item": "q_rev", "answered": false})),
		created("all", tools(cond{"all": []any{cond{"item": "q_use", "equals": 1}, cond{"item": "q_like", "in": []any{4, 5}}}})),
		created("not", tools(cond{"not": cond{"item": "q_use", "equals": 0}})),
		created("a section's show_if", more(cond{"any": []any{cond{"item": "q_use", "equals": 1}, cond{"item": "q_tools", "not_equals": 2}}})),
		created("nested to the limit", tools(func() cond {
			c := cond{"item": "q_use", "equals": 1}
			for range survey.MaxConditionDepth - 1 {
				c = cond{"not": c}
			}
			return c
		}())),

		invalid("two comparisons", v3(tools(cond{"item": "q_use", "equals": 1, "not_equals": 0})), "sections[0].items[3].show_if"),
		invalid("gt and gte", v3(note(cond{"item": "q_years", "gt": 1, "gte": 2})), "sections[1].items[1].show_if"),
		invalid("no comparison", v3(tools(cond{"item": "q_use"})), "sections[0].items[3].show_if"),
		invalid("an item and all", v3(tools(cond{"item": "q_use", "all": []any{cond{"item": "q_use", "equals": 1}}})), "sections[0].items[3].show_if"),
		invalid("empty any", v3(tools(cond{"any": []any{}})), "sections[0].items[3].show_if.any"),
		invalid("unknown field under not", v3(tools(cond{"not": cond{"item": "q_use", "above": 1}})), "sections[0].items[3].show_if.not.above", "sections[0].items[3].show_if.not"),
		invalid("answered not a boolean", v3(tools(cond{"item": "q_use", "answered": "yes"})), "sections[0].items[3].show_if.answered"),
		invalid("not_equals not an option", v3(tools(cond{"item": "q_use", "not_equals": 7})), "sections[0].items[3].show_if.not_equals"),
		invalid("gt outside the scale", v3(tools(cond{"all": []any{cond{"item": "q_use", "equals": 1}, cond{"item": "q_like", "gt": 5}}})),
			"sections[0].items[3].show_if.all[1]"),
		invalid("gte beyond the scale", v3(tools(cond{"item": "q_like", "gte": 6})), "sections[0].items[3].show_if.gte"),
		invalid("lt on a multiple-choice item", v3(note(cond{"item": "q_tools", "lt": 2})), "sections[1].items[1].show_if.lt"),
		invalid("gt outside the integer's range", v3(note(cond{"item": "q_years", "gt": 61})), "sections[1].items[1].show_if.gt"),
		invalid("a range that is empty", v3(note(cond{"item": "q_years", "gt": 10, "lt": 11})), "sections[1].items[1].show_if"),
		invalid("equals 1 and equals 0 on a single choice", v3(tools(cond{"all": []any{cond{"item": "q_use", "equals": 1}, cond{"item": "q_use", "equals": 0}}})),
			"sections[0].items[3].show_if.all[1]"),
		invalid("nested too deep", v3(tools(deep)), "sections[0].items[3].show_if"),
		invalid("section on its own item", v3(more(cond{"item": "q_years", "answered": true})), "sections[1].show_if.item"),
		invalid("section on a later item", v3(set("show_if", cond{"item": "q_years", "gt": 1}, "sections", 0)), "sections[0].show_if.item"),
		invalid("section on an unknown item", v3(more(cond{"item": "q_nope", "equals": 1})), "sections[1].show_if.item"),
		{
			name: "export as REDCap refuses not, at its path", method: "GET", url: "/api/v1/instruments/wellbeing-test/versions/3/export?format=redcap",
			authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"sections[0].items[3].show_if"},
			wantContent: []string{"has no not"},
			setup: func(tb testing.TB, e *testEnv, _ vars) {
				e.createInstrument(tb, v3(tools(cond{"not": cond{"item": "q_use", "equals": 0}})), ctJSON)
			},
		},
		invalid("section show_if not an object", v3(set("show_if", "q_use = 1", "sections", 1)), "sections[1].show_if"),
	})
}

// branchingFixture publishes the test instrument with a section shown by
// any of two conditions and an item shown by a comparison, and opens a
// survey of it ({open}).
func branchingFixture(tb testing.TB, e *testEnv) vars {
	tb.Helper()
	e.createInstrument(tb, testInstrument(
		set("show_if", cond{"any": []any{cond{"item": "q_use", "equals": 1}, cond{"item": "q_like", "gte": 4}}}, "sections", 1),
		set("show_if", cond{"item": "q_years", "gte": 5}, item(1, 1)...),
	), ctJSON)
	e.publish(tb, "wellbeing-test", 1)
	return vars{"open": e.createSurvey(tb, map[string]any{"access": "open"})}
}

// TestBranchingSubmitAPI: a submission through the API is held to the
// conditions: a skipped section's items are not required and an answer
// to one is refused like an answer to a hidden item.
func TestBranchingSubmitAPI(t *testing.T) {
	t.Parallel()
	send := func(name string, changes map[string]any, status int, paths []string, content ...string) scenario {
		s := scenario{name: name, method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: submission(nil, changes), contentType: ctJSON, wantStatus: status, wantPaths: paths,
			wantContent: content, changes: status < 300}
		if status == 422 {
			s.wantCode = survey.EInvalid
		}
		return s
	}
	skipped := map[string]any{"q_use": 0, "q_tools": omit, "q_like": 2, "q_years": omit, "q_note": omit}
	with := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{k: v}
		for k2, v2 := range m {
			if k2 != k {
				out[k2] = v2
			}
		}
		return out
	}
	runScenarios(t, branchingFixture, []scenario{
		{
			name: "the public instrument carries the section's condition", method: "GET", url: "/api/v1/public/surveys/{open}",
			wantStatus: 200, wantContent: []string{`"id":"more","title":"More","items":[`, `"show_if":{"any":[{"item":"q_use","equals":1},{"item":"q_like","gte":4}]}}`},
		},
		send("section shown by the first of any", nil, 201, nil),
		send("section shown by the second of any", map[string]any{"q_use": 0, "q_tools": omit, "q_like": 5}, 201, nil),
		send("section skipped: its required item not asked", skipped, 201, nil),
		send("answer to an item of a skipped section", with(skipped, "q_years", 12), 422, []string{"answers.q_years"},
			`its section \"more\" is skipped`, "shown if q_use = 1 (Yes) or q_like is at least 4 (Somewhat agree)"),
		send("answer to an item hidden by a comparison", map[string]any{"q_years": 4}, 422, []string{"answers.q_note"},
			"shown if q_years is at least 5"),
		send("comparison at its bound", map[string]any{"q_years": 5}, 201, nil),
		send("required item of a shown section", map[string]any{"q_years": omit, "q_note": omit}, 422, []string{"answers.q_years"}),
	})
}
