package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// The respondent pages' costs per request, through the real router on a
// real SQLite file (the server's handler called directly, so the figures
// hold the server's work, not the loopback's): the server CPU of a web
// journey is mostly these two requests, repeated per section.

// benchRespondent starts a response, saves section 1 with the study's
// answers, and returns a function making requests with its cookies.
func benchRespondent(b *testing.B) (*fixture, func(method, path string, body string) *http.Request, *browser) {
	f := newFixture(b, enginetest.SQLite)
	br := f.browser(b, f.open.ID)
	if p := br.start(""); p.status != http.StatusSeeOther {
		b.Fatalf("start: %d", p.status)
	}
	br.get(sectionPath(0))
	a := studyAnswers(f.form, 1)
	if p := br.post(sectionPath(0), sectionForm(f.form, 0, a, "next")); p.status != http.StatusSeeOther {
		b.Fatalf("save: %d\n%s", p.status, p.body)
	}
	var cookies []*http.Cookie
	for _, name := range []string{"dyad_resume", "dyad_csrf"} {
		ck := br.Cookie("/s/"+f.open.ID, name)
		if ck == nil {
			b.Fatalf("no cookie %s", name)
		}
		cookies = append(cookies, ck)
	}
	newReq := func(method, path, body string) *http.Request {
		r := httptest.NewRequest(method, "/s/"+f.open.ID+path, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		r.Header.Set("Accept-Encoding", "gzip, deflate, br")
		for _, ck := range cookies {
			r.AddCookie(ck)
		}
		return r
	}
	return f, newReq, br
}

// BenchmarkSectionPage is GET of an answered section page, gzipped.
func BenchmarkSectionPage(b *testing.B) {
	f, newReq, _ := benchRespondent(b)
	h := f.srv.Config.Handler
	b.ReportAllocs()
	sent := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, newReq(http.MethodGet, sectionPath(0), ""))
		if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" {
			b.Fatalf("section: %d", w.Code)
		}
		sent = w.Body.Len()
	}
	b.ReportMetric(float64(sent), "gzip-bytes")
}

// BenchmarkFreshSectionPage is GET of a section page none of whose items
// is answered yet (section 2, as the journey meets it), gzipped: sent
// from its pre-compressed parts (shellgzip.go). BenchmarkPageGzip
// compresses the same page per request; both report the bytes sent.
func BenchmarkFreshSectionPage(b *testing.B) {
	f, newReq, _ := benchRespondent(b)
	h := f.srv.Config.Handler
	b.ReportAllocs()
	sent := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, newReq(http.MethodGet, sectionPath(1), ""))
		if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" {
			b.Fatalf("section: %d", w.Code)
		}
		sent = w.Body.Len()
	}
	b.ReportMetric(float64(sent), "gzip-bytes")
}

// BenchmarkSaveSection is POST of section 1 with Next, its answers
// changing every time (so every save writes), answered by a 303.
func BenchmarkSaveSection(b *testing.B) {
	f, newReq, br := benchRespondent(b)
	br.get(sectionPath(0)) // the CSRF token
	var choice *survey.Item
	for i, it := range f.form.Instrument.Sections[0].Items {
		if it.Type == survey.Likert || it.Type == survey.SingleChoice {
			choice = &f.form.Instrument.Sections[0].Items[i]
			break
		}
	}
	if choice == nil {
		b.Fatal("section 1 has no single-choice item")
	}
	opts := f.form.Options(choice.ID)
	var bodies [2]string
	for i := range bodies {
		a := studyAnswers(f.form, 1)
		a[choice.ID] = survey.IntVal(opts[i].Value)
		form := sectionForm(f.form, 0, a, "next")
		form.Set("_csrf", br.CSRF)
		bodies[i] = form.Encode()
	}
	h := f.srv.Config.Handler
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, newReq(http.MethodPost, sectionPath(0), bodies[i%2]))
		if w.Code != http.StatusSeeOther {
			b.Fatalf("save: %d\n%s", w.Code, w.Body)
		}
		i++
	}
}

// BenchmarkSubmitSection is POST of the last section with Submit, which
// checks the whole response and submits it (spending nothing: the survey
// is open), answered by a 303. Every operation needs a respondent of its
// own with the earlier sections saved; that is done with the timer
// stopped, so allocs/op and cpu-s/op (the process's CPU time while the
// timer runs, the writer's commit included) are the last page's alone.
func BenchmarkSubmitSection(b *testing.B) {
	f := newFixture(b, enginetest.SQLite)
	h := f.srv.Config.Handler
	last := len(f.form.Instrument.Sections) - 1
	a := studyAnswers(f.form, 1)
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		br := f.browser(b, f.open.ID)
		if p := br.start(""); p.status != http.StatusSeeOther {
			b.Fatalf("start: %d", p.status)
		}
		for si := 0; si < last; si++ {
			br.get(sectionPath(si))
			if p := br.post(sectionPath(si), sectionForm(f.form, si, a, "next")); p.status != http.StatusSeeOther {
				b.Fatalf("save %d: %d\n%s", si+1, p.status, p.body)
			}
		}
		br.get(sectionPath(last))
		form := sectionForm(f.form, last, a, "submit")
		form.Set("_csrf", br.CSRF)
		r := httptest.NewRequest(http.MethodPost, "/s/"+f.open.ID+sectionPath(last), strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, name := range []string{"dyad_resume", "dyad_csrf"} {
			ck := br.Cookie("/s/"+f.open.ID, name)
			if ck == nil {
				b.Fatalf("no cookie %s", name)
			}
			r.AddCookie(ck)
		}
		w := httptest.NewRecorder()
		b.StartTimer()
		start := processCPU()
		h.ServeHTTP(w, r)
		cpu += processCPU() - start
		if w.Code != http.StatusSeeOther || !strings.HasSuffix(w.Header().Get("Location"), "/done") {
			b.Fatalf("submit: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
		}
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
