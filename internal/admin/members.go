package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/account"
	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Members: an owner lists the study's members, changes their roles and
// invites colleagues by a one-time sign-up link (7 days, shown once, kept
// as a hash). Inviting and changing roles are sensitive: the owner's
// password (or, signed in with the researcher token, that token) is asked
// again. The link carries its secret in the query string, which the access
// log leaves out; whoever opens it first chooses an e-mail address and a
// password (the NIST rules of internal/account) and joins with the role.

// inviteLifetime is how long a sign-up link works.
const inviteLifetime = 7 * 24 * time.Hour

type membersView struct {
	CSRF string
	// Study is the study whose members these are (?study=N, else the
	// owner's home study), named in the forms' addresses.
	Study     int64
	StudyName string
	Members   []memberRow
	Roles     []string
	Link      string // the sign-up link just made, shown this once
	Error     string
	NoStore   bool
	Notice    string
	LinkRole  string
}

type memberRow struct {
	ID    int64
	Email string
	Role  string
	Admin bool
}

// members: GET /admin/members.
func (p *Pages) members(c *gin.Context) { p.membersPage(c, http.StatusOK, nil) }

func (p *Pages) membersPage(c *gin.Context, status int, edit func(*membersView)) {
	act, _ := server.ActorFrom(c.Request.Context())
	mv := &membersView{CSRF: p.sessionToken(c), Study: act.StudyID}
	if st, err := p.svc.Study(c.Request.Context(), act.StudyID); err == nil {
		mv.StudyName = st.Name
	}
	for _, r := range survey.Roles {
		mv.Roles = append(mv.Roles, string(r))
	}
	if p.accounts == nil {
		mv.NoStore = true
	} else {
		list, err := p.accounts.FindMembers(c.Request.Context(), act.StudyID)
		if err != nil {
			p.fail(c, err)
			return
		}
		for _, m := range list {
			mv.Members = append(mv.Members, memberRow{ID: m.User.ID, Email: m.User.Email, Role: string(m.Role), Admin: m.User.Admin})
		}
	}
	if edit != nil {
		edit(mv)
	}
	v := p.newView(c, tr("admin.members.title"))
	v.page, v.status, v.Members = "members", status, mv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {"", tr("admin.members.title")}}
	p.render(c, v)
}

// reauth checks the credential asked again for a sensitive action: the
// account's password, or the researcher token for its session. A wrong
// one counts against the client's failure budget.
func (p *Pages) reauth(c *gin.Context) (bool, error) {
	act, _ := server.ActorFrom(c.Request.Context())
	secret := c.PostForm("password")
	if act.UserID == 0 {
		ok := len(secret) <= maxTokenLength && p.auth.TokenOK(strings.TrimSpace(secret))
		if !ok {
			p.auth.Failed(c)
		}
		return ok, nil
	}
	u, err := p.accounts.FindUserByID(c.Request.Context(), act.UserID)
	if err != nil {
		return false, err
	}
	ok, err := account.VerifyPassword(c.Request.Context(), u.PasswordHash, secret)
	if err == nil && !ok {
		p.auth.Failed(c)
	}
	return ok, err
}

// invite: POST /admin/members/invite (role, password).
func (p *Pages) invite(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	role := survey.Role(c.PostForm("role"))
	if !role.Valid() || p.accounts == nil {
		p.membersPage(c, http.StatusUnprocessableEntity, func(mv *membersView) { mv.Error = tr("admin.members.choose_role") })
		return
	}
	if ok, err := p.reauth(c); err != nil || !ok {
		if err != nil {
			p.fail(c, err)
			return
		}
		p.membersPage(c, http.StatusUnauthorized, func(mv *membersView) { mv.Error = tr("admin.members.password_invite") })
		return
	}
	act, _ := server.ActorFrom(c.Request.Context())
	secret := survey.NewToken()
	now := p.now()
	if err := p.accounts.CreateInvite(c.Request.Context(), &survey.Invite{Hash: survey.HashSecret(secret), StudyID: act.StudyID,
		Role: role, CreatedBy: act.UserID, CreatedAt: now, ExpiresAt: now.Add(inviteLifetime)}); err != nil {
		p.fail(c, err)
		return
	}
	server.AuditNote(c, "role", string(role))
	link := server.BaseURL(c) + "/admin/signup?" + url.Values{"invite": {secret}}.Encode()
	p.membersPage(c, http.StatusCreated, func(mv *membersView) { mv.Link, mv.LinkRole = link, string(role) })
}

// setRole: POST /admin/members/{user}/role (role, password).
func (p *Pages) setRole(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	id, err := strconv.ParseInt(c.Param("user"), 10, 64)
	role := survey.Role(c.PostForm("role"))
	if err != nil || p.accounts == nil {
		p.fail(c, survey.Errorf(survey.ENotFound, "no such member"))
		return
	}
	if !role.Valid() {
		p.membersPage(c, http.StatusUnprocessableEntity, func(mv *membersView) { mv.Error = tr("admin.members.choose_one") })
		return
	}
	if ok, err := p.reauth(c); err != nil || !ok {
		if err != nil {
			p.fail(c, err)
			return
		}
		p.membersPage(c, http.StatusUnauthorized, func(mv *membersView) { mv.Error = tr("admin.members.password_change") })
		return
	}
	act, _ := server.ActorFrom(c.Request.Context())
	if err := p.accounts.SetMembership(c.Request.Context(), survey.Membership{StudyID: act.StudyID, UserID: id, Role: role}); err != nil {
		p.fail(c, err)
		return
	}
	server.AuditNote(c, "role", string(role))
	pagekit.Headers(c.Writer.Header())
	c.Redirect(http.StatusSeeOther, "/admin/members?study="+strconv.FormatInt(act.StudyID, 10))
}

type signupView struct {
	CSRF, Invite, Role, Error, Email string
}

// signupForm: GET /admin/signup?invite=SECRET.
func (p *Pages) signupForm(c *gin.Context) {
	inv, ok := p.liveInvite(c, c.Query("invite"))
	if !ok {
		return
	}
	p.signupPage(c, http.StatusOK, &signupView{Invite: c.Query("invite"), Role: string(inv.Role)})
}

func (p *Pages) signupPage(c *gin.Context, status int, sv *signupView) {
	sv.CSRF = p.loginToken(c)
	v := p.newView(c, tr("admin.signup.title"))
	v.page, v.status, v.Signup = "signup", status, sv
	p.render(c, v)
}

// liveInvite finds an unused, unexpired invite, or answers with a page
// saying the link does not work (the same page for every reason).
func (p *Pages) liveInvite(c *gin.Context, secret string) (*survey.Invite, bool) {
	var inv *survey.Invite
	var err error
	if p.accounts != nil && secret != "" && len(secret) <= 128 {
		inv, err = p.accounts.FindInvite(c.Request.Context(), survey.HashSecret(secret))
		if err != nil && survey.ErrorCode(err) != survey.ENotFound {
			p.fail(c, err)
			return nil, false
		}
	}
	if inv == nil || inv.UsedAt != nil || !p.now().Before(inv.ExpiresAt) {
		v := p.newView(c, "")
		v.message(http.StatusNotFound, tr("admin.signup.link_broken"), tr("admin.signup.link_broken_why"))
		p.render(c, v)
		return nil, false
	}
	return inv, true
}

// signup: POST /admin/signup (invite, email, password).
func (p *Pages) signup(c *gin.Context) {
	if !p.csrfOK(c, "login", cookie(c, loginCookie)) {
		return
	}
	secret := c.PostForm("invite")
	inv, ok := p.liveInvite(c, secret)
	if !ok {
		return
	}
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	sv := &signupView{Invite: secret, Role: string(inv.Role), Email: email}
	if !strings.Contains(email, "@") || len(email) > 254 || strings.ContainsAny(email, " \t\r\n") {
		sv.Error = tr("admin.signup.enter_email")
		p.signupPage(c, http.StatusUnprocessableEntity, sv)
		return
	}
	password := c.PostForm("password")
	if err := account.CheckPassword(password, email); err != nil {
		sv.Error = err.Error()
		p.signupPage(c, http.StatusUnprocessableEntity, sv)
		return
	}
	hash, err := account.HashPassword(c.Request.Context(), password)
	if err != nil {
		p.fail(c, err)
		return
	}
	u := &survey.User{Email: email, PasswordHash: hash, CreatedAt: p.now()}
	m, err := p.accounts.AcceptInvite(c.Request.Context(), survey.HashSecret(secret), u, p.now())
	var se *survey.Error
	if errors.As(err, &se) && se.Code == survey.EConflict {
		sv.Error = se.Message
		p.signupPage(c, http.StatusConflict, sv)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	act, err := p.auth.UserActor(c.Request.Context(), u.ID, "session")
	if err != nil {
		p.fail(c, err)
		return
	}
	server.WithActor(c, act)
	server.AuditNote(c, "role", string(m.Role))
	p.auth.Record(c, "member.join", "")
	p.startSession(c, "/admin", u.ID)
}
