package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

var inviteLink = regexp.MustCompile(`<code id="invite-link">[^<]*/admin/signup\?invite=([a-z0-9]+)</code>`)

// invite makes a sign-up link for role as the signed-in owner b and
// returns its secret.
func (b *browser) invite(role string) string {
	b.t.Helper()
	p := b.send("POST", "/admin/members/invite", url.Values{"_csrf": {b.csrf("/admin/members")}, "role": {role}, "password": {teamPassword}}, "")
	m := inviteLink.FindStringSubmatch(p.body)
	if p.status != http.StatusCreated || m == nil {
		b.t.Fatalf("invite a %s: %d\n%.2000s", role, p.status, p.body)
	}
	return m[1]
}

// join signs up through an invite; the browser is then signed in.
func (b *browser) join(secret, email, password string) page {
	b.t.Helper()
	form := b.send("GET", "/admin/signup?invite="+secret, nil, "")
	m := csrfField.FindStringSubmatch(form.body)
	if form.status != 200 || m == nil {
		return form
	}
	return b.send("POST", "/admin/signup", url.Values{"_csrf": {m[1]}, "invite": {secret}, "email": {email}, "password": {password}}, "")
}

// TestMembersInviteAndRoles: an owner invites colleagues by one-time
// links (password asked again), each joins with the link's role and is
// signed in, a link works once, an owner changes a role; the trail has
// each step and never a link's secret.
func TestMembersInviteAndRoles(t *testing.T) {
	tm := newTeam(t)
	srv := httptest.NewServer(tm.handler)
	defer srv.Close()
	owner := newBrowser(t, srv.URL)
	owner.signIn("owner@example.org", teamPassword)
	if p := owner.send("GET", "/admin/members", nil, ""); p.status != 200 {
		t.Fatalf("members page: %d\n%.3000s", p.status, p.body)
	}

	if p := owner.send("POST", "/admin/members/invite", url.Values{"_csrf": {owner.csrf("/admin/members")}, "role": {"analyst"}, "password": {"wrong"}}, ""); p.status != http.StatusUnauthorized {
		t.Errorf("invite without the password: %d", p.status)
	}
	analystLink := owner.invite("analyst")
	viewerLink := owner.invite("viewer")

	ana := newBrowser(t, srv.URL)
	if p := ana.join(analystLink, "new.analyst@example.org", "short"); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "at least 15 characters") {
		t.Errorf("a weak password: %d", p.status)
	}
	if p := ana.join(analystLink, "New.Analyst@example.org", teamPassword); p.status != http.StatusSeeOther {
		t.Fatalf("join: %d\n%.1000s", p.status, p.body)
	}
	if p := ana.send("GET", "/admin/surveys/"+tm.survey.ID+"/export.csv", nil, ""); p.status != 200 {
		t.Errorf("the new analyst's export: %d", p.status)
	}
	if p := newBrowser(t, srv.URL).join(analystLink, "someone.else@example.org", teamPassword); p.status != http.StatusNotFound {
		t.Errorf("a used link: %d, want 404", p.status)
	}
	vw := newBrowser(t, srv.URL)
	if p := vw.join(viewerLink, "new.viewer@example.org", teamPassword); p.status != http.StatusSeeOther {
		t.Fatalf("viewer join: %d", p.status)
	}
	if p := vw.send("GET", "/admin/surveys/"+tm.survey.ID+"/export.csv", nil, ""); p.status != http.StatusForbidden {
		t.Errorf("the new viewer's export: %d, want 403", p.status)
	}
	if p := vw.send("GET", "/admin/members", nil, ""); p.status != http.StatusForbidden {
		t.Errorf("the viewer's members page: %d, want 403", p.status)
	}

	// The owner promotes the viewer to analyst.
	list := owner.send("GET", "/admin/members", nil, "")
	if !strings.Contains(list.body, "new.analyst@example.org") || !strings.Contains(list.body, "new.viewer@example.org") {
		t.Fatalf("members page lacks the new members")
	}
	u, err := tm.st.FindUserByEmail(context.Background(), "new.viewer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(u.ID, 10)
	if !strings.Contains(list.body, `action="/admin/members/`+id+`/role?study=1"`) {
		t.Fatalf("no role form for the viewer")
	}
	if p := owner.send("POST", "/admin/members/"+id+"/role", url.Values{"_csrf": {owner.csrf("/admin/members")}, "role": {"analyst"}, "password": {teamPassword}}, ""); p.status != http.StatusSeeOther {
		t.Fatalf("change the role: %d", p.status)
	}
	if p := vw.send("GET", "/admin/surveys/"+tm.survey.ID+"/export.csv", nil, ""); p.status != 200 {
		t.Errorf("after promotion: %d, want 200 (the role is read at each request)", p.status)
	}

	for _, action := range []string{"member.invite", "member.join", "member.role"} {
		if rows := auditActions(t, tm, action); len(rows) == 0 {
			t.Errorf("no %s row", action)
		}
	}
	var all strings.Builder
	_ = tm.st.ScanAudit(context.Background(), survey.AuditFilter{}, func(e *survey.AuditEvent) error {
		all.WriteString(e.Target + " " + e.Details + "\n")
		return nil
	})
	if strings.Contains(all.String(), analystLink) || strings.Contains(all.String(), viewerLink) {
		t.Errorf("the audit trail holds a sign-up link's secret:\n%s", all.String())
	}
}
