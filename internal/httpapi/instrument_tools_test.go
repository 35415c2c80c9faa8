package httpapi_test

import (
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestInstrumentDiffAPI holds GET /api/v1/instruments/{key}/diff: what
// changed between two versions, the scoring changes called out, and every
// bad request refused with the parameter at fault.
func TestInstrumentDiffAPI(t *testing.T) {
	t.Parallel()
	const diff = "/api/v1/instruments/wellbeing-test/diff"
	const v2 = "/api/v1/instruments/wellbeing-test/versions/2"
	// Version 2 reverses q_like, rewords q_note and drops q_years.
	edited := func(tb testing.TB, e *testEnv, _ vars) {
		body := testInstrument(withVersion(2), set("reverse", true, item(0, 0)...), set("text", "Anything more?", item(1, 1)...),
			func(m map[string]any) {
				sec := m["sections"].([]any)[1].(map[string]any)
				items := sec["items"].([]any)
				var kept []any
				for _, it := range items {
					if it.(map[string]any)["id"] != "q_years" {
						kept = append(kept, it)
					}
				}
				sec["items"] = kept
			})
		e.mustDo(tb, request{Method: "PUT", URL: v2, Body: body, ContentType: ctJSON, Authorization: bearer}, 200)
	}
	runScenarios(t, fixture, []scenario{
		{
			name: "diff of two versions", method: "GET", url: diff + "?from=1&to=2", authorization: bearer, setup: edited,
			wantStatus: 200, wantContent: []string{`"key":"wellbeing-test","from":1,"to":2`, `"added":[]`,
				`"removed":[{"id":"q_years"`, `{"id":"q_like","text":"I feel well.","section":"main","fields":["reverse"],"scoring":true}`,
				`"fields":["text"],"scoring":false`, `"scoring":["item q_like: reverse changed"]`},
		},
		{
			name: "diff of identical versions", method: "GET", url: diff + "?from=1&to=2", authorization: bearer,
			wantStatus: 200, wantContent: []string{`"added":[],"removed":[],"changed":[],"scoring":[],"other":[]`},
		},
		{
			name: "diff without versions", method: "GET", url: diff, authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"from", "to"},
		},
		{
			name: "diff with a version that is not a number", method: "GET", url: diff + "?from=1&to=two", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"to"},
		},
		{
			name: "diff with an unknown version", method: "GET", url: diff + "?from=1&to=9", authorization: bearer,
			wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "diff of an unknown instrument", method: "GET", url: "/api/v1/instruments/nothing-here/diff?from=1&to=2",
			authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "diff without token", method: "GET", url: diff + "?from=1&to=2", wantStatus: 401, wantCode: survey.EUnauthorized,
		},
	})
}

// TestInstrumentCheckAPI holds POST /api/v1/instruments/check: the
// verdict on a body as a save would give it, each problem placed at its
// line and column with its item's id, and nothing stored.
func TestInstrumentCheckAPI(t *testing.T) {
	t.Parallel()
	const check = "/api/v1/instruments/check"
	// A mistake in the YAML: an unknown item type.
	bad := strings.Replace(testInstrumentYAML, "type: likert", "type: likret", 1)
	runScenarios(t, fixture, []scenario{
		{
			name: "check a valid instrument", method: "POST", url: check, body: testInstrumentYAML, contentType: ctYAML, authorization: bearer,
			wantStatus: 200, wantContent: []string{`"valid":true`, `"format":"YAML"`, `"key":"wellbeing-yaml"`, `"problems":[]`},
		},
		{
			name: "check an instrument with mistakes", method: "POST", url: check, body: bad, contentType: ctYAML, authorization: bearer,
			wantStatus: 200, wantContent: []string{`"valid":false`, `"message":"the instrument is not valid"`, `"path":"sections[0].items[0].type"`, `"line":21,"column":28,"item":"q_like"`},
		},
		{
			name: "check JSON that is not well-formed", method: "POST", url: check, body: `{"key": "x",`, contentType: ctJSON, authorization: bearer,
			wantStatus: 200, wantContent: []string{`"valid":false`},
		},
		{
			name: "check a body of no known format", method: "POST", url: check, body: "hello", contentType: "text/plain", authorization: bearer,
			wantStatus: 415, wantCode: survey.EUnsupported,
		},
		{
			name: "check without token", method: "POST", url: check, body: testInstrumentYAML, contentType: ctYAML,
			wantStatus: 401, wantCode: survey.EUnauthorized,
		},
	})
}

// TestInvitationCountsAPI holds GET /api/v1/surveys/{id}/invitations: the
// codes counted by state, an open-link survey 409, unknown 404, no token
// 401.
func TestInvitationCountsAPI(t *testing.T) {
	t.Parallel()
	runScenarios(t, fixture, []scenario{
		{
			// The fixture issued two codes to {invite} and spent one.
			name: "count the codes", method: "GET", url: "/api/v1/surveys/{invite}/invitations", authorization: bearer,
			wantStatus: 200, wantContent: []string{`"issued":2`, `"spent":1`, `"in_use":0`, `"unused":1`},
		},
		{
			name: "count the codes of an open-link survey", method: "GET", url: "/api/v1/surveys/{open}/invitations", authorization: bearer,
			wantStatus: 409, wantCode: survey.EConflict,
		},
		{
			name: "count the codes of an unknown survey", method: "GET", url: "/api/v1/surveys/{nosuch}/invitations", authorization: bearer,
			wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "count the codes without token", method: "GET", url: "/api/v1/surveys/{invite}/invitations",
			wantStatus: 401, wantCode: survey.EUnauthorized,
		},
	})
}
