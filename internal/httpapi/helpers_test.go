package httpapi_test

// Test harness for the API: every test gets its own database, the real
// store, the real service and the real gin router served by
// net/http/httptest. Nothing is mocked. The database is a SQLite file
// under tb.TempDir() or a PostgreSQL database of its own
// (internal/store/enginetest); the scenario tables and the tests of what
// is stored run on both engines, as subtests named sqlite and postgres.
//
// Scenarios are pocketbase-style rows (request in, expected status, error
// code, detail paths and content out). Unless a scenario says it changes
// state, runScenarios dumps every table before and after the request and
// fails if a single row differs, so a rejected request is proven to have
// written nothing.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/httpapi"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// researcherToken is the bearer token every test server accepts.
const researcherToken = "test-researcher-token-0123456789"

// bearer is a valid Authorization header.
const bearer = "Bearer " + researcherToken

// Content types used by the scenarios.
const (
	ctJSON = "application/json"
	ctYAML = "application/yaml"
)

// testEnv is one Dyad server over its own database: a SQLite file or a
// PostgreSQL database (internal/store/enginetest), as the test's engine
// says.
type testEnv struct {
	Engine string
	DSN    string // the file's path or the database's URL, to reopen
	Store  store.DB
	Svc    *survey.Service
	Srv    *httptest.Server

	data      *enginetest.DB // the store and the inspection connection
	closeOnce sync.Once
}

// testInvitationKey stands for dyad serve's invitation key file.
var testInvitationKey = []byte("dyad test invitation key, 32 by.")

// newEnv serves the real router over a fresh database of engine.
func newEnv(tb testing.TB, engine string) *testEnv {
	tb.Helper()
	return newEnvWith(tb, engine, nil)
}

// newEnvWith is newEnv with the configuration changed by change (nil
// changes nothing).
func newEnvWith(tb testing.TB, engine string, change func(*config)) *testEnv {
	tb.Helper()
	return serveEnv(tb, enginetest.Open(tb, engine), nil, change)
}

// reopenEnv serves the router over the database another env used (closed
// first), as a restarted dyad serve would.
func reopenEnv(tb testing.TB, dsn string) *testEnv {
	tb.Helper()
	return serveEnv(tb, enginetest.OpenDSN(tb, dsn), nil, nil)
}

// config is a test server's configuration: the server's own (embedded, so
// c.RateLimit reads as before) and the API's.
type config struct {
	server.Config
	API httpapi.Config
}

// newServer mounts the API on a server, as dyad serve does beside the
// pages; a nil logger is a quiet one.
func newServer(c config) *server.Server {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Modules = append(c.Modules, httpapi.New(c.API))
	return server.New(c.Config)
}

// serveEnv serves the router over an open store, through svc (nil: a
// service of the store's with the test invitation key), with the
// configuration changed by change (nil changes nothing). The server and
// the store close at the end of the test, or earlier with Close.
func serveEnv(tb testing.TB, data *enginetest.DB, svc *survey.Service, change func(*config)) *testEnv {
	tb.Helper()
	st := data.Store
	if svc == nil {
		// The same invitation key on every open, as dyad serve's key
		// file: codes issued before a reopen still work after it.
		svc = survey.NewService(st, survey.WithInvitationKey(testInvitationKey))
	}
	e := &testEnv{Engine: data.Engine, DSN: data.DSN, Store: st, data: data, Svc: svc}
	cfg := config{
		Config: server.Config{TokenHash: survey.HashSecret(researcherToken)},
		API:    httpapi.Config{Service: e.Svc, Ready: st.Ping},
	}
	if change != nil {
		change(&cfg)
	}
	e.Srv = httptest.NewServer(newServer(cfg))
	tb.Cleanup(e.Close)
	return e
}

// Close stops the server, then closes the store; calling it again does
// nothing.
func (e *testEnv) Close() {
	e.closeOnce.Do(func() {
		e.Srv.Close()
		e.data.Close()
	})
}

// dump renders every row of every table, sorted, so that two dumps are
// equal exactly when the stored data is. It reads through a connection
// apart from the store's pools, so that it sees what was committed.
func (e *testEnv) dump(tb testing.TB) string {
	tb.Helper()
	return e.data.Dump(tb)
}

// count returns the result of a SELECT count(*) on the inspection
// connection; write placeholders as ? (rebound for PostgreSQL).
func (e *testEnv) count(tb testing.TB, query string, args ...any) int {
	tb.Helper()
	return e.data.Count(tb, query, args...)
}

// responseCount is the number of stored responses of a survey.
func (e *testEnv) responseCount(tb testing.TB, surveyID string) int {
	tb.Helper()
	return e.count(tb, `SELECT count(*) FROM responses WHERE survey_id = ?`, surveyID)
}

// request is one HTTP call to the test server.
type request struct {
	Method        string
	URL           string // path and query, such as /api/v1/instruments
	Body          string
	ContentType   string // "" sends no Content-Type
	Authorization string // "" sends no Authorization
	// Chunked hides the body's length, so the server meets the size limit
	// while reading rather than from Content-Length.
	Chunked bool
}

// do sends the request and returns the status, headers and body.
func (e *testEnv) do(tb testing.TB, r request) (int, http.Header, []byte) {
	tb.Helper()
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
		if r.Chunked {
			body = struct{ io.Reader }{body} // no Len: sent chunked
		}
	}
	req, err := http.NewRequestWithContext(context.Background(), r.Method, e.Srv.URL+r.URL, body)
	if err != nil {
		tb.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	if r.ContentType != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	if r.Authorization != "" {
		req.Header.Set("Authorization", r.Authorization)
	}
	res, err := e.Srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", r.Method, r.URL, err)
	}
	return res.StatusCode, res.Header, b
}

// mustDo sends the request and fails the test unless the status is want.
func (e *testEnv) mustDo(tb testing.TB, r request, want int) []byte {
	tb.Helper()
	status, _, body := e.do(tb, r)
	if status != want {
		tb.Fatalf("%s %s: status %d, want %d; body: %s", r.Method, r.URL, status, want, body)
	}
	return body
}

// apiError is the error shape every failure has:
// {"error":{"code","message","details":[{"path","message"}]}}.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Path    string `json:"path"`
			Message string `json:"message"`
		} `json:"details"`
	} `json:"error"`
}

// decodeError parses an error body strictly: no other fields, a code, a
// message, and details as a list (empty, never null).
func decodeError(tb testing.TB, body []byte) apiError {
	tb.Helper()
	var e apiError
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		tb.Fatalf("error body is not {\"error\":{\"code\",\"message\",\"details\"}}: %v; body: %s", err, body)
	}
	if e.Error.Code == "" || e.Error.Message == "" || e.Error.Details == nil {
		tb.Fatalf("error body lacks code, message or details list: %s", body)
	}
	for _, d := range e.Error.Details {
		if d.Message == "" {
			tb.Fatalf("error detail at %q has no message: %s", d.Path, body)
		}
	}
	return e
}

// detailPaths lists an error's detail paths, sorted.
func (e apiError) detailPaths() []string {
	out := []string{}
	for _, d := range e.Error.Details {
		out = append(out, d.Path)
	}
	sort.Strings(out)
	return out
}

// vars names the parts a fixture created (survey ids, codes), for the
// {name} placeholders of scenario URLs and bodies.
type vars map[string]string

func (v vars) fill(s string) string {
	for k, x := range v {
		s = strings.ReplaceAll(s, "{"+k+"}", x)
	}
	return s
}

// scenario is one row of an API table.
type scenario struct {
	name          string
	method        string
	url           string // may hold {name} placeholders
	body          string // may hold {name} placeholders
	contentType   string
	authorization string
	chunked       bool
	// setup changes the fixture before the request (and before the dump
	// that the request is compared against).
	setup func(tb testing.TB, e *testEnv, v vars)

	wantStatus  int
	wantCode    string   // the error code; "" for a success
	wantPaths   []string // exactly these detail paths (any order)
	wantContent []string // substrings the body must contain
	notContent  []string // substrings it must not contain
	// changes marks a request that may write; every other one must leave
	// the database byte for byte as it was.
	changes bool
	after   func(tb testing.TB, e *testEnv, v vars, body []byte)
}

// runScenarios runs each scenario as a parallel subtest on its own
// database, prepared by fixture, once on every engine (subtests sqlite and
// postgres, run side by side: enginetest.Run).
func runScenarios(t *testing.T, fixture func(testing.TB, *testEnv) vars, scenarios []scenario) {
	t.Helper()
	names := map[string]bool{}
	for _, s := range scenarios {
		if names[s.name] {
			t.Fatalf("two scenarios named %q", s.name)
		}
		names[s.name] = true
	}
	enginetest.Run(t, func(t *testing.T, engine string) {
		for _, s := range scenarios {
			runScenario(t, engine, fixture, s)
		}
	})
}

// runScenario runs one scenario as a parallel subtest on a database of
// engine of its own.
func runScenario(t *testing.T, engine string, fixture func(testing.TB, *testEnv) vars, s scenario) {
	t.Helper()
	t.Run(s.name, func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, engine)
		v := fixture(t, e)
		if s.setup != nil {
			s.setup(t, e, v)
		}
		before := e.dump(t)
		status, hdr, body := e.do(t, request{
			Method: s.method, URL: v.fill(s.url), Body: v.fill(s.body),
			ContentType: s.contentType, Authorization: s.authorization, Chunked: s.chunked,
		})
		if status != s.wantStatus {
			t.Fatalf("status %d, want %d; body: %s", status, s.wantStatus, truncate(body))
		}
		if ct := hdr.Get("Content-Type"); len(body) > 0 && !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type %q, want application/json", ct)
		}
		if s.wantCode != "" {
			apiErr := decodeError(t, body)
			if apiErr.Error.Code != s.wantCode {
				t.Errorf("error code %q, want %q; body: %s", apiErr.Error.Code, s.wantCode, truncate(body))
			}
			want := append([]string{}, s.wantPaths...)
			sort.Strings(want)
			if got := apiErr.detailPaths(); !slices.Equal(got, want) {
				t.Errorf("detail paths %q, want %q; body: %s", got, want, truncate(body))
			}
		} else if status >= 400 {
			t.Fatalf("scenario expects status %d but names no error code", status)
		}
		for _, c := range s.wantContent {
			if !strings.Contains(string(body), v.fill(c)) {
				t.Errorf("body lacks %s; body: %s", v.fill(c), truncate(body))
			}
		}
		for _, c := range s.notContent {
			if strings.Contains(string(body), v.fill(c)) {
				t.Errorf("body contains %s; body: %s", v.fill(c), truncate(body))
			}
		}
		if !s.changes {
			if after := e.dump(t); after != before {
				t.Errorf("stored data changed:\n%s", diffLines(before, after))
			}
		}
		if s.after != nil {
			s.after(t, e, v, body)
		}
	})
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}

// diffLines shows the lines only in a and only in b.
func diffLines(a, b string) string {
	in := func(lines []string, s string) bool { return slices.Contains(lines, s) }
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !in(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !in(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// The test instrument: small, but with every item type and rule the
// validators know. Item positions matter to the paths in the tables:
//
//	sections[0].items[0] q_like  likert, scale agree, subscale mood
//	sections[0].items[1] q_rev   likert, reverse-keyed
//	sections[0].items[2] q_use   single choice 1 Yes / 0 No
//	sections[0].items[3] q_tools multiple choice 1..3, shown if q_use = 1
//	sections[1].items[0] q_years integer 0..60
//	sections[1].items[1] q_note  text, at most 10 characters, optional
var testInstrumentJSON = fixtures.Instrument("wellbeing-test.json")

// testInstrumentYAML is the same instrument written as YAML, under its own
// key.
var testInstrumentYAML = fixtures.Instrument("wellbeing-yaml.yaml")

// edit changes a decoded instrument (or any JSON object).
type edit func(m map[string]any)

// testInstrument returns the test instrument as JSON after the edits.
func testInstrument(edits ...edit) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(testInstrumentJSON), &m); err != nil {
		panic(err)
	}
	for _, e := range edits {
		e(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// node walks a decoded JSON value by field names and list indexes and
// returns the object there.
func node(v any, path ...any) map[string]any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		panic(fmt.Sprintf("no object at %v", path))
	}
	return m
}

// set returns an edit that sets field to value in the object at path.
func set(field string, value any, path ...any) edit {
	return func(m map[string]any) { node(m, path...)[field] = value }
}

// unset returns an edit that removes field from the object at path.
func unset(field string, path ...any) edit {
	return func(m map[string]any) { delete(node(m, path...), field) }
}

// item is the path of an item in the test instrument.
func item(section, i int) []any { return []any{"sections", section, "items", i} }

func withVersion(n int) edit { return set("version", n) }

// omit, as an answer in submission's changes, leaves the item unanswered.
const omit = "\x00omit"

// validAnswers is a complete, valid response to the test instrument.
func validAnswers() map[string]any {
	return map[string]any{
		"q_like": 4, "q_rev": 2, "q_use": 1, "q_tools": []int{1, 3}, "q_years": 12, "q_note": "fine",
	}
}

// submission returns a submission body: the valid answers with changes
// applied (omit removes one; json.RawMessage sends raw JSON), plus the
// top-level fields.
func submission(fields map[string]any, changes map[string]any) string {
	a := validAnswers()
	for k, v := range changes {
		if v == omit {
			delete(a, k)
		} else {
			a[k] = v
		}
	}
	body := map[string]any{"answers": a}
	for k, v := range fields {
		body[k] = v
	}
	b, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Fixed response ids.
const (
	dupID   = "3f2c5a9e-8d1b-4c7a-9e2f-1b3d5c7e9a0b" // stored by the fixture
	freshID = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d" // never stored
)

// fixture prepares the state the scenario tables start from:
//
//	wellbeing-test v1, published, deployed by every survey below
//	wellbeing-test v2, a draft
//	{open}    open survey, holding response {dup} with validAnswers
//	{closed}  survey closed by the researcher
//	{later}   survey whose opens_at is tomorrow
//	{ended}   survey whose closes_at has passed
//	{invite}  invitation survey; {code} is unspent, {spent} was used
func fixture(tb testing.TB, e *testEnv) vars {
	tb.Helper()
	e.createInstrument(tb, testInstrument(), ctJSON)
	e.publish(tb, "wellbeing-test", 1)
	e.createInstrument(tb, testInstrument(withVersion(2)), ctJSON)
	now := time.Now().UTC()
	v := vars{"dup": dupID, "fresh": freshID, "nosuch": "nosuchsurvey"}
	v["open"] = e.createSurvey(tb, map[string]any{"access": "open"})
	v["closed"] = e.createSurvey(tb, map[string]any{"access": "open"})
	e.mustDo(tb, request{Method: "POST", URL: "/api/v1/surveys/" + v["closed"] + "/close", Authorization: bearer}, http.StatusOK)
	v["later"] = e.createSurvey(tb, map[string]any{"access": "open", "opens_at": now.Add(24 * time.Hour)})
	v["ended"] = e.createSurvey(tb, map[string]any{"access": "open",
		"opens_at": now.Add(-48 * time.Hour), "closes_at": now.Add(-time.Hour)})
	v["invite"] = e.createSurvey(tb, map[string]any{"access": "invitation"})
	codes := e.invite(tb, v["invite"], 2)
	v["code"], v["spent"] = codes[0], codes[1]
	e.submit(tb, v["invite"], submission(map[string]any{"invitation_code": v["spent"]}, nil), http.StatusCreated)
	e.submit(tb, v["open"], submission(map[string]any{"id": dupID}, nil), http.StatusCreated)
	return v
}

// createInstrument posts an instrument and expects 201.
func (e *testEnv) createInstrument(tb testing.TB, body, contentType string) {
	tb.Helper()
	e.mustDo(tb, request{Method: "POST", URL: "/api/v1/instruments", Body: body, ContentType: contentType, Authorization: bearer}, http.StatusCreated)
}

// publish publishes a version and expects 200.
func (e *testEnv) publish(tb testing.TB, key string, version int) {
	tb.Helper()
	e.mustDo(tb, request{Method: "POST", URL: "/api/v1/instruments/" + key + "/versions/" + strconv.Itoa(version) + "/publish",
		Authorization: bearer}, http.StatusOK)
}

// createSurvey deploys wellbeing-test v1 (unless fields say otherwise)
// and returns the survey id.
func (e *testEnv) createSurvey(tb testing.TB, fields map[string]any) string {
	tb.Helper()
	req := map[string]any{"instrument_key": "wellbeing-test", "instrument_version": 1, "title": "Test survey", "access": "open"}
	for k, v := range fields {
		req[k] = v
	}
	b, _ := json.Marshal(req)
	body := e.mustDo(tb, request{Method: "POST", URL: "/api/v1/surveys", Body: string(b), ContentType: ctJSON, Authorization: bearer}, http.StatusCreated)
	var doc struct {
		ID string `json:"id"`
	}
	mustUnmarshal(tb, body, &doc)
	if doc.ID == "" {
		tb.Fatalf("survey without id: %s", body)
	}
	return doc.ID
}

// invite makes n invitation codes.
func (e *testEnv) invite(tb testing.TB, surveyID string, n int) []string {
	tb.Helper()
	body := e.mustDo(tb, request{Method: "POST", URL: "/api/v1/surveys/" + surveyID + "/invitations",
		Body: fmt.Sprintf(`{"count": %d}`, n), ContentType: ctJSON, Authorization: bearer}, http.StatusCreated)
	var doc struct {
		Codes []string `json:"codes"`
	}
	mustUnmarshal(tb, body, &doc)
	if len(doc.Codes) != n {
		tb.Fatalf("got %d codes, want %d: %s", len(doc.Codes), n, body)
	}
	return doc.Codes
}

// submitted is the answer to a submission.
type submitted struct {
	ID                string     `json:"id"`
	SurveyID          string     `json:"survey_id"`
	InstrumentKey     string     `json:"instrument_key"`
	InstrumentVersion int        `json:"instrument_version"`
	Status            string     `json:"status"`
	StartedAt         time.Time  `json:"started_at"`
	SubmittedAt       *time.Time `json:"submitted_at"`
}

// submit posts a response to a survey and expects the status want.
func (e *testEnv) submit(tb testing.TB, surveyID, body string, want int) submitted {
	tb.Helper()
	b := e.mustDo(tb, request{Method: "POST", URL: "/api/v1/public/surveys/" + surveyID + "/responses", Body: body, ContentType: ctJSON}, want)
	var s submitted
	mustUnmarshal(tb, b, &s)
	return s
}

// listed is one response as the researcher lists it.
type listed struct {
	submitted
	Answers map[string]any `json:"answers"`
}

// responses lists every response of a survey.
func (e *testEnv) responses(tb testing.TB, surveyID string) []listed {
	tb.Helper()
	body := e.mustDo(tb, request{Method: "GET", URL: "/api/v1/surveys/" + surveyID + "/responses?status=all&limit=1000",
		Authorization: bearer}, http.StatusOK)
	var doc struct {
		Items []listed `json:"items"`
	}
	mustUnmarshal(tb, body, &doc)
	return doc.Items
}

// sameJSON reports whether two values encode to the same JSON data, so
// that an answer sent as []int{1, 3} equals one read back as []any{1.0, 3.0}.
func sameJSON(tb testing.TB, a, b any) bool {
	tb.Helper()
	norm := func(v any) any {
		raw, err := json.Marshal(v)
		if err != nil {
			tb.Fatalf("marshal %v: %v", v, err)
		}
		var out any
		mustUnmarshal(tb, raw, &out)
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

func mustUnmarshal(tb testing.TB, b []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("decode %T: %v; body: %s", v, err, truncate(b))
	}
}
