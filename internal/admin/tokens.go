package admin

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/dyad-survey/dyad/internal/account"
	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// API tokens: an account makes named tokens for its programs, each with
// an expiry and a scope (a role no higher than the account's), shown once
// and stored as a hash; it lists and revokes them here. Making one is a
// sensitive action: the password is asked again (re-authentication), so
// that a session left open cannot mint a credential that outlives it.

// tokenFormText says on the form what account.IssueToken refused.
var tokenFormText = map[string]string{
	"name":            tr("admin.tokens.bad_name"),
	"role":            tr("admin.tokens.bad_role"),
	"expires_in_days": tr("admin.tokens.bad_expiry"),
}

type tokensView struct {
	CSRF string
	// StudyName names the study new tokens act in.
	StudyName string
	// Study is the study new tokens act in (?study=N, else the home
	// study), named in the form's address.
	Study    int64
	NoUser   bool // the researcher token's session: tokens belong to accounts
	Tokens   []tokenRow
	Roles    []string
	New      string // the token just made, shown this once
	Error    string
	ErrField string
}

type tokenRow struct {
	ID                          int64
	Name, Role, Created, Expiry string
	State                       string
	Study                       string // the study the token acts in
	Live                        bool
}

// tokens: GET /admin/tokens.
func (p *Pages) tokens(c *gin.Context) { p.tokensPage(c, http.StatusOK, "", "", "") }

func (p *Pages) tokensPage(c *gin.Context, status int, made, errText, errField string) {
	ctx := c.Request.Context()
	act, _ := server.ActorFrom(ctx)
	tv := &tokensView{CSRF: p.sessionToken(c), New: made, Error: errText, ErrField: errField, Study: act.StudyID}
	if act.UserID == 0 || p.accounts == nil {
		tv.NoUser = true
	} else {
		list, err := p.accounts.FindAPITokens(ctx, act.UserID)
		if err != nil {
			p.fail(c, err)
			return
		}
		studies, err := p.svc.Studies(ctx)
		if err != nil {
			p.fail(c, err)
			return
		}
		names := map[int64]string{}
		for _, st := range studies {
			names[st.ID] = st.Name
		}
		tv.StudyName = names[act.StudyID]
		now := p.now()
		for _, t := range list {
			r := tokenRow{ID: t.ID, Name: t.Name, Role: string(t.Role), Study: names[t.StudyID], Created: t.CreatedAt.UTC().Format("2006-01-02"),
				Expiry: t.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"), State: "active", Live: true}
			switch {
			case t.RevokedAt != nil:
				r.State, r.Live = "revoked "+t.RevokedAt.UTC().Format("2006-01-02"), false
			case !now.Before(t.ExpiresAt):
				r.State, r.Live = "expired", false
			}
			tv.Tokens = append(tv.Tokens, r)
		}
		for _, role := range survey.Roles {
			if act.Admin || act.Role.Covers(role) {
				tv.Roles = append(tv.Roles, string(role))
			}
		}
	}
	v := p.newView(c, tr("admin.tokens.title"))
	v.page, v.status, v.Tokens = "tokens", status, tv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {"", tr("admin.tokens.title")}}
	p.render(c, v)
}

// createToken: POST /admin/tokens (name, role, days, password).
func (p *Pages) createToken(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	ctx := c.Request.Context()
	act, _ := server.ActorFrom(ctx)
	if act.UserID == 0 || p.accounts == nil {
		p.tokensPage(c, http.StatusConflict, "", tr("admin.tokens.accounts_only"), "name")
		return
	}
	days, err := strconv.Atoi(c.DefaultPostForm("days", strconv.Itoa(account.DefaultTokenDays)))
	if err != nil {
		days = 0
	}
	secret, tk, err := account.IssueToken(ctx, p.accounts, account.Holder{UserID: act.UserID, Admin: act.Admin, Role: act.Role, StudyID: act.StudyID},
		account.TokenRequest{Name: c.PostForm("name"), Role: survey.Role(c.PostForm("role")), Days: days, Password: c.PostForm("password")}, p.now())
	var se *survey.Error
	switch {
	case errors.As(err, &se) && se.Code == survey.EInvalid:
		field := map[string]string{"expires_in_days": "days"}[se.Details[0].Path]
		if field == "" {
			field = se.Details[0].Path
		}
		p.tokensPage(c, http.StatusUnprocessableEntity, "", tokenFormText[se.Details[0].Path], field)
		return
	case errors.As(err, &se) && se.Code == survey.EUnauthorized:
		p.auth.Failed(c)
		p.tokensPage(c, http.StatusUnauthorized, "", tr("admin.tokens.password_again"), "password")
		return
	case err != nil:
		p.fail(c, err)
		return
	}
	server.AuditNote(c, "token_id", strconv.FormatInt(tk.ID, 10))
	server.AuditNote(c, "role", string(tk.Role))
	p.tokensPage(c, http.StatusCreated, secret, "", "")
}

// revokeToken: POST /admin/tokens/{token}/revoke.
func (p *Pages) revokeToken(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	ctx := c.Request.Context()
	act, _ := server.ActorFrom(ctx)
	id, err := strconv.ParseInt(c.Param("token"), 10, 64)
	if err != nil || act.UserID == 0 || p.accounts == nil {
		p.fail(c, survey.Errorf(survey.ENotFound, "no such token"))
		return
	}
	if err := p.accounts.RevokeAPIToken(ctx, act.UserID, id, p.now()); err != nil {
		p.fail(c, err)
		return
	}
	pagekit.Headers(c.Writer.Header())
	c.Redirect(http.StatusSeeOther, "/admin/tokens")
}
