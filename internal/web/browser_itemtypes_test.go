//go:build integration

package web_test

// A browser journey through every item type of survey/itemtypes.go:
// with the mouse at desktop width, with the mouse on a phone, with the
// keyboard alone (the slider moved with the arrow keys, the exclusive
// option ticked with Space) and without JavaScript (the slider's "No
// answer" box unticked by hand, an exclusive option beside another
// refused by the server and fixed). axe-core checks both pages (with the
// script on: axe-core is one).

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web/browsertest"
)

func TestBrowserItemTypes(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	browsertest.Chromium(t)
	for _, j := range []struct {
		name     string
		vp       browsertest.Viewport
		keyboard bool
		noScript bool
	}{
		{name: "DesktopMouse", vp: browsertest.Desktop},
		{name: "PhoneMouse", vp: browsertest.Phone},
		{name: "DesktopKeyboard", vp: browsertest.Desktop, keyboard: true},
		{name: "DesktopWithoutJavaScript", vp: browsertest.Desktop, noScript: true},
	} {
		t.Run(j.name, func(t *testing.T) {
			sv := itemTypesSurvey(t, f)
			d := newDriver(t, f, j.vp, j.keyboard)
			if j.noScript {
				if _, err := chromedp.Call(d.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
					t.Fatal(err)
				}
			}
			d.Open(f.srv.URL + "/s/" + sv.ID)
			d.press(`.start button[type="submit"]`)

			// Page 1: info, consent, date, number, slider.
			axe := func(name string) {
				if !j.noScript { // axe-core is a script: it runs with the script on
					d.Axe(name)
				}
			}
			axe("item types, page 1")
			d.Shot(screenshotDir(), "item-types-1-"+strings.ToLower(j.name))
			if got := d.axName("#q-pain"); !strings.HasPrefix(got, "How much pain do you feel now?") {
				t.Errorf("the slider is named %q", got)
			}
			if got := d.axName("#q-agree"); got != "I agree to take part in this study." {
				t.Errorf("the consent box is named %q", got)
			}
			// Next without consent: the decline words.
			d.press(`button[value="next"]`)
			if !strings.Contains(eval[string](d, `document.querySelector(".error-summary").textContent`), "Without your consent") {
				t.Fatal("no decline message without consent")
			}
			axe("item types, page 1 with errors")
			if j.keyboard {
				d.tabTo("#q-agree")
				d.key(" ")
			} else {
				d.click(`label[for="q-agree"]`)
			}
			if j.keyboard {
				// The browser's own date field: month, day, year in en-US.
				d.tabTo("#q-visit")
				d.key("05312024")
			} else {
				d.Do(chromedp.SetValue(chromedp.CSS("#q-visit"), "2024-05-31"))
			}
			if got := eval[string](d, `document.getElementById("q-visit").value`); got != "2024-05-31" {
				t.Fatalf("the date field holds %q", got)
			}
			d.typeText("#q-weight", "72,5")
			// The slider: 13 steps left of where it starts (50).
			if !eval[bool](d, `document.querySelector('input[name="_na_pain"]').checked`) {
				t.Fatal("the slider does not start as not answered")
			}
			if j.keyboard || j.noScript {
				d.tabTo("#q-pain")
				d.key(strings.Repeat(kb.ArrowLeft, 13))
			} else {
				d.click("#q-pain") // the middle: 50
				d.Do(chromedp.Focus(chromedp.CSS("#q-pain")))
				d.key(strings.Repeat(kb.ArrowLeft, 13))
			}
			pain := eval[string](d, `document.getElementById("q-pain").value`)
			if j.noScript {
				if !eval[bool](d, `document.querySelector('input[name="_na_pain"]').checked`) {
					t.Fatal("without the script, moving the slider must not untick No answer by itself")
				}
				d.click(`label[for="na-pain"]`)
			} else {
				if eval[bool](d, `document.querySelector('input[name="_na_pain"]').checked`) {
					t.Fatal("moving the slider did not leave the No answer state")
				}
				if got := eval[string](d, `document.getElementById("q-pain").getAttribute("aria-valuetext")`); got != pain+" of 100" {
					t.Errorf("aria-valuetext %q after moving to %s", got, pain)
				}
			}
			d.press(`button[value="next"]`)
			if loc := d.location(); !strings.HasSuffix(loc, "/p/2") {
				t.Fatalf("page 1 not accepted: at %s", loc)
			}

			// Page 2: Other, please specify; an exclusive option.
			axe("item types, page 2")
			d.Shot(screenshotDir(), "item-types-2-"+strings.ToLower(j.name))
			d.choose("place", 2, false) // Other, please specify
			d.typeText("#q-place_other", "Pharmacy")
			d.choose("aids", 0, true) // Cane
			d.choose("aids", 2, true) // None of these
			cane := eval[bool](d, `document.getElementById("q-aids-1").checked`)
			if cane != j.noScript {
				t.Fatalf("Cane ticked: %v after ticking None of these (script: %v)", cane, !j.noScript)
			}
			if j.noScript {
				d.press(`button[value="submit"]`)
				if !strings.Contains(eval[string](d, `document.querySelector(".error-summary").textContent`), "cannot be selected together") {
					t.Fatal("the server did not refuse None of these beside Cane")
				}
				axe("item types, page 2 with errors")
				d.click(`label[for="q-aids-1"]`)
			}
			d.press(`button[value="submit"]`)
			if loc := d.location(); loc != "/s/"+sv.ID+"/done" {
				t.Fatalf("after submit at %s", loc)
			}
			rs := f.responses(t, sv.ID)
			if len(rs) != 1 || rs[0].Status != survey.ResponseComplete {
				t.Fatalf("responses %+v", rs)
			}
			want := `{"agree":1,"aids":[3],"pain":` + pain + `,"place":3,"place_other":"Pharmacy","visit":"2024-05-31","weight":"72.5"}`
			if got := string(rs[0].Answers.Canonical()); got != want {
				t.Errorf("stored %s\nwant   %s", got, want)
			}
			if pain != "37" {
				t.Errorf("the slider ended at %s, want 37", pain)
			}
		})
	}
}
