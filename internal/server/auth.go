package server

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/account"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Authentication and authorization. A request authenticates one of three
// ways: the researcher token (the bootstrap credential printed at first
// start, or DYAD_ADMIN_TOKEN: an admin, so every deployment made before
// accounts keeps working), an API token an account made (its scope is a
// role in one study, never more than the account's role there now), or a
// dashboard session (internal/admin) of an account or of the researcher
// token. Each becomes an Actor; Authorize then asks the policy table
// (policy.go) whether the actor may call the route, and records the call
// in the audit trail when the table says so.

// Actor is who a request acts for, once authenticated; handlers ask
// ActorFrom, never how the request authenticated.
type Actor struct {
	// ID names the actor in logs and the audit trail: "researcher" for
	// the researcher token's holder, "user:<id> <email>" for an account.
	ID string
	// Method is how the request authenticated: "token" (the researcher
	// token), "api_token" or "session".
	Method string
	// UserID is the account, 0 for the researcher token.
	UserID int64
	Email  string
	// Admin: a global admin (or the researcher token), admitted everywhere.
	Admin bool
	// Role is the actor's role in the study the request concerns
	// (StudyID), "" for none.
	Role survey.Role
	// StudyID is the study the request concerns (study.go): the study of
	// the survey or instrument the route names, else the one the query's
	// study parameter names, else the actor's home study. Set by
	// Authorize.
	StudyID int64
	// Studies are the actor's roles by study: an account's memberships,
	// an API token's one study. Nil for the researcher token.
	Studies map[int64]survey.Role
	// HasTOTP: the account signs in with a second factor.
	HasTOTP bool
	// chosen: the request named its study (?study=N), so lists show that
	// study alone (InList).
	chosen bool
}

// Researcher is the holder of the researcher token.
const Researcher = "researcher"

// WithActor records the request's actor in its context.
func WithActor(c *gin.Context, a Actor) {
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), actorKey, a))
}

// ActorFrom returns the actor of the request ctx belongs to, if it
// authenticated.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey).(Actor)
	return a, ok
}

// Auth checks credentials (the researcher token, API tokens, passwords),
// with one failed-authentication budget per client and one per e-mail
// address (AuthGuard), and decides by the policy table.
type Auth struct {
	tokenHash []byte
	guard     *AuthGuard
	accounts  survey.Accounts   // nil: the researcher token only
	audit     survey.AuditTrail // nil: nothing recorded
	withAddr  bool              // Config.AuditClientAddr
	studies   StudyResolver     // nil: every request is about the actor's home study
	now       func() time.Time
}

func newAuth(cfg Config, guard *AuthGuard) *Auth {
	return &Auth{tokenHash: cfg.TokenHash, guard: guard, accounts: cfg.Accounts, audit: cfg.Audit, withAddr: cfg.AuditClientAddr, studies: cfg.Studies,
		now: time.Now}
}

// TokenOK compares the token's hash with the researcher token's in
// constant time; only the hash is held.
func (a *Auth) TokenOK(token string) bool {
	return len(a.tokenHash) > 0 && subtle.ConstantTimeCompare(survey.HashSecret(token), a.tokenHash) == 1
}

// Blocked reports whether the request's client has used up its failures,
// and if so how long until it may try again.
func (a *Auth) Blocked(c *gin.Context) (time.Duration, bool) { return a.guard.Blocked(c) }

// Failed counts a failed attempt against the request's client.
func (a *Auth) Failed(c *gin.Context) { a.guard.Failed(c) }

// researcherActor is the holder of the researcher token.
func researcherActor(method string) Actor {
	return Actor{ID: Researcher, Method: method, Admin: true, Role: survey.RoleOwner}
}

// bearer resolves a bearer token to its actor: the researcher token, or a
// live API token. ok is false for anything else.
func (a *Auth) bearer(ctx context.Context, token string) (Actor, bool, error) {
	if a.TokenOK(token) {
		return researcherActor("token"), true, nil
	}
	if a.accounts == nil || len(token) > 256 {
		return Actor{}, false, nil
	}
	tk, err := a.accounts.FindAPIToken(ctx, survey.HashSecret(token))
	switch {
	case survey.ErrorCode(err) == survey.ENotFound:
		return Actor{}, false, nil
	case err != nil:
		return Actor{}, false, err
	case tk.RevokedAt != nil || !a.now().Before(tk.ExpiresAt):
		return Actor{}, false, nil
	}
	act, err := a.UserActor(ctx, tk.UserID, "api_token")
	if err != nil {
		return Actor{}, false, err
	}
	// The token's scope, cut to the account's role today in the token's
	// study: a demoted account's tokens are demoted with it, and the
	// token has no role in any other study. An API token never carries
	// admin rights.
	role := survey.Role("")
	if act.Admin || act.Studies[tk.StudyID].Covers(tk.Role) {
		role = tk.Role
	}
	act.Admin, act.Role, act.StudyID, act.Studies = false, role, tk.StudyID, map[int64]survey.Role{}
	if role != "" {
		act.Studies[tk.StudyID] = role
	}
	return act, true, nil
}

// UserActor returns the actor of an account: its admin flag, its roles
// by study, and its home study with its role there (homeStudy); Authorize
// then moves it to the study the request concerns. userID 0 is the
// researcher token's holder.
func (a *Auth) UserActor(ctx context.Context, userID int64, method string) (Actor, error) {
	if userID == 0 {
		return researcherActor(method), nil
	}
	if a.accounts == nil {
		return Actor{}, survey.Errorf(survey.EUnauthorized, "accounts are not enabled")
	}
	u, err := a.accounts.FindUserByID(ctx, userID)
	if err != nil {
		return Actor{}, err
	}
	ms, err := a.accounts.FindMemberships(ctx, userID)
	if err != nil {
		return Actor{}, err
	}
	act := Actor{ID: fmt.Sprintf("user:%d %s", u.ID, u.Email), Method: method, UserID: u.ID, Email: u.Email, Admin: u.Admin,
		HasTOTP: u.TOTPSecret != "", Studies: make(map[int64]survey.Role, len(ms))}
	for _, m := range ms {
		act.Studies[m.StudyID] = m.Role
	}
	act.StudyID = homeStudy(act.Studies)
	act.Role = act.Studies[act.StudyID]
	return act, nil
}

// Researcher admits requests bearing the researcher token or an API token
// and then decides by the policy table (Authorize). A client that has
// sent too many wrong tokens is refused with 429 before its token is
// looked at (AuthGuard).
func (a *Auth) Researcher() gin.HandlerFunc {
	return func(c *gin.Context) {
		if wait, blocked := a.guard.Blocked(c); blocked {
			RetryAfter(c, wait)
			Fail(c, survey.Errorf(survey.ERateLimited, "too many failed attempts to authenticate from this address; retry in %s", wait.Round(time.Second).String()))
			return
		}
		const prefix = "Bearer "
		h := c.GetHeader("Authorization")
		if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
			c.Header("WWW-Authenticate", `Bearer realm="dyad"`)
			Fail(c, survey.Errorf(survey.EUnauthorized, "researcher routes need the header Authorization: Bearer <token>"))
			return
		}
		act, ok, err := a.bearer(c.Request.Context(), strings.TrimSpace(h[len(prefix):]))
		if err != nil {
			Fail(c, err)
			return
		}
		if !ok {
			a.guard.Failed(c)
			c.Header("WWW-Authenticate", `Bearer realm="dyad", error="invalid_token"`)
			Fail(c, survey.Errorf(survey.EUnauthorized, "the token is not valid (unknown, expired or revoked)"))
			return
		}
		a.Authorize(c, act)
	}
}

// Authorize admits act to the request's route if the policy table allows
// it, runs the rest of the chain, and appends the route's audit row
// afterwards; otherwise it answers 403 (and records the refusal, on an
// audited route). Every authenticated route passes here.
func (a *Auth) Authorize(c *gin.Context, act Actor) {
	rule := RuleFor(c.Request.Method, c.FullPath())
	if rule == nil || rule.Who&Anyone == 0 {
		var err error
		if act, err = a.inStudy(c, act); err != nil {
			WithActor(c, act)
			Fail(c, err)
			return
		}
	}
	WithActor(c, act)
	if !Allowed(rule, act) {
		if rule == nil {
			Logger(c).ErrorContext(c.Request.Context(), "route missing from the policy table", "route", c.FullPath())
		}
		Fail(c, survey.Errorf(survey.EForbidden, "your role does not allow this"))
		if rule != nil && rule.Audit != "" {
			a.Record(c, rule.Audit, "")
		}
		return
	}
	c.Next()
	if rule != nil && rule.Audit != "" {
		a.Record(c, rule.Audit, "")
	}
}

// auditHidden are query and form keys never written to the audit trail,
// whatever the route: they may hold secrets or answers.
var auditHidden = map[string]bool{"token": true, "code": true, "password": true, "csrf": true, "resume": true, "invite": true, "t": true}

// Record appends a row to the audit trail for the request, with the
// actor of its context (or "anonymous"), its route parameters as the
// target, its query (without auditHidden keys) and extra as the details,
// and the status answered so far. A failure to record is logged; the
// request has been answered by then.
func (a *Auth) Record(c *gin.Context, action, extra string) {
	if a.audit == nil {
		return
	}
	actor, study := "anonymous", int64(0)
	if act, ok := ActorFrom(c.Request.Context()); ok {
		actor = act.ID
		// A route about a study's data records which study (the last
		// study= of the details, whatever the query said: AuditStudy).
		if r := RuleFor(c.Request.Method, c.FullPath()); r != nil && r.Who&(SignedIn|Anyone) == 0 {
			study = act.StudyID
		}
	}
	var target []string
	for _, p := range c.Params {
		target = append(target, p.Key+"="+p.Value)
	}
	q := c.Request.URL.Query()
	for k := range q {
		if auditHidden[strings.ToLower(k)] {
			q.Del(k)
		}
	}
	details := q.Encode()
	if note := c.GetString(auditNoteKey); note != "" {
		extra = strings.TrimPrefix(extra+"&"+note, "&")
	}
	if study != 0 {
		extra = strings.TrimPrefix(extra+"&study="+strconv.FormatInt(study, 10), "&")
	}
	if extra != "" {
		if details != "" {
			details += "&"
		}
		details += extra
	}
	sort.Strings(target)
	client := ""
	if a.withAddr {
		client = c.ClientIP()
	}
	e := &survey.AuditEvent{At: a.now(), Actor: actor, Action: action, Target: strings.Join(target, " "), Details: details,
		RequestID: RequestID(c.Request.Context()), Client: client, Status: c.Writer.Status()}
	if err := a.audit.AppendAudit(context.WithoutCancel(c.Request.Context()), e); err != nil {
		Logger(c).ErrorContext(c.Request.Context(), "audit trail: append failed", "action", action, "error", err)
	}
}

// auditNoteKey holds a request's notes for its audit row (AuditNote).
const auditNoteKey = "dyad.audit_note"

// AuditNote adds a key and value to the details of the request's audit
// row, for what the route's parameters and query do not say (the id of
// the token just made, the role given). Never a secret or an answer.
func AuditNote(c *gin.Context, k, v string) {
	note := c.GetString(auditNoteKey)
	if note != "" {
		note += "&"
	}
	c.Set(auditNoteKey, note+url.QueryEscape(k)+"="+url.QueryEscape(v))
}

// ErrSignIn is the one answer to every failed sign-in by password,
// whether the account exists or not.
var ErrSignIn = survey.Errorf(survey.EUnauthorized, "the e-mail address, the password or the authentication code is not right")

// SignIn checks an e-mail address and password (and the TOTP code of an
// account that set up the second factor) and returns the account.
// The client and the address each have a budget of failures
// (AuthGuard): past either, it returns ERateLimited with the wait,
// before the password is checked. Every other failure is ErrSignIn, and
// takes as long whether the account exists or not.
func (a *Auth) SignIn(c *gin.Context, email, password, code string) (*survey.User, time.Duration, error) {
	if a.accounts == nil {
		return nil, 0, ErrSignIn
	}
	key := accountKey(email)
	now := a.now()
	if wait, blocked := a.guard.Blocked(c); blocked {
		return nil, wait, survey.Errorf(survey.ERateLimited, "too many failed sign-ins")
	}
	if wait := a.guard.wait(c, key, accountBackoff); wait > 0 {
		return nil, wait, survey.Errorf(survey.ERateLimited, "too many failed sign-ins")
	}
	ctx := c.Request.Context()
	u, err := a.accounts.FindUserByEmail(ctx, email)
	phc := ""
	switch {
	case err == nil:
		phc = u.PasswordHash
	case survey.ErrorCode(err) != survey.ENotFound:
		return nil, 0, err
	}
	ok := false
	if len(password) <= account.MaxPasswordLength*4 {
		if ok, err = account.VerifyPassword(ctx, phc, password); err != nil {
			return nil, 0, err
		}
	}
	// An account with a second factor needs its code too; a missing or
	// wrong code is a failure like a wrong password, with the same answer,
	// so the answer does not say that the password was right.
	if ok && u.TOTPSecret != "" {
		step, good := account.CheckTOTP(u.TOTPSecret, strings.TrimSpace(code), now)
		if good {
			if good, err = a.accounts.UseTOTPStep(ctx, u.ID, step); err != nil {
				return nil, 0, err
			}
		}
		ok = good
	}
	if !ok {
		a.guard.Failed(c)
		a.guard.fail(c, key, accountBackoff)
		target := ""
		if u != nil {
			target = "user=" + strconv.FormatInt(u.ID, 10)
		}
		a.Record(c, "auth.sign_in_failed", target)
		return nil, 0, ErrSignIn
	}
	return u, 0, nil
}
