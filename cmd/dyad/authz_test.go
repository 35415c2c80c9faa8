package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/metrics"
	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/sample"
	httpserver "github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/survey"
)

// team is a deployment with one account per role, an admin, an account
// with no role, and for each of them a dashboard session and an API token
// of their role; plus the credentials that must fail: a revoked token, an
// expired one, a token of another study, an expired session.
type team struct {
	handler *httpserver.Server
	st      store.DB
	survey  *survey.Survey
	token   string            // the researcher token
	bearer  map[string]string // credential name -> API token
	session map[string]string // credential name -> session id
	users   map[string]*survey.User
	// rebuild replaces handler with one made with cfg, over the same
	// store.
	rebuild func(cfg serveConfig)
}

// teamPassword is every test account's password.
const teamPassword = "correct horse battery staple for the team"

func newTeam(t *testing.T) *team {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "dyad.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := survey.NewService(st)
	sv, err := seed(ctx, svc, st)
	if err != nil || sv == nil {
		t.Fatalf("seed: %v", err)
	}
	tm := &team{st: st, survey: sv, token: survey.NewToken(), bearer: map[string]string{}, session: map[string]string{},
		users: map[string]*survey.User{}}
	now := time.Now()
	if err := st.EnsureStudy(ctx, 2, "Another study", now); err != nil {
		t.Fatal(err)
	}
	lim := survey.SessionLimits{IdleBefore: now.Add(-24 * time.Hour), CreatedBefore: now.Add(-24 * time.Hour), Max: 1000}
	for _, name := range []string{"owner", "editor", "analyst", "viewer", "norole", "admin"} {
		role := survey.Role(name)
		if !role.Valid() {
			role = ""
		}
		if err := addUser(ctx, st, name+"@example.org", teamPassword, name == "admin", role); err != nil {
			t.Fatal(err)
		}
		u, err := st.FindUserByEmail(ctx, name+"@example.org")
		if err != nil {
			t.Fatal(err)
		}
		tm.users[name] = u
		id := pagekit.RandomValue()
		if err := st.CreateSession(ctx, &survey.Session{IDHash: survey.HashSecret(id), CreatedAt: now, SeenAt: now, UserID: u.ID}, lim); err != nil {
			t.Fatal(err)
		}
		tm.session[name] = id
		if role != "" {
			tm.bearer[name] = tm.apiToken(t, u.ID, survey.DefaultStudy, role, now.Add(time.Hour), false)
		}
	}
	// An admin's token has a role's scope, never the admin's rights.
	tm.bearer["admin"] = tm.apiToken(t, tm.users["admin"].ID, survey.DefaultStudy, survey.RoleOwner, now.Add(time.Hour), false)
	// The researcher token's dashboard session.
	rid := pagekit.RandomValue()
	if err := st.CreateSession(ctx, &survey.Session{IDHash: survey.HashSecret(rid), CreatedAt: now, SeenAt: now}, lim); err != nil {
		t.Fatal(err)
	}
	tm.session["researcher"] = rid
	// The credentials that must not work.
	owner := tm.users["owner"].ID
	tm.bearer["revoked"] = tm.apiToken(t, owner, survey.DefaultStudy, survey.RoleOwner, now.Add(time.Hour), true)
	tm.bearer["expired"] = tm.apiToken(t, owner, survey.DefaultStudy, survey.RoleOwner, now.Add(-time.Minute), false)
	if err := st.SetMembership(ctx, survey.Membership{StudyID: 2, UserID: tm.users["norole"].ID, Role: survey.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	tm.bearer["otherstudy"] = tm.apiToken(t, tm.users["norole"].ID, 2, survey.RoleOwner, now.Add(time.Hour), false)
	old := now.Add(-13 * time.Hour) // past SessionMax
	id := pagekit.RandomValue()
	if err := st.CreateSession(ctx, &survey.Session{IDHash: survey.HashSecret(id), CreatedAt: old, SeenAt: old, UserID: owner},
		survey.SessionLimits{IdleBefore: old.Add(-time.Hour), CreatedBefore: old.Add(-time.Hour), Max: 1000}); err != nil {
		t.Fatal(err)
	}
	tm.session["expired"] = id

	key, err := webKey(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	tm.rebuild = func(cfg serveConfig) {
		tm.handler = newHandler(cfg, st, svc, nil, survey.HashSecret(tm.token), key, metrics.New(), slog.New(slog.DiscardHandler))
	}
	tm.rebuild(serveConfig{})
	return tm
}

func (tm *team) apiToken(t *testing.T, user, study int64, role survey.Role, expires time.Time, revoked bool) string {
	t.Helper()
	ctx := context.Background()
	secret := "dyad_" + survey.NewToken()
	tk := &survey.APIToken{UserID: user, StudyID: study, Name: "test", Hash: survey.HashSecret(secret), Role: role,
		CreatedAt: time.Now().Add(-2 * time.Hour), ExpiresAt: expires}
	if err := tm.st.CreateAPIToken(ctx, tk); err != nil {
		t.Fatal(err)
	}
	if revoked {
		if err := tm.st.RevokeAPIToken(ctx, user, tk.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return secret
}

// fill gives a route pattern's parameters values: the real survey and
// its instrument (their study decides the role), and values that name
// nothing for the rest.
func (tm *team) fill(pattern string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		switch p {
		case ":id":
			parts[i] = tm.survey.ID
		case ":key":
			parts[i] = tm.survey.InstrumentKey
		case ":version":
			parts[i] = strconv.Itoa(tm.survey.InstrumentVersion)
		case ":n":
			parts[i] = "1"
		case ":token":
			// No token has this id: revoking token 1 would revoke a
			// credential of the matrix itself and fail the routes after.
			parts[i] = "999999"
		case ":study":
			parts[i] = strconv.FormatInt(survey.DefaultStudy, 10)
		case ":file", ":item", ":item_id":
			parts[i] = "x"
		}
	}
	return strings.Join(parts, "/")
}

var clientNo int

// do sends one request as the credential: "" none, "researcher" the
// researcher token, else a session (dashboard) or API token (API) by
// name. Each request comes from its own client address, so that the
// failed-authentication budget of one client does not decide the matrix.
func (tm *team) do(method, path, cred string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(""))
	clientNo++
	req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", clientNo>>16&255, clientNo>>8&255, clientNo&255)
	dashboard := strings.HasPrefix(path, "/admin")
	switch {
	case cred == "":
	case cred == "researcher" && !dashboard:
		req.Header.Set("Authorization", "Bearer "+tm.token)
	case dashboard:
		req.AddCookie(&http.Cookie{Name: "dyad_admin", Value: tm.session[cred]})
	default:
		req.Header.Set("Authorization", "Bearer "+tm.bearer[cred])
	}
	rec := httptest.NewRecorder()
	tm.handler.ServeHTTP(rec, req)
	return rec
}

// verdict reads an answer: "unauthenticated" (401, or the dashboard's
// redirect to the sign-in form), "forbidden" (the policy's 403), or
// "admitted" (whatever the handler then said: 200, 404, 409, 422, or the
// dashboard's 403 for a POST without its CSRF token).
func verdict(rec *httptest.ResponseRecorder) string {
	switch {
	case rec.Code == http.StatusUnauthorized,
		rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/admin/login"):
		return "unauthenticated"
	case rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), "your role does not allow this"):
		return "forbidden"
	case rec.Code == http.StatusTooManyRequests:
		return "rate limited"
	}
	return "admitted"
}

// TestAuthorizationMatrix walks every route of the real engine (API,
// respondent pages, dashboard) with every credential and compares the
// answer with what the policy table says: a route missing from the table
// fails the test, so that a new route cannot ship without its row.
//
// Roles count per study: "norole" is a member (an owner) of another
// study only, and "otherstudy" an owner's API token of that study. On a
// route about the default study's survey or instrument both are refused;
// on a route about no survey or instrument (lists, creating, tokens,
// members) they act as owners of their own study, and what they list or
// make is of that study (TestStudiesKeepApart).
func TestAuthorizationMatrix(t *testing.T) {
	tm := newTeam(t)
	// A live response keeps the survey (and so its instrument) through
	// the matrix's DELETEs: every route keeps naming a real subject.
	ctx := context.Background()
	svc := survey.NewService(tm.st)
	form, err := svc.Form(ctx, tm.survey.InstrumentKey, tm.survey.InstrumentVersion)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Submit(ctx, tm.survey.ID, survey.Submission{Answers: sample.Answers(form, rand.New(rand.NewPCG(1, 2)))}); err != nil {
		t.Fatal(err)
	}
	// An admin's API token has an owner's scope (the admin's rights stay
	// with the session).
	roles := map[string]survey.Role{"admin": survey.RoleOwner, "owner": survey.RoleOwner, "editor": survey.RoleEditor, "analyst": survey.RoleAnalyst, "viewer": survey.RoleViewer}
	creds := []string{"", "researcher", "admin", "owner", "editor", "analyst", "viewer", "norole", "revoked", "expired", "otherstudy"}
	routes := tm.handler.Routes()
	if len(routes) < 40 {
		t.Fatalf("only %d routes: the engine is not the whole service", len(routes))
	}
	for _, rt := range routes {
		rule := httpserver.RuleFor(rt.Method, rt.Path)
		if rule == nil {
			t.Errorf("%s %s is not in the policy table (internal/server/policy.go): add its row", rt.Method, rt.Path)
			continue
		}
		dashboard := strings.HasPrefix(rt.Path, "/admin")
		for _, cred := range creds {
			if dashboard && (cred == "revoked" || cred == "otherstudy") {
				continue // API tokens do not open the dashboard
			}
			if !dashboard && cred == "norole" {
				continue // an account without a role has no API token
			}
			want := "admitted"
			switch {
			case rule.Who&httpserver.Anyone != 0:
			case cred == "" || cred == "revoked" || cred == "expired":
				want = "unauthenticated"
			case cred == "researcher" || cred == "admin" && dashboard:
			case rule.Who&httpserver.SignedIn != 0:
			case (cred == "norole" || cred == "otherstudy") && aboutASubject(rt.Path):
				want = "forbidden"
			case cred == "norole" || cred == "otherstudy":
				// An owner in its own study.
				if !rule.Who.Admits(survey.RoleOwner) {
					want = "forbidden"
				}
			case !rule.Who.Admits(roles[cred]):
				want = "forbidden"
			}
			rec := tm.do(rt.Method, tm.fill(rt.Path), cred)
			if got := verdict(rec); got != want {
				t.Errorf("%s %s as %q: %s (%d %.200s), want %s", rt.Method, rt.Path, cred, got, rec.Code, rec.Body.String(), want)
			}
		}
	}
}

// aboutASubject reports whether a route pattern names a survey, an
// instrument or a study, whose study decides the role
// (internal/server/study.go).
func aboutASubject(pattern string) bool {
	return strings.Contains(pattern, "/surveys/:id") || strings.Contains(pattern, "/instruments/:key") ||
		strings.Contains(pattern, "/studies/:study")
}

// TestRolesInTheAuditTrail: the viewer's refused export and the analyst's
// download are both in the audit trail, with actor, status and filters;
// the viewer's results page links no download and no free text; the
// trail never holds the token used.
func TestRolesInTheAuditTrail(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	page := tm.do("GET", "/admin/surveys/"+tm.survey.ID, "viewer")
	if page.Code != http.StatusOK || strings.Contains(page.Body.String(), "export.csv") || strings.Contains(page.Body.String(), "/text/") {
		t.Errorf("viewer's results page: %d, links a download or free text:\n%.300s", page.Code, page.Body.String())
	}
	if page := tm.do("GET", "/admin/surveys/"+tm.survey.ID, "analyst"); !strings.Contains(page.Body.String(), "export.csv") {
		t.Errorf("analyst's results page has no download link")
	}
	if rec := tm.do("GET", "/admin/surveys/"+tm.survey.ID+"/export.csv?status=all", "viewer"); rec.Code != http.StatusForbidden {
		t.Fatalf("viewer's export: %d, want 403", rec.Code)
	}
	if rec := tm.do("GET", "/api/v1/surveys/"+tm.survey.ID+"/export.csv?status=all&token=secret-in-query", "analyst"); rec.Code != http.StatusOK {
		t.Fatalf("analyst's export: %d %s", rec.Code, rec.Body)
	}
	var rows []survey.AuditEvent
	if err := tm.st.ScanAudit(ctx, survey.AuditFilter{Action: "export.download"}, func(e *survey.AuditEvent) error {
		rows = append(rows, *e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("export rows: %+v, want the viewer's and the analyst's", rows)
	}
	v, a := rows[0], rows[1]
	if !strings.Contains(v.Actor, "viewer@example.org") || v.Status != 403 || v.Details != "status=all&study=1" || !strings.Contains(v.Target, tm.survey.ID) {
		t.Errorf("viewer's row: %+v", v)
	}
	if !strings.Contains(a.Actor, "analyst@example.org") || a.Status != 200 || a.Details != "status=all&study=1" || a.RequestID == "" {
		t.Errorf("analyst's row: %+v (the token in the query must not be recorded)", a)
	}
	if a.Client != "" {
		t.Errorf("client address %q recorded without DYAD_AUDIT_CLIENT_ADDR", a.Client)
	}
	// The owner reads the trail and exports it; the analyst may not.
	if rec := tm.do("GET", "/admin/audit?action=export.download", "owner"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "viewer@example.org") {
		t.Errorf("owner's audit page: %d", rec.Code)
	}
	csv := tm.do("GET", "/admin/audit.csv?actor="+strings.ReplaceAll(v.Actor, " ", "+"), "owner")
	if body, _ := io.ReadAll(csv.Body); csv.Code != 200 || !strings.Contains(string(body), "export.download") || strings.Contains(string(body), "analyst@") {
		t.Errorf("owner's audit CSV filtered by the viewer: %d\n%s", csv.Code, body)
	}
	if rec := tm.do("GET", "/admin/audit", "analyst"); rec.Code != http.StatusForbidden {
		t.Errorf("analyst's audit page: %d, want 403", rec.Code)
	}
	if r, err := survey.VerifyAudit(ctx, tm.st); err != nil || r.BadID != 0 || r.Rows < 4 {
		t.Errorf("verify: %+v, %v", r, err)
	}
}

// TestAuditOfChanges: changes carry a summary (codes issued: how many,
// never the codes; a survey closed: its new status; an instrument's
// status before and after), with the editor as the actor.
func TestAuditOfChanges(t *testing.T) {
	tm := newTeam(t)
	srv := httptest.NewServer(tm.handler)
	defer srv.Close()
	ed := newBrowser(t, srv.URL)
	post := func(path, body string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tm.bearer["editor"])
		req.Header.Set("Content-Type", "application/json")
		res, err := ed.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// An invitation survey to issue codes for.
	code, body := post("/api/v1/surveys", `{"instrument_key":"`+tm.survey.InstrumentKey+`","instrument_version":`+fmt.Sprint(tm.survey.InstrumentVersion)+`,"title":"Invited","access":"invitation"}`)
	if code != 201 {
		t.Fatalf("create survey: %d %s", code, body)
	}
	id := body[strings.Index(body, `"id":"`)+6:]
	id = id[:strings.Index(id, `"`)]
	code, body = post("/api/v1/surveys/"+id+"/invitations", `{"count":3}`)
	if code != 201 {
		t.Fatalf("codes: %d %s", code, body)
	}
	if code, _ := post("/api/v1/surveys/"+id+"/close", ""); code != 200 {
		t.Fatalf("close: %d", code)
	}
	if code, _ := post("/api/v1/instruments/"+tm.survey.InstrumentKey+"/versions/"+fmt.Sprint(tm.survey.InstrumentVersion)+"/retire", ""); code != 200 {
		t.Fatalf("retire: %d", code)
	}
	want := map[string][]string{
		"survey.create":     {"survey=" + id, "access=invitation"},
		"codes.issue":       {"count=3"},
		"survey.close":      {"after_status=closed"},
		"instrument.retire": {"before_status=published", "after_status=retired", "after_items="},
	}
	for action, parts := range want {
		rows := auditActions(t, tm, action)
		if len(rows) != 1 || !strings.Contains(rows[0].Actor, "editor@example.org") {
			t.Errorf("%s rows: %+v", action, rows)
			continue
		}
		for _, p := range parts {
			if !strings.Contains(rows[0].Details, p) {
				t.Errorf("%s details %q lack %q", action, rows[0].Details, p)
			}
		}
	}
	// The codes themselves are nowhere in the trail.
	var all strings.Builder
	_ = tm.st.ScanAudit(context.Background(), survey.AuditFilter{}, func(e *survey.AuditEvent) error {
		all.WriteString(e.Target + " " + e.Details + "\n")
		return nil
	})
	codes := regexp.MustCompile(`[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}`).FindAllString(body, -1)
	if len(codes) != 3 {
		t.Fatalf("codes %q in %s", codes, body)
	}
	for _, c := range codes {
		if strings.Contains(all.String(), c) {
			t.Errorf("the audit trail holds the code %s", c)
		}
	}
}

// TestAuditClientAddress: with DYAD_AUDIT_CLIENT_ADDR the audit rows hold
// the researcher's address; respondents' requests are still not recorded.
func TestAuditClientAddress(t *testing.T) {
	tm := newTeam(t)
	tm.rebuild(serveConfig{AuditClientAddr: true})
	if rec := tm.do("GET", "/api/v1/surveys/"+tm.survey.ID+"/export.csv", "analyst"); rec.Code != 200 {
		t.Fatalf("export: %d", rec.Code)
	}
	if rec := tm.do("GET", "/s/"+tm.survey.ID, ""); rec.Code != 200 {
		t.Fatalf("respondent page: %d", rec.Code)
	}
	rows := auditActions(t, tm, "")
	if len(rows) != 1 || rows[0].Action != "export.download" || !strings.HasPrefix(rows[0].Client, "10.") {
		t.Errorf("rows %+v, want the export alone, with its client address", rows)
	}
}
