package admin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

const (
	sessionCookie = "dyad_admin"
	// loginCookie is the random value the sign-in form's CSRF token signs.
	loginCookie    = "dyad_admin_csrf"
	loginCookieAge = 12 * 60 * 60 // seconds
	cookiePath     = "/admin"
	csrfField      = "_csrf"
	ctxSession     = "admin_session"
)

// secure tells whether cookies must be Secure: the request came over TLS,
// through a proxy that says so, or the public URL is HTTPS.
func (p *Pages) secure(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.HasPrefix(p.publicURL, "https://") ||
		strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

// setCookie sets an /admin cookie: HttpOnly, SameSite=Strict, Secure over
// HTTPS. maxAge 0 makes a browser-session cookie, < 0 deletes it.
func (p *Pages) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: cookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: p.secure(c), SameSite: http.SameSiteStrictMode,
	})
}

func cookie(c *gin.Context, name string) string {
	v, err := c.Cookie(name)
	if err != nil {
		return ""
	}
	return v
}

func randomValue() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand crashes instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

func validRandom(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

// sign is the CSRF token of a purpose ("login" or "session") bound to a
// value (the login cookie or the session id).
func (p *Pages) sign(purpose, value string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte("csrf\x00" + purpose + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// loginToken returns the sign-in form's CSRF token, setting the browser's
// login cookie first if it has none.
func (p *Pages) loginToken(c *gin.Context) string {
	v := cookie(c, loginCookie)
	if !validRandom(v) {
		v = randomValue()
		p.setCookie(c, loginCookie, v, loginCookieAge)
	}
	return p.sign("login", v)
}

// sessionToken returns the CSRF token of the request's session.
func (p *Pages) sessionToken(c *gin.Context) string {
	return p.sign("session", c.GetString(ctxSession))
}

// sessionCSRFOK checks a signed-in POST's token.
func (p *Pages) sessionCSRFOK(c *gin.Context) bool {
	return p.csrfOK(c, "session", c.GetString(ctxSession))
}

// csrfOK checks a POST's token against the one for purpose and value (the
// login cookie or the session id, which must be well-formed), and refuses
// requests the browser marks as cross-site. On failure it renders the 403
// page.
func (p *Pages) csrfOK(c *gin.Context, purpose, value string) bool {
	sent := c.PostForm(csrfField)
	if validRandom(value) && sent != "" && hmac.Equal([]byte(sent), []byte(p.sign(purpose, value))) &&
		c.GetHeader("Sec-Fetch-Site") != "cross-site" {
		return true
	}
	v := p.newView(c, "This page has expired")
	v.message(http.StatusForbidden, "This page has expired",
		"For your safety, the form could not be accepted: it was open for too long, it came from another site, or your browser blocks the cookies the dashboard needs.",
		"Nothing was changed. Please go back, reload the page and try again.")
	v.Message.Link, v.Message.LinkText = "/admin", "Go to the dashboard"
	p.render(c, v)
	return false
}

// requireSession admits requests with a live session; others are
// redirected to the sign-in form, which brings a GET back where it was.
func (p *Pages) requireSession(c *gin.Context) {
	id := cookie(c, sessionCookie)
	ok := false
	if validRandom(id) {
		var err error
		if ok, err = p.sessions.valid(c.Request.Context(), id); err != nil {
			p.fail(c, err)
			c.Abort()
			return
		}
	}
	if !ok {
		if id != "" {
			p.setCookie(c, sessionCookie, "", -1)
		}
		to := "/admin/login"
		if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
			if next := localNext(c.Request.URL.RequestURI()); next != "" && next != "/admin" {
				to += "?next=" + url.QueryEscape(next)
			}
		}
		pageHeadersOnly(c)
		c.Redirect(http.StatusSeeOther, to)
		c.Abort()
		return
	}
	c.Set(ctxSession, id)
	c.Next()
}

// maxNext bounds the address sign-in returns to.
const maxNext = 2048

// localNext returns s if it is a path of the dashboard that sign-in may
// return to, else "": no scheme, no host, no "//" or backslash tricks, no
// dot segments, no control characters, and nothing outside /admin. The
// sign-in and sign-out addresses themselves become /admin.
func localNext(s string) string {
	if s == "" || len(s) > maxNext || !strings.HasPrefix(s, "/admin") {
		return ""
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.Fragment != "" {
		return ""
	}
	if u.Path != "/admin" && !strings.HasPrefix(u.Path, "/admin/") {
		return "" // such as /administrator
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return ""
		}
	}
	switch strings.TrimSuffix(u.Path, "/") {
	case "/admin/login", "/admin/logout":
		return "/admin"
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}
