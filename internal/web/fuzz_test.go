package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// FuzzWebFormPOST posts arbitrary form bodies, with and without the CSRF
// token, to a section page of the study survey on a real SQLite store, for
// a fresh response each time. No post may get a 5xx (a panic becomes one)
// or leave stored answers that break the API's rules, and a post that is
// refused outright (any 4xx but 422, which saves what is valid and asks
// for the rest) must change nothing stored.
func FuzzWebFormPOST(f *testing.F) {
	fx := newFixture(f, enginetest.SQLite)
	engine := fx.srv.Config.Handler
	// One browser's CSRF cookie and token, valid for every post.
	b := fx.browser(f, fx.open.ID)
	if p := b.get(""); p.status != http.StatusOK {
		f.Fatalf("welcome: %d", p.status)
	}
	u := fx.srv.URL + "/s/" + fx.open.ID
	var csrfSecret string
	for _, c := range b.HTTP.Jar.Cookies(mustURL(f, u)) {
		if c.Name == "dyad_csrf" {
			csrfSecret = c.Value
		}
	}
	if csrfSecret == "" || b.CSRF == "" {
		f.Fatal("no CSRF cookie or token")
	}
	sections := len(fx.form.Instrument.Sections)

	for _, seed := range []struct {
		section uint8
		body    string
		csrf    bool
	}{
		{0, "ai_use=1&_action=next", true},
		{0, "ai_use=0&_shown=ai_use&_action=next", true},
		{0, "ai_use=abc", true},
		{0, "ai_use=1&ai_tools=1&ai_tools=99&_action=submit", true},
		{1, "eff_1=3&_action=back", true},
		{2, "%zz&a=b&a=c", true},
		{0, "ai_use=1&_action=next", false},
		{7, "", true},
	} {
		f.Add(seed.section, seed.body, seed.csrf)
	}
	f.Fuzz(func(t *testing.T, section uint8, body string, withCSRF bool) {
		ctx := context.Background()
		_, token, err := fx.svc.StartProgress(ctx, fx.open.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if withCSRF {
			body += "&_csrf=" + b.CSRF
		}
		path := "/s/" + fx.open.ID + "/p/" + strconv.Itoa(int(section)%sections+1)
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "dyad_csrf", Value: csrfSecret})
		req.AddCookie(&http.Cookie{Name: "dyad_resume", Value: token})
		rec := httptest.NewRecorder()
		engine.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q: %d\n%s", path, body, rec.Code, rec.Body)
		}
		after, err := fx.svc.FindProgress(ctx, fx.open.ID, token)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Code >= 400 && rec.Code != http.StatusUnprocessableEntity {
			if after.Status != survey.ResponseInProgress || len(after.Answers) != 0 {
				t.Fatalf("POST %s %q was refused with %d but changed the response: %s %s", path, body, rec.Code, after.Status, after.Answers.Canonical())
			}
		}
		if err := fx.form.Check(after.Answers, after.Status == survey.ResponseInProgress); err != nil {
			t.Fatalf("POST %s %q stored answers that break the rules: %v", path, body, err)
		}
	})
}

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
