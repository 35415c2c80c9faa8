package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkJourney is one respondent's whole web form, as the load tool's
// journey does it: the welcome page and Start (through the loopback, by
// the test browser), then every section page asked for with gzip and
// posted with Next (Submit on the last), following each 303, and the
// thank-you page. The sections' requests go to the server's handler
// directly, so under `valgrind --tool=callgrind` with
// --toggle-collect on the server's ServeHTTP and the writer's commitBatch
// the instruction count is the server's work per journey alone
// (docs/performance.md).
func BenchmarkJourney(b *testing.B) {
	f := newFixture(b)
	h := f.srv.Config.Handler
	a := studyAnswers(f.form, 1)
	base := "/s/" + f.open.ID
	b.ReportAllocs()
	for b.Loop() {
		br := f.browser(b, f.open.ID)
		p := br.start("")
		if p.status != http.StatusSeeOther {
			b.Fatalf("start: %d", p.status)
		}
		var cookies []*http.Cookie
		for _, name := range []string{"dyad_resume", "dyad_csrf"} {
			ck := br.Cookie(base, name)
			if ck == nil {
				b.Fatalf("no cookie %s", name)
			}
			cookies = append(cookies, ck)
		}
		do := func(method, path, body string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(method, path, strings.NewReader(body))
			if body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			r.Header.Set("Accept-Encoding", "gzip, deflate, br")
			for _, ck := range cookies {
				r.AddCookie(ck)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w
		}
		next, pages := p.location, 0
		for strings.HasPrefix(next, base+"/p/") {
			if w := do(http.MethodGet, next, ""); w.Code != http.StatusOK {
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
			form.Set("_csrf", br.CSRF)
			w := do(http.MethodPost, next, form.Encode())
			if w.Code != http.StatusSeeOther {
				b.Fatalf("POST %s: %d\n%s", next, w.Code, w.Body)
			}
			next, pages = w.Header().Get("Location"), pages+1
		}
		if next != base+"/done" || pages < 2 {
			b.Fatalf("the journey ended at %q after %d pages", next, pages)
		}
		if w := do(http.MethodGet, next, ""); w.Code != http.StatusOK {
			b.Fatalf("done: %d", w.Code)
		}
	}
}
