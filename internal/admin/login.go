package admin

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// maxTokenLength bounds the token field: longer is never a valid token.
const maxTokenLength = 1024

// loginView is the sign-in form.
type loginView struct {
	Next      string
	CSRF      string
	Error     string
	SignedOut bool
}

// loginForm: GET /admin/login. A browser with a live session goes on to
// next at once.
func (p *Pages) loginForm(c *gin.Context) {
	next := localNext(c.Query("next"))
	if id := cookie(c, sessionCookie); validRandom(id) {
		ok, err := p.sessions.valid(c.Request.Context(), id)
		if err != nil {
			p.fail(c, err)
			return
		}
		if !ok {
			p.loginPage(c, http.StatusOK, next, "", c.Query("signed_out") == "1")
			return
		}
		pagekit.Headers(c.Writer.Header())
		c.Redirect(http.StatusSeeOther, orDashboard(next))
		return
	}
	p.loginPage(c, http.StatusOK, next, "", c.Query("signed_out") == "1")
}

func orDashboard(next string) string {
	if next == "" {
		return "/admin"
	}
	return next
}

func (p *Pages) loginPage(c *gin.Context, status int, next, errText string, signedOut bool) {
	v := p.newView(c, tr("admin.login.title"))
	if errText != "" {
		v.Title = tr("admin.crumbs.error_title", "Title", tr("admin.login.title"))
	}
	v.page, v.status = "login", status
	v.Login = &loginView{Next: next, CSRF: p.loginToken(c), Error: errText, SignedOut: signedOut}
	p.render(c, v)
}

// login: POST /admin/login. The form holds an e-mail address and a
// password (an account), or the researcher token (the bootstrap
// credential); whichever is filled in is checked.
func (p *Pages) login(c *gin.Context) {
	next := localNext(c.PostForm("next"))
	if !p.csrfOK(c, "login", cookie(c, loginCookie)) {
		return
	}
	if email := strings.TrimSpace(c.PostForm("email")); email != "" || c.PostForm("password") != "" {
		p.loginPassword(c, next, email, c.PostForm("password"), c.PostForm("code"))
		return
	}
	token := strings.TrimSpace(c.PostForm("token"))
	if token != "" {
		// Refused before the token is compared, the right one too: else
		// the limit would not stop the guessing.
		if wait, blocked := p.auth.Blocked(c); blocked {
			secs := max(1, int(math.Ceil(wait.Seconds())))
			c.Header("Retry-After", strconv.Itoa(secs))
			p.loginPage(c, http.StatusTooManyRequests, next,
				trn("admin.login.too_many_tokens", secs), false)
			return
		}
	}
	switch {
	case token == "":
		p.loginPage(c, http.StatusUnprocessableEntity, next, tr("admin.login.enter"), false)
		return
	case len(token) > maxTokenLength || !p.auth.TokenOK(token):
		p.auth.Failed(c)
		p.auth.Record(c, "auth.sign_in_failed", "with=token")
		// 401 names the scheme the token also works with: the API's.
		c.Header("WWW-Authenticate", `Bearer realm="dyad"`)
		p.loginPage(c, http.StatusUnauthorized, next,
			tr("admin.login.bad_token"), false)
		return
	}
	p.startSession(c, next, 0)
}

// loginPassword signs in an account. Every failure, an unknown address
// too, gets the same answer (server.Auth.SignIn).
func (p *Pages) loginPassword(c *gin.Context, next, email, password, code string) {
	u, wait, err := p.auth.SignIn(c, email, password, code)
	switch {
	case survey.ErrorCode(err) == survey.ERateLimited:
		secs := max(1, int(math.Ceil(wait.Seconds())))
		c.Header("Retry-After", strconv.Itoa(secs))
		p.loginPage(c, http.StatusTooManyRequests, next,
			trn("admin.login.too_many", secs), false)
		return
	case survey.ErrorCode(err) == survey.EUnauthorized:
		p.loginPage(c, http.StatusUnauthorized, next, tr("admin.login.wrong"), false)
		return
	case err != nil:
		p.fail(c, err)
		return
	}
	p.startSession(c, next, u.ID)
}

// startSession begins a session for the account (0: the researcher
// token), records the sign-in and goes on to next.
func (p *Pages) startSession(c *gin.Context, next string, userID int64) {
	// A new id at every sign-in: an id planted before cannot be used.
	ctx := c.Request.Context()
	if old := cookie(c, sessionCookie); old != "" {
		if err := p.sessions.end(ctx, old); err != nil {
			p.fail(c, err)
			return
		}
	}
	id, err := p.sessions.createFor(ctx, userID)
	if err != nil {
		p.fail(c, err)
		return
	}
	act, err := p.auth.UserActor(ctx, userID, "session")
	if err != nil {
		p.fail(c, err)
		return
	}
	server.WithActor(c, act)
	p.setCookie(c, sessionCookie, id, 0)
	server.Logger(c).InfoContext(ctx, "researcher signed in")
	pagekit.Headers(c.Writer.Header())
	c.Redirect(http.StatusSeeOther, orDashboard(next))
	p.auth.Record(c, "auth.sign_in", "")
}

// logout: POST /admin/logout.
func (p *Pages) logout(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	if err := p.sessions.end(c.Request.Context(), c.GetString(ctxSession)); err != nil {
		p.fail(c, err)
		return
	}
	p.setCookie(c, sessionCookie, "", -1)
	pagekit.Headers(c.Writer.Header())
	c.Redirect(http.StatusSeeOther, "/admin/login?signed_out=1")
}

// logoutEverywhere: POST /admin/logout/everywhere. Ends every session of
// the account (this one too); for the researcher token, which has no
// account, this session.
func (p *Pages) logoutEverywhere(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	ctx := c.Request.Context()
	act, _ := server.ActorFrom(ctx)
	if act.UserID != 0 && p.accounts != nil {
		if _, err := p.accounts.DeleteUserSessions(ctx, act.UserID); err != nil {
			p.fail(c, err)
			return
		}
	}
	if err := p.sessions.end(ctx, c.GetString(ctxSession)); err != nil {
		p.fail(c, err)
		return
	}
	p.setCookie(c, sessionCookie, "", -1)
	pagekit.Headers(c.Writer.Header())
	c.Redirect(http.StatusSeeOther, "/admin/login?signed_out=1")
}
