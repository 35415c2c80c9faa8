// Package admin serves the researcher dashboard at /admin: sign-in with
// an account or the researcher token, the lists of surveys and instruments with their
// response counts, and per survey the statistics of package stats as
// tables and inline SVG charts (package chart), with the export downloads.
// Pages are rendered on the server with html/template and share the
// respondent pages' stylesheet, headers, compression, cookies and CSRF
// tokens through internal/pagekit (this package never imports web).
//
// Sign-in. The form posts an account's e-mail address and password (and
// its TOTP code, if it set one up), checked by server.Auth.SignIn, or the
// researcher token, whose SHA-256 is compared in constant time with the one
// the API checks; server.Auth also holds the failed-authentication budgets
// (per client, per address). On success the browser gets a session cookie
// holding a random id (256 bits), never a credential; the store keeps the
// id's hash with the account (session.go, through survey.Sessions), so a
// session survives a restart and every instance on the database knows it.
// The cookie is HttpOnly, SameSite=Strict, Secure when the request came
// over HTTPS, scoped to /admin, with no expiry date; the server ends a
// session after SessionIdle without use or SessionMax after sign-in.
// Sign-out ends it on the server; "sign out everywhere" ends all of the
// account's.
//
// Roles. What a signed-in actor may open is decided by the policy table
// (server.Policy) through server.Auth.Authorize, called by requireSession;
// pages only ask the table (may) to hide links it would refuse. The team
// pages: members and one-time sign-up links (members.go), API tokens
// (tokens.go), two-step sign-in (totp.go), the audit trail (audit.go).
//
// CSRF. Every POST carries a token: for the sign-in form an HMAC of a
// random cookie (a signed double-submit cookie, as on the respondent
// pages), for the signed-in pages an HMAC of the session id. A POST whose
// token does not match, or that the browser marks Sec-Fetch-Site:
// cross-site, gets a 403 page and changes nothing.
//
// A request without a live session is redirected (303) to
// /admin/login?next=PATH, and sign-in returns there; next must be a path
// under /admin, so the sign-in page cannot send anyone elsewhere.
//
// Downloads. The export files are served at /admin/surveys/{id}/NAME by
// the API's own handlers (httpapi.ExportFiles, handed over by cmd/dyad as
// Config.Downloads), behind the session instead of the bearer token, so
// there is one export code path. Their errors go through server.Fail like
// every other, and under /admin that answers with this package's page
// (ErrorPage), not the API's JSON.
//
// A signed-in request carries its account (or the researcher) as its actor
// (server.ActorFrom), as a request with a bearer token does.
package admin

import (
	"net/http"
	"time"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Config is what the dashboard needs from the process; the token, the
// failed-authentication guard, the public URL and the logger are the
// server's (server.Router.Auth, server.BaseURL, server.Logger).
type Config struct {
	Service *survey.Service
	// Responses streams responses for the statistics (the store).
	Responses survey.ResponseScanner
	// Key signs CSRF tokens (32 random bytes kept across restarts, such as
	// the respondent pages' key: a label keeps the two uses apart); nil
	// means a random key for this process.
	Key []byte
	// Downloads are the export files served under /admin/surveys/{id}/,
	// from httpapi.ExportFiles.
	Downloads []Download
	// Sessions keeps the sign-ins (the store); required.
	Sessions survey.Sessions
	// Now is the clock of sessions; nil means time.Now.
	Now func() time.Time
	// Accounts keeps the researchers' accounts and API tokens (the
	// store); nil leaves the tokens page empty.
	Accounts survey.Accounts
	// Audit is the audit trail the audit page reads (the store); nil
	// leaves it empty.
	Audit survey.AuditTrail
	// Preview renders a page of a preview as respondents see it
	// (web.Pages.Preview, adapted by cmd/dyad); nil leaves previews out.
	Preview func(*gin.Context, PreviewRequest)
}

// Download is one export file: the last segment of its path and the
// handler that streams it, reading the survey id from the parameter "id".
type Download struct {
	Name    string
	Handler gin.HandlerFunc
}

// Pages is the researcher dashboard, a server.Module that owns /admin.
type Pages struct {
	svc       *survey.Service
	responses survey.ResponseScanner
	csrf      *pagekit.CSRF
	downloads []Download
	sessions  *sessionStore
	accounts  survey.Accounts
	audit     survey.AuditTrail
	now       func() time.Time
	preview   func(*gin.Context, PreviewRequest)
	auth      *server.Auth // set by Mount
}

// New returns the dashboard, to be mounted by server.New.
func New(cfg Config) *Pages {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	// A key of its own, derived, so that no token of one kind of page is
	// ever valid on the other.
	return &Pages{svc: cfg.Service, responses: cfg.Responses, csrf: pagekit.NewCSRF(cfg.Key, "dyad admin pages"),
		downloads: cfg.Downloads, sessions: newSessionStore(cfg.Sessions, now), accounts: cfg.Accounts, audit: cfg.Audit, now: now,
		preview: cfg.Preview}
}

// Prefixes are the paths the dashboard owns: errors and unknown paths
// under them get an HTML page (ErrorPage).
func (*Pages) Prefixes() []string { return []string{"/admin"} }

// Mount registers the dashboard:
//
//	GET  /admin/login                     sign-in form (?next=)
//	POST /admin/login                     check the e-mail and password, or the token; start a session, 303 to next
//	POST /admin/logout                    end the session, 303 to the sign-in form
//	POST /admin/logout/everywhere         end every session of the account
//	GET  /admin/tokens                    the account's API tokens, and a form for a new one
//	POST /admin/tokens                    make a token (password asked again), shown once
//	POST /admin/tokens/{token}/revoke     revoke a token
//	GET  /admin/totp                      two-step sign-in (TOTP): turn on with a code, off
//	POST /admin/totp                      change it (password asked again)
//	GET  /admin/members                   the study's members and their roles
//	POST /admin/members/invite            a one-time sign-up link (password asked again), shown once
//	POST /admin/members/{user}/role       change a member's role (password asked again)
//	GET  /admin/signup?invite=            the sign-up form of an invite
//	POST /admin/signup                    make the account, join the study, sign in
//	GET  /admin/audit                     the audit trail (?actor=, ?action=, ?since=, ?until=, ?after=)
//	GET  /admin/audit.csv                 the same rows as CSV
//	GET  /admin                           surveys and instruments, with response counts
//	GET  /admin/surveys/{id}              results: figures, charts, downloads (?status=, ?by=)
//	GET  /admin/surveys/{id}/text/{item}  answers to a free-text item (?q=, ?status=, ?after=)
//	GET  /admin/surveys/{id}/participants participants and the mailing's tracking (?page=)
//	GET  /admin/surveys/{id}/participants/export  the list with statuses, CSV
//	GET  /admin/surveys/{id}/validation   factor analysis, omega, parallel analysis (the psychometrics API's parameters)
//	GET  /admin/surveys/{id}/{download}   export.csv, codebook.csv, export.zip, ...
//	POST /admin/surveys/{id}/close        close the survey, 303 to its results
//	POST /admin/surveys/{id}/invitations  make invitation codes: a CSV of codes and links, once
//	GET  /admin/instruments/new           upload or paste an instrument
//	POST /admin/instruments               save it as a draft (422 with its problems)
//	GET  /admin/instruments/{key}/versions/{v}          a version's summary, publish, deploy
//	POST /admin/instruments/{key}/versions/{v}/publish  publish a draft
//	POST /admin/instruments/{key}/versions/{v}/surveys  deploy a published version as a survey
//	GET  /admin/instruments/{key}/versions/{v}/edit     the editor: a draft, or a published version as the next one
//	POST /admin/instruments/{key}/versions/{v}/edit     save the draft (422 with its problems)
//	POST /admin/instruments/{key}/versions/{v}/retire   retire a published version
//	POST /admin/instruments/check                       the editor's live check (JSON; stores nothing)
//	GET  /admin/instruments/{key}/diff?from=&to=        what changed between two versions
//	GET  /admin/instruments/{key}/versions/{v}/preview  the preview at a phone's and a desktop's width
//	GET  /admin/instruments/{key}/versions/{v}/preview/page  a preview's page (POST: the next one); stores nothing
//	POST /admin/preview                                 a preview of the editor's text
//	GET  /admin/instruments/{key}/versions/{v}/print    the printable instrument
//	GET  /admin/surveys/{id}/settings     the survey's settings, status and mode
//	POST /admin/surveys/{id}/settings     change them (422 with the problems)
//	POST /admin/surveys/{id}/reopen       reopen, with a new closing date
//	POST /admin/surveys/{id}/mode         test mode, or go live (deleting the test responses or not)
//	POST /admin/surveys/{id}/delete       delete a survey that never had a live response
//	POST /admin/surveys/{id}/test-responses/delete  delete the responses made in test mode
//	GET  /admin/static/{file}             the dashboard's stylesheet
//
// Every route but the sign-in form and the stylesheet needs a session;
// what the session's actor may do is the policy table's (server.Policy).
func (p *Pages) Mount(r *server.Router) {
	p.auth = r.Auth
	r.GET("/admin/static/:file", p.static)
	r.GET("/admin/login", p.loginForm)
	r.POST("/admin/login", p.login)
	r.GET("/admin/logout", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/admin") })
	r.GET("/admin/signup", p.signupForm)
	r.POST("/admin/signup", p.signup)
	g := r.Group("/admin", p.requireSession)
	g.POST("/logout", p.logout)
	g.POST("/logout/everywhere", p.logoutEverywhere)
	g.GET("/tokens", p.tokens)
	g.POST("/tokens", p.createToken)
	g.POST("/tokens/:token/revoke", p.revokeToken)
	g.GET("/totp", p.totpPage)
	g.POST("/totp", p.totpChange)
	g.GET("/studies", p.studies)
	g.POST("/studies", p.createStudy)
	g.POST("/studies/:study/totp", p.requireTOTP)
	g.GET("/members", p.members)
	g.POST("/members/invite", p.invite)
	g.POST("/members/:user/role", p.setRole)
	g.GET("/audit", p.auditPage)
	g.GET("/audit.csv", p.auditCSV)
	g.GET("", p.overview)
	g.GET("/surveys", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/admin") })
	g.GET("/surveys/:id", p.results)
	g.GET("/surveys/:id/text/:item", p.textAnswers)
	g.GET("/surveys/:id/participants", p.participants)
	g.GET("/surveys/:id/participants/export", p.exportParticipants)
	g.POST("/surveys/:id/close", p.closeSurvey)
	g.POST("/surveys/:id/invitations", p.makeInvitations)
	g.GET("/instruments/new", p.instrumentNew)
	g.POST("/instruments", p.createInstrument)
	g.GET("/instruments/:key/versions/:version", p.instrumentVersion)
	g.POST("/instruments/:key/versions/:version/publish", p.publishVersion)
	g.POST("/instruments/:key/versions/:version/surveys", p.deployVersion)
	g.GET("/instruments/:key/versions/:version/edit", p.instrumentEdit)
	g.POST("/instruments/:key/versions/:version/edit", p.saveDraft)
	g.POST("/instruments/:key/versions/:version/retire", p.retireVersion)
	g.POST("/instruments/check", p.checkInstrument)
	g.GET("/instruments/:key/diff", p.instrumentDiff)
	g.GET("/instruments/:key/versions/:version/preview", p.instrumentPreview)
	g.GET("/instruments/:key/versions/:version/preview/page", p.previewPage)
	g.POST("/instruments/:key/versions/:version/preview/page", p.previewPage)
	g.POST("/preview", p.previewSource)
	g.GET("/instruments/:key/versions/:version/print", p.instrumentPrint)
	g.GET("/surveys/:id/settings", p.surveySettings)
	g.POST("/surveys/:id/settings", p.saveSettings)
	g.POST("/surveys/:id/reopen", p.reopenSurvey)
	g.POST("/surveys/:id/mode", p.setMode)
	g.POST("/surveys/:id/delete", p.deleteSurvey)
	g.POST("/surveys/:id/test-responses/delete", p.deleteTestResponses)
	g.GET("/surveys/:id/validation", p.validation)
	for _, d := range p.downloads {
		g.GET("/surveys/:id/"+d.Name, d.Handler)
	}
}

// ErrorPage answers an error under /admin that no page answered itself
// (a path that matches nothing, a download that failed, the rate limit,
// a panic) with the dashboard's page.
func (p *Pages) ErrorPage(c *gin.Context, status int, err *survey.Error) {
	if err.Code == survey.ENotFound && c.FullPath() == "" {
		p.notFoundPage(c)
		return
	}
	p.errorPage(c, status, err)
}
