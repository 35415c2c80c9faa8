// Package web serves the respondent's form at /s/{survey_id}: pages
// rendered on the server with html/template that work without JavaScript
// (a small script adds live show_if toggling, a character counter and
// focus handling), with templates and static files embedded in the binary.
//
// Flow. The welcome page shows the instrument's introduction and consent
// (and asks for the code of an invitation survey); Start stores an empty
// in-progress response and sets the resume cookie; each section is a page
// whose Next checks the section by the API's rules (survey.Form.Check) and
// saves the answers so far; Submit on the last section completes the same
// response and shows the thank-you page. Every POST answers with a page
// (when something must be fixed) or a 303 redirect, so reload and back
// never post twice; a second submit finds the response complete and lands
// on the thank-you page.
//
// Status codes: 200 pages, 303 after a successful POST, 404 unknown survey
// or page, 410 survey closed, 403 survey not open yet (it will be: 410
// would tell caches and crawlers it is gone for good) and failed CSRF
// check, 422 answers to fix, 403/409 wrong or used invitation code, 409 a
// code that an unfinished response holds (the page offers to discard it
// and start over: handlers.go, codeInUse), 503 database busy.
//
// Resume links show which response they continue and take it only on a
// POST (handlers.go, "Resume links"): a link from someone else must not
// plant their response on this browser or replace this browser's own.
//
// Cookies, both scoped to the survey's path (/s/{id}), HttpOnly,
// SameSite=Lax (the resume link must work from an e-mail, a cross-site
// top-level navigation), Secure when served over HTTPS, 30 days:
//   - dyad_resume holds the resume token (only its hash is stored);
//   - dyad_csrf holds a random value; every form carries
//     HMAC-SHA256(key, survey id + value), checked on every POST (a signed
//     double-submit cookie, pagekit.CSRF). The key is kept across
//     restarts (Config.Key), so pages open during a restart stay valid;
//   - dyad_view (one hour) holds the section page on screen and when it
//     was first shown, signed with the same key: the page's time
//     (pagetimes.go).
//
// Headers: a strict Content-Security-Policy (scripts and styles from this
// origin only, no inline code, no framing), nosniff, no referrer, and gzip
// for clients that take it (pagekit). Errors the pages do not answer
// themselves (unknown paths under /s, the rate limit, a panic) are pages
// too: the server hands them to ErrorPage.
package web

import (
	"sync"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// PageBudget is the most a respondent page may weigh before compression;
// the tests hold every page type to it. A page of the study instrument is
// about a fifth of that, so a phone on a poor connection gets it in one
// round trip once gzipped.
const PageBudget = 50 * 1024

// Config is what the respondent pages need from the process; the public
// URL and the logger are the server's (server.BaseURL, server.Logger).
type Config struct {
	Service *survey.Service
	// Key signs CSRF tokens. Keep it across restarts (32 random bytes);
	// nil means a random key for this process.
	Key []byte
}

// Pages are the respondent pages, a server.Module that owns /s.
type Pages struct{ h *handler }

// New returns the respondent pages, to be mounted by server.New.
func New(cfg Config) *Pages { return &Pages{newHandler(cfg)} }

// Prefixes are the paths the pages own: errors and unknown paths under
// them get an HTML page (ErrorPage).
func (*Pages) Prefixes() []string { return []string{"/s"} }

// Mount registers the respondent pages:
//
//	GET  /s/{id}             welcome page (or back to where this browser left off)
//	POST /s/{id}/start       check the invitation code, start a response
//	GET  /s/{id}/p/{n}       section n (1-based)
//	POST /s/{id}/p/{n}       save section n; Back, Next or Submit
//	GET  /s/{id}/resume?t=   resume link: say which response it continues, ask before taking it
//	POST /s/{id}/resume      Continue: set the cookie, open the first unanswered section
//	GET  /s/{id}/done        thank-you page
//	GET  /s/static/{file}    CSS, JS and icon, content-hashed names, cached for a year
func (p *Pages) Mount(r *server.Router) {
	h := p.h
	r.GET("/s/static/:file", h.static)
	g := r.Group("/s/:id")
	g.GET("", h.welcome)
	g.POST("/start", h.start)
	g.GET("/start", h.toWelcome)
	g.GET("/p/:n", h.section)
	g.POST("/p/:n", h.saveSection)
	g.GET("/resume", h.resume)
	g.POST("/resume", h.continueResume)
	g.GET("/done", h.done)
}

// ErrorPage answers an error under /s that no handler of the pages
// answered itself (a path that matches nothing, the rate limit, a body
// over the limit, a panic) with a respondent's page.
func (p *Pages) ErrorPage(c *gin.Context, status int, err *survey.Error) {
	if err.Code == survey.ENotFound && c.FullPath() == "" {
		p.h.notFound(c)
		return
	}
	v := newView("")
	v.setLang(p.h.chooseLang(c, "", nil))
	p.h.errorPage(c, v, status, err)
}

type handler struct {
	svc      *survey.Service
	csrf     *pagekit.CSRF
	welcomes sync.Map // welcomeKey -> *stitched welcome page
	// dones are the thank-you pages, the same for every respondent of a
	// survey row and language.
	dones sync.Map // welcomeKey -> *keptPage
	// fragments are section pages' items, rendered once per state.
	fragments fragmentCache
	// shells are plain section pages around their items (shell.go).
	shells shellCache
}

func newHandler(cfg Config) *handler {
	return &handler{svc: cfg.Service, csrf: pagekit.NewCSRF(cfg.Key, "")}
}
