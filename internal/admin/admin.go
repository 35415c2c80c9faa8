// Package admin serves the researcher dashboard at /admin: sign-in with
// the researcher token, the lists of surveys and instruments with their
// response counts, and per survey the statistics of package stats as
// tables and inline SVG charts (package chart), with the export downloads.
// Pages are rendered on the server with html/template and share the
// respondent pages' stylesheet, headers, compression, cookies and CSRF
// tokens through internal/pagekit (this package never imports web).
//
// Sign-in. The form posts the researcher token; its SHA-256 is compared
// in constant time with the one the API checks (server.Auth, which also
// holds the one failed-authentication budget per client). On success the
// browser gets a session cookie holding a random id (256 bits), never the
// token; the store keeps the id's hash (session.go, through
// survey.Sessions), so a session survives a restart and every instance on
// the database knows it. The cookie is HttpOnly, SameSite=Strict, Secure
// when the request came over HTTPS, scoped to /admin, with no expiry
// date; the server ends a session after SessionIdle without use or
// SessionMax after sign-in. Sign-out ends it on the server.
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
// A signed-in request carries the researcher as its actor
// (server.ActorFrom), as a request with the bearer token does.
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
		downloads: cfg.Downloads, sessions: newSessionStore(cfg.Sessions, now)}
}

// Prefixes are the paths the dashboard owns: errors and unknown paths
// under them get an HTML page (ErrorPage).
func (*Pages) Prefixes() []string { return []string{"/admin"} }

// Mount registers the dashboard:
//
//	GET  /admin/login                     sign-in form (?next=)
//	POST /admin/login                     check the token, start a session, 303 to next
//	POST /admin/logout                    end the session, 303 to the sign-in form
//	GET  /admin                           surveys and instruments, with response counts
//	GET  /admin/surveys/{id}              results: figures, charts, downloads (?status=, ?by=)
//	GET  /admin/surveys/{id}/text/{item}  answers to a free-text item (?q=, ?status=, ?after=)
//	GET  /admin/surveys/{id}/validation   factor analysis, omega, parallel analysis (the psychometrics API's parameters)
//	GET  /admin/surveys/{id}/{download}   export.csv, codebook.csv, export.zip, ...
//	GET  /admin/static/{file}             the dashboard's stylesheet
//
// Every route but the sign-in form and the stylesheet needs a session.
func (p *Pages) Mount(r *server.Router) {
	p.auth = r.Auth
	r.GET("/admin/static/:file", p.static)
	r.GET("/admin/login", p.loginForm)
	r.POST("/admin/login", p.login)
	r.GET("/admin/logout", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/admin") })
	g := r.Group("/admin", p.requireSession)
	g.POST("/logout", p.logout)
	g.GET("", p.overview)
	g.GET("/surveys", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/admin") })
	g.GET("/surveys/:id", p.results)
	g.GET("/surveys/:id/text/:item", p.textAnswers)
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
