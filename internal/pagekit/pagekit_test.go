package pagekit_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
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

// A token is HMAC-SHA256(key, "csrf" 0 scope 0 secret), base64url
// without padding, whichever pooled HMAC signs it and however many sign
// at once; a token changed in any way, even in the unused bits of its
// last character, is refused.
func TestCSRFTokenIsItsHMAC(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	k := pagekit.NewCSRF(key, "")
	want := func(scope, secret string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("csrf\x00" + scope + "\x00" + secret))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				scope, secret := fmt.Sprintf("survey%d", i%7), pagekit.RandomValue()
				if i%50 == 0 {
					scope += strings.Repeat("long", 2000) // grows a pooled buffer past its bound
				}
				if got := k.Sign(scope, secret); got != want(scope, secret) {
					t.Errorf("goroutine %d: Sign(%q) = %q, want %q", g, scope, got, want(scope, secret))
					return
				}
			}
		})
	}
	wg.Wait()
	secret := pagekit.RandomValue()
	tok := k.Sign("survey1", secret)
	if !k.Check(post(tok), "survey1", secret) {
		t.Fatal("its own token refused")
	}
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", tok[len(tok)-1])
	for name, bad := range map[string]string{
		"first character":  string(tok[0]^1) + tok[1:],
		"unused bits":      tok[:len(tok)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last^1]),
		"padded":           tok + "=",
		"one more":         tok + "A",
		"one less":         tok[:len(tok)-1],
		"standard base64":  base64.StdEncoding.EncodeToString([]byte(tok)),
		"another survey's": k.Sign("survey2", secret),
	} {
		if k.Check(post(bad), "survey1", secret) {
			t.Errorf("%s: %q accepted", name, bad)
		}
	}
}

// The pages' headers are shared values (pagekit.go): what one response
// adds to or sets over them shows in that response only.
func TestHeadersNotShared(t *testing.T) {
	a, b := http.Header{}, http.Header{}
	pagekit.Headers(a)
	pagekit.Headers(b)
	a.Add("Cache-Control", "private")
	a.Set("X-Frame-Options", "SAMEORIGIN")
	a.Del("Referrer-Policy")
	want := http.Header{}
	for k, v := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
		"Cross-Origin-Opener-Policy": "same-origin", "Cache-Control": "no-store",
	} {
		want.Set(k, v)
	}
	c := http.Header{}
	pagekit.Headers(c)
	for _, h := range []http.Header{b, c} {
		if fmt.Sprint(h) != fmt.Sprint(want) {
			t.Fatalf("headers %v, want %v", h, want)
		}
	}
	if got := a.Values("Cache-Control"); len(got) != 2 || got[1] != "private" {
		t.Fatalf("added to: %q", got)
	}
	// Vary: added to what is there, once per body written.
	for _, before := range [][]string{nil, {"Origin"}, nil} {
		rec := httptest.NewRecorder()
		ctx, _ := gin.CreateTestContext(rec)
		ctx.Request = httptest.NewRequest(http.MethodGet, "/s/x", nil)
		ctx.Request.Header.Set("Accept-Encoding", "gzip")
		for _, v := range before {
			rec.Header().Add("Vary", v)
		}
		pagekit.WriteBody(ctx, http.StatusOK, "text/html; charset=utf-8", []byte(strings.Repeat("<p>x</p>", 200)))
		if got, want := rec.Header().Values("Vary"), append(before, "Accept-Encoding"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Vary %q, want %q", got, want)
		}
		if rec.Header().Get("Content-Type") != "text/html; charset=utf-8" || rec.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("headers %v", rec.Header())
		}
		rec.Header().Add("Vary", "Cookie")
		rec.Header().Add("Content-Encoding", "br")
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

// TestValidRandom holds ValidRandom to the verdict of decoding the value
// with DecodeString, on values of every shape around the one it accepts:
// line breaks (which the decoder skips), padding, wrong lengths, other
// alphabets, trailing bits and values longer than its stack buffer.
func TestValidRandom(t *testing.T) {
	good := pagekit.RandomValue()
	cases := []string{
		"", good, good[:42], good + "A", good + "=", good[:20] + "\n" + good[20:],
		good[:10] + "\r\n" + good[10:30] + "\n" + good[30:], good[:42] + "B", good[:42] + "_",
		strings.Replace(good, good[:1], "+", 1), strings.Replace(good, good[:1], "/", 1),
		good[:5] + "." + good[6:], strings.Repeat("\n", 30) + good, good + strings.Repeat("\r\n", 20),
		strings.Repeat("A", 64), strings.Repeat("A", 65), strings.Repeat("A", 86),
		strings.Repeat("\n", 70) + good, base64.RawURLEncoding.EncodeToString(make([]byte, 48)),
	}
	for _, s := range cases {
		b, err := base64.RawURLEncoding.DecodeString(s)
		want := err == nil && len(b) == 32
		if got := pagekit.ValidRandom(s); got != want {
			t.Errorf("ValidRandom(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestVerify: Verify accepts exactly the token Sign makes, of its scope
// and secret.
func TestVerify(t *testing.T) {
	k := pagekit.NewCSRF(nil, "")
	tok := k.Sign("view:abc", "1.1700000000000")
	if !k.Verify("view:abc", "1.1700000000000", tok) {
		t.Fatal("Sign's token refused")
	}
	flipped := []byte(tok)
	flipped[42] ^= 1
	for _, c := range []struct{ scope, secret, token string }{
		{"view:abd", "1.1700000000000", tok}, {"view:abc", "1.1700000000001", tok},
		{"view:abc", "1.1700000000000", tok[:42]}, {"view:abc", "1.1700000000000", tok + "A"},
		{"view:abc", "1.1700000000000", string(flipped)}, {"view:abc", "1.1700000000000", ""},
	} {
		if k.Verify(c.scope, c.secret, c.token) {
			t.Errorf("Verify(%q, %q, %q) accepted", c.scope, c.secret, c.token)
		}
	}
}
