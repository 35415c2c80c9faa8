//go:build integration

package admin_test

// The participants page in headless Chromium: axe-core finds no serious
// or critical problem and the page does not scroll sideways, at desktop
// and phone width (screenshots in screenshots/admin).

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/web/browsertest"
)

func TestBrowserParticipantsPage(t *testing.T) {
	browsertest.Chromium(t)
	browsertest.AxeSource(t)
	f := newFixture(t, enginetest.SQLite, seed{})
	sv := f.mailing(t, 40, 40, 9)
	dir := browsertest.ScreenshotDir("DYAD_ADMIN_SCREENSHOTS", "admin")
	for _, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
		t.Run(vp.Name, func(t *testing.T) {
			d := browsertest.NewTab(t, vp, 2*time.Minute)
			d.Open(f.srv.URL + "/admin/login?next=/admin/surveys/" + sv.ID + "/participants")
			d.Do(chromedp.SendKeys(chromedp.CSS("#token"), testToken))
			d.Nav(chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
			if loc := d.Location(); loc != "/admin/surveys/"+sv.ID+"/participants" {
				t.Fatalf("after sign-in at %s", loc)
			}
			if n := browsertest.Eval[int](d, `document.querySelectorAll("svg.rate .contact").length`); n != 1 {
				t.Errorf("%d contact marks, want 1", n)
			}
			d.CheckReflow("participants")
			d.Axe("participants")
			d.Shot(dir, "participants")
		})
	}
}
