package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// contentSecurityPolicy allows nothing but this origin's own files: no
// inline script or style (style attributes included), no plugins, no
// framing, and forms that post only here.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// pageHeaders sets the security headers of every HTML page. The API's
// middleware has set nosniff, Referrer-Policy and Cache-Control: no-store
// already; they are set again so the pages do not depend on it.
func pageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store") // pages hold answers and the resume link
}

const (
	resumeCookie = "dyad_resume"
	csrfCookie   = "dyad_csrf"
	cookieMaxAge = 30 * 24 * 60 * 60 // seconds: a respondent may come back weeks later
	// doneMaxAge keeps the resume cookie of a submitted response for a day:
	// long enough that reload and back show the thank-you page, short
	// enough that a shared ward computer is free for the next physician.
	doneMaxAge = 24 * 60 * 60
	csrfField  = "_csrf"
)

// secure tells whether cookies must be Secure: the request came over TLS,
// through a proxy that says so, or the public URL is HTTPS.
func (h *handler) secure(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.HasPrefix(h.publicURL, "https://") ||
		strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

func (h *handler) setCookie(c *gin.Context, surveyID, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/s/" + surveyID, MaxAge: maxAge,
		HttpOnly: true, Secure: h.secure(c), SameSite: http.SameSiteLaxMode,
	})
}

func cookie(c *gin.Context, name string) string {
	v, err := c.Cookie(name)
	if err != nil {
		return ""
	}
	return v
}

// csrfToken returns the token for this browser's forms of the survey,
// setting the browser's CSRF cookie first if it has none.
func (h *handler) csrfToken(c *gin.Context, surveyID string) string {
	secret := cookie(c, csrfCookie)
	if !validSecret(secret) {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		secret = base64.RawURLEncoding.EncodeToString(b)
		h.setCookie(c, surveyID, csrfCookie, secret, cookieMaxAge)
	}
	return h.sign(surveyID, secret)
}

func validSecret(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

func (h *handler) sign(surveyID, secret string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("csrf\x00" + surveyID + "\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfOK checks a POST: the form's token must be the signature of this
// browser's cookie for this survey, and the browser must not report the
// request as cross-site. A request that fails gets the 403 page.
func (h *handler) csrfOK(c *gin.Context, v *view) bool {
	secret := cookie(c, csrfCookie)
	sent := c.PostForm(csrfField)
	ok := validSecret(secret) && sent != "" &&
		hmac.Equal([]byte(sent), []byte(h.sign(v.surveyID, secret))) &&
		c.GetHeader("Sec-Fetch-Site") != "cross-site"
	if !ok {
		v.message(c, http.StatusForbidden, "This page has expired",
			"For your safety, the form could not be accepted. This happens when a page was left open for a very long time, or when your browser blocks cookies, which this survey needs to keep your answers as you go.",
			"The answers you saved by moving to another page are kept. Please open the survey again and continue.")
		v.link("/s/"+v.surveyID, "Return to the survey")
		h.render(c, v)
		return false
	}
	return true
}
