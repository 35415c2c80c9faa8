package admin

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
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
	v := p.newView(c, "Sign in")
	if errText != "" {
		v.Title = "Error: Sign in"
	}
	v.page, v.status = "login", status
	v.Login = &loginView{Next: next, CSRF: p.loginToken(c), Error: errText, SignedOut: signedOut}
	p.render(c, v)
}

// login: POST /admin/login.
func (p *Pages) login(c *gin.Context) {
	next := localNext(c.PostForm("next"))
	if !p.csrfOK(c, "login", cookie(c, loginCookie)) {
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
				fmt.Sprintf("Too many wrong tokens were tried from your address. Try again in %d seconds.", secs), false)
			return
		}
	}
	switch {
	case token == "":
		p.loginPage(c, http.StatusUnprocessableEntity, next, "Enter the researcher token.", false)
		return
	case len(token) > maxTokenLength || !p.auth.TokenOK(token):
		p.auth.Failed(c)
		// 401 names the scheme the token also works with: the API's.
		c.Header("WWW-Authenticate", `Bearer realm="dyad"`)
		p.loginPage(c, http.StatusUnauthorized, next,
			"This researcher token is not valid. Use the token dyad serve printed when it first started, or the one set in DYAD_ADMIN_TOKEN.", false)
		return
	}
	// A new id at every sign-in: an id planted before cannot be used.
	ctx := c.Request.Context()
	if old := cookie(c, sessionCookie); old != "" {
		if err := p.sessions.end(ctx, old); err != nil {
			p.fail(c, err)
			return
		}
	}
	id, err := p.sessions.create(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.setCookie(c, sessionCookie, id, 0)
	server.Logger(c).InfoContext(ctx, "researcher signed in")
	pagekit.Headers(c.Writer.Header())
	c.Redirect(http.StatusSeeOther, orDashboard(next))
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
