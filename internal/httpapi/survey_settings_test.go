package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestSurveySettingsAPI holds the survey settings (public title and
// description, time zone and plain dates, end page) at deployment and
// through PATCH, close and reopen, and DELETE.
func TestSurveySettingsAPI(t *testing.T) {
	t.Parallel()
	body := func(fields map[string]any) string {
		b, _ := json.Marshal(fields)
		return string(b)
	}
	create := func(name string, fields map[string]any, status int, code string, paths ...string) scenario {
		req := map[string]any{"instrument_key": "wellbeing-test", "instrument_version": 1, "title": "Internal name", "access": "open"}
		for k, v := range fields {
			req[k] = v
		}
		return scenario{name: name, method: "POST", url: "/api/v1/surveys", body: body(req), contentType: ctJSON,
			authorization: bearer, wantStatus: status, wantCode: code, wantPaths: paths, changes: status == 201}
	}
	patch := func(name, id string, fields map[string]any, status int, code string, paths ...string) scenario {
		return scenario{name: name, method: "PATCH", url: "/api/v1/surveys/" + id, body: body(fields), contentType: ctJSON,
			authorization: bearer, wantStatus: status, wantCode: code, wantPaths: paths, changes: status == 200}
	}
	stored := func(column, want string) func(testing.TB, *testEnv, vars, []byte) {
		return func(tb testing.TB, e *testEnv, _ vars, body []byte) {
			var doc struct {
				ID string `json:"id"`
			}
			mustUnmarshal(tb, body, &doc)
			if n := e.count(tb, `SELECT count(*) FROM surveys WHERE id = ? AND `+column+` = ?`, doc.ID, want); n != 1 {
				tb.Errorf("survey %s: %s is not %q as stored", doc.ID, column, want)
			}
		}
	}
	tooLong := strings.Repeat("é", survey.MaxSurveyTitle+1)
	past := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	runScenarios(t, fixture, []scenario{
		// Deployment.
		func() scenario {
			s := create("create shows the instrument's title to respondents", nil, 201, "")
			s.wantContent = []string{`"title":"Internal name"`, `"public_title":"Wellbeing test"`,
				`"public_description":"A short test."`, `"time_zone":"UTC"`, `"end_redirect_url":""`}
			s.after = stored("public_title", "Wellbeing test")
			return s
		}(),
		func() scenario {
			s := create("create with a closing date in a time zone", map[string]any{
				"time_zone": "Europe/Berlin", "opens_at": "2999-03-01", "closes_at": "2999-03-31"}, 201, "")
			// The 31st ends at midnight Berlin summer time (UTC+2).
			s.wantContent = []string{`"time_zone":"Europe/Berlin"`, `"opens_at":"2999-02-28T23:00:00Z"`,
				`"closes_at":"2999-03-31T22:00:00Z"`, `"closes_at_local":"2999-04-01T00:00:00+02:00"`,
				`"opens_at_local":"2999-03-01T00:00:00+01:00"`}
			s.after = stored("closes_at", "2999-03-31T22:00:00.000000Z")
			return s
		}(),
		func() scenario {
			s := create("create with the settings", map[string]any{"public_title": " Sleep study ",
				"public_description": "Ten questions.", "end_message": "Thanks!", "end_redirect_url": "https://example.org/gift",
				"closes_at": "2999-01-01T12:00:00+01:00"}, 201, "")
			s.wantContent = []string{`"public_title":"Sleep study"`, `"public_description":"Ten questions."`,
				`"end_message":"Thanks!"`, `"end_redirect_url":"https://example.org/gift"`, `"closes_at":"2999-01-01T11:00:00Z"`}
			s.after = stored("end_redirect", "https://example.org/gift")
			return s
		}(),
		create("create with a bad date", map[string]any{"closes_at": "31/03/2027"}, 422, survey.EInvalid, "closes_at"),
		create("create with every setting wrong", map[string]any{"time_zone": "Mars/Olympus", "public_title": tooLong,
			"end_redirect_url": "javascript:alert(1)", "end_message": strings.Repeat("x", survey.MaxEndMessage+1)},
			422, survey.EInvalid, "time_zone", "public_title", "end_redirect_url", "end_message"),
		create("create with the host's zone", map[string]any{"time_zone": "Local"}, 422, survey.EInvalid, "time_zone"),
		create("create closing on the day before it opens", map[string]any{"opens_at": "2999-03-02", "closes_at": "2999-03-01"},
			422, survey.EInvalid, "closes_at"),

		// Changes.
		func() scenario {
			s := patch("rename", "{open}", map[string]any{"title": "Wave 3", "public_title": "How did you sleep?",
				"public_description": "Two minutes."}, 200, "")
			s.wantContent = []string{`"title":"Wave 3"`, `"public_title":"How did you sleep?"`, `"public_description":"Two minutes."`,
				`"responses":{"complete":1,"in_progress":0,"test":0}`}
			s.after = stored("title", "Wave 3")
			return s
		}(),
		func() scenario {
			s := patch("new closing date in a time zone", "{open}", map[string]any{"time_zone": "America/New_York",
				"closes_at": "2999-12-31"}, 200, "")
			s.wantContent = []string{`"closes_at":"3000-01-01T05:00:00Z"`, `"closes_at_local":"3000-01-01T00:00:00-05:00"`,
				`"time_zone":"America/New_York"`, `"accepting":true`}
			s.after = stored("time_zone", "America/New_York")
			return s
		}(),
		func() scenario {
			s := patch("remove the opening date", "{later}", map[string]any{"opens_at": nil}, 200, "")
			s.wantContent = []string{`"opens_at":null`, `"accepting":true`}
			return s
		}(),
		func() scenario {
			s := patch("end page", "{open}", map[string]any{"end_message": "Thank you.\n\nYour voucher follows.",
				"end_redirect_url": "http://example.org/voucher"}, 200, "")
			s.wantContent = []string{`"end_redirect_url":"http://example.org/voucher"`}
			s.after = stored("end_message", "Thank you.\n\nYour voucher follows.")
			return s
		}(),
		func() scenario {
			s := patch("close", "{open}", map[string]any{"status": "closed"}, 200, "")
			s.wantContent = []string{`"status":"closed"`, `"accepting":false`}
			s.after = stored("status", "closed")
			return s
		}(),
		func() scenario {
			s := patch("reopen with a new closing date", "{closed}", map[string]any{"status": "open", "closes_at": "2999-06-30"}, 200, "")
			s.wantContent = []string{`"status":"open"`, `"accepting":true`, `"closed_at":null`, `"closes_at":"2999-07-01T00:00:00Z"`}
			s.after = stored("status", "open")
			return s
		}(),
		func() scenario {
			s := patch("extend a survey past its closing date", "{ended}", map[string]any{"closes_at": "2999-06-30T17:00:00Z"}, 200, "")
			s.wantContent = []string{`"status":"open"`, `"accepting":true`}
			return s
		}(),
		func() scenario {
			s := patch("reopen without a new closing date after it passed", "{ended}", map[string]any{"status": "open"}, 409, survey.EConflict)
			s.setup = func(tb testing.TB, e *testEnv, v vars) {
				e.mustDo(tb, request{Method: "POST", URL: "/api/v1/surveys/" + v["ended"] + "/close", Authorization: bearer}, http.StatusOK)
			}
			s.wantContent = []string{"give a new closes_at"}
			return s
		}(),
		patch("change access", "{open}", map[string]any{"access": "invitation"}, 422, survey.EInvalid, "access"),
		patch("unknown status", "{open}", map[string]any{"status": "paused"}, 422, survey.EInvalid, "status"),
		patch("closing date passed", "{open}", map[string]any{"closes_at": past}, 422, survey.EInvalid, "closes_at"),
		patch("closing before opening", "{later}", map[string]any{"closes_at": time.Now().UTC().Add(time.Hour).Format(time.RFC3339)},
			422, survey.EInvalid, "closes_at"),
		patch("every field wrong", "{open}", map[string]any{"title": " ", "public_title": "", "public_description": tooLong + strings.Repeat("x", survey.MaxPublicDescription),
			"time_zone": "Europe/Atlantis", "opens_at": "tomorrow", "closes_at": 20270331, "end_redirect_url": "ftp://example.org/"},
			422, survey.EInvalid, "title", "public_title", "public_description", "time_zone", "opens_at", "closes_at", "end_redirect_url"),
		patch("a redirect with a password and every setting wrong", "{open}", map[string]any{"title": " ", "public_title": "", "public_description": strings.Repeat("x", survey.MaxPublicDescription+1),
			"time_zone": "Europe/Atlantis", "end_redirect_url": "https://user:pw@example.org/"},
			422, survey.EInvalid, "title", "public_title", "public_description", "time_zone", "end_redirect_url"),
		patch("unknown field", "{open}", map[string]any{"name": "x"}, 422, survey.EInvalid, "name"),
		patch("unknown survey", "nosuchsurvey", map[string]any{"title": "x"}, 404, survey.ENotFound),
		{
			name: "patch malformed", method: "PATCH", url: "/api/v1/surveys/{open}", body: `{"title": }`, contentType: ctJSON,
			authorization: bearer, wantStatus: 400, wantCode: survey.EMalformed, wantPaths: []string{""},
		},
		{
			name: "patch as YAML", method: "PATCH", url: "/api/v1/surveys/{open}", body: "title: x\n", contentType: ctYAML,
			authorization: bearer, wantStatus: 415, wantCode: survey.EUnsupported,
		},
		{
			name: "patch without token", method: "PATCH", url: "/api/v1/surveys/{open}", body: `{"title":"x"}`, contentType: ctJSON,
			wantStatus: 401, wantCode: survey.EUnauthorized,
		},
		{
			name: "public form shows the public title", method: "GET", url: "/api/v1/public/surveys/{open}", wantStatus: 200,
			wantContent: []string{`"title":"Wellbeing test"`, `"description":"A short test."`, `"time_zone":"UTC"`},
			notContent:  []string{"Test survey"},
		},

		// Deletion.
		{
			name: "delete a survey without responses", method: "DELETE", url: "/api/v1/surveys/{later}", authorization: bearer,
			wantStatus: 204, changes: true,
			after: func(tb testing.TB, e *testEnv, v vars, _ []byte) {
				if n := e.count(tb, `SELECT count(*) FROM surveys WHERE id = ?`, v["later"]); n != 0 {
					tb.Errorf("survey still stored")
				}
				e.mustDo(tb, request{Method: "GET", URL: "/api/v1/surveys/" + v["later"], Authorization: bearer}, http.StatusNotFound)
				e.mustDo(tb, request{Method: "GET", URL: "/api/v1/public/surveys/" + v["later"]}, http.StatusNotFound)
			},
		},
		{
			name: "delete an invitation survey with unused codes", method: "DELETE", url: "/api/v1/surveys/{inv2}", authorization: bearer,
			wantStatus: 204, changes: true,
			setup: func(tb testing.TB, e *testEnv, v vars) {
				v["inv2"] = e.createSurvey(tb, map[string]any{"access": "invitation"})
				e.invite(tb, v["inv2"], 3)
			},
			after: func(tb testing.TB, e *testEnv, v vars, _ []byte) {
				if n := e.count(tb, `SELECT count(*) FROM invitations WHERE survey_id = ?`, v["inv2"]); n != 0 {
					tb.Errorf("%d invitation codes left behind", n)
				}
			},
		},
		{
			name: "delete a survey with responses", method: "DELETE", url: "/api/v1/surveys/{open}", authorization: bearer,
			wantStatus: 409, wantCode: survey.EConflict, wantContent: []string{"has live responses (1 complete, 0 in progress)"},
		},
		{
			name: "delete a closed survey with responses", method: "DELETE", url: "/api/v1/surveys/{invite}", authorization: bearer,
			wantStatus: 409, wantCode: survey.EConflict,
		},
		{
			name: "delete unknown", method: "DELETE", url: "/api/v1/surveys/nosuchsurvey", authorization: bearer,
			wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "delete without token", method: "DELETE", url: "/api/v1/surveys/{later}",
			wantStatus: 401, wantCode: survey.EUnauthorized,
		},
	})
}

// TestTestModeAPI: a survey deployed in test mode marks its responses;
// exports, statistics and lists leave them out unless include_test; they
// are deleted in bulk or when going live; deletion needs no live
// response.
func TestTestModeAPI(t *testing.T) {
	t.Parallel()
	runScenarios(t, testModeFixture, testModeScenarios())
}

// testModeFixture adds to fixture {trial}, a survey in test mode with two
// test responses, and {only}, one in test mode with one.
func testModeFixture(tb testing.TB, e *testEnv) vars {
	v := fixture(tb, e)
	v["trial"] = e.createSurvey(tb, map[string]any{"mode": "test"})
	e.submit(tb, v["trial"], submission(nil, nil), http.StatusCreated)
	e.submit(tb, v["trial"], submission(nil, map[string]any{"q_note": "test run"}), http.StatusCreated)
	v["only"] = e.createSurvey(tb, map[string]any{"mode": "test"})
	e.submit(tb, v["only"], submission(nil, nil), http.StatusCreated)
	return v
}

// testModeScenarios are the API rows of test mode.
func testModeScenarios() []scenario {
	live := func(id string, body string, status int, code string, paths ...string) scenario {
		return scenario{name: "", method: "POST", url: "/api/v1/surveys/" + id + "/live", body: body, contentType: ctJSON,
			authorization: bearer, wantStatus: status, wantCode: code, wantPaths: paths, changes: status == 200}
	}
	named := func(name string, s scenario) scenario { s.name = name; return s }
	counts := func(id string, live, test int) func(testing.TB, *testEnv, vars, []byte) {
		return func(tb testing.TB, e *testEnv, v vars, _ []byte) {
			if n := e.count(tb, `SELECT count(*) FROM responses WHERE survey_id = ? AND test = 0`, v[id]); n != live {
				tb.Errorf("%d live responses stored, want %d", n, live)
			}
			if n := e.count(tb, `SELECT count(*) FROM responses WHERE survey_id = ? AND test = 1`, v[id]); n != test {
				tb.Errorf("%d test responses stored, want %d", n, test)
			}
		}
	}
	return []scenario{
		{
			name: "survey in test mode counts its responses apart", method: "GET", url: "/api/v1/surveys/{trial}", authorization: bearer,
			wantStatus: 200, wantContent: []string{`"mode":"test"`, `"responses":{"complete":0,"in_progress":0,"test":2}`},
		},
		{
			name: "responses list leaves test responses out", method: "GET", url: "/api/v1/surveys/{trial}/responses", authorization: bearer,
			wantStatus: 200, wantContent: []string{`"items":[]`},
		},
		{
			name: "responses list with include_test", method: "GET", url: "/api/v1/surveys/{trial}/responses?include_test=true", authorization: bearer,
			wantStatus: 200, wantContent: []string{`"q_note":"test run"`, `"test":true`}, notContent: []string{`"test":false`},
		},
		{
			name: "responses list with a bad include_test", method: "GET", url: "/api/v1/surveys/{trial}/responses?include_test=maybe", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"include_test"},
		},
		{
			name: "text answers leave test responses out", method: "GET", url: "/api/v1/surveys/{trial}/text/q_note", authorization: bearer,
			wantStatus: 200, notContent: []string{"test run"},
		},
		{
			name: "text answers with include_test", method: "GET", url: "/api/v1/surveys/{trial}/text/q_note?include_test=true", authorization: bearer,
			wantStatus: 200, wantContent: []string{"test run"},
		},
		func() scenario {
			s := named("go live deleting the test responses", live("{trial}", `{"delete_test_responses":true}`, 200, ""))
			s.wantContent = []string{`"mode":"live"`, `"deleted_test_responses":2`, `"test":0`}
			s.after = counts("trial", 0, 0)
			return s
		}(),
		func() scenario {
			s := named("go live keeping the test responses", live("{trial}", `{"delete_test_responses":false}`, 200, ""))
			s.wantContent = []string{`"mode":"live"`, `"deleted_test_responses":0`, `"test":2`}
			s.after = func(tb testing.TB, e *testEnv, v vars, body []byte) {
				counts("trial", 0, 2)(tb, e, v, body)
				e.submit(tb, v["trial"], submission(nil, nil), http.StatusCreated)
				counts("trial", 1, 2)(tb, e, v, body)
			}
			return s
		}(),
		named("go live without saying what to do", live("{trial}", `{}`, 422, survey.EInvalid, "delete_test_responses")),
		named("go live with a string", live("{trial}", `{"delete_test_responses":"yes"}`, 422, survey.EInvalid, "delete_test_responses")),
		named("go live when live", live("{open}", `{"delete_test_responses":true}`, 409, survey.EConflict)),
		named("go live unknown", live("nosuchsurvey", `{"delete_test_responses":true}`, 404, survey.ENotFound)),
		{
			name: "go live without token", method: "POST", url: "/api/v1/surveys/{trial}/live", body: `{"delete_test_responses":true}`,
			contentType: ctJSON, wantStatus: 401, wantCode: survey.EUnauthorized,
		},
		func() scenario {
			s := scenario{name: "go live by PATCH", method: "PATCH", url: "/api/v1/surveys/{trial}", body: `{"mode":"live","delete_test_responses":true}`,
				contentType: ctJSON, authorization: bearer, wantStatus: 200, changes: true, wantContent: []string{`"mode":"live"`, `"test":0`}}
			s.after = counts("trial", 0, 0)
			return s
		}(),
		func() scenario {
			s := scenario{name: "switch a live survey into test mode", method: "PATCH", url: "/api/v1/surveys/{open}", body: `{"mode":"test"}`,
				contentType: ctJSON, authorization: bearer, wantStatus: 200, changes: true, wantContent: []string{`"mode":"test"`}}
			s.after = func(tb testing.TB, e *testEnv, v vars, body []byte) {
				e.submit(tb, v["open"], submission(nil, nil), http.StatusCreated)
				counts("open", 1, 1)(tb, e, v, body)
			}
			return s
		}(),
		{
			name: "PATCH live without delete_test_responses", method: "PATCH", url: "/api/v1/surveys/{trial}", body: `{"mode":"live"}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"delete_test_responses"},
		},
		{
			name: "PATCH delete_test_responses without going live", method: "PATCH", url: "/api/v1/surveys/{trial}", body: `{"delete_test_responses":true}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"delete_test_responses"},
		},
		{
			name: "PATCH an unknown mode", method: "PATCH", url: "/api/v1/surveys/{trial}", body: `{"mode":"draft"}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"mode"},
		},
		{
			name: "deploy in an unknown mode", method: "POST", url: "/api/v1/surveys", contentType: ctJSON, authorization: bearer,
			body:       `{"instrument_key":"wellbeing-test","instrument_version":1,"title":"T","access":"open","mode":"trial"}`,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"mode"},
		},
		func() scenario {
			s := scenario{name: "delete test responses", method: "DELETE", url: "/api/v1/surveys/{trial}/responses?mode=test",
				authorization: bearer, wantStatus: 200, changes: true, wantContent: []string{`"deleted":2`}}
			s.after = counts("trial", 0, 0)
			return s
		}(),
		{
			name: "delete responses without mode=test", method: "DELETE", url: "/api/v1/surveys/{open}/responses",
			authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"mode"},
		},
		{
			name: "delete live responses in bulk", method: "DELETE", url: "/api/v1/surveys/{open}/responses?mode=live",
			authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"mode"},
		},
		{
			name: "delete test responses of an unknown survey", method: "DELETE", url: "/api/v1/surveys/nosuchsurvey/responses?mode=test",
			authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "delete test responses without token", method: "DELETE", url: "/api/v1/surveys/{trial}/responses?mode=test",
			wantStatus: 401, wantCode: survey.EUnauthorized,
		},
		func() scenario {
			s := scenario{name: "delete a survey with test responses only", method: "DELETE", url: "/api/v1/surveys/{only}",
				authorization: bearer, wantStatus: 204, changes: true}
			s.after = counts("only", 0, 0)
			return s
		}(),
		{
			name: "delete a survey with a live response", method: "DELETE", url: "/api/v1/surveys/{trial}", authorization: bearer,
			setup: func(tb testing.TB, e *testEnv, v vars) {
				e.mustDo(tb, request{Method: "POST", URL: "/api/v1/surveys/" + v["trial"] + "/live", Body: `{"delete_test_responses":false}`,
					ContentType: ctJSON, Authorization: bearer}, http.StatusOK)
				e.submit(tb, v["trial"], submission(nil, nil), http.StatusCreated)
			},
			wantStatus: 409, wantCode: survey.EConflict, wantContent: []string{"has live responses (1 complete, 0 in progress)"},
		},
	}
}

// TestTestModeExportsAndStatistics: exports and statistics leave the
// responses made in test mode out unless include_test is true.
func TestTestModeExportsAndStatistics(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		data := enginetest.Open(t, engine)
		e := serveEnv(t, data, nil, func(c *config) { c.API.Responses = data.Store })
		v := testModeFixture(t, e)
		get := func(url string, want int) string {
			t.Helper()
			status, _, body := e.do(t, request{Method: "GET", URL: url, Authorization: bearer})
			if status != want {
				t.Fatalf("GET %s: %d, want %d: %s", url, status, want, truncate(body))
			}
			return string(body)
		}
		base := "/api/v1/surveys/" + v["trial"]
		if body := get(base+"/export.csv", 200); strings.Count(strings.TrimSpace(body), "\n") != 0 || strings.Contains(body, "test run") {
			t.Errorf("export without include_test has rows:\n%s", body)
		}
		if body := get(base+"/export.csv?include_test=true", 200); strings.Count(strings.TrimSpace(body), "\n") != 2 || !strings.Contains(body, "test run") {
			t.Errorf("export with include_test:\n%s", body)
		}
		if body := get(base+"/stats", 200); !strings.Contains(body, `"n":0`) {
			t.Errorf("statistics without include_test count test responses: %s", truncate([]byte(body)))
		}
		if body := get(base+"/stats?include_test=1", 200); !strings.Contains(body, `"n":2`) {
			t.Errorf("statistics with include_test: %s", truncate([]byte(body)))
		}
		for _, u := range []string{base + "/export.csv?include_test=yes", base + "/stats?include_test=2"} {
			body := get(u, 422)
			if !strings.Contains(body, `"path":"include_test"`) {
				t.Errorf("GET %s: %s", u, body)
			}
		}
	})
}
