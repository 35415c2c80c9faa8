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
	"errors"
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
	"github.com/dyad-survey/dyad/internal/survey"
)

var chrome struct {
	once sync.Once
	ctx  context.Context
	err  error
	stop func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chrome.stop != nil {
		chrome.stop()
	}
	os.Exit(code)
}

// chromium returns the shared browser, started on first use.
func chromium(t *testing.T) context.Context {
	t.Helper()
	chrome.once.Do(func() {
		path := os.Getenv("DYAD_CHROMIUM")
		for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
			if _, err := os.Stat(p); path == "" && err == nil {
				path = p
			}
		}
		if path == "" {
			chrome.err = errors.New("no Chromium at /usr/bin/chromium (apt-get install chromium), nor DYAD_CHROMIUM set")
			return
		}
		dir, err := os.MkdirTemp("", "dyad-chromium-")
		if err != nil {
			chrome.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.UserDataDir(dir), chromedp.NoSandbox, chromedp.DisableGPU,
			// The machine has no network: nothing may reach for it.
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-sync", true),
			chromedp.WindowSize(1280, 900))
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		chrome.stop = func() { cancel(); cancelAlloc(); os.RemoveAll(dir) }
		started := make(chan error, 1)
		go func() { started <- chromedp.Do(ctx) }()
		select {
		case chrome.err = <-started:
		case <-time.After(45 * time.Second):
			chrome.err = errors.New("Chromium did not start within 45 s")
		}
		chrome.ctx = ctx
	})
	if chrome.err != nil {
		mustOrSkip(t, "Chromium cannot start: %v", chrome.err)
	}
	return chrome.ctx
}

// mustOrSkip skips a test that lacks a tool, and fails it under CI.
func mustOrSkip(t *testing.T, format string, args ...any) {
	t.Helper()
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatalf(format+" (CI runs the browser tests; scripts/test.sh installs what they need)", args...)
	}
	t.Skipf(format+" (under CI=true this fails)", args...)
}

var axe struct {
	once   sync.Once
	source string
	err    error
}

// axeSource is axe.min.js, from `npm ci --prefix internal/web/testdata/axe`.
func axeSource(t *testing.T) string {
	t.Helper()
	axe.once.Do(func() {
		b, err := os.ReadFile("testdata/axe/node_modules/axe-core/axe.min.js")
		axe.source, axe.err = string(b), err
	})
	if axe.err != nil {
		mustOrSkip(t, "axe-core is not installed (npm ci --prefix internal/web/testdata/axe): %v", axe.err)
	}
	return axe.source
}

// screenshotDir is where the page screenshots go: $DYAD_SCREENSHOTS, or
// screenshots/web at the top of the repository (ignored by git).
var screenshotDir = sync.OnceValue(func() string {
	dir := os.Getenv("DYAD_SCREENSHOTS")
	if dir == "" {
		dir, _ = filepath.Abs("../../screenshots/web")
	}
	os.MkdirAll(dir, 0o755)
	return dir
})

type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var (
	desktop = viewport{"desktop", 1280, 900, false}
	phone   = viewport{"phone", 390, 844, true}
)

// driver is one tab in its own browser context (its own cookies).
type driver struct {
	t        *testing.T
	f        *fixture
	ctx      context.Context
	cancel   context.CancelFunc
	vp       viewport
	keyboard bool
}

func newDriver(t *testing.T, f *fixture, vp viewport, keyboard bool) *driver {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(chromium(t), chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(tab, 2*time.Minute)
	d := &driver{t: t, f: f, ctx: ctx, vp: vp, keyboard: keyboard, cancel: func() { cancelTimeout(); cancelTab() }}
	t.Cleanup(d.cancel)
	opts := []chromedp.EmulateViewportOption{}
	if vp.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateScale(2))
	}
	d.do(chromedp.EmulateViewport(vp.width, vp.height, opts...))
	return d
}

func (d *driver) do(actions ...chromedp.Action[chromedp.Void]) {
	d.t.Helper()
	if err := chromedp.Do(d.ctx, actions...); err != nil {
		d.t.Fatalf("browser: %v (at %s)", err, d.location())
	}
}

func (d *driver) location() string {
	loc, _ := chromedp.Run(d.ctx, chromedp.Evaluate[string](`location.pathname`))
	return loc
}

func eval[T any](d *driver, expr string) T {
	d.t.Helper()
	v, err := chromedp.Run(d.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		d.t.Fatalf("evaluate %s: %v (at %s)", expr, err, d.location())
	}
	return v
}

// nav runs an action that loads a new page and waits for that page.
func (d *driver) nav(a chromedp.Action[chromedp.Void]) {
	d.t.Helper()
	d.do(chromedp.Evaluate[chromedp.Void](`window.__dyadOldPage = true`), a)
	// Evaluations fail while the document is replaced; try until the new
	// one has loaded.
	var err error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var loaded bool
		loaded, err = chromedp.Run(d.ctx, chromedp.Evaluate[bool](`window.__dyadOldPage === undefined && document.readyState === "complete"`))
		if err == nil && loaded {
			return
		}
		if d.ctx.Err() != nil {
			break
		}
	}
	d.t.Fatalf("no new page: %v (at %s)", err, d.location())
}

func (d *driver) open(u string) { d.nav(chromedp.Navigate(u)) }

// key presses keys on whatever has the focus.
func (d *driver) key(keys string) { d.t.Helper(); d.do(chromedp.KeyEvent(keys)) }

// tabTo presses Tab until the focus is on an element matching css, as a
// keyboard user would, and checks that the focus is visible there.
func (d *driver) tabTo(css string) {
	d.t.Helper()
	q, _ := json.Marshal(css)
	for range 150 {
		if eval[bool](d, `!!document.activeElement && document.activeElement.matches(`+string(q)+`)`) {
			outline := eval[string](d, `(function(e){var l=e.closest('label.choice')||e; var s=getComputedStyle(l); return s.outlineStyle+' '+s.outlineWidth})(document.activeElement)`)
			if !strings.HasPrefix(outline, "solid") || strings.HasSuffix(outline, " 0px") {
				d.t.Errorf("focus on %s is not visible (outline %q)", css, outline)
			}
			return
		}
		d.key(kb.Tab)
	}
	d.t.Fatalf("Tab never reached %s (at %s)", css, d.location())
}

func (d *driver) click(css string) { d.t.Helper(); d.do(chromedp.Click(chromedp.CSS(css))) }

// press activates a button: a click, or Tab to it and Enter.
func (d *driver) press(css string) {
	d.t.Helper()
	if d.keyboard {
		d.tabTo(css)
		d.nav(chromedp.KeyEvent(kb.Enter))
		return
	}
	d.nav(chromedp.Click(chromedp.CSS(css)))
}

// typeText puts text in a field: clicked and typed, or tabbed to and typed.
func (d *driver) typeText(css, text string) {
	d.t.Helper()
	if d.keyboard {
		d.tabTo(css)
		d.key(text)
	} else {
		d.do(chromedp.SendKeys(chromedp.CSS(css), text))
	}
	if got := eval[string](d, `document.querySelector(`+quote(css)+`).value`); got != text {
		d.t.Fatalf("%s holds %q after typing %q", css, got, text)
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// choose selects option pos (0-based) of a radio or checkbox item.
func (d *driver) choose(item string, pos int, checkbox bool) {
	d.t.Helper()
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
		d.t.Fatalf("%s is not checked after choosing it", id)
	}
}

// answer gives one item its planned answer.
func (d *driver) answer(it *survey.Item, v survey.Value) {
	d.t.Helper()
	opts := d.f.form.Options(it.ID)
	pos := func(x int64) int {
		for i, o := range opts {
			if o.Value == x {
				return i
			}
		}
		d.t.Fatalf("%s has no option %d", it.ID, x)
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
	}
}

func (d *driver) visible(item string) bool {
	return eval[bool](d, `!document.getElementById("item-`+item+`").hidden`)
}

// expectSection checks that the page shown is section si.
func (d *driver) expectSection(sid string, si int) {
	d.t.Helper()
	want := fmt.Sprintf("/s/%s/p/%d", sid, si+1)
	if loc := d.location(); loc != want {
		d.t.Fatalf("at %s, want %s", loc, want)
	}
	title := d.f.form.Instrument.Sections[si].Title
	if h1 := eval[string](d, `document.querySelector("h1").textContent`); h1 != title {
		d.t.Fatalf("heading %q, want %q", h1, title)
	}
	progress := fmt.Sprintf("Section %d of %d", si+1, len(d.f.form.Instrument.Sections))
	if got := eval[string](d, `document.getElementById("progress-label").textContent`); got != progress {
		d.t.Fatalf("progress %q, want %q", got, progress)
	}
}

// shot saves a full-page screenshot as NAME-VIEWPORT.png.
func (d *driver) shot(name string) {
	d.t.Helper()
	png, err := chromedp.Run(d.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		d.t.Fatalf("screenshot: %v", err)
	}
	file := filepath.Join(screenshotDir(), name+"-"+d.vp.name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		d.t.Fatal(err)
	}
}

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// axe runs axe-core on the page and fails on serious or critical
// violations of WCAG 2.0/2.1 A and AA; lesser findings are logged.
func (d *driver) axe(name string) {
	d.t.Helper()
	src := axeSource(d.t)
	if !eval[bool](d, `typeof window.axe === "object"`) {
		d.do(chromedp.Evaluate[chromedp.Void](src))
	}
	res, err := chromedp.Run(d.ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {
			runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
			resultTypes: ["violations"]
		}).then(r => r.violations.map(v => ({ID: v.id, Impact: v.impact || "", Help: v.help,
			Nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		d.t.Fatalf("axe on %s: %v", name, err)
	}
	for _, v := range res {
		if v.Impact == "serious" || v.Impact == "critical" {
			d.t.Errorf("axe, %s (%s): %s %s: %s at %v", name, d.vp.name, v.Impact, v.ID, v.Help, v.Nodes)
		} else {
			d.t.Logf("axe, %s (%s): %s %s: %s at %v", name, d.vp.name, v.Impact, v.ID, v.Help, v.Nodes)
		}
	}
}

// checkReflow fails when the page scrolls sideways: content must reflow
// to the width (WCAG 1.4.10, and zoom to 200% at 1280 px is 640 px).
func (d *driver) checkReflow(name string) {
	d.t.Helper()
	if w := eval[[]int](d, `[document.documentElement.scrollWidth, window.innerWidth]`); w[0] > w[1] {
		d.t.Errorf("%s at %d px: the page is %d px wide and scrolls sideways", name, d.vp.width, w[0])
	}
}

// axName returns the accessible name Chromium computes for an element.
func (d *driver) axName(css string) string {
	d.t.Helper()
	nodes, err := chromedp.Run(d.ctx, chromedp.Nodes(chromedp.CSS(css)))
	if err != nil || len(nodes) == 0 {
		d.t.Fatalf("no %s: %v", css, err)
	}
	res, err := chromedp.Call(d.ctx, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{
		BackendNodeID: nodes[0].BackendNodeID, FetchRelatives: new(false)})
	if err != nil || len(res.Nodes) == 0 || res.Nodes[0].Name == nil {
		d.t.Fatalf("accessibility tree of %s: %v", css, err)
	}
	var name string
	json.Unmarshal(res.Nodes[0].Name.Value, &name)
	return name
}

// checkLikertNames checks what a screen reader announces on a Likert item:
// the group is named by the statement, and each point by its label and
// position ("Agree, 4 of 5"), in the grid layout as in the stacked one.
func (d *driver) checkLikertNames(item string) {
	d.t.Helper()
	it := d.f.form.Item(item)
	if got := d.axName("#item-" + item + " fieldset"); got != it.Text {
		d.t.Errorf("group name %q, want %q", got, it.Text)
	}
	opts := d.f.form.Options(item)
	for i, o := range opts {
		want := fmt.Sprintf("%s, %d of %d", o.Label, i+1, len(opts))
		if got := d.axName(fmt.Sprintf("#q-%s-%d", item, i+1)); got != want {
			d.t.Errorf("radio name %q, want %q", got, want)
		}
	}
	grid := eval[bool](d, `getComputedStyle(document.querySelector("#item-`+item+` .scale")).gridAutoFlow === "column"`)
	if grid != !d.vp.mobile {
		d.t.Errorf("%s layout: grid %v at %d px", item, grid, d.vp.width)
	}
}

// journey is one way through the study survey.
type journey struct {
	name     string
	vp       viewport
	keyboard bool
	aiUse    int64 // the skip-logic branch: 1 asks about the tools used
	// changeMind answers Yes and ticks a tool first, then changes to No:
	// the ticked box, hidden, must not reach the database.
	changeMind bool
	checks     bool // run axe and take screenshots on the way
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
	f := newFixture(t)
	chromium(t)
	for _, j := range []journey{
		{name: "DesktopMouse", vp: desktop, aiUse: 1, checks: true},
		{name: "PhoneMouse", vp: phone, aiUse: 0, changeMind: true, checks: true},
		{name: "PhoneKeyboard", vp: phone, keyboard: true, aiUse: 1},
		{name: "DesktopWithoutJavaScript", vp: desktop, aiUse: 1, noScript: true},
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
	start := func() *driver {
		d := newDriver(t, f, j.vp, j.keyboard)
		if j.noScript {
			if _, err := chromedp.Call(d.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	d := start()

	d.open(f.srv.URL + "/s/" + sv.ID)
	if lang := eval[string](d, `document.documentElement.lang`); lang != "en" {
		t.Errorf("lang %q", lang)
	}
	if j.checks {
		d.axe("welcome")
		d.shot("welcome")
	}
	d.press(`.start button[type="submit"]`)

	for si := 0; si < len(sections); si++ {
		if si == resumeAt {
			link := eval[string](d, `document.getElementById("resume-link").value`)
			u, err := url.Parse(link)
			if err != nil || u.Query().Get("t") == "" {
				t.Fatalf("resume link %q", link)
			}
			d.cancel() // the tab and its browser context, cookies and all, are gone
			d = start()
			d.open(f.srv.URL + "/s/" + sv.ID)
			if loc := d.location(); loc != "/s/"+sv.ID {
				t.Fatalf("a fresh browser was taken to %s: the old cookie survived", loc)
			}
			d.open(link)
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
				d.shot("section-follow-up-no-script")
			}
		}
		if si == 0 {
			if j.checks {
				d.shot("section-follow-up")
			}
			for _, id := range []string{"ai_tools", "ai_tools_other", "ai_freq"} {
				if d.visible(id) != shown[id] {
					t.Fatalf("%s visible: %v, want %v", id, d.visible(id), shown[id])
				}
			}
			if j.checks {
				d.axe("section with follow-up questions")
			}
		}
		if si == 1 {
			d.checkLikertNames("eff_1")
			if j.checks {
				d.axe("section")
				d.shot("section")
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
				d.axe("section with errors")
				d.shot("section-errors")
			}
			if d.keyboard {
				d.tabTo(".error-summary a")
				d.do(chromedp.Evaluate[chromedp.Void](`window.__dyadOldPage = true`))
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
				d.axe("last section")
			}
			d.press(`button[value="submit"]`)
		} else {
			d.press(`button[value="next"]`)
		}
	}

	if loc := d.location(); loc != "/s/"+sv.ID+"/done" {
		t.Fatalf("after submit at %s", loc)
	}
	if h1 := eval[string](d, `document.querySelector("h1").textContent`); h1 != "Thank you" {
		t.Fatalf("thank-you heading %q", h1)
	}
	if j.checks {
		d.axe("thank you")
		d.shot("thank-you")
	}
	// Back to the last page and Submit again: still one response.
	d.nav(chromedp.NavigateBack())
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
	if got, exp := string(rs[0].Answers.Canonical()), string(want.Canonical()); got != exp {
		t.Fatalf("the database holds other answers than those clicked\n got %s\nwant %s", got, exp)
	}
}

// TestBrowserPageTypes visits the pages no journey reaches (a refused
// code, closed and not-yet-open surveys, not found, expired form, bad
// resume link) plus the main ones, at phone and desktop width: axe-core,
// reflow at 320 px and 200 % zoom, and a screenshot of each.
func TestBrowserPageTypes(t *testing.T) {
	f := newFixture(t)
	chromium(t)
	invitation := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessInvitation, Title: "Physician survey, ward 3"})
	closed := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen})
	if _, err := f.svc.CloseSurvey(context.Background(), closed.ID); err != nil {
		t.Fatal(err)
	}
	opens := time.Now().Add(72 * time.Hour)
	later := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, OpensAt: &opens})

	type pageType struct {
		name  string
		visit func(d *driver)
	}
	base := f.srv.URL + "/s/"
	pages := []pageType{
		{"invitation-code-error", func(d *driver) {
			d.open(base + invitation.ID + "?code=ABCD-EFGH-JKMN")
			d.press(`.start button[type="submit"]`)
			if !strings.Contains(eval[string](d, `document.querySelector(".error-summary").textContent`), "not valid") {
				t.Error("no error for a wrong code")
			}
		}},
		{"closed", func(d *driver) { d.open(base + closed.ID) }},
		{"not-open-yet", func(d *driver) { d.open(base + later.ID) }},
		{"not-found", func(d *driver) { d.open(base + "nosuchsurv") }},
		{"resume-link-invalid", func(d *driver) { d.open(base + f.open.ID + "/resume?t=nothing") }},
		{"page-expired", func(d *driver) {
			d.open(base + f.open.ID)
			d.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('[name=_csrf]').value = "forged"`))
			d.press(`.start button[type="submit"]`)
		}},
		{"welcome", func(d *driver) { d.open(base + f.open.ID) }},
		{"about-you-section", func(d *driver) {
			d.open(base + f.open.ID)
			if strings.HasSuffix(d.location(), "/s/"+f.open.ID) {
				d.press(`.start button[type="submit"]`)
			}
			d.open(base + f.open.ID + "/p/8")
		}},
		{"likert-section", func(d *driver) { d.open(base + f.open.ID + "/p/2") }},
	}
	for _, vp := range []viewport{phone, desktop, {"zoom200", 640, 450, false}, {"reflow320", 320, 640, true}} {
		d := newDriver(t, f, vp, false)
		for _, p := range pages {
			p.visit(d)
			d.checkReflow(p.name)
			if vp == phone || vp == desktop {
				d.axe(p.name)
				d.shot(p.name)
			}
		}
		d.cancel()
	}
	files, _ := filepath.Glob(filepath.Join(screenshotDir(), "*.png"))
	sort.Strings(files)
	t.Logf("%d screenshots in %s", len(files), screenshotDir())
}
