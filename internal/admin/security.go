package admin

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

const (
	sessionCookie = "dyad_admin"
	// loginCookie is the random value the sign-in form's CSRF token signs.
	loginCookie    = "dyad_admin_csrf"
	loginCookieAge = 12 * 60 * 60 // seconds
	cookiePath     = "/admin"
	ctxSession     = "admin_session"
)

// setCookie sets an /admin cookie: SameSite=Strict (pagekit.SetCookie:
// HttpOnly, Secure over HTTPS). maxAge 0 makes a browser-session cookie,
// < 0 deletes it.
func (p *Pages) setCookie(c *gin.Context, name, value string, maxAge int) {
	pagekit.SetCookie(c, name, value, cookiePath, maxAge, http.SameSiteStrictMode)
}

func cookie(c *gin.Context, name string) string { return pagekit.Cookie(c, name) }

func validRandom(s string) bool { return pagekit.ValidRandom(s) }

// sign is the CSRF token of a purpose ("login" or "session") bound to a
// value (the login cookie or the session id).
func (p *Pages) sign(purpose, value string) string { return p.csrf.Sign(purpose, value) }

// loginToken returns the sign-in form's CSRF token, setting the browser's
// login cookie first if it has none.
func (p *Pages) loginToken(c *gin.Context) string {
	v := cookie(c, loginCookie)
	if !validRandom(v) {
		v = pagekit.RandomValue()
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
	if p.csrf.Check(c, purpose, value) {
		return true
	}
	v := p.newView(c, tr("admin.error.expired"))
	v.message(http.StatusForbidden, tr("admin.error.expired"), tr("admin.error.expired_why"), tr("admin.error.expired_next"))
	v.Message.Link, v.Message.LinkText = "/admin", tr("admin.error.to_dashboard")
	p.render(c, v)
	return false
}

// requireSession admits requests with a live session; others are
// redirected to the sign-in form, which brings a GET back where it was.
func (p *Pages) requireSession(c *gin.Context) {
	id := cookie(c, sessionCookie)
	var sn *survey.Session
	var act server.Actor
	if validRandom(id) {
		var err error
		if sn, err = p.sessions.lookup(c.Request.Context(), id); err == nil && sn != nil {
			act, err = p.auth.UserActor(c.Request.Context(), sn.UserID, "session")
			if survey.ErrorCode(err) == survey.ENotFound {
				sn, err = nil, nil // the account is gone: its session with it
			}
		}
		if err != nil {
			p.fail(c, err)
			c.Abort()
			return
		}
	}
	if sn == nil {
		if id != "" {
			p.setCookie(c, sessionCookie, "", -1)
		}
		to := "/admin/login"
		if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
			if next := localNext(c.Request.URL.RequestURI()); next != "" && next != "/admin" {
				to += "?next=" + url.QueryEscape(next)
			}
		}
		pagekit.Headers(c.Writer.Header())
		c.Redirect(http.StatusSeeOther, to)
		c.Abort()
		return
	}
	c.Set(ctxSession, id)
	// A member of a study that requires a second factor, without one,
	// sets it up before anything else (or signs out).
	if act.UserID != 0 && !act.HasTOTP && !totpExempt[c.FullPath()] {
		need, err := p.needsTOTP(c.Request.Context(), act)
		if err != nil {
			p.fail(c, err)
			c.Abort()
			return
		}
		if need {
			pagekit.Headers(c.Writer.Header())
			c.Redirect(http.StatusSeeOther, "/admin/totp")
			c.Abort()
			return
		}
	}
	// The policy table decides what this actor may do here (and records
	// the audited routes).
	p.auth.Authorize(c, act)
}

// may tells whether the request's actor may call the dashboard route
// pattern with GET: pages hide the links the policy table would refuse.
func may(c *gin.Context, pattern string) bool {
	act, _ := server.ActorFrom(c.Request.Context())
	return server.Allowed(server.RuleFor(http.MethodGet, pattern), act)
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
