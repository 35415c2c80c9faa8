//go:build integration

package main

// Browser test of a research team, in headless Chromium over the whole
// service: the owner signs in with a password and invites an analyst and a
// viewer by sign-up links; each joins and is signed in; the viewer sees
// the statistics but no download, and an export URL answers 403; the
// analyst downloads; the owner finds both in the audit trail and exports
// it as CSV, then makes a second study. The new pages (members, sign-up,
// tokens, two-step sign-in, audit, studies) pass axe-core
// and are saved as screenshots in screenshots/admin.

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dyad-survey/dyad/internal/web/browsertest"
)

func TestBrowserTeam(t *testing.T) {
	browsertest.Chromium(t)
	browsertest.AxeSource(t)
	t.Cleanup(browsertest.Stop)
	tm := newTeam(t)
	srv := httptest.NewServer(tm.handler)
	defer srv.Close()
	dir := browsertest.ScreenshotDir("DYAD_ADMIN_SCREENSHOTS", "admin")
	results := "/admin/surveys/" + tm.survey.ID
	export := results + "/export.csv?status=all"
	vp := browsertest.Desktop

	check := func(d *browsertest.Tab, name string) {
		t.Helper()
		d.CheckReflow(name)
		d.Axe(name)
		d.Shot(dir, name)
	}
	// status fetches path with the tab's cookies and returns the status
	// and the start of the body (a synchronous request: no promise).
	status := func(d *browsertest.Tab, path string) (int, string) {
		t.Helper()
		v := browsertest.Eval[[]any](d, `(() => { const x = new XMLHttpRequest(); x.open("GET", `+jsString(path)+`, false); x.send(); return [x.status, x.responseText.slice(0, 2000)]; })()`)
		return int(v[0].(float64)), v[1].(string)
	}
	text := func(d *browsertest.Tab, expr string) string { t.Helper(); return browsertest.Eval[string](d, expr) }

	owner := browsertest.NewTab(t, vp, 3*time.Minute)
	owner.Open(srv.URL + "/admin/login")
	owner.Do(chromedp.SendKeys(chromedp.CSS("#email"), "owner@example.org"), chromedp.SendKeys(chromedp.CSS("#password"), teamPassword))
	owner.Nav(chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	if loc := owner.Location(); loc != "/admin" {
		t.Fatalf("owner after sign-in at %s", loc)
	}
	invite := func(role string) string {
		t.Helper()
		owner.Open(srv.URL + "/admin/members")
		owner.Do(chromedp.SetValue(chromedp.CSS("#m-role"), role), chromedp.SendKeys(chromedp.CSS("#m-password"), teamPassword))
		owner.Nav(chromedp.Click(chromedp.CSS(`form[action^="/admin/members/invite"] button`)))
		link := text(owner, `document.querySelector("#invite-link") ? document.querySelector("#invite-link").textContent : ""`)
		if !strings.Contains(link, "/admin/signup?invite=") {
			t.Fatalf("no sign-up link for the %s", role)
		}
		return link
	}
	analystLink := invite("analyst")
	check(owner, "members")
	viewerLink := invite("viewer")

	join := func(link, email string) *browsertest.Tab {
		t.Helper()
		d := browsertest.NewTab(t, vp, 3*time.Minute)
		d.Open(link)
		d.Do(chromedp.SendKeys(chromedp.CSS("#s-email"), email), chromedp.SendKeys(chromedp.CSS("#s-password"), teamPassword))
		d.Nav(chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
		if loc := d.Location(); loc != "/admin" {
			t.Fatalf("%s after joining at %s", email, loc)
		}
		return d
	}
	viewer := browsertest.NewTab(t, vp, 3*time.Minute)
	viewer.Open(viewerLink)
	check(viewer, "signup")
	viewer = join(viewerLink, "viewer.joined@example.org")
	analyst := join(analystLink, "analyst.joined@example.org")

	// The viewer: statistics, no download, no free text; 403 on an export.
	viewer.Open(srv.URL + results)
	if n := browsertest.Eval[int](viewer, `document.querySelectorAll("ul.downloads a, a[href*='/export'], a[href*='/text/']").length`); n != 0 {
		t.Errorf("the viewer's results page has %d download or free-text links", n)
	}
	if n := browsertest.Eval[int](viewer, `document.querySelectorAll("#h-responses").length`); n != 1 {
		t.Errorf("the viewer's results page shows no statistics")
	}
	check(viewer, "results-viewer")
	if code, _ := status(viewer, export); code != 403 {
		t.Errorf("the viewer's export: %d, want 403", code)
	}
	viewer.Open(srv.URL + export)
	if body := text(viewer, `document.body.innerText`); !strings.Contains(body, "your role does not allow this") {
		t.Errorf("the viewer's export page: %.300s", body)
	}

	// The analyst downloads from the link on the page.
	analyst.Open(srv.URL + results)
	href := text(analyst, `document.querySelector("ul.downloads a").getAttribute("href")`)
	if code, body := status(analyst, href); code != 200 || !strings.HasPrefix(body, "response_id,") {
		t.Errorf("the analyst's download of %s: %d %.100s", href, code, body)
	}
	analyst.Open(srv.URL + "/admin/tokens")
	check(analyst, "tokens")
	analyst.Open(srv.URL + "/admin/totp")
	check(analyst, "totp")

	// The owner sees both in the audit trail and exports it.
	owner.Open(srv.URL + "/admin/audit?action=export.download")
	body := text(owner, `document.querySelector("main").innerText`)
	if !strings.Contains(body, "viewer.joined@example.org") || !strings.Contains(body, "analyst.joined@example.org") || !strings.Contains(body, "403") {
		t.Errorf("the audit page lacks the viewer's refusal or the analyst's download:\n%s", body)
	}
	check(owner, "audit")
	csvHref := text(owner, `document.querySelector("#audit-csv").getAttribute("href")`)
	if code, csv := status(owner, csvHref); code != 200 || !strings.HasPrefix(csv, "id,at,actor,action") ||
		!strings.Contains(csv, "viewer.joined@example.org") || !strings.Contains(csv, "analyst.joined@example.org") {
		t.Errorf("the audit CSV: %d\n%s", code, csv)
	}

	// The owner makes a study on the studies page (the team has two
	// already: this is the third) and opens its members page, where that
	// study's sign-up links are made.
	owner.Open(srv.URL + "/admin/studies")
	owner.Do(chromedp.SendKeys(chromedp.CSS("#s-name"), "Follow-up study"))
	owner.Nav(chromedp.Click(chromedp.CSS(`form[action="/admin/studies"] button`)))
	if body := text(owner, `document.querySelector("#studies").innerText`); !strings.Contains(body, "Follow-up study") {
		t.Errorf("the studies page lacks the new study:\n%s", body)
	}
	check(owner, "studies")
	owner.Nav(chromedp.Click(chromedp.CSS(`a[href="/admin/members?study=3"]`)))
	if h := text(owner, `document.querySelector("h1").innerText`); h != "Members of Follow-up study" {
		t.Errorf("the new study's members page: %q", h)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
