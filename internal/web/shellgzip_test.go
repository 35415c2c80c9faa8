package web_test

import (
	"bytes"
	"compress/gzip"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// jarClient sends requests straight to the server's handler with the
// cookies it set, as a browser would.
type jarClient struct {
	tb  testing.TB
	h   http.Handler
	jar map[string]*http.Cookie
}

func (j *jarClient) do(method, path, body string, gz bool) *httptest.ResponseRecorder {
	j.tb.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if gz {
		r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	}
	for _, ck := range j.jar {
		r.AddCookie(ck)
	}
	w := httptest.NewRecorder()
	j.h.ServeHTTP(w, r)
	for _, ck := range w.Result().Cookies() {
		j.jar[ck.Name] = ck
	}
	return w
}

// gunzipOne decodes body as exactly one gzip member (what browsers
// expect), checking its CRC-32 and size.
func gunzipOne(tb testing.TB, body []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	zr.Multistream(false)
	got, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("gunzip: %v", err)
	}
	if rest, _ := io.ReadAll(zr); len(rest) != 0 {
		tb.Fatal("bytes after the gzip member")
	}
	return got
}

// TestSectionShellGzip: the welcome page and section pages asked for with
// gzip decode to the very page sent to a client without gzip, for every section of two
// respondents' journeys (the second one meeting the tails the first one
// left) and for pages read back with answers. A fresh page (none of its
// items answered) is sent from its pre-compressed parts, which shows in
// the body as the CSRF token in a stored block, verbatim; a page with
// answers is compressed per request, so its tail, which holds them, is
// never kept. The pre-compressed page is at most a tenth larger than the
// same page compressed per request. The thank-you page is kept whole,
// the same for every respondent, unless its address has a query (its
// language links carry it).
func TestSectionShellGzip(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		base := "/s/" + f.open.ID
		// check asks for path plain and with gzip and compares them; it
		// returns the plain page and whether the gzip body holds the
		// token verbatim.
		check := func(j *jarClient, path, token string) (string, bool) {
			t.Helper()
			plain := j.do(http.MethodGet, path, "", false)
			zipped := j.do(http.MethodGet, path, "", true)
			if plain.Code != http.StatusOK || zipped.Code != http.StatusOK {
				t.Fatalf("GET %s: %d, %d", path, plain.Code, zipped.Code)
			}
			if zipped.Header().Get("Content-Encoding") != "gzip" || plain.Header().Get("Content-Encoding") != "" {
				t.Fatalf("GET %s: Content-Encoding %q and %q", path,
					zipped.Header().Get("Content-Encoding"), plain.Header().Get("Content-Encoding"))
			}
			if n, _ := strconv.Atoi(zipped.Header().Get("Content-Length")); n != zipped.Body.Len() {
				t.Fatalf("GET %s: Content-Length %d for %d bytes", path, n, zipped.Body.Len())
			}
			for _, h := range []string{"Content-Type", "Vary", "Content-Security-Policy", "Cache-Control"} {
				if zipped.Header().Get(h) != plain.Header().Get(h) {
					t.Fatalf("GET %s: %s %q with gzip, %q without", path, h, zipped.Header().Get(h), plain.Header().Get(h))
				}
			}
			got := gunzipOne(t, zipped.Body.Bytes())
			if !bytes.Equal(got, plain.Body.Bytes()) {
				t.Fatalf("GET %s: the gzip page differs from the plain one\n--- gzip\n%s\n--- plain\n%s", path, got, plain.Body.Bytes())
			}
			// The same page compressed per request, for its size.
			var per bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&per, gzip.BestSpeed)
			zw.Write(plain.Body.Bytes())
			zw.Close()
			if zipped.Body.Len() > per.Len()*11/10 {
				t.Errorf("GET %s: %d bytes sent, %d compressed per request at BestSpeed", path, zipped.Body.Len(), per.Len())
			}
			return plain.Body.String(), bytes.Contains(zipped.Body.Bytes(), []byte(token))
		}
		var doneFirst string
		for respondent, aiUse := range []int64{1, 1, 0} {
			j := &jarClient{tb: t, h: f.srv.Config.Handler, jar: map[string]*http.Cookie{}}
			w := j.do(http.MethodGet, base, "", false)
			_, rest, _ := strings.Cut(w.Body.String(), `name="_csrf" value="`)
			token, _, _ := strings.Cut(rest, `"`)
			if w.Code != http.StatusOK || token == "" {
				t.Fatalf("welcome: %d, no token", w.Code)
			}
			// The welcome page, stitched (stitch.go): the same both ways.
			if _, verbatim := check(j, base, token); !verbatim {
				t.Errorf("respondent %d: the welcome page not sent pre-compressed", respondent)
			}
			if w = j.do(http.MethodPost, base+"/start", url.Values{"_csrf": {token}}.Encode(), false); w.Code != http.StatusSeeOther {
				t.Fatalf("start: %d", w.Code)
			}
			a := studyAnswers(f.form, aiUse)
			next, visited := w.Header().Get("Location"), []string{}
			for strings.HasPrefix(next, base+"/p/") {
				fresh, verbatim := check(j, next, token)
				if !verbatim {
					t.Errorf("respondent %d, fresh %s: not sent pre-compressed", respondent, next)
				}
				si, _ := strconv.Atoi(strings.TrimPrefix(next, base+"/p/"))
				// The kept shell's title is the page's own.
				title := "<title>" + html.EscapeString(f.form.Instrument.Sections[si-1].Title) + " – Section " +
					strconv.Itoa(si) + " of " + strconv.Itoa(len(f.form.Instrument.Sections))
				if !strings.Contains(fresh, title) {
					t.Errorf("respondent %d, %s: no %q", respondent, next, title)
				}
				action := "next"
				if si == len(f.form.Instrument.Sections) {
					action = "submit"
				}
				form := sectionForm(f.form, si-1, a, action)
				if action == "next" && si > 1 {
					// Back once from here first: the page before, with its
					// answers, compressed per request.
					back := sectionForm(f.form, si-1, a, "back")
					back.Set("_csrf", token)
					w = j.do(http.MethodPost, next, back.Encode(), false)
					if w.Code != http.StatusSeeOther {
						t.Fatalf("back from %s: %d", next, w.Code)
					}
					prev := w.Header().Get("Location")
					answered, verbatim := check(j, prev, token)
					if verbatim {
						t.Errorf("respondent %d, %s with answers: sent from kept parts", respondent, prev)
					}
					if !strings.Contains(answered, "checked") {
						t.Errorf("respondent %d, %s read back shows no answer", respondent, prev)
					}
					// This page is now answered too (Back saved it).
					_, verbatim = check(j, next, token)
					if verbatim {
						t.Errorf("respondent %d, %s after Back: sent from kept parts", respondent, next)
					}
				}
				form.Set("_csrf", token)
				w = j.do(http.MethodPost, next, form.Encode(), false)
				if w.Code != http.StatusSeeOther {
					t.Fatalf("respondent %d: POST %s: %d\n%s", respondent, next, w.Code, w.Body)
				}
				visited = append(visited, next)
				next = w.Header().Get("Location")
			}
			if next != base+"/done" || len(visited) < 3 {
				t.Fatalf("respondent %d: the journey ended at %q after %v", respondent, next, visited)
			}
			// The thank-you page, kept once for everyone: the same bytes
			// plain and gzipped, for every respondent.
			done, _ := check(j, next, token)
			if !strings.Contains(done, `<div class="done">`) {
				t.Fatalf("respondent %d: not the thank-you page\n%s", respondent, done)
			}
			if doneFirst == "" {
				doneFirst = done
			} else if done != doneFirst {
				t.Fatalf("respondent %d: another thank-you page\n%s\n---\n%s", respondent, done, doneFirst)
			}
			// With a query, its language links differ: rendered, not kept.
			other, _ := check(j, next+"?t=x", token)
			if other == done || !strings.Contains(other, "t=x") {
				t.Fatalf("respondent %d: the thank-you page with a query is the kept one", respondent)
			}
		}
		if n := len(f.responses(t, f.open.ID)); n != 3 {
			t.Fatalf("%d responses, want 3", n)
		}
		for _, r := range f.responses(t, f.open.ID) {
			if r.Status != survey.ResponseComplete {
				t.Fatalf("response %s: %s", r.ID, r.Status)
			}
		}
	})
}
