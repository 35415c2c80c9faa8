package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
)

// BenchmarkJourney is one respondent's whole web form, as the load tool's
// journey does it: the welcome page and Start, then every section page
// asked for with gzip and posted with Next (Submit on the last), following
// each 303, and the thank-you page. Every request goes to the server's
// handler directly from this goroutine, with the cookies it set, so under
// `valgrind --tool=callgrind` with --toggle-collect on the server's
// ServeHTTP and the writer's commitBatch the instruction count is the
// server's work per journey (docs/performance.md). cpu-s/op is the
// process's CPU time while the server handles the journey's requests (the
// writer's commits included; the fsyncs' waits, and this benchmark's own
// work between requests, not).
func BenchmarkJourney(b *testing.B) {
	f := newFixture(b, enginetest.SQLite)
	h := f.srv.Config.Handler
	a := studyAnswers(f.form, 1)
	base := "/s/" + f.open.ID
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		jar := map[string]*http.Cookie{}
		// do sends a request with the cookies set so far, as a browser
		// would, taking gzip unless plain.
		do := func(method, path, body string, plain bool) *httptest.ResponseRecorder {
			r := httptest.NewRequest(method, path, strings.NewReader(body))
			if body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if !plain {
				r.Header.Set("Accept-Encoding", "gzip, deflate, br")
			}
			for _, ck := range jar {
				r.AddCookie(ck)
			}
			w := httptest.NewRecorder()
			start := processCPU()
			h.ServeHTTP(w, r)
			cpu += processCPU() - start
			for _, ck := range w.Result().Cookies() {
				jar[ck.Name] = ck
			}
			return w
		}
		// The welcome page, plain, for the token in its form.
		w := do(http.MethodGet, base, "", true)
		_, rest, ok := strings.Cut(w.Body.String(), `name="_csrf" value="`)
		token, _, _ := strings.Cut(rest, `"`)
		if w.Code != http.StatusOK || !ok || token == "" {
			b.Fatalf("welcome: %d, no token", w.Code)
		}
		w = do(http.MethodPost, base+"/start", url.Values{"_csrf": {token}}.Encode(), false)
		if w.Code != http.StatusSeeOther {
			b.Fatalf("start: %d", w.Code)
		}
		next, pages := w.Header().Get("Location"), 0
		for strings.HasPrefix(next, base+"/p/") {
			if w := do(http.MethodGet, next, "", false); w.Code != http.StatusOK {
				b.Fatalf("GET %s: %d", next, w.Code)
			}
			si := 0
			for sectionPath(si) != strings.TrimPrefix(next, base) {
				si++
			}
			action := "next"
			if si == len(f.form.Instrument.Sections)-1 {
				action = "submit"
			}
			form := sectionForm(f.form, si, a, action)
			form.Set("_csrf", token)
			w = do(http.MethodPost, next, form.Encode(), false)
			if w.Code != http.StatusSeeOther {
				b.Fatalf("POST %s: %d\n%s", next, w.Code, w.Body)
			}
			next, pages = w.Header().Get("Location"), pages+1
		}
		if next != base+"/done" || pages < 2 {
			b.Fatalf("the journey ended at %q after %d pages", next, pages)
		}
		if w = do(http.MethodGet, next, "", false); w.Code != http.StatusOK {
			b.Fatalf("done: %d", w.Code)
		}
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}
