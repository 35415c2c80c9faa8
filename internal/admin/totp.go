package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/dyad-survey/dyad/internal/account"
	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/gin-gonic/gin"
)

// Two-step sign-in: an account turns on TOTP (internal/account/totp.go) by
// entering a code from its authenticator app and its password, and turns it
// off with its password. The secret offered travels in the form between
// the page and its POST (it is the account's own, shown to it anyway; the
// CSRF token and the password keep anyone else from planting one).

type totpView struct {
	CSRF string
	// Required: a study of the account requires a second factor, which
	// it has not set up.
	Required bool
	On       bool
	NoUser   bool
	Secret   string
	URI      string
	Error    string
	Changed  string
}

// totpPage: GET /admin/totp.
func (p *Pages) totpPage(c *gin.Context) { p.renderTOTP(c, http.StatusOK, "", "", "") }

func (p *Pages) renderTOTP(c *gin.Context, status int, secret, errText, changed string) {
	ctx := c.Request.Context()
	act, _ := server.ActorFrom(ctx)
	tv := &totpView{CSRF: p.sessionToken(c), Error: errText, Changed: changed}
	if act.UserID == 0 || p.accounts == nil {
		tv.NoUser = true
	} else {
		u, err := p.accounts.FindUserByID(ctx, act.UserID)
		if err != nil {
			p.fail(c, err)
			return
		}
		tv.On = u.TOTPSecret != ""
		if !tv.On {
			if tv.Required, err = p.needsTOTP(ctx, act); err != nil {
				p.fail(c, err)
				return
			}
		}
		if !tv.On {
			uri := ""
			if secret == "" {
				if secret, uri, err = account.NewTOTP(u.Email); err != nil {
					p.fail(c, err)
					return
				}
			} else {
				uri = "otpauth://totp/Dyad:" + url.PathEscape(u.Email) + "?" + url.Values{"issuer": {"Dyad"}, "secret": {secret}}.Encode()
			}
			tv.Secret, tv.URI = secret, uri
		}
	}
	v := p.newView(c, tr("admin.totp.title"))
	v.page, v.status, v.TOTP = "totp", status, tv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {"", tr("admin.totp.title")}}
	p.render(c, v)
}

// totpChange: POST /admin/totp (action on: secret, code, password; off:
// password).
func (p *Pages) totpChange(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	act, _ := server.ActorFrom(c.Request.Context())
	if act.UserID == 0 || p.accounts == nil {
		p.renderTOTP(c, http.StatusConflict, "", "", "")
		return
	}
	secret := strings.TrimSpace(c.PostForm("secret"))
	if ok, err := p.reauth(c); err != nil || !ok {
		if err != nil {
			p.fail(c, err)
			return
		}
		p.renderTOTP(c, http.StatusUnauthorized, secret, tr("admin.totp.password_again"), "")
		return
	}
	on := c.PostForm("action") == "on"
	step, good := account.CheckTOTP(secret, strings.TrimSpace(c.PostForm("code")), p.now())
	if on && (len(secret) < 16 || len(secret) > 64 || !good) {
		p.renderTOTP(c, http.StatusUnprocessableEntity, secret, tr("admin.totp.no_match"), "")
		return
	}
	if !on {
		secret = ""
	}
	if err := p.accounts.SetUserTOTP(c.Request.Context(), act.UserID, secret); err != nil {
		p.fail(c, err)
		return
	}
	if on {
		// The code that turned it on is spent: it cannot also sign in.
		if _, err := p.accounts.UseTOTPStep(c.Request.Context(), act.UserID, step); err != nil {
			p.fail(c, err)
			return
		}
	}
	server.AuditNote(c, "totp", map[bool]string{true: "on", false: "off"}[on])
	pagekit.Headers(c.Writer.Header())
	c.Redirect(http.StatusSeeOther, "/admin/totp")
}

// totpExempt are the pages a member who must set up a second factor may
// still open: the set-up page itself and signing out.
var totpExempt = map[string]bool{"/admin/totp": true, "/admin/logout": true, "/admin/logout/everywhere": true}

// needsTOTP reports whether a study act is a member of requires a second
// factor (survey.Study.RequireTOTP).
func (p *Pages) needsTOTP(ctx context.Context, act server.Actor) (bool, error) {
	if len(act.Studies) == 0 {
		return false, nil
	}
	all, err := p.svc.Studies(ctx)
	if err != nil {
		return false, err
	}
	for _, st := range all {
		if st.RequireTOTP && act.Studies[st.ID] != "" {
			return true, nil
		}
	}
	return false, nil
}
