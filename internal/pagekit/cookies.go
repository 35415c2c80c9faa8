package pagekit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"net/http"
	"sync"
	"unsafe"

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

// ValidRandom tells whether s has the shape of a RandomValue: it decodes
// as base64url (the decoder skips line breaks) to 32 bytes.
//
// Every respondent page and every POST asks it of the browser's CSRF
// cookie, so a value of a usual length is decoded on the stack rather than
// through DecodeString, which allocated its input's bytes and the result;
// the verdict is DecodeString's either way.
func ValidRandom(s string) bool {
	var src [64]byte
	if len(s) > len(src) {
		b, err := base64.RawURLEncoding.DecodeString(s)
		return err == nil && len(b) == 32
	}
	var dst [48]byte // DecodedLen(64)
	n, err := base64.RawURLEncoding.Decode(dst[:], src[:copy(src[:], s)])
	return err == nil && n == 32
}

// CSRFField is the form field that carries the token.
const CSRFField = "_csrf"

// CSRF signs and checks the tokens of the pages' forms: a token is
// HMAC-SHA256(key, "csrf" 0 scope 0 secret), where secret is a random
// value the browser holds in a cookie (a signed double-submit cookie) or
// a session id, and scope binds it to one use (a survey id, "login",
// "session"). A token of one scope or one browser is worth nothing in
// another.
//
// Every respondent page signs a token and every POST checks one, so the
// HMACs are kept in a pool: an HMAC's Reset goes back to its key's state
// without hashing the key's pads again, and a kept one allocates nothing.
type CSRF struct {
	key  []byte
	macs sync.Pool // *csrfMAC
}

// csrfMAC is one HMAC of the key with room for a message and a sum.
type csrfMAC struct {
	h   hash.Hash
	msg []byte
	sum [sha256.Size]byte
}

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
	k := &CSRF{key: key}
	k.macs.New = func() any { return &csrfMAC{h: hmac.New(sha256.New, k.key)} }
	return k
}

// mac computes the raw token of scope bound to secret into m.sum.
func (k *CSRF) mac(m *csrfMAC, scope, secret string) {
	m.h.Reset()
	m.msg = append(append(append(append(m.msg[:0], "csrf\x00"...), scope...), 0), secret...)
	m.h.Write(m.msg)
	m.h.Sum(m.sum[:0])
}

// strictToken reads a sent token: Strict, so that a token whose last
// character carries other unused bits is refused as the string compare
// refused it.
var strictToken = base64.RawURLEncoding.Strict()

// put returns m to the pool, unless a huge scope or secret grew it.
func (k *CSRF) put(m *csrfMAC) {
	if cap(m.msg) <= 4096 {
		k.macs.Put(m)
	}
}

// Sign is the token of scope bound to secret.
func (k *CSRF) Sign(scope, secret string) string {
	m := k.macs.Get().(*csrfMAC)
	defer k.put(m)
	k.mac(m, scope, secret)
	// Encoded on the stack: EncodeToString allocates its buffer and then
	// the string.
	var tok [43]byte // EncodedLen(sha256.Size)
	base64.RawURLEncoding.Encode(tok[:], m.sum[:])
	return string(tok[:])
}

// Verify tells whether token is Sign(scope, secret), without making the
// string: a signed value read back (the web form's page-time stamp) is
// checked on every page and every save.
func (k *CSRF) Verify(scope, secret, token string) bool {
	m := k.macs.Get().(*csrfMAC)
	defer k.put(m)
	k.mac(m, scope, secret)
	var want [43]byte // EncodedLen(sha256.Size)
	base64.RawURLEncoding.Encode(want[:], m.sum[:])
	return len(token) == len(want) && subtle.ConstantTimeCompare(want[:], unsafe.Slice(unsafe.StringData(token), len(token))) == 1
}

// Check tells whether a POST may go on: secret is well-formed, the form's
// token is its signature for scope, and the browser does not mark the
// request Sec-Fetch-Site: cross-site.
func (k *CSRF) Check(c *gin.Context, scope, secret string) bool {
	sent := c.PostForm(CSRFField)
	if !ValidRandom(secret) || c.GetHeader("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	// A token is the base64url of 32 bytes, 43 characters: anything else
	// is refused before hashing, and the bytes are compared as bytes.
	var raw [sha256.Size]byte
	if len(sent) != base64.RawURLEncoding.EncodedLen(len(raw)) {
		return false
	}
	var src [43]byte // on the stack: []byte(sent) allocated
	if n, err := strictToken.Decode(raw[:], src[:copy(src[:], sent)]); err != nil || n != len(raw) {
		return false
	}
	m := k.macs.Get().(*csrfMAC)
	defer k.put(m)
	k.mac(m, scope, secret)
	return hmac.Equal(raw[:], m.sum[:])
}
