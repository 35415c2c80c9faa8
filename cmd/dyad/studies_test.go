package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestStudiesKeepApart, in the dashboard of the whole service: the owner
// of another study ("norole" of the team, owner of study 2 only) sees
// none of the default study's surveys or instruments, is refused its
// results page, export and members; makes a study of its own and becomes
// its owner; and, once it requires a second factor of study 2's members,
// is sent to set one up after signing in, while a member of the default
// study only is not. Making the study and requiring the factor are in the
// audit trail, and each owner's view of the trail holds its own studies'
// rows only.
func TestStudiesKeepApart(t *testing.T) {
	tm := newTeam(t)
	ts := httptest.NewServer(tm.handler)
	defer ts.Close()
	srv := ts.URL

	other := newBrowser(t, srv)
	if p := other.signIn("norole@example.org", teamPassword); p.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", p.status)
	}
	home := other.send("GET", "/admin", nil, "")
	if home.status != http.StatusOK || strings.Contains(home.body, tm.survey.ID) || strings.Contains(home.body, tm.survey.InstrumentKey) {
		t.Errorf("another study's member sees the default study's survey or instrument: %d", home.status)
	}
	for _, path := range []string{"/admin/surveys/" + tm.survey.ID, "/admin/surveys/" + tm.survey.ID + "/export.csv",
		"/admin/instruments/" + tm.survey.InstrumentKey + "/versions/" + strconv.Itoa(tm.survey.InstrumentVersion), "/admin/members?study=1"} {
		if p := other.send("GET", path, nil, ""); p.status != http.StatusForbidden {
			t.Errorf("%s for another study's member: %d, want 403", path, p.status)
		}
	}
	studies := other.send("GET", "/admin/studies", nil, "")
	if !strings.Contains(studies.body, "Another study") || strings.Contains(studies.body, `<th scope="row">`+defaultStudyName+`</th>`) {
		t.Errorf("the studies page of study 2's owner:\n%.2000s", studies.body)
	}
	if p := other.send("POST", "/admin/studies", url.Values{"_csrf": {other.csrf("/admin/studies")}, "name": {"Third study"}}, ""); p.status != http.StatusSeeOther {
		t.Fatalf("make a study: %d %.300s", p.status, p.body)
	}
	if p := other.send("POST", "/admin/studies", url.Values{"_csrf": {other.csrf("/admin/studies")}, "name": {"Third study"}}, ""); p.status != http.StatusConflict {
		t.Errorf("a taken name: %d, want 409", p.status)
	}
	if p := other.send("GET", "/admin/studies", nil, ""); !strings.Contains(p.body, "Third study") {
		t.Errorf("the new study is not listed")
	}
	if p := other.send("GET", "/admin/members?study=3", nil, ""); p.status != http.StatusOK || !strings.Contains(p.body, "norole@example.org") {
		t.Errorf("the new study's members page: %d (the maker is its owner)", p.status)
	}

	if p := other.send("GET", "/admin/tokens?study=3", nil, ""); !strings.Contains(p.body, "Make a token for Third study") {
		t.Errorf("the tokens page does not name the study new tokens act in")
	}

	// The audit trail: each owner sees the rows of its own studies.
	analyst := newBrowser(t, srv)
	analyst.signIn("analyst@example.org", teamPassword)
	if p := analyst.send("GET", "/admin/surveys/"+tm.survey.ID+"/export.csv", nil, ""); p.status != http.StatusOK {
		t.Fatalf("the analyst's export: %d", p.status)
	}
	if p := other.send("GET", "/admin/audit", nil, ""); p.status != http.StatusOK || !strings.Contains(p.body, "study.create") ||
		strings.Contains(p.body, "analyst@example.org") || strings.Contains(p.body, "export.download") {
		t.Errorf("study 2's owner's audit trail: %d, want its own rows and none of the default study's:\n%.3000s", p.status, p.body)
	}
	owner := newBrowser(t, srv)
	owner.signIn("owner@example.org", teamPassword)
	if p := owner.send("GET", "/admin/audit", nil, ""); p.status != http.StatusOK || !strings.Contains(p.body, "export.download") ||
		strings.Contains(p.body, "study.create") {
		t.Errorf("the default study's owner's audit trail: %d, want the export and not study 2's rows", p.status)
	}
	if p := owner.send("GET", "/admin/audit.csv", nil, ""); !strings.Contains(p.body, "export.download") || strings.Contains(p.body, "study.create") {
		t.Errorf("the default study's owner's audit CSV:\n%.2000s", p.body)
	}
	if p := other.send("POST", "/admin/studies/2/totp", url.Values{"_csrf": {other.csrf("/admin/studies")}, "require": {"1"}}, ""); p.status != http.StatusSeeOther {
		t.Fatalf("require a second factor: %d", p.status)
	}
	if p := analyst.send("POST", "/admin/studies/2/totp", url.Values{"_csrf": {analyst.csrf("/admin/studies")}, "require": {"0"}}, ""); p.status != http.StatusForbidden {
		t.Errorf("another study's analyst lifts the requirement: %d, want 403", p.status)
	}
	if p := other.send("GET", "/admin", nil, ""); p.status != http.StatusSeeOther || p.header.Get("Location") != "/admin/totp" {
		t.Errorf("study 2's owner without a second factor: %d %s, want 303 to /admin/totp", p.status, p.header.Get("Location"))
	}
	if p := other.send("GET", "/admin/totp", nil, ""); p.status != http.StatusOK || !strings.Contains(p.body, "requires two-step sign-in") {
		t.Errorf("the set-up page: %d", p.status)
	}
	again := newBrowser(t, srv)
	if p := again.signIn("norole@example.org", teamPassword); p.status != http.StatusSeeOther {
		t.Fatalf("sign-in again: %d", p.status)
	}
	if p := again.send("GET", "/admin", nil, ""); p.status != http.StatusSeeOther || p.header.Get("Location") != "/admin/totp" {
		t.Errorf("after sign-in: %d %s, want the set-up page", p.status, p.header.Get("Location"))
	}
	if p := analyst.send("GET", "/admin", nil, ""); p.status != http.StatusOK {
		t.Errorf("a member of the default study only: %d, want 200", p.status)
	}
	for _, action := range []string{"study.create", "study.update"} {
		if rows := auditActions(t, tm, action); len(rows) == 0 || !strings.Contains(rows[0].Actor, "norole@example.org") {
			t.Errorf("%s rows: %+v", action, rows)
		}
	}
	if got, err := tm.st.FindStudy(t.Context(), 2); err != nil || !got.RequireTOTP {
		t.Errorf("study 2: %+v %v", got, err)
	}
}
