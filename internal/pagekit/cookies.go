package pagekit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/gin-gonic/gin"
)

// SetCookie sets a page cookie: HttpOnly, Secure when the client reached
// Dyad over HTTPS (server.HTTPS), scoped to path. maxAge 0 makes a
// browser-session cookie, < 0 deletes it. The respondent pages use
// SameSite=Lax (a resume link must work from an e-mail), the dashboard
// Strict.
func SetCookie(c *gin.Context, name, value, path string, maxAge int, sameSite http.SameSite) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: server.HTTPS(c), SameSite: sameSite,
	})
}

// Cookie returns the value of the request's cookie name, or "".
func Cookie(c *gin.Context, name string) string {
	v, err := c.Cookie(name)
	if err != nil {
		return ""
	}
	return v
}

// RandomValue returns 256 random bits, base64url: a cookie secret or a
// session id.
func RandomValue() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand crashes instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidRandom tells whether s has the shape of a RandomValue.
func ValidRandom(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

// CSRFField is the form field that carries the token.
const CSRFField = "_csrf"

// CSRF signs and checks the tokens of the pages' forms: a token is
// HMAC-SHA256(key, "csrf" 0 scope 0 secret), where secret is a random
// value the browser holds in a cookie (a signed double-submit cookie) or
// a session id, and scope binds it to one use (a survey id, "login",
// "session"). A token of one scope or one browser is worth nothing in
// another.
type CSRF struct{ key []byte }

// NewCSRF returns the signer of one kind of page. key is kept across
// restarts (32 random bytes), so pages open during a restart stay valid;
// nil means a random key for this process. A non-empty label derives a
// key of its own, HMAC(key, label), so that no token of one kind of page
// is ever valid on another that shares the key.
func NewCSRF(key []byte, label string) *CSRF {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // never fails (crypto/rand crashes instead)
	}
	if label != "" {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(label))
		key = m.Sum(nil)
	}
	return &CSRF{key: key}
}

// Sign is the token of scope bound to secret.
func (k *CSRF) Sign(scope, secret string) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("csrf\x00" + scope + "\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Check tells whether a POST may go on: secret is well-formed, the form's
// token is its signature for scope, and the browser does not mark the
// request Sec-Fetch-Site: cross-site.
func (k *CSRF) Check(c *gin.Context, scope, secret string) bool {
	sent := c.PostForm(CSRFField)
	return ValidRandom(secret) && sent != "" &&
		hmac.Equal([]byte(sent), []byte(k.Sign(scope, secret))) &&
		c.GetHeader("Sec-Fetch-Site") != "cross-site"
}
