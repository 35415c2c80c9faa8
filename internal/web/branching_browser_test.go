//go:build integration

package web_test

// A branch through a skipped section in a real browser (browser_test.go's
// driver): a non-smoker steps over the smoking page and back, a smoker is
// asked it, its follow-up appearing as the page is answered (with the
// script) or when it is sent (without), at desktop and phone width, with
// the mouse and the keyboard; axe-core on every page of the branch
// (with the script on: axe-core is one).

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web/browsertest"
)

func TestBrowserBranching(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	browsertest.Chromium(t)
	_, form := branchingSurvey(t, f)
	for _, j := range []struct {
		name     string
		vp       browsertest.Viewport
		keyboard bool
		noScript bool
		smoker   bool
	}{
		{name: "DesktopSkipped", vp: browsertest.Desktop},
		{name: "PhoneAsked", vp: browsertest.Phone, smoker: true},
		{name: "PhoneKeyboardSkipped", vp: browsertest.Phone, keyboard: true},
		{name: "DesktopKeyboardAsked", vp: browsertest.Desktop, keyboard: true, smoker: true},
		{name: "DesktopWithoutJavaScriptAsked", vp: browsertest.Desktop, noScript: true, smoker: true},
		{name: "PhoneWithoutJavaScriptSkipped", vp: browsertest.Phone, noScript: true},
	} {
		t.Run(j.name, func(t *testing.T) {
			sv := branchingNewSurvey(t, f, form)
			bf := *f
			bf.form = form // the driver answers from this form's options
			d := newDriver(t, &bf, j.vp, j.keyboard)
			if j.noScript {
				if _, err := chromedp.Call(d.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
					t.Fatal(err)
				}
			}
			at := func(si int, progress string) {
				t.Helper()
				if loc, want := d.location(), fmt.Sprintf("/s/%s/p/%d", sv.ID, si+1); loc != want {
					t.Fatalf("at %s, want %s", loc, want)
				}
				if got := eval[string](d, `document.getElementById("progress-label").textContent`); got != progress {
					t.Fatalf("progress %q, want %q", got, progress)
				}
				if h1 := eval[string](d, `document.querySelector("h1").textContent`); h1 != form.Instrument.Sections[si].Title {
					t.Fatalf("heading %q", h1)
				}
				if !j.noScript { // axe-core is a script
					d.Axe(fmt.Sprintf("%s, section %d", j.name, si+1))
				}
			}
			d.Open(f.srv.URL + "/s/" + sv.ID)
			d.press(`.start button[type="submit"]`)
			at(0, "Section 1 of 3")
			want := survey.Answers{"age": survey.IntVal(50), "smoker": survey.IntVal(0)}
			if j.smoker {
				want["smoker"] = survey.IntVal(1)
			}
			d.answer(form.Item("smoker"), want["smoker"])
			d.answer(form.Item("age"), want["age"])
			d.press(`button[value="next"]`)

			if !j.smoker {
				// The smoking page is skipped, forwards and back.
				at(2, "Section 2 of 2")
				d.press(`button[value="back"]`)
				at(0, "Section 1 of 2")
				d.press(`button[value="next"]`)
				at(2, "Section 2 of 2")
			} else {
				at(1, "Section 2 of 3")
				if d.visible("quit") {
					t.Fatal("quit is shown before cigs is answered")
				}
				want["cigs"], want["quit"] = survey.IntVal(20), survey.IntVal(1)
				d.answer(form.Item("cigs"), want["cigs"])
				if j.noScript {
					if d.visible("quit") {
						t.Fatal("quit appeared without the script")
					}
					d.press(`button[value="next"]`)
					at(1, "Section 2 of 3")
					if !eval[bool](d, `!!document.querySelector(".notice[role=status]")`) {
						t.Fatal("the page came back without saying why")
					}
				}
				// all of cigs >= 10 (this page) and age >= 40 (the last).
				if !d.visible("quit") {
					t.Fatal("quit is not shown although its condition holds")
				}
				d.answer(form.Item("quit"), want["quit"])
				d.press(`button[value="next"]`)
				at(2, "Section 3 of 3")
			}
			want["younger"] = survey.TextVal("No")
			if !d.visible("younger") {
				t.Fatal("younger is hidden although age is under 65")
			}
			if d.visible("detail") {
				t.Fatal("detail is shown before younger is answered")
			}
			d.answer(form.Item("younger"), want["younger"])
			if j.noScript {
				d.press(`button[value="submit"]`) // asks the question it revealed
				if !eval[bool](d, `!!document.querySelector(".notice[role=status]")`) {
					t.Fatal("the page came back without saying why")
				}
			}
			if !d.visible("detail") {
				t.Fatal("detail is hidden although younger is answered")
			}
			want["detail"] = survey.TextVal("More")
			d.answer(form.Item("detail"), want["detail"])
			d.press(`button[value="submit"]`)
			if loc := d.location(); !strings.HasSuffix(loc, "/done") {
				t.Fatalf("after submit at %s", loc)
			}
			rs := f.responses(t, sv.ID)
			if len(rs) != 1 || rs[0].Status != survey.ResponseComplete {
				t.Fatalf("want one complete response, got %+v", rs)
			}
			if got, exp := string(rs[0].Answers.Canonical()), string(want.Canonical()); got != exp {
				t.Fatalf("stored\n got %s\nwant %s", got, exp)
			}
		})
	}
}
