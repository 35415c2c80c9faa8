package pagekit_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/gin-gonic/gin"
)

// post makes a gin context for a form POST carrying token.
func post(token string, header ...string) *gin.Context {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	form := url.Values{pagekit.CSRFField: {token}}
	c.Request = httptest.NewRequest(http.MethodPost, "/s/x/p/1", strings.NewReader(form.Encode()))
	c.Request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		c.Request.Header.Set(header[i], header[i+1])
	}
	return c
}

// A CSRF token holds for its own scope, secret and kind of page only,
// and never for a request the browser marks cross-site.
func TestCSRFTokensDoNotTravel(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	respondent, dashboard := pagekit.NewCSRF(key, ""), pagekit.NewCSRF(key, "dyad admin pages")
	secret, other := pagekit.RandomValue(), pagekit.RandomValue()
	tok := respondent.Sign("survey1", secret)
	for name, tc := range map[string]struct {
		k      *pagekit.CSRF
		token  string
		scope  string
		secret string
		header []string
		want   bool
	}{
		"its own":              {respondent, tok, "survey1", secret, nil, true},
		"same-site":            {respondent, tok, "survey1", secret, []string{"Sec-Fetch-Site", "same-origin"}, true},
		"another survey":       {respondent, tok, "survey2", secret, nil, false},
		"another browser":      {respondent, tok, "survey1", other, nil, false},
		"the dashboard":        {dashboard, tok, "survey1", secret, nil, false},
		"cross-site":           {respondent, tok, "survey1", secret, []string{"Sec-Fetch-Site", "cross-site"}, false},
		"no token":             {respondent, "", "survey1", secret, nil, false},
		"a malformed secret":   {respondent, respondent.Sign("survey1", "short"), "survey1", "short", nil, false},
		"a key of its own run": {pagekit.NewCSRF(nil, ""), tok, "survey1", secret, nil, false},
	} {
		if got := tc.k.Check(post(tc.token, tc.header...), tc.scope, tc.secret); got != tc.want {
			t.Errorf("%s: Check = %v, want %v", name, got, tc.want)
		}
	}
}

// A page is gzipped for a client that takes it and worth it, with the
// pages' headers; a client that refuses gzip gets it plain.
func TestWriteBodyCompresses(t *testing.T) {
	body := []byte(strings.Repeat("<p>a page of answers</p>\n", 200))
	for accept, gz := range map[string]bool{"gzip": true, "*": true, "gzip;q=0": false, "": false} {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodGet, "/s/x", nil)
		c.Request.Header.Set("Accept-Encoding", accept)
		pagekit.WriteBody(c, http.StatusOK, "text/html; charset=utf-8", body)
		if got := rec.Header().Get("Content-Encoding") == "gzip"; got != gz || (gz && rec.Body.Len() >= len(body)) {
			t.Errorf("Accept-Encoding %q: gzip %v (%d bytes), want %v", accept, got, rec.Body.Len(), gz)
		}
		if rec.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", accept, rec.Header().Get("Vary"))
		}
	}
}
