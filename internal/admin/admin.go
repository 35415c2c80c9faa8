// Package admin serves the researcher dashboard at /admin: sign-in with
// the researcher token, the lists of surveys and instruments with their
// response counts, and per survey the statistics of package stats as
// tables and inline SVG charts (package chart), with the export downloads.
// Pages are rendered on the server with html/template and share the
// respondent pages' stylesheet, headers and compression (package web).
//
// Sign-in. The form posts the researcher token; its SHA-256 is compared
// in constant time with the one the API checks. On success the browser
// gets a session cookie holding a random id (256 bits), never the token;
// the store keeps the id's hash (session.go), so a session survives a
// restart and every instance on the database knows it. The cookie is HttpOnly, SameSite=Strict, Secure
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
// the API's own handlers (httpapi.ExportFiles), behind the session instead
// of the bearer token, so there is one export code path.
package admin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Config is what the dashboard needs from the process.
type Config struct {
	Service *survey.Service
	// Responses streams responses for the statistics (the store).
	Responses survey.ResponseScanner
	// TokenHash is the SHA-256 of the researcher token; nil refuses every
	// sign-in.
	TokenHash []byte
	// Key signs CSRF tokens (32 random bytes kept across restarts, such as
	// the respondent pages' key: a label keeps the two uses apart); nil
	// means a random key for this process.
	Key []byte
	// PublicURL is the base of respondent links, such as
	// https://survey.example.org; empty means the request's own host. An
	// https URL also makes the cookies Secure.
	PublicURL string
	// Downloads are the export files served under /admin/surveys/{id}/,
	// from httpapi.ExportFiles.
	Downloads []Download
	// NotFound answers requests outside /admin that match no route.
	NotFound gin.HandlerFunc
	Logger   *slog.Logger
	// Sessions keeps the sign-ins (the store); required.
	Sessions survey.Sessions
	// Now is the clock of sessions; nil means time.Now.
	Now func() time.Time
	// AuthGuard limits failed sign-ins per client: the API's
	// httpapi.AuthGuard, so that guesses on the dashboard and on the API
	// draw on one budget. nil means no limit (tests).
	AuthGuard AuthGuard
}

// AuthGuard counts failed authentication per client and says when a
// client has had too many (httpapi.AuthGuard).
type AuthGuard interface {
	// Blocked reports whether the request's client may not try now, and
	// for how long.
	Blocked(c *gin.Context) (time.Duration, bool)
	// Failed counts a failed attempt against the request's client.
	Failed(c *gin.Context)
}

// Download is one export file: the last segment of its path and the
// handler that streams it, reading the survey id from the parameter "id".
type Download struct {
	Name    string
	Handler gin.HandlerFunc
}

// Pages is the researcher dashboard.
type Pages struct {
	svc       *survey.Service
	responses survey.ResponseScanner
	tokenHash []byte
	key       []byte
	publicURL string
	downloads []Download
	notFound  gin.HandlerFunc
	log       *slog.Logger
	sessions  *sessionStore
	guard     AuthGuard
}

// New returns the dashboard; Register mounts it.
func New(cfg Config) *Pages {
	key := cfg.Key
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // never fails (crypto/rand crashes instead)
	}
	// A key of its own, derived, so that no token of one kind of page is
	// ever valid on the other.
	m := hmac.New(sha256.New, key)
	m.Write([]byte("dyad admin pages"))
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	p := &Pages{svc: cfg.Service, responses: cfg.Responses, tokenHash: cfg.TokenHash, key: m.Sum(nil),
		publicURL: strings.TrimRight(cfg.PublicURL, "/"), downloads: cfg.Downloads, notFound: cfg.NotFound,
		log: cfg.Logger, sessions: newSessionStore(cfg.Sessions, now), guard: cfg.AuthGuard}
	if p.log == nil {
		p.log = slog.Default()
	}
	return p
}

// Register mounts the dashboard on r:
//
//	GET  /admin/login                     sign-in form (?next=)
//	POST /admin/login                     check the token, start a session, 303 to next
//	POST /admin/logout                    end the session, 303 to the sign-in form
//	GET  /admin                           surveys and instruments, with response counts
//	GET  /admin/surveys/{id}              results: figures, charts, downloads (?status=, ?by=)
//	GET  /admin/surveys/{id}/text/{item}  answers to a free-text item (?q=, ?status=, ?after=)
//	GET  /admin/surveys/{id}/{download}   export.csv, codebook.csv, export.zip, ...
//	GET  /admin/static/{file}             the dashboard's stylesheet
//
// Every route but the sign-in form and the stylesheet needs a session.
// Requests under /admin that match no route get an HTML 404 page when
// NotFound is installed as the engine's NoRoute handler (or chained from
// the one that is).
func (p *Pages) Register(r *gin.Engine) {
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
	for _, d := range p.downloads {
		g.GET("/surveys/:id/"+d.Name, d.Handler)
	}
}

// NotFound answers a request no route matched: an HTML page under /admin,
// Config.NotFound elsewhere.
func (p *Pages) NotFound(c *gin.Context) {
	if c.Request.URL.Path == "/admin" || strings.HasPrefix(c.Request.URL.Path, "/admin/") {
		p.notFoundPage(c)
		return
	}
	if p.notFound != nil {
		p.notFound(c)
		return
	}
	c.Status(http.StatusNotFound)
}
