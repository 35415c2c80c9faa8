//go:build integration

package admin_test

// The whole journey of a study run from the browser, as a researcher who
// does not program goes through it, from an empty database, signed in
// through the dashboard only, at desktop and at phone width: paste an
// instrument with three mistakes into the editor and read them as typed
// (the live check, each with line, column and item id; a click moves the
// cursor), fix them and watch the live preview, save, preview a skip
// branch both ways, publish, deploy in test mode, answer twice in test
// mode as respondents, go live deleting the test answers, answer as a
// respondent, close, reopen with a new date, download the Excel variant
// and the R bundle; then a new version from the published one, its diff,
// the printable view, and retiring. The stored data is checked at each
// step; every new page passes axe-core without scrolling sideways and is
// saved as a screenshot in screenshots/admin.

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web/browsertest"
)

// badWardBranch is ward-branch.yaml with three mistakes: a misspelt item
// type, an unknown scale, a duplicate item id.
func badWardBranch(tb testing.TB, key string) string {
	s := strings.Replace(wardBranch(tb), "key: ward-branch", "key: "+key, 1)
	s = strings.Replace(s, "type: single_choice", "type: single_choise", 1)
	s = strings.Replace(s, "        scale: agree3\n        subscale: time\n        show_if", "        scale: agree5\n        subscale: time\n        show_if", 1)
	return strings.Replace(s, "      - id: q1\n", "      - id: rounds\n", 1)
}

func TestBrowserStudyJourney(t *testing.T) {
	browsertest.Chromium(t)
	browsertest.AxeSource(t)
	f := newEmptyFixture(t, enginetest.SQLite)
	ctx := context.Background()
	dir := browsertest.ScreenshotDir("DYAD_ADMIN_SCREENSHOTS", "admin")

	for _, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
		t.Run(vp.Name, func(t *testing.T) {
			key := "ward-branch-" + vp.Name
			bad := badWardBranch(t, key)
			d := browsertest.NewTab(t, vp, 4*time.Minute)
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
			// waitFor polls a condition the page's script brings about.
			waitFor := func(what, expr string) {
				t.Helper()
				for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					if browsertest.Eval[bool](d, expr) {
						return
					}
				}
				t.Fatalf("%s: not after 15 s (at %s):\n%s", what, d.Location(), text(`document.querySelector("main").innerText`))
			}
			stored := func() *survey.Survey {
				t.Helper()
				list, err := f.svc.Surveys(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, sv := range list {
					if sv.InstrumentKey == key {
						full, err := f.svc.Survey(ctx, sv.ID)
						if err != nil {
							t.Fatal(err)
						}
						return full
					}
				}
				t.Fatalf("no survey of %s stored", key)
				return nil
			}

			// Sign in through the dashboard.
			d.Open(f.srv.URL + "/admin/login?next=/admin")
			d.Do(chromedp.SendKeys(chromedp.CSS("#token"), testToken))
			submit(`form[action="/admin/login"]`)
			d.Nav(chromedp.Click(chromedp.CSS(`a[href="/admin/instruments/new"]`)))

			// Three mistakes, typed: the live check lists them with their
			// line, column and item id, before anything is saved.
			d.Do(chromedp.Evaluate[chromedp.Void](`((v) => { const s = document.querySelector("#source"); s.value = v;
				s.dispatchEvent(new Event("input")); })(` + jsString(bad) + `)`))
			waitFor("the live check", `document.querySelectorAll("#live-check li").length === 3`)
			live := text(`document.querySelector("#live-check").innerText`)
			for _, w := range []string{"3 problems as you typed:", "sections[0].items[0].type", "(item role)", "sections[1].items[0].scale", "(item rounds)", "line "} {
				if !strings.Contains(live, w) {
					t.Errorf("live check lacks %q:\n%s", w, live)
				}
			}
			if list, _ := f.svc.Instruments(ctx); len(list) != 0 && vp.Name == "desktop" {
				t.Fatalf("the live check stored %d versions", len(list))
			}
			check("editor-live-problems")
			// Its second problem's link moves the cursor to the unknown scale.
			d.Do(chromedp.Click(chromedp.CSS(`#live-check li:nth-child(2) a`)))
			at := count(`document.querySelector("#source").selectionStart`)
			if got := text(`document.activeElement.id`); got != "source" || !strings.HasPrefix(bad[at:], "agree5") {
				t.Errorf("after clicking the problem: focus on %q, cursor before %q", got, bad[at:min(at+10, len(bad))])
			}

			// Saved as it is: refused, the three problems listed by the server.
			submit(`form[action^="/admin/instruments?study="]`)
			if n := count(`document.querySelectorAll(".error-summary ol li").length`); n != 3 {
				t.Fatalf("%d problems listed, want 3", n)
			}
			if _, err := f.svc.Instrument(ctx, key, 1); survey.ErrorCode(err) != survey.ENotFound {
				t.Fatalf("stored despite its problems: %v", err)
			}

			// Fixed in the editor: no problems left, and the live preview
			// shows the first respondent page.
			d.Do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#source");
				s.value = s.value.replace("single_choise", "single_choice").replace("scale: agree5", "scale: agree3")
					.replace("      - id: rounds\n        type: likert\n        text: I have", "      - id: q1\n        type: likert\n        text: I have");
				s.dispatchEvent(new Event("input")); })()`))
			waitFor("the live check's all clear", `document.querySelector("#live-check .ok") !== null`)
			if ok := text(`document.querySelector("#live-check .ok").textContent`); !strings.HasPrefix(ok, "No problems: ") || !strings.HasSuffix(ok, " items.") {
				t.Errorf("the all clear says %q", ok)
			}
			waitFor("the live preview", `(() => { const f = document.querySelector("#live-preview"); const h = f && f.contentDocument && f.contentDocument.querySelector("h1");
				return !!h && h.textContent === "Ward branch"; })()`)
			check("editor-live-preview")
			submit(`form[action^="/admin/instruments?study="]`)
			href := "/admin/instruments/" + key + "/versions/1"
			if loc := d.Location(); loc != href {
				t.Fatalf("after the fix at %s:\n%s", loc, text(`document.querySelector("main").innerText`))
			}
			if iv, err := f.svc.Instrument(ctx, key, 1); err != nil || iv.Status != survey.StatusDraft || len(iv.Instrument.Sections) != 3 {
				t.Fatalf("stored: %+v %v", iv, err)
			}

			// The draft in the editor page of its own.
			d.Nav(chromedp.Click(chromedp.CSS(`a[href="` + href + `/edit"]`)))
			check("editor-draft")

			// Preview, both ways through the skip branch; nothing stored.
			before := f.dump(t)
			d.Open(f.srv.URL + href + "/preview")
			waitFor("the framed previews", `[...document.querySelectorAll("iframe.preview-frame")].every(f => f.contentDocument && f.contentDocument.querySelector("h1") && f.contentDocument.querySelector("h1").textContent === "Ward branch")`)
			check("preview")
			d.Open(f.srv.URL + href + "/preview/page")
			check("preview-welcome")
			d.Nav(chromedp.Click(chromedp.CSS(`form.start button[type="submit"]`)))
			check("preview-page")
			d.Do(chromedp.Click(chromedp.CSS(`input[name="role"][value="2"]`)))
			d.Nav(chromedp.Click(chromedp.CSS(`button[value="next"]`)))
			if h := text(`document.querySelector("h1").textContent`); h != "Last page" {
				t.Errorf("a nurse's second page: %q, want the physicians' page skipped", h)
			}
			d.Nav(chromedp.Click(chromedp.CSS(`button[value="back"]`)))
			d.Do(chromedp.Click(chromedp.CSS(`input[name="role"][value="1"]`)))
			d.Nav(chromedp.Click(chromedp.CSS(`button[value="next"]`)))
			if h := text(`document.querySelector("h1").textContent`); h != "Physicians only" {
				t.Errorf("a physician's second page: %q", h)
			}
			check("preview-branch")
			if f.dump(t) != before {
				t.Error("the preview stored something")
			}

			// Publish; deploy in test mode.
			d.Open(f.srv.URL + href)
			submit(`form[action$="/publish"]`)
			if iv, _ := f.svc.Instrument(ctx, key, 1); iv.Status != survey.StatusPublished {
				t.Fatalf("after Publish: %s", iv.Status)
			}
			check("instrument-version-actions")
			d.Do(chromedp.SendKeys(chromedp.CSS("#title"), "Ward 3 "+vp.Name), chromedp.Click(chromedp.CSS("#mode-test")))
			submit(`form[action$="/surveys"]`)
			sv := stored()
			if sv.Mode != survey.ModeTest || sv.Title != "Ward 3 "+vp.Name || sv.PublicTitle != "Ward branch" {
				t.Fatalf("deployed: %+v", sv)
			}
			surveyHref := "/admin/surveys/" + sv.ID

			// Two answers in test mode, each in a browser of its own.
			answer := func(role string) {
				t.Helper()
				r := browsertest.NewTab(t, vp, time.Minute)
				defer r.Close()
				r.Open(f.srv.URL + "/s/" + sv.ID)
				if !strings.Contains(browsertest.Eval[string](r, `document.body.innerText`), "Ward branch") {
					t.Error("the welcome page does not show the public title")
				}
				r.Nav(chromedp.Click(chromedp.CSS(`form[action$="/start"] button[type="submit"]`)))
				r.Do(chromedp.Click(chromedp.CSS(`input[name="role"][value="` + role + `"]`)))
				r.Nav(chromedp.Click(chromedp.CSS(`button[value="next"]`)))
				if role == "1" {
					r.Do(chromedp.Click(chromedp.CSS(`input[name="rounds"][value="3"]`)))
					r.Nav(chromedp.Click(chromedp.CSS(`button[value="next"]`)))
				}
				r.Do(chromedp.Click(chromedp.CSS(`input[name="q1"][value="2"]`)))
				r.Nav(chromedp.Click(chromedp.CSS(`button[value="submit"]`)))
				if loc := r.Location(); loc != "/s/"+sv.ID+"/done" {
					t.Fatalf("respondent ends at %s", loc)
				}
			}
			answer("1")
			answer("2")
			if sv := stored(); sv.Test != 2 || sv.Complete != 0 {
				t.Fatalf("after two test answers: %d test, %d live", sv.Test, sv.Complete)
			}

			// Go live, deleting the test answers: the question is asked.
			d.Open(f.srv.URL + surveyHref + "/settings")
			check("survey-settings-test-mode")
			submit(`form[action$="/mode"]`)
			if n := count(`document.querySelectorAll(".error-summary li").length`); n != 1 {
				t.Errorf("going live without answering: %d problems", n)
			}
			if sv := stored(); sv.Mode != survey.ModeTest {
				t.Fatal("went live without an answer")
			}
			d.Do(chromedp.Click(chromedp.CSS("#live-delete")))
			submit(`form[action$="/mode"]`)
			if sv := stored(); sv.Mode != survey.ModeLive || sv.Test != 0 {
				t.Fatalf("after going live: mode %s, %d test responses", sv.Mode, sv.Test)
			}

			// A live answer.
			answer("2")
			if sv := stored(); sv.Complete != 1 || sv.Test != 0 {
				t.Fatalf("after a live answer: %d live, %d test", sv.Complete, sv.Test)
			}

			// Close; reopen with a new closing date.
			d.Open(f.srv.URL + surveyHref + "/settings")
			submit(`form[action$="/close"]`)
			if sv := stored(); sv.Status != survey.SurveyClosed {
				t.Fatalf("after Close: %s", sv.Status)
			}
			d.Open(f.srv.URL + surveyHref + "/settings")
			check("survey-settings-closed")
			closes := time.Now().AddDate(0, 3, 0).UTC().Format(time.DateOnly)
			d.Do(chromedp.SendKeys(chromedp.CSS("#reopen-closes"), closes))
			submit(`form[action$="/reopen"]`)
			if sv := stored(); sv.Status != survey.SurveyOpen || sv.ClosesAt == nil || sv.ClosesAt.UTC().Format(time.DateTime) != endOfDay(t, closes) {
				t.Fatalf("after Reopen: %s, closes %v", sv.Status, sv.ClosesAt)
			}
			if got := text(`document.querySelector("#s-closes").value`); got != closes {
				t.Errorf("the closing date shows as %q, want %q", got, closes)
			}
			check("survey-settings")

			// Downloads: the Excel variant and the R bundle.
			d.Open(f.srv.URL + surveyHref)
			check("survey-results-downloads")
			fetchBytes := func(selector string) (string, []byte) {
				t.Helper()
				got, err := chromedp.Run(d.Ctx, chromedp.Evaluate[[]any](`(async () => {
					const r = await fetch(document.querySelector(`+jsString(selector)+`).href);
					return [String(r.status), Array.from(new Uint8Array(await r.arrayBuffer()))];
				})()`, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatal(err)
				}
				var b []byte
				for _, v := range got[1].([]any) {
					b = append(b, byte(v.(float64)))
				}
				return got[0].(string), b
			}
			status, csvBody := fetchBytes(`a[href$="export.csv?bom=1&excel_safe=1"]`)
			if status != "200" || !bytes.HasPrefix(csvBody, []byte("\ufeff")) || bytes.Count(csvBody, []byte("\n")) != 2 {
				t.Errorf("Excel CSV: %s, %q", status, csvBody)
			}
			status, zipBody := fetchBytes(`a[href$="/export.zip"]`)
			zr, err := zip.NewReader(bytes.NewReader(zipBody), int64(len(zipBody)))
			if status != "200" || err != nil {
				t.Fatalf("R bundle: %s %v", status, err)
			}
			var hasR bool
			for _, zf := range zr.File {
				hasR = hasR || strings.HasSuffix(zf.Name, ".R")
			}
			if !hasR {
				t.Error("the bundle has no R script")
			}

			// A new version from the published one; its changes; the
			// printable view; retiring version 1.
			d.Open(f.srv.URL + href)
			d.Nav(chromedp.Click(chromedp.CSS(`a[href="` + href + `/edit"]`)))
			check("editor-new-version")
			d.Do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#source");
				s.value = s.value.replace(/subscale: time\n(\s*)show_if/, "subscale: time\n$1reverse: true\n$1show_if"); })()`))
			submit(`form[action^="/admin/instruments?study="]`)
			if iv, err := f.svc.Instrument(ctx, key, 2); err != nil || iv.Status != survey.StatusDraft || !iv.Instrument.Sections[1].Items[0].Reverse {
				t.Fatalf("version 2: %+v %v", iv, err)
			}
			d.Nav(chromedp.Click(chromedp.CSS(`a[href*="/diff?from=1"]`)))
			if !strings.Contains(text(`document.querySelector("main").innerText`), "item rounds: reverse changed") {
				t.Errorf("the diff does not call out the scoring change:\n%s", text(`document.querySelector("main").innerText`))
			}
			check("instrument-diff")
			d.Open(f.srv.URL + href + "/print")
			check("instrument-print")
			d.Open(f.srv.URL + href)
			submit(`form[action$="/retire"]`)
			if iv, _ := f.svc.Instrument(ctx, key, 1); iv.Status != survey.StatusRetired {
				t.Fatalf("after Retire: %s", iv.Status)
			}
		})
	}
	t.Logf("screenshots: %s", dir)
}

// newEmptyFixture is a real server on an empty database: no instrument,
// no survey; what a new installation has.
func newEmptyFixture(tb testing.TB, engine string) *fixture {
	tb.Helper()
	db := enginetest.Open(tb, engine)
	f := &fixture{st: db.Store, svc: survey.NewService(db.Store), db: db}
	f.start(tb)
	return f
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
