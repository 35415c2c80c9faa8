//go:build integration

package main

// A participant follows the link in their invitation in a real browser
// (headless Chromium, internal/web/browsertest) and completes the survey;
// the participant list then says completed. Without Chromium it skips,
// except under CI=true.

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
	"github.com/dyad-survey/dyad/internal/web/browsertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Stop()
	os.Exit(code)
}

func TestMailingLinkInBrowser(t *testing.T) {
	browsertest.Chromium(t)
	m := startMailpit(t)
	p := startInstance(t, freePort(t), mailingEnv(t, m, 6000))
	mustAPI(t, p.base, "POST", "/api/v1/instruments", "application/yaml", fixtures.Instrument("phq-2.yaml"), 201)
	mustAPI(t, p.base, "POST", "/api/v1/instruments/phq-2/versions/1/publish", "", "", 200)
	var sv struct{ ID string }
	json.Unmarshal(mustAPI(t, p.base, "POST", "/api/v1/surveys", "application/json",
		`{"instrument_key":"phq-2","instrument_version":1,"title":"Mood check","access":"invitation"}`, 201), &sv)
	var pt struct{ ID string }
	json.Unmarshal(mustAPI(t, p.base, "POST", "/api/v1/surveys/"+sv.ID+"/participants", "application/json",
		`{"email":"gp@example.org","first_name":"Grace"}`, 201), &pt)
	mustAPI(t, p.base, "POST", "/api/v1/surveys/"+sv.ID+"/mailing/invitations", "", "", 202)
	waitFor(t, 30*time.Second, "the invitation", func() bool { return len(m.list(t)) == 1 })
	text := m.text(t, m.list(t)[0].ID)
	link := ""
	for _, f := range strings.Fields(text) {
		if strings.Contains(f, "/s/"+sv.ID+"?code=") {
			link = f
		}
	}
	code := mailCode.FindStringSubmatch(link)
	if code == nil || !strings.Contains(text, "Dear Grace") {
		t.Fatalf("no personal link in:\n%s", text)
	}

	d := browsertest.NewTab(t, browsertest.Desktop, 2*time.Minute)
	d.Open(link)
	if got := browsertest.Eval[string](d, `document.querySelector("#code").value`); got != code[1] {
		t.Fatalf("the welcome page's code is %q, want %q from the link", got, code[1])
	}
	d.Nav(chromedp.Click(chromedp.CSS(`form.start button[type="submit"]`)))
	// Answer every unanswered radio group with its first option, then go
	// on, until the thank-you page.
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatalf("still not done at %s", d.Location())
		}
		if !browsertest.Eval[bool](d, `!!document.querySelector('button[name="_action"]')`) {
			break
		}
		browsertest.Eval[int](d, `(() => { const seen = {}; let n = 0;
			for (const r of document.querySelectorAll('input[type="radio"]')) {
				if (seen[r.name]) continue; seen[r.name] = true;
				if (!document.querySelector('input[name="' + r.name + '"]:checked')) { r.click(); n++ }
			} return n })()`)
		d.Nav(chromedp.Click(chromedp.CSS(`button[name="_action"][value="next"], button[name="_action"][value="submit"]`)))
	}
	var got struct {
		Completed bool
		Status    string
	}
	json.Unmarshal(mustAPI(t, p.base, "GET", "/api/v1/surveys/"+sv.ID+"/participants/"+pt.ID, "", "", 200), &got)
	if !got.Completed || got.Status != "completed" {
		t.Fatalf("after completing in the browser: %+v (at %s)", got, d.Location())
	}
}
