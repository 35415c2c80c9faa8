package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// browser is a cookie-keeping client of a test server that does not
// follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status int
	body   string
	header http.Header
}

func (b *browser) send(method, path string, form url.Values, bearer string) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{res.StatusCode, string(raw), res.Header}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the page at path.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	p := b.send("GET", path, nil, "")
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s (%d)", path, p.status)
	}
	return m[1]
}

func (b *browser) signIn(email, password string) page {
	b.t.Helper()
	return b.send("POST", "/admin/login", url.Values{"_csrf": {b.csrf("/admin/login")}, "email": {email}, "password": {password}}, "")
}

func auditActions(t *testing.T, tm *team, action string) []survey.AuditEvent {
	t.Helper()
	var out []survey.AuditEvent
	if err := tm.st.ScanAudit(context.Background(), survey.AuditFilter{Action: action}, func(e *survey.AuditEvent) error {
		out = append(out, *e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPasswordSignIn: an account signs in with its e-mail and password; a
// wrong password and an unknown address get the same answer; an account
// that failed five times waits (429) while another address does not;
// sign-ins and failures are in the audit trail.
func TestPasswordSignIn(t *testing.T) {
	tm := newTeam(t)
	srv := httptest.NewServer(tm.handler)
	defer srv.Close()

	b := newBrowser(t, srv.URL)
	if p := b.signIn("Analyst@Example.org", teamPassword); p.status != http.StatusSeeOther || p.header.Get("Location") != "/admin" {
		t.Fatalf("sign-in: %d %s", p.status, p.header.Get("Location"))
	}
	if p := b.send("GET", "/admin", nil, ""); p.status != http.StatusOK || !strings.Contains(p.body, "API tokens") {
		t.Fatalf("dashboard after sign-in: %d", p.status)
	}
	if ok := auditActions(t, tm, "auth.sign_in"); len(ok) != 1 || !strings.Contains(ok[0].Actor, "analyst@example.org") {
		t.Errorf("sign-in rows: %+v", ok)
	}

	other := newBrowser(t, srv.URL)
	wrong := other.signIn("viewer@example.org", "not the password of the viewer")
	unknown := other.signIn("nobody@example.org", "not the password of anybody")
	const generic = "The e-mail address, the password or the authentication code is not right."
	if wrong.status != 401 || unknown.status != 401 || !strings.Contains(wrong.body, generic) || !strings.Contains(unknown.body, generic) {
		t.Errorf("wrong password %d, unknown address %d: want the same 401 with %q", wrong.status, unknown.status, generic)
	}
	for range 4 { // the viewer's failures 2 to 5
		other.signIn("viewer@example.org", "still not the password")
	}
	if p := other.signIn("viewer@example.org", teamPassword); p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Errorf("after 5 failures, even the right password: %d, want 429 with Retry-After", p.status)
	}
	if p := other.signIn("editor@example.org", teamPassword); p.status != http.StatusSeeOther {
		t.Errorf("another account from the same client: %d, want a sign-in", p.status)
	}
	failed := auditActions(t, tm, "auth.sign_in_failed")
	if len(failed) != 6 {
		t.Errorf("%d failure rows, want 6 (5 of the viewer, 1 of the unknown address)", len(failed))
	}
	for _, e := range failed {
		if strings.Contains(e.Details+e.Target+e.Actor, "password") {
			t.Errorf("a failure row holds a password: %+v", e)
		}
	}
}

// TestAPITokensPage: an analyst makes a token (password asked again, role
// no higher than theirs), sees it once, uses it on the API, revokes it;
// signing out everywhere ends the analyst's other sessions.
func TestAPITokensPage(t *testing.T) {
	tm := newTeam(t)
	srv := httptest.NewServer(tm.handler)
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	b.signIn("analyst@example.org", teamPassword)
	second := newBrowser(t, srv.URL)
	second.signIn("analyst@example.org", teamPassword)

	make := func(role, password string) page {
		return b.send("POST", "/admin/tokens", url.Values{"_csrf": {b.csrf("/admin/tokens")}, "name": {"R script"}, "role": {role},
			"days": {"30"}, "password": {password}}, "")
	}
	if p := make("owner", teamPassword); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "no higher than your own") {
		t.Errorf("a token above the account's role: %d", p.status)
	}
	if p := make("analyst", "wrong password for the token"); p.status != http.StatusUnauthorized {
		t.Errorf("a token without the password: %d", p.status)
	}
	p := make("viewer", teamPassword)
	m := regexp.MustCompile(`<code id="new-token">(dyad_[a-z0-9]+)</code>`).FindStringSubmatch(p.body)
	if p.status != http.StatusCreated || m == nil {
		t.Fatalf("make a token: %d\n%s", p.status, p.body)
	}
	secret := m[1]
	if again := b.send("GET", "/admin/tokens", nil, ""); strings.Contains(again.body, secret) || !strings.Contains(again.body, "R script") {
		t.Errorf("the tokens page shows the token again, or not its name")
	}
	api := newBrowser(t, srv.URL)
	if r := api.send("GET", "/api/v1/surveys/"+tm.survey.ID+"/stats", nil, secret); r.status != 200 {
		t.Errorf("the viewer-scoped token on stats: %d", r.status)
	}
	if r := api.send("GET", "/api/v1/surveys/"+tm.survey.ID+"/export.csv", nil, secret); r.status != 403 {
		t.Errorf("the viewer-scoped token on an export: %d, want 403 (its scope, not the analyst's role)", r.status)
	}
	id := regexp.MustCompile(`action="/admin/tokens/(\d+)/revoke"`).FindStringSubmatch(b.send("GET", "/admin/tokens", nil, "").body)
	if id == nil {
		t.Fatal("no revoke button")
	}
	if r := b.send("POST", "/admin/tokens/"+id[1]+"/revoke", url.Values{"_csrf": {b.csrf("/admin/tokens")}}, ""); r.status != http.StatusSeeOther {
		t.Errorf("revoke: %d", r.status)
	}
	if r := api.send("GET", "/api/v1/surveys/"+tm.survey.ID+"/stats", nil, secret); r.status != 401 {
		t.Errorf("a revoked token: %d, want 401", r.status)
	}
	for _, action := range []string{"token.create", "token.revoke"} {
		rows := auditActions(t, tm, action)
		if len(rows) == 0 {
			t.Errorf("no %s row", action)
		}
		for _, e := range rows {
			if strings.Contains(e.Details+e.Target, secret) {
				t.Errorf("the audit trail holds the token: %+v", e)
			}
		}
	}
	if rows := auditActions(t, tm, "token.create"); len(rows) < 1 || !strings.Contains(rows[len(rows)-1].Details, "role=viewer") {
		t.Errorf("token.create rows: %+v", rows)
	}

	// Sign out everywhere, from the first browser: the second is out too.
	if p := second.send("GET", "/admin", nil, ""); p.status != 200 {
		t.Fatalf("second session: %d", p.status)
	}
	if p := b.send("POST", "/admin/logout/everywhere", url.Values{"_csrf": {b.csrf("/admin/tokens")}}, ""); p.status != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", p.status)
	}
	if p := second.send("GET", "/admin", nil, ""); p.status != http.StatusSeeOther {
		t.Errorf("the other session after sign-out everywhere: %d, want the sign-in redirect", p.status)
	}
}
