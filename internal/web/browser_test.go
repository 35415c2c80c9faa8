//go:build integration

package web_test

// Browser tests: headless Chromium (Debian's package) driven by chromedp
// through the respondent's whole journey, as a person would do it: with the
// mouse at desktop width, with the mouse on a phone-sized screen, and with
// the keyboard alone. Each journey meets a validation error, takes a
// skip-logic branch, throws its browser context away half-way and resumes
// from the resume link in a fresh one, then checks that the response in
// the database is exactly what was clicked. axe-core (npm, pinned in
// testdata/axe) checks every page type for serious and critical WCAG
// violations, and every page type is saved as a screenshot at phone and
// desktop width.
//
// Without Chromium (or axe-core) the tests are skipped, except under CI
// (CI=true), where they fail: scripts/test.sh installs both.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web/browsertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Stop()
	os.Exit(code)
}

// screenshotDir is where the page screenshots go: $DYAD_SCREENSHOTS, or
// screenshots/web at the top of the repository (ignored by git).
var screenshotDir = sync.OnceValue(func() string {
	return browsertest.ScreenshotDir("DYAD_SCREENSHOTS", "web")
})

// driver is one tab in its own browser context (its own cookies), driven
// with the mouse or the keyboard alone.
type driver struct {
	*browsertest.Tab
	f        *fixture
	keyboard bool
	lang     *i18n.Lang // the interface's language the pages should be in
}

func newDriver(t *testing.T, f *fixture, vp browsertest.Viewport, keyboard bool) *driver {
	t.Helper()
	return &driver{Tab: browsertest.NewTab(t, vp, 2*time.Minute), f: f, keyboard: keyboard, lang: i18n.Or(i18n.Default)}
}

// location is the path of the page shown, without its query.
func (d *driver) location() string {
	loc, _ := chromedp.Run(d.Ctx, chromedp.Evaluate[string](`location.pathname`))
	return loc
}

func eval[T any](d *driver, expr string) T {
	d.T.Helper()
	return browsertest.Eval[T](d.Tab, expr)
}

// key presses keys on whatever has the focus.
func (d *driver) key(keys string) { d.T.Helper(); d.Do(chromedp.KeyEvent(keys)) }

// tabTo presses Tab until the focus is on an element matching css, as a
// keyboard user would, and checks that the focus is visible there.
func (d *driver) tabTo(css string) {
	d.T.Helper()
	q, _ := json.Marshal(css)
	for range 150 {
		if eval[bool](d, `!!document.activeElement && document.activeElement.matches(`+string(q)+`)`) {
			outline := eval[string](d, `(function(e){var l=e.closest('label.choice')||e; var s=getComputedStyle(l); return s.outlineStyle+' '+s.outlineWidth})(document.activeElement)`)
			if !strings.HasPrefix(outline, "solid") || strings.HasSuffix(outline, " 0px") {
				d.T.Errorf("focus on %s is not visible (outline %q)", css, outline)
			}
			return
		}
		d.key(kb.Tab)
	}
	d.T.Fatalf("Tab never reached %s (at %s)", css, d.location())
}

func (d *driver) click(css string) { d.T.Helper(); d.Do(chromedp.Click(chromedp.CSS(css))) }

// press activates a button: a click, or Tab to it and Enter.
func (d *driver) press(css string) {
	d.T.Helper()
	if d.keyboard {
		d.tabTo(css)
		d.Nav(chromedp.KeyEvent(kb.Enter))
		return
	}
	d.Nav(chromedp.Click(chromedp.CSS(css)))
}

// typeText puts text in a field: clicked and typed, or tabbed to and typed.
func (d *driver) typeText(css, text string) {
	d.T.Helper()
	if d.keyboard {
		d.tabTo(css)
		d.key(text)
	} else {
		d.Do(chromedp.SendKeys(chromedp.CSS(css), text))
	}
	if got := eval[string](d, `document.querySelector(`+quote(css)+`).value`); got != text {
		d.T.Fatalf("%s holds %q after typing %q", css, got, text)
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// choose selects option pos (0-based) of a radio or checkbox item.
func (d *driver) choose(item string, pos int, checkbox bool) {
	d.T.Helper()
	id := fmt.Sprintf("q-%s-%d", item, pos+1)
	switch {
	case !d.keyboard:
		d.click(`label[for="` + id + `"]`)
	case checkbox:
		d.tabTo("#" + id)
		d.key(" ")
	default:
		// Tab enters the group on its checked radio, or its first; the
		// arrow keys move and select.
		d.tabTo(`input[name="` + item + `"]`)
		cur := eval[int](d, `Array.from(document.getElementsByName(`+quote(item)+`)).indexOf(document.activeElement)`)
		switch {
		case pos == cur:
			d.key(" ")
		case pos > cur:
			d.key(strings.Repeat(kb.ArrowRight, pos-cur))
		default:
			d.key(strings.Repeat(kb.ArrowLeft, cur-pos))
		}
	}
	if !eval[bool](d, `document.getElementById(`+quote(id)+`).checked`) {
		d.T.Fatalf("%s is not checked after choosing it", id)
	}
}

// form is the study's form in the page's language: its texts are German
// on a German page (the study ships a German translation), English on the
// others.
func (d *driver) form() *survey.Form { return d.f.form.In(d.lang.Code) }

// answer gives one item its planned answer.
func (d *driver) answer(it *survey.Item, v survey.Value) {
	d.T.Helper()
	opts := d.f.form.Options(it.ID)
	pos := func(x int64) int {
		for i, o := range opts {
			if o.Value == x {
				return i
			}
		}
		d.T.Fatalf("%s has no option %d", it.ID, x)
		return 0
	}
	switch it.Type {
	case survey.Likert, survey.SingleChoice:
		d.choose(it.ID, pos(v.Int), false)
	case survey.MultipleChoice:
		for _, x := range v.List {
			d.choose(it.ID, pos(x), true)
		}
	case survey.Integer:
		d.typeText("#q-"+it.ID, fmt.Sprint(v.Int))
	case survey.Text:
		d.typeText("#q-"+it.ID, v.Text)
	case survey.Consent:
		// One checkbox, labelled by the statement (the study's first
		// item): clicked, or reached with Tab and ticked with Space.
		id := "q-" + it.ID
		if d.keyboard {
			d.tabTo("#" + id)
			d.key(" ")
		} else {
			d.click(`label[for="` + id + `"]`)
		}
		if !eval[bool](d, `document.getElementById(`+quote(id)+`).checked`) {
			d.T.Fatalf("%s is not ticked after ticking it", id)
		}
	}
}

func (d *driver) visible(item string) bool {
	return eval[bool](d, `!document.getElementById("item-`+item+`").hidden`)
}

// expectSection checks that the page shown is section si.
func (d *driver) expectSection(sid string, si int) {
	d.T.Helper()
	want := fmt.Sprintf("/s/%s/p/%d", sid, si+1)
	if loc := d.location(); loc != want {
		d.T.Fatalf("at %s, want %s", loc, want)
	}
	title := d.form().Instrument.Sections[si].Title // in the page's language where the study has it
	if h1 := eval[string](d, `document.querySelector("h1").textContent`); h1 != title {
		d.T.Fatalf("heading %q, want %q", h1, title)
	}
	progress := d.lang.T("section.progress", "N", si+1, "Total", len(d.f.form.Instrument.Sections))
	if got := eval[string](d, `document.getElementById("progress-label").textContent`); got != progress {
		d.T.Fatalf("progress %q, want %q", got, progress)
	}
}

// axName returns the accessible name Chromium computes for an element.
func (d *driver) axName(css string) string {
	d.T.Helper()
	nodes, err := chromedp.Run(d.Ctx, chromedp.Nodes(chromedp.CSS(css)))
	if err != nil || len(nodes) == 0 {
		d.T.Fatalf("no %s: %v", css, err)
	}
	res, err := chromedp.Call(d.Ctx, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{
		BackendNodeID: nodes[0].BackendNodeID, FetchRelatives: new(false)})
	if err != nil || len(res.Nodes) == 0 || res.Nodes[0].Name == nil {
		d.T.Fatalf("accessibility tree of %s: %v", css, err)
	}
	var name string
	json.Unmarshal(res.Nodes[0].Name.Value, &name)
	return name
}

// checkLikertNames checks what a screen reader announces on a Likert item:
// the group is named by the statement, and each point by its label and
// position ("Agree, 4 of 5"), in the grid layout as in the stacked one.
func (d *driver) checkLikertNames(item string) {
	d.T.Helper()
	it := d.form().Item(item)
	if got := d.axName("#item-" + item + " fieldset"); got != it.Text {
		d.T.Errorf("group name %q, want %q", got, it.Text)
	}
	opts := d.form().Options(item)
	for i, o := range opts {
		want := d.lang.T("item.position", "Label", o.Label, "Pos", i+1, "Of", len(opts))
		if got := d.axName(fmt.Sprintf("#q-%s-%d", item, i+1)); got != want {
			d.T.Errorf("radio name %q, want %q", got, want)
		}
	}
	grid := eval[bool](d, `getComputedStyle(document.querySelector("#item-`+item+` .scale")).gridAutoFlow === "column"`)
	if grid != !d.VP.Mobile {
		d.T.Errorf("%s layout: grid %v at %d px", item, grid, d.VP.Width)
	}
	// In reading order: the first point at the start of the line, the
	// right in a right-to-left page.
	if grid {
		x := func(i int) float64 {
			return eval[float64](d, fmt.Sprintf(`document.querySelector('label[for="q-%s-%d"]').getBoundingClientRect().left`, item, i))
		}
		if first, last := x(1), x(len(opts)); (d.lang.Dir == "rtl") != (first > last) {
			d.T.Errorf("%s in %s: the first point is at x=%v, the last at x=%v", item, d.lang.Dir, first, last)
		}
	}
}

// journey is one way through the study survey.
type journey struct {
	name     string
	vp       browsertest.Viewport
	keyboard bool
	aiUse    int64 // the skip-logic branch: 1 asks about the tools used
	// changeMind answers Yes and ticks a tool first, then changes to No:
	// the ticked box, hidden, must not reach the database.
	changeMind bool
	checks     bool   // run axe and take screenshots on the way
	lang       string // the interface's language, chosen with ?lang= on the link; "" for the default
	// noScript turns JavaScript off: follow-up questions then appear when
	// the page is sent, and the server asks them before moving on.
	noScript bool
}

// plan is what the journey answers: every shown item, varied values, the
// branch of the journey, text that needs escaping.
func plan(f *fixture, j journey) survey.Answers {
	a := studyAnswers(f.form, j.aiUse)
	if j.aiUse == 1 {
		a["ai_tools"] = survey.ListVal(2, 5) // 5 = Other shows ai_tools_other
		a["ai_tools_other"] = survey.TextVal("Dictation & <translation> apps")
	}
	return a
}

func TestBrowserJourneys(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	browsertest.Chromium(t)
	for _, j := range []journey{
		{name: "DesktopMouse", vp: browsertest.Desktop, aiUse: 1, checks: true},
		{name: "PhoneMouse", vp: browsertest.Phone, aiUse: 0, changeMind: true, checks: true},
		{name: "PhoneKeyboard", vp: browsertest.Phone, keyboard: true, aiUse: 1},
		{name: "DesktopWithoutJavaScript", vp: browsertest.Desktop, aiUse: 1, noScript: true},
		{name: "DesktopGerman", vp: browsertest.Desktop, aiUse: 1, checks: true, lang: "de"},
		{name: "PhoneGerman", vp: browsertest.Phone, aiUse: 0, checks: true, lang: "de"},
		{name: "DesktopArabic", vp: browsertest.Desktop, aiUse: 1, checks: true, lang: "ar"},
		{name: "PhoneArabic", vp: browsertest.Phone, aiUse: 0, changeMind: true, checks: true, lang: "ar"},
	} {
		t.Run(j.name, func(t *testing.T) { runJourney(t, f, j) })
	}
	t.Logf("screenshots: %s", screenshotDir())
}

func runJourney(t *testing.T, f *fixture, j journey) {
	sv := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen})
	want := plan(f, j)
	shown := f.form.Shown(want)
	sections := f.form.Instrument.Sections
	const resumeAt = 4 // the browser is thrown away on arriving here
	l, query := i18n.Or(i18n.Default), ""
	if j.lang != "" {
		l, query = i18n.Get(j.lang), "?lang="+j.lang
	}
	shot := func(d *driver, name string) {
		if j.lang != "" {
			name = j.lang + "-" + name
		}
		d.Shot(screenshotDir(), name)
	}
	start := func() *driver {
		d := newDriver(t, f, j.vp, j.keyboard)
		d.lang = l
		if j.noScript {
			if _, err := chromedp.Call(d.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	d := start()

	d.Open(f.srv.URL + "/s/" + sv.ID + query)
	if lang := eval[string](d, `document.documentElement.lang + " " + document.documentElement.dir`); lang != l.Code+" "+l.Dir {
		t.Errorf("lang and dir %q", lang)
	}
	if j.checks {
		d.Axe("welcome")
		shot(d, "welcome")
	}
	d.press(`.start button[type="submit"]`)

	for si := 0; si < len(sections); si++ {
		if si == resumeAt {
			d.press(`button[value="later"]`) // saves the page, then shows the link
			link := eval[string](d, `document.getElementById("resume-link").value`)
			u, err := url.Parse(link)
			if err != nil || u.Query().Get("t") == "" {
				t.Fatalf("resume link %q", link)
			}
			d.Close() // the tab and its browser context, cookies and all, are gone
			d = start()
			d.Open(f.srv.URL + "/s/" + sv.ID)
			if loc := d.location(); loc != "/s/"+sv.ID {
				t.Fatalf("a fresh browser was taken to %s: the old cookie survived", loc)
			}
			d.Open(link) // the link's page says which response it is; Continue takes it
			if h1 := eval[string](d, `document.querySelector("h1").textContent`); h1 != l.T("resume.title") {
				t.Fatal("the resume link did not ask before continuing")
			}
			if j.checks {
				d.Axe("resume-link")
			}
			d.press(`form.actions button.primary`)
		}
		d.expectSection(sv.ID, si)
		if si == 0 && j.changeMind {
			d.answer(f.form.Item("ai_use"), survey.IntVal(1))
			if !d.visible("ai_tools") || !d.visible("ai_freq") {
				t.Fatal("Yes did not show the follow-up questions")
			}
			d.answer(f.form.Item("ai_tools"), survey.ListVal(1))
		}
		skipped := ""
		if si == 1 {
			skipped = "eff_5" // left out, to meet the validation error
		}
		// Answer the page's questions in order; with the script, a
		// follow-up appears as soon as its condition holds, without it
		// when the page is sent (the server then shows it with a notice).
		answered := map[string]bool{}
		for round := 0; ; round++ {
			missing := 0
			for i := range sections[si].Items {
				it := &sections[si].Items[i]
				if !shown[it.ID] || it.ID == skipped || answered[it.ID] {
					continue
				}
				if !d.visible(it.ID) {
					missing++
					continue
				}
				d.answer(it, want[it.ID])
				answered[it.ID] = true
			}
			if missing == 0 {
				break
			}
			if !j.noScript || round > 3 {
				t.Fatalf("section %d: %d questions stay hidden although their condition holds", si+1, missing)
			}
			d.press(`button[value="next"]`)
			d.expectSection(sv.ID, si)
			if !eval[bool](d, `!!document.querySelector(".notice[role=status]")`) {
				t.Fatal("the page came back without saying why")
			}
			if si == 0 && round == 0 {
				shot(d, "section-follow-up-no-script")
			}
		}
		if si == 0 {
			if j.checks {
				shot(d, "section-follow-up")
			}
			for _, id := range []string{"ai_tools", "ai_tools_other", "ai_freq"} {
				if d.visible(id) != shown[id] {
					t.Fatalf("%s visible: %v, want %v", id, d.visible(id), shown[id])
				}
			}
			if j.checks {
				d.Axe("section with follow-up questions")
			}
		}
		if si == 1 {
			d.checkLikertNames("eff_1")
			if j.checks {
				d.Axe("section")
				shot(d, "section")
			}
			d.press(`button[value="next"]`)
			d.expectSection(sv.ID, si)
			if !eval[bool](d, `document.activeElement.matches(".error-summary[role=alert]")`) {
				t.Error("the error summary does not have the focus")
			}
			if got := eval[string](d, `document.querySelector(".error-summary a").getAttribute("href")`); got != "#q-eff_5-1" {
				t.Errorf("error summary links to %s", got)
			}
			if desc := eval[string](d, `document.getElementById("q-eff_5-1").getAttribute("aria-describedby")`); desc != "err-eff_5" {
				t.Errorf("the radios are described by %q", desc)
			}
			if eval[bool](d, `document.getElementById("q-eff_1-`+fmt.Sprint(want["eff_1"].Int)+`").checked`) != true {
				t.Error("the answers given were not kept")
			}
			if j.checks {
				d.Axe("section with errors")
				shot(d, "section-errors")
			}
			if d.keyboard {
				d.tabTo(".error-summary a")
				d.Do(chromedp.Evaluate[chromedp.Void](`window.__dyadOldPage = true`))
				d.key(kb.Enter)
				time.Sleep(100 * time.Millisecond)
				if eval[bool](d, `window.__dyadOldPage === undefined`) {
					t.Fatal("Enter on the error summary's link sent the form")
				}
			} else {
				d.click(".error-summary a")
			}
			if id := eval[string](d, `document.activeElement.id`); id != "q-eff_5-1" && !j.noScript {
				t.Errorf("the summary link moved the focus to %q", id)
			}
			d.answer(f.form.Item("eff_5"), want["eff_5"])
		}
		if si == len(sections)-1 {
			if j.checks {
				d.Axe("last section")
			}
			d.press(`button[value="submit"]`)
		} else {
			d.press(`button[value="next"]`)
		}
	}

	if loc := d.location(); loc != "/s/"+sv.ID+"/done" {
		t.Fatalf("after submit at %s", loc)
	}
	if h1 := eval[string](d, `document.querySelector("h1").textContent`); h1 != l.T("done.title") {
		t.Fatalf("thank-you heading %q", h1)
	}
	if j.checks {
		d.Axe("thank you")
		shot(d, "thank-you")
	}
	// Back to the last page and Submit again: still one response.
	d.Nav(chromedp.NavigateBack())
	if loc := d.location(); strings.HasSuffix(loc, fmt.Sprintf("/p/%d", len(sections))) && eval[bool](d, `!!document.querySelector('button[value="submit"]')`) {
		d.press(`button[value="submit"]`)
		if loc := d.location(); loc != "/s/"+sv.ID+"/done" {
			t.Fatalf("a second submit led to %s", loc)
		}
	}

	rs := f.responses(t, sv.ID)
	if len(rs) != 1 || rs[0].Status != survey.ResponseComplete {
		t.Fatalf("want one complete response, got %+v", rs)
	}
	if rs[0].Language != l.Code {
		t.Errorf("the response's language is %q, want %q", rs[0].Language, l.Code)
	}
	if got, exp := string(rs[0].Answers.Canonical()), string(want.Canonical()); got != exp {
		t.Fatalf("the database holds other answers than those clicked\n got %s\nwant %s", got, exp)
	}
}

// TestBrowserPageTypes visits the pages no journey reaches (a refused
// code, closed and not-yet-open surveys, not found, expired form, bad
// resume link) plus the main ones, at phone and desktop width: axe-core,
// reflow at 320 px and 200 % zoom, and a screenshot of each.
func TestBrowserPageTypes(t *testing.T) {
	f := newFixture(t, enginetest.SQLite)
	browsertest.Chromium(t)
	invitation := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessInvitation, Title: "Physician survey, ward 3"})
	closed := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen})
	if _, err := f.svc.CloseSurvey(context.Background(), closed.ID); err != nil {
		t.Fatal(err)
	}
	opens := time.Now().Add(72 * time.Hour)
	later := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, OpensAt: &opens})
	// A code that a response in progress holds, and another person's
	// response to the open survey, for the pages that guard them.
	codes, err := f.svc.CreateInvitations(context.Background(), invitation.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	heldCode := codes[0]
	if _, _, err := f.svc.StartProgress(context.Background(), invitation.ID, heldCode, ""); err != nil {
		t.Fatal(err)
	}
	_, otherToken, err := f.svc.StartProgress(context.Background(), f.open.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	trial := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, Mode: survey.ModeTest})

	type pageType struct {
		name  string
		visit func(d *driver)
	}
	base := f.srv.URL + "/s/"
	pages := []pageType{
		{"invitation-code-error", func(d *driver) {
			d.Open(base + invitation.ID + "?code=ABCD-EFGH-JKMN")
			d.press(`.start button[type="submit"]`)
			if !strings.Contains(eval[string](d, `document.querySelector(".error-summary").textContent`), "not valid") {
				t.Error("no error for a wrong code")
			}
		}},
		{"closed", func(d *driver) { d.Open(base + closed.ID) }},
		{"not-open-yet", func(d *driver) { d.Open(base + later.ID) }},
		{"not-found", func(d *driver) { d.Open(base + "nosuchsurv") }},
		{"resume-link-invalid", func(d *driver) { d.Open(base + f.open.ID + "/resume?t=nothing") }},
		{"page-expired", func(d *driver) {
			d.Open(base + f.open.ID)
			d.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector('[name=_csrf]').value = "forged"`))
			d.press(`.start button[type="submit"]`)
		}},
		{"welcome", func(d *driver) { d.Open(base + f.open.ID) }},
		{"about-you-section", func(d *driver) {
			d.Open(base + f.open.ID)
			if strings.HasSuffix(d.location(), "/s/"+f.open.ID) {
				d.press(`.start button[type="submit"]`)
			}
			d.Open(base + f.open.ID + "/p/8")
		}},
		{"likert-section", func(d *driver) { d.Open(base + f.open.ID + "/p/2") }},
		{"continue-later", func(d *driver) {
			d.Open(base + f.open.ID + "/p/2")
			d.press(`button[value="later"]`)
			if got := eval[string](d, `location.pathname + location.search`); !strings.HasSuffix(got, "/p/2?later=1") {
				t.Errorf("Continue later went to %s", got)
			}
		}},
		{"test-mode-welcome", func(d *driver) { d.Open(base + trial.ID) }},
		// Last: this browser has a response to the open survey by now.
		{"resume-link-over-another", func(d *driver) {
			d.Open(base + f.open.ID)
			if strings.HasSuffix(d.location(), "/s/"+f.open.ID) {
				d.press(`.start button[type="submit"]`)
			}
			d.Open(base + f.open.ID + "/resume?t=" + otherToken)
		}},
		{"code-in-use", func(d *driver) {
			d.Open(base + invitation.ID + "?code=" + heldCode)
			d.press(`.start button[type="submit"]`)
		}},
	}
	for _, vp := range []browsertest.Viewport{browsertest.Phone, browsertest.Desktop, {Name: "zoom200", Width: 640, Height: 450}, {Name: "reflow320", Width: 320, Height: 640, Mobile: true}} {
		d := newDriver(t, f, vp, false)
		for _, p := range pages {
			p.visit(d)
			d.CheckReflow(p.name)
			if vp == browsertest.Phone || vp == browsertest.Desktop {
				d.Axe(p.name)
				d.Shot(screenshotDir(), p.name)
			}
		}
		d.Close()
	}
	files, _ := filepath.Glob(filepath.Join(screenshotDir(), "*.png"))
	sort.Strings(files)
	t.Logf("%d screenshots in %s", len(files), screenshotDir())
}
