//go:build integration

package web_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web/browsertest"
)

// TestBrowserRandomizedOrder walks the randomised-order fixture in a real
// browser, at desktop and phone width: every page shows its items in the
// order survey.Form.Order draws for the response, which Back, Continue
// later and the resume link in a fresh browser keep; a second respondent
// sees another order; the stored answers are the answers clicked; axe-core
// finds nothing serious on a randomised page.
func TestBrowserRandomizedOrder(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	browsertest.Chromium(t)
	for _, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
		t.Run(vp.Name, func(t *testing.T) { randomizedJourney(t, f, vp) })
	}
}

func randomizedJourney(t *testing.T, f *fixture, vp browsertest.Viewport) {
	sv, form := f.randomSurvey(t)
	a := randomAnswers()
	total := len(form.Instrument.Sections)

	// page reads the page shown: its items in DOM order and its number.
	page := func(d *driver) ([]string, string) {
		return eval[[]string](d, `Array.from(document.querySelectorAll("#section-form .item")).map(e => e.id.slice(5))`),
			eval[string](d, `document.getElementById("progress-label").textContent`)
	}
	// expect checks that the page shown is section si as order o shows it.
	expect := func(d *driver, o *survey.Order, si int, when string) []string {
		t.Helper()
		if loc, want := d.location(), "/s/"+sv.ID+sectionPath(si); loc != want {
			t.Fatalf("%s: at %s, want %s", when, loc, want)
		}
		ids, progress := page(d)
		if want := orderIDs(form, o, si); !slices.Equal(ids, want) {
			t.Fatalf("%s: section %s shows %v, want %v", when, form.Instrument.Sections[si].ID, ids, want)
		}
		if want := fmt.Sprintf("Section %d of %d", o.Page(si)+1, total); progress != want {
			t.Fatalf("%s: progress %q, want %q", when, progress, want)
		}
		return ids
	}
	// fill answers the page's shown items in the page's order: a
	// follow-up appears right after the answer that shows it.
	fill := func(d *driver, ids []string) {
		t.Helper()
		for _, id := range ids {
			if !d.visible(id) {
				continue
			}
			it, v := form.Item(id), a[id]
			switch it.Type {
			case survey.Likert, survey.SingleChoice:
				pos := slices.IndexFunc(form.Options(id), func(o survey.Option) bool { return o.Value == v.Int })
				d.click(fmt.Sprintf(`label[for="q-%s-%d"]`, id, pos+1))
			case survey.Integer:
				d.typeText("#q-"+id, fmt.Sprint(v.Int))
			case survey.Text:
				d.typeText("#q-"+id, v.Text)
			}
		}
	}
	responseOf := func(except string) *survey.Response {
		for _, r := range f.responses(t, sv.ID) {
			if r.ID != except {
				return r
			}
		}
		t.Fatal("no response")
		return nil
	}

	d := newDriver(t, f, vp, false)
	d.Open(f.srv.URL + "/s/" + sv.ID)
	d.press(`.start button[type="submit"]`)
	first := responseOf("")
	o := form.Order(first.ID)
	pages := o.Sections()
	seen := map[int][]string{}

	// Pages 1 and 2, then page 3 half answered and Back.
	for p := range 2 {
		seen[pages[p]] = expect(d, o, pages[p], "first visit")
		fill(d, seen[pages[p]])
		if p == 1 {
			d.Axe("randomised section")
			d.Shot(screenshotDir(), "randomised-section")
		}
		d.press(`button[value="next"]`)
	}
	seen[pages[2]] = expect(d, o, pages[2], "first visit")
	d.press(`button[value="back"]`)
	if ids := expect(d, o, pages[1], "after Back"); !slices.Equal(ids, seen[pages[1]]) {
		t.Fatalf("Back changed the order: %v, was %v", ids, seen[pages[1]])
	}
	d.press(`button[value="next"]`)
	expect(d, o, pages[2], "Next after Back")
	fill(d, seen[pages[2]])

	// Continue later; a fresh browser resumes from the link.
	d.press(`button[value="later"]`)
	link := eval[string](d, `document.getElementById("resume-link").value`)
	if u, err := url.Parse(link); err != nil || u.Query().Get("t") == "" {
		t.Fatalf("resume link %q", link)
	}
	d.Close()
	d = newDriver(t, f, vp, false)
	d.Open(link)
	d.press(`form.actions button.primary`)
	for p := 3; p < len(pages); p++ {
		seen[pages[p]] = expect(d, o, pages[p], "after resuming")
		fill(d, seen[pages[p]])
		if p == len(pages)-1 {
			// The earlier pages, by Back, in the order first shown.
			for q := p - 1; q >= 0; q-- {
				d.press(`button[value="back"]`)
				if ids := expect(d, o, pages[q], "Back after resuming"); !slices.Equal(ids, seen[pages[q]]) {
					t.Fatalf("resuming changed the order of page %d: %v, was %v", q+1, ids, seen[pages[q]])
				}
			}
			for q := 0; q < p; q++ {
				d.press(`button[value="next"]`)
			}
			expect(d, o, pages[p], "Next to the last page")
			d.press(`button[value="submit"]`)
		} else {
			d.press(`button[value="next"]`)
		}
	}
	if loc := d.location(); loc != "/s/"+sv.ID+"/done" {
		t.Fatalf("after submit at %s", loc)
	}
	if got := responseOf(""); got.Status != survey.ResponseComplete || string(got.Answers.Canonical()) != string(a.Canonical()) {
		t.Fatalf("stored %s %s, want %s", got.Status, got.Answers.Canonical(), a.Canonical())
	}

	// A second respondent: the pages follow another order.
	d2 := newDriver(t, f, vp, false)
	d2.Open(f.srv.URL + "/s/" + sv.ID)
	d2.press(`.start button[type="submit"]`)
	o2 := form.Order(responseOf(first.ID).ID)
	differs := false
	for si := range form.Instrument.Sections {
		d2.Open(f.srv.URL + "/s/" + sv.ID + sectionPath(si))
		ids := expect(d2, o2, si, "second respondent")
		differs = differs || !slices.Equal(ids, seen[si]) || o2.Page(si) != o.Page(si)
	}
	if !differs {
		t.Error("the second respondent was shown the first one's order")
	}
}
