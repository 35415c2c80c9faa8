//go:build integration

package admin_test

// Browser test: headless Chromium driven by chromedp through the
// dashboard as a researcher uses it, with the harness of the respondent
// pages' browser tests (internal/web/browsertest): a request without a
// session lands on the sign-in form, a wrong token is refused, the right
// one leads back to the survey's results, whose charts have one bar per
// Likert item, and to the validation page with its scree plot; every page type passes axe-core (no serious or critical
// findings) at desktop and phone width without scrolling sideways, and is
// saved as a screenshot in screenshots/admin (or $DYAD_ADMIN_SCREENSHOTS).
// Without Chromium or axe-core it skips, except under CI=true.

import (
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/web/browsertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Stop()
	os.Exit(code)
}

func TestBrowserDashboard(t *testing.T) {
	browsertest.Chromium(t)
	browsertest.AxeSource(t)
	f := newFixture(t, enginetest.SQLite, seed{complete: 60, inProgress: 7, days: 21})
	dir := browsertest.ScreenshotDir("DYAD_ADMIN_SCREENSHOTS", "admin")
	results := "/admin/surveys/" + f.study.ID

	for _, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
		t.Run(vp.Name, func(t *testing.T) {
			d := browsertest.NewTab(t, vp, 2*time.Minute)
			eval := func(expr string) int { t.Helper(); return browsertest.Eval[int](d, expr) }
			text := func(expr string) string { t.Helper(); return browsertest.Eval[string](d, expr) }
			check := func(name string) {
				t.Helper()
				d.CheckReflow(name)
				d.Axe(name)
				d.Shot(dir, name)
			}

			// Without a session: the sign-in form, which remembers where to go.
			d.Open(f.srv.URL + results)
			if loc := d.Location(); loc != "/admin/login?next="+url.QueryEscape(results) {
				t.Fatalf("without a session at %s", loc)
			}
			check("login")

			d.Do(chromedp.SendKeys(chromedp.CSS("#token"), "wrong-token"))
			d.Nav(chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
			// autofocus moves the focus at the next rendering update.
			focused := ""
			for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && focused != "error-summary"; time.Sleep(20 * time.Millisecond) {
				focused = text(`document.activeElement.className`)
			}
			if focused != "error-summary" {
				t.Errorf("after a wrong token the focus is on %q, not the error summary", focused)
			}
			check("login-error")

			d.Do(chromedp.SendKeys(chromedp.CSS("#token"), testToken))
			d.Nav(chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
			if loc := d.Location(); loc != results {
				t.Fatalf("after sign-in at %s, want %s", loc, results)
			}
			if h1 := text(`document.querySelector("h1").textContent`); h1 != f.study.Title {
				t.Fatalf("heading %q", h1)
			}
			// Phones get the narrow twin of each chart, item text above the bars.
			suffix := ""
			if vp.Mobile {
				suffix = "-n"
			}
			for _, sub := range f.form.Instrument.Subscales {
				items := len(f.form.SubscaleItems(sub.ID))
				sel := fmt.Sprintf(`document.querySelectorAll("#lk-%s%s `, sub.ID, suffix)
				if n := eval(sel + `g.item").length`); n != items {
					t.Errorf("%s: %d item groups, want %d", sub.ID, n, items)
				}
				if n := eval(sel + `g.bar").length`); n != items {
					t.Errorf("%s: %d bars, want %d (one per Likert item)", sub.ID, n, items)
				}
				if n := eval(sel + `rect.seg").length`); n != items*5 {
					t.Errorf("%s: %d segments, want 5 per item", sub.ID, n)
				}
				// Drawn: every bar has width on the page.
				if n := eval(`Array.from(` + sel + `g.bar")).filter(g => g.getBoundingClientRect().width < 50).length`); n != 0 {
					t.Errorf("%s: %d bars are not drawn", sub.ID, n)
				}
				if got := text(fmt.Sprintf(`document.querySelector("#lk-%s%s").getAttribute("role")`, sub.ID, suffix)); got != "img" {
					t.Errorf("%s: chart role %q", sub.ID, got)
				}
				if n := eval(fmt.Sprintf(`document.querySelectorAll("#hist-%s-0 rect.bin").length`, sub.ID)); n == 0 {
					t.Errorf("%s: no histogram bars", sub.ID)
				}
			}
			if n := eval(`document.querySelectorAll("#daily` + suffix + ` circle.point").length`); n != 21 {
				t.Errorf("responses per day: %d points, want 21 days", n)
			}
			check("results")

			d.Open(f.srv.URL + results + "?by=specialty")
			if n := eval(`Array.from(document.querySelectorAll("#lk-eff` + suffix + ` g.bar")).filter(g => g.getBoundingClientRect().width > 50).length`); n < 2*len(f.form.SubscaleItems("eff")) {
				t.Errorf("compared by specialty: %d bars", n)
			}
			check("results-by-specialty")

			d.Open(f.srv.URL + results + "/validation?cfa=true")
			analysed := 0 // every Likert item in a subscale
			for _, sub := range f.form.Instrument.Subscales {
				analysed += len(f.form.SubscaleItems(sub.ID))
			}
			if n := eval(`document.querySelectorAll("#scree` + suffix + ` .observed circle.point").length`); n != analysed {
				t.Errorf("scree plot: %d observed points, want %d", n, analysed)
			}
			if n := eval(`document.querySelectorAll("table.loadings td.l3, table.loadings td.l2").length`); n == 0 {
				t.Error("no loading shaded as large")
			}
			check("validation")

			d.Open(f.srv.URL + results + "/validation?factors=99")
			if n := eval(`document.querySelectorAll("[role=alert] li").length`); n != 1 {
				t.Errorf("a bad number of factors: %d problems listed", n)
			}
			check("validation-problem")

			d.Open(f.srv.URL + results + "/text/eff_text")
			if n := eval(`document.querySelectorAll(".answers li").length`); n == 0 {
				t.Error("no free-text answers listed")
			}
			check("text-answers")

			d.Open(f.srv.URL + "/admin")
			if n := eval(`document.querySelectorAll("table.data tbody tr").length`); n != 5 {
				t.Errorf("overview: %d rows, want 3 surveys and 2 instruments", n)
			}
			check("overview")

			d.Nav(chromedp.Click(chromedp.CSS(`.signout button`)))
			if loc := d.Location(); loc != "/admin/login?signed_out=1" {
				t.Fatalf("after sign-out at %s", loc)
			}
			d.Open(f.srv.URL + "/admin")
			if loc := d.Location(); loc != "/admin/login" {
				t.Errorf("after sign-out /admin shows %s", loc)
			}
		})
	}
	t.Logf("screenshots: %s", dir)
}
