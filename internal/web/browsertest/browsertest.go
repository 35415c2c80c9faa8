// Package browsertest is the harness of Dyad's browser tests, importable
// by any package's tests: a shared headless Chromium (Debian's package)
// driven by chromedp, one browser context per tab, axe-core checks
// (serious and critical WCAG findings fail), reflow checks and
// screenshots. It follows internal/web's own browser tests.
//
// Without Chromium or axe-core the tests skip, except under CI (CI=true),
// where they fail: scripts/test.sh installs both (axe-core with
// `npm ci --prefix internal/web/testdata/axe`).
package browsertest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var chrome struct {
	once sync.Once
	ctx  context.Context
	err  error
	stop func()
}

// Stop ends the shared browser; call it from TestMain after m.Run.
func Stop() {
	if chrome.stop != nil {
		chrome.stop()
	}
}

// Chromium returns the shared browser, started on first use. The machine
// may have no network: nothing in it may reach for one.
func Chromium(t testing.TB) context.Context {
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
		MustOrSkip(t, "Chromium cannot start: %v", chrome.err)
	}
	return chrome.ctx
}

// MustOrSkip skips a test that lacks a tool, and fails it under CI.
func MustOrSkip(t testing.TB, format string, args ...any) {
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

// webDir is internal/web, found from this file's own path so that any
// package's tests can read its testdata.
func webDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// AxeSource returns axe.min.js, from `npm ci --prefix internal/web/testdata/axe`.
func AxeSource(t testing.TB) string {
	t.Helper()
	axe.once.Do(func() {
		b, err := os.ReadFile(filepath.Join(webDir(), "testdata/axe/node_modules/axe-core/axe.min.js"))
		axe.source, axe.err = string(b), err
	})
	if axe.err != nil {
		MustOrSkip(t, "axe-core is not installed (npm ci --prefix internal/web/testdata/axe): %v", axe.err)
	}
	return axe.source
}

// ScreenshotDir returns the folder for screenshots, made if missing: the
// environment variable env when set, else screenshots/{sub} at the top of
// the repository (ignored by git).
func ScreenshotDir(env, sub string) string {
	dir := os.Getenv(env)
	if dir == "" {
		dir = filepath.Join(filepath.Dir(filepath.Dir(webDir())), "screenshots", sub)
	}
	os.MkdirAll(dir, 0o755)
	return dir
}

// Viewport is a window size; Mobile emulates a phone (touch, scale 2).
type Viewport struct {
	Name          string
	Width, Height int64
	Mobile        bool
}

// Common viewports.
var (
	Desktop = Viewport{"desktop", 1280, 900, false}
	Phone   = Viewport{"phone", 390, 844, true}
)

// Tab is one tab in its own browser context (its own cookies).
type Tab struct {
	T      testing.TB
	Ctx    context.Context
	VP     Viewport
	cancel context.CancelFunc
}

// NewTab opens a tab at the viewport's size; it closes at the end of the
// test, or after timeout, whichever is first.
func NewTab(t testing.TB, vp Viewport, timeout time.Duration) *Tab {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(Chromium(t), chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(tab, timeout)
	d := &Tab{T: t, Ctx: ctx, VP: vp, cancel: func() { cancelTimeout(); cancelTab() }}
	t.Cleanup(d.Close)
	var opts []chromedp.EmulateViewportOption
	if vp.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateScale(2))
	}
	d.Do(chromedp.EmulateViewport(vp.Width, vp.Height, opts...))
	return d
}

// Close closes the tab and its browser context.
func (d *Tab) Close() { d.cancel() }

// Do runs actions, failing the test on an error.
func (d *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	d.T.Helper()
	if err := chromedp.Do(d.Ctx, actions...); err != nil {
		d.T.Fatalf("browser: %v (at %s)", err, d.Location())
	}
}

// Location is the path of the page shown.
func (d *Tab) Location() string {
	loc, _ := chromedp.Run(d.Ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	return loc
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](d *Tab, expr string) T {
	d.T.Helper()
	v, err := chromedp.Run(d.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		d.T.Fatalf("evaluate %s: %v (at %s)", expr, err, d.Location())
	}
	return v
}

// Nav runs an action that loads a new page and waits for that page.
func (d *Tab) Nav(a chromedp.Action[chromedp.Void]) {
	d.T.Helper()
	d.Do(chromedp.Evaluate[chromedp.Void](`window.__dyadOldPage = true`), a)
	var err error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var loaded bool
		loaded, err = chromedp.Run(d.Ctx, chromedp.Evaluate[bool](`window.__dyadOldPage === undefined && document.readyState === "complete"`))
		if err == nil && loaded {
			return
		}
		if d.Ctx.Err() != nil {
			break
		}
	}
	d.T.Fatalf("no new page: %v (at %s)", err, d.Location())
}

// Open loads a URL.
func (d *Tab) Open(u string) { d.T.Helper(); d.Nav(chromedp.Navigate(u)) }

// Shot saves a full-page screenshot as dir/NAME-VIEWPORT.png and returns
// its path.
func (d *Tab) Shot(dir, name string) string {
	d.T.Helper()
	png, err := chromedp.Run(d.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		d.T.Fatalf("screenshot: %v", err)
	}
	file := filepath.Join(dir, name+"-"+d.VP.Name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		d.T.Fatal(err)
	}
	return file
}

// Violation is one axe-core finding.
type Violation struct {
	ID, Impact, Help string
	Nodes            []string
}

// Axe runs axe-core on the page and fails on serious or critical
// violations of WCAG 2.0/2.1 A and AA and best practice; lesser findings
// are logged. It returns every finding.
func (d *Tab) Axe(name string) []Violation {
	d.T.Helper()
	src := AxeSource(d.T)
	if !Eval[bool](d, `typeof window.axe === "object"`) {
		d.Do(chromedp.Evaluate[chromedp.Void](src))
	}
	res, err := chromedp.Run(d.Ctx, chromedp.Evaluate[[]Violation](`axe.run(document, {
			runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
			resultTypes: ["violations"]
		}).then(r => r.violations.map(v => ({ID: v.id, Impact: v.impact || "", Help: v.help,
			Nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		d.T.Fatalf("axe on %s: %v", name, err)
	}
	for _, v := range res {
		msg := strings.Join(v.Nodes, ", ")
		if v.Impact == "serious" || v.Impact == "critical" {
			d.T.Errorf("axe, %s (%s): %s %s: %s at %s", name, d.VP.Name, v.Impact, v.ID, v.Help, msg)
		} else {
			d.T.Logf("axe, %s (%s): %s %s: %s at %s", name, d.VP.Name, v.Impact, v.ID, v.Help, msg)
		}
	}
	return res
}

// CheckReflow fails when the page scrolls sideways: content must reflow
// to the width (WCAG 1.4.10). It compares with the root's clientWidth, not
// innerWidth: a phone's layout viewport grows to fit content that
// overflows, and innerWidth with it.
func (d *Tab) CheckReflow(name string) {
	d.T.Helper()
	if w := Eval[[]int](d, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); w[0] > w[1] {
		d.T.Errorf("%s at %d px: the page is %d px wide and scrolls sideways", name, d.VP.Width, w[0])
	}
}
