//go:build integration

package admin_test

// The dashboard's write pages in headless Chromium, at desktop and phone
// width, as a researcher without curl goes through them: sign in, upload
// an instrument with three mistakes, read the problems, fix them in the
// editor, save, publish, deploy as an invitation survey (a refused try
// first), make 3 invitation codes and download them as CSV, close the
// survey; then upload a REDCap dictionary through the file field. The
// stored data is checked after each step; every new page passes axe-core
// without scrolling sideways and is saved as a screenshot in
// screenshots/admin.

import (
	"context"
	"encoding/csv"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web/browsertest"
)

func TestBrowserInstrumentJourney(t *testing.T) {
	browsertest.Chromium(t)
	browsertest.AxeSource(t)
	f := newFixture(t, enginetest.SQLite, seed{})
	ctx := context.Background()
	dir := browsertest.ScreenshotDir("DYAD_ADMIN_SCREENSHOTS", "admin")

	for _, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
		t.Run(vp.Name, func(t *testing.T) {
			key := "ward-check-" + strings.ToLower(vp.Name)
			bad := strings.Replace(badWardCheck(t), "key: ward-check", "key: "+key, 1)
			d := browsertest.NewTab(t, vp, 2*time.Minute)
			text := func(expr string) string { t.Helper(); return browsertest.Eval[string](d, expr) }
			count := func(expr string) int { t.Helper(); return browsertest.Eval[int](d, expr) }
			check := func(name string) {
				t.Helper()
				d.CheckReflow(name)
				d.Axe(name)
				d.Shot(dir, name)
			}
			submit := func(form string) {
				t.Helper()
				d.Nav(chromedp.Click(chromedp.CSS(form + ` button[type="submit"]`)))
			}

			// Sign in; the overview links the new page.
			d.Open(f.srv.URL + "/admin/login?next=/admin")
			d.Do(chromedp.SendKeys(chromedp.CSS("#token"), testToken))
			submit(`form[action="/admin/login"]`)
			d.Nav(chromedp.Click(chromedp.CSS(`a[href="/admin/instruments/new"]`)))
			if loc := d.Location(); loc != "/admin/instruments/new" {
				t.Fatalf("New instrument leads to %s", loc)
			}
			check("instrument-new")

			// Three mistakes: listed, nothing stored, the text kept.
			d.Do(chromedp.SetValue(chromedp.CSS("#source"), bad))
			submit(`form[action^="/admin/instruments?"]`)
			if n := count(`document.querySelectorAll(".error-summary ol li").length`); n != 3 {
				t.Fatalf("%d problems listed, want 3:\n%s", n, text(`document.querySelector("main").innerText`))
			}
			summary := text(`document.querySelector(".error-summary").innerText`)
			for _, w := range []string{"sections[0].items[0].type", "sections[0].items[1].scale", "sections[0].items[2].id"} {
				if !strings.Contains(summary, w) {
					t.Errorf("problems lack %s:\n%s", w, summary)
				}
			}
			if got := text(`document.querySelector("#source").value`); got != bad {
				t.Errorf("the editor holds %q", got)
			}
			if _, err := f.svc.Instrument(ctx, key, 1); survey.ErrorCode(err) != survey.ENotFound {
				t.Fatalf("stored despite its problems: %v", err)
			}
			check("instrument-new-problems")

			// A problem's link puts the cursor at its place in the editor:
			// the second, the unknown scale of the second item (its line
			// and column in the page's data attributes).
			d.Do(chromedp.Click(chromedp.CSS(`.error-summary ol li:nth-child(2) a`)))
			line, col := count(`+document.querySelector(".error-summary ol li:nth-child(2) a").dataset.line`),
				count(`+document.querySelector(".error-summary ol li:nth-child(2) a").dataset.column`)
			if got := text(`document.activeElement.id`); got != "source" {
				t.Errorf("after clicking a problem the focus is on %q", got)
			}
			at := count(`document.querySelector("#source").selectionStart`)
			lines := strings.Split(bad, "\n")
			if line < 1 || line > len(lines) || at != len(strings.Join(lines[:line-1], "\n"))+1+col-1 || !strings.HasPrefix(bad[at:], "agree5") {
				t.Errorf("cursor at %d, problem at line %d column %d", at, line, col)
			}

			// Fixed in the editor, as a researcher types.
			d.Do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#source");
				s.value = s.value.replace("type: likret", "type: likert").replace("scale: agree5", "scale: agree3")
					.replace("- id: q1\n        type: single_choice", "- id: role\n        type: single_choice"); })()`))
			submit(`form[action^="/admin/instruments?"]`)
			if loc := d.Location(); loc != "/admin/instruments/"+key+"/versions/1" {
				t.Fatalf("after the fix at %s:\n%s", loc, text(`document.querySelector("main").innerText`))
			}
			iv, err := f.svc.Instrument(ctx, key, 1)
			if err != nil || iv.Status != survey.StatusDraft || iv.Instrument.Sections[0].Items[2].ID != "role" {
				t.Fatalf("stored: %+v %v", iv, err)
			}
			check("instrument-version-draft")

			submit(`form[action$="/publish"]`)
			if iv, _ := f.svc.Instrument(ctx, key, 1); iv.Status != survey.StatusPublished {
				t.Fatalf("after Publish: %s", iv.Status)
			}
			check("instrument-version-published")

			// Deploy: without a name first, then as it should be.
			d.Do(chromedp.Click(chromedp.CSS("#access-invitation")))
			submit(`form[action$="/surveys"]`)
			if n := count(`document.querySelectorAll(".error-summary li").length`); n != 1 {
				t.Errorf("deploy without a name: %d problems", n)
			}
			if got := text(`document.querySelector("input[name=access]:checked").value`); got != "invitation" {
				t.Errorf("the form forgot the access: %q", got)
			}
			check("instrument-deploy-problems")
			closes := time.Now().AddDate(0, 2, 0).UTC().Format(time.DateOnly)
			d.Do(chromedp.SendKeys(chromedp.CSS("#title"), "Ward 3 "+vp.Name),
				chromedp.SetValue(chromedp.CSS("#closes_at"), closes))
			submit(`form[action$="/surveys"]`)
			loc := d.Location()
			id := strings.TrimPrefix(loc, "/admin/surveys/")
			sv, err := f.svc.Survey(ctx, id)
			if err != nil || sv.Title != "Ward 3 "+vp.Name || sv.Access != survey.AccessInvitation || sv.ClosesAt == nil ||
				sv.ClosesAt.UTC().Format(time.DateTime) != endOfDay(t, closes) || sv.InstrumentKey != key {
				t.Fatalf("deployed at %s: %+v %v", loc, sv, err)
			}
			check("survey-manage")

			// Three codes, downloaded as the form posts them.
			d.Do(chromedp.SetValue(chromedp.CSS("#inv-count"), "3"))
			got, err := chromedp.Run(d.Ctx, chromedp.Evaluate[[]string](`(async () => {
				const form = document.querySelector('form[action$="/invitations"]');
				const r = await fetch(form.action, {method: "POST", body: new URLSearchParams(new FormData(form))});
				return [String(r.status), r.headers.get("Content-Disposition") || "", await r.text()];
			})()`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if got[0] != "200" || !strings.Contains(got[1], `attachment; filename="`+id+`-invitation-codes.csv"`) {
				t.Fatalf("codes download: %q %q", got[0], got[1])
			}
			rows, err := csv.NewReader(strings.NewReader(got[2])).ReadAll()
			if err != nil || len(rows) != 4 {
				t.Fatalf("codes CSV: %q %v", got[2], err)
			}
			for _, r := range rows[1:] {
				if r[1] != f.srv.URL+"/s/"+id+"?code="+url.QueryEscape(r[0]) {
					t.Errorf("link %q", r[1])
				}
				if _, _, err := f.svc.StartProgress(ctx, id, r[0], ""); err != nil {
					t.Errorf("code %s is not stored: %v", r[0], err)
				}
			}

			submit(`form[action$="/close"]`)
			if loc := d.Location(); loc != "/admin/surveys/"+id {
				t.Errorf("after Close at %s", loc)
			}
			if sv, _ := f.svc.Survey(ctx, id); sv.Status != survey.SurveyClosed {
				t.Fatalf("after Close: %s", sv.Status)
			}
			if !strings.Contains(text(`document.querySelector("#h-manage").parentElement.innerText`), "This survey is closed") {
				t.Error("the page does not say the survey is closed")
			}
			check("survey-closed")

			// A REDCap dictionary chosen in the file field: saved as a
			// draft, with what the import could not map listed.
			file := map[string]string{"desktop": "redcap-survey.csv", "phone": "redcap-checkboxes.csv"}[vp.Name]
			abs, err := filepath.Abs("../instrument/testdata/interop/" + file)
			if err != nil {
				t.Fatal(err)
			}
			before, _ := f.svc.Instruments(ctx)
			d.Open(f.srv.URL + "/admin/instruments/new")
			d.Do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{abs}))
			submit(`form[action^="/admin/instruments?"]`)
			if n := count(`document.querySelectorAll(".notice li").length`); n == 0 {
				t.Errorf("%s: no warnings listed:\n%s", file, text(`document.querySelector("main").innerText`))
			}
			if got := text(`document.querySelector(".badge").textContent`); got != "Draft" {
				t.Errorf("%s: status %q", file, got)
			}
			if after, _ := f.svc.Instruments(ctx); len(after) != len(before)+1 {
				t.Errorf("%s: %d versions, want %d", file, len(after), len(before)+1)
			}
			check("instrument-imported")
		})
	}
	t.Logf("screenshots: %s", dir)
}
