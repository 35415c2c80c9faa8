// Package server is Dyad's HTTP house: the one gin engine, the middleware
// every request passes (request id, access log, recovery, metrics,
// security headers, rate limit, body limit and deadline), HEAD answered
// as GET, authentication that puts an Actor in the request's context, a
// slog handler that adds the request id to every record logged with that
// context, and the one table from error codes to HTTP statuses (errors.go).
//
// The adapters mount on it: httpapi (the JSON API, at /api/v1, /healthz,
// /readyz and /metrics), web (the respondent pages, at /s) and admin (the
// dashboard, at /admin). Each is a Module: it names the path prefixes it
// owns and registers its routes under them; New refuses a route outside
// them, so no module can shadow another's paths and no unmatched request
// falls through from one to the next. A request that matches no route gets
// the 404 of the prefix it is under.
//
// Why the adapters import server and not the other way round: the
// middleware, the error table and the actor are what every adapter
// shares, and sharing them through a package the adapters import is what
// keeps them from importing each other (web and admin share their page
// kit, internal/pagekit, the same way). The price is that server.New is
// handed the modules rather than making them: cmd/dyad and the tests
// build each adapter from its own Config and pass it in Config.Modules,
// and that is the whole of the wiring.
//
// Errors: JSON or a page. Fail answers every error, whoever finds it (a
// handler, the rate limit, the body limit, a panic, a path that matches
// nothing). The status comes from the one table; the body is decided by
// the route prefix: under the prefix of a module that is also an
// ErrorPager (web at /s, admin at /admin) it is that module's HTML page,
// elsewhere the JSON error of api/openapi.yaml. The prefix, not the Accept
// header, decides because it is what the client is: the pages are read
// by browsers, which navigate there (a form post, a link, a download from
// the dashboard), while the API is read by programs, many of which send
// Accept: */* or nothing at all, and whose error shape is a contract. A
// browser that opens an API URL gets JSON, as it did before; a program
// that fetches a page gets the page.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/metrics"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// Config is what the server needs from the process.
type Config struct {
	// Modules are the adapters, each mounted on the prefixes it names.
	Modules []Module
	Logger  *slog.Logger
	// PublicURL is the base of respondent links, such as
	// https://survey.example.org; empty means the request's own host
	// (BaseURL). An https URL also makes the pages' cookies Secure.
	PublicURL string
	// TokenHash is the SHA-256 of the researcher token; nil refuses every
	// researcher.
	TokenHash []byte
	// AuthGuard limits failed authentication per client; nil means a guard
	// with the default budget (NewAuthGuard(DefaultAuthFailures, time.Minute)).
	AuthGuard *AuthGuard
	// AuthFailures, when set, keeps the failed-authentication budgets
	// (AuthGuard's) in the database, shared by every instance and kept
	// across restarts; nil keeps them in process memory.
	AuthFailures survey.AuthFailures
	// RateLimit is the requests per second allowed to one client address
	// (with a burst of three seconds' worth); 0 turns limiting off.
	RateLimit float64
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For names the client; none by default, so a
	// client cannot pick its own address to dodge the rate limit.
	TrustedProxies []string
	// BodyReadTimeout is how long a client has to send a request body;
	// 0 means the default of 10 s (see "Slow bodies" in limits.go).
	BodyReadTimeout time.Duration
	// Metrics, when set, counts every request; the module that serves
	// GET /metrics finds it in Router.Metrics.
	Metrics *metrics.Metrics
	// Accounts, when set, admits API tokens and account sign-ins; nil
	// admits the researcher token alone.
	Accounts survey.Accounts
	// Studies, when set, finds the study of the survey or instrument a
	// route names, so that roles count per study (study.go); nil makes
	// every request about the actor's home study.
	Studies StudyResolver
	// Audit, when set, records the audited routes of the policy table
	// (policy.go); nil records nothing.
	Audit survey.AuditTrail
	// AuditClientAddr stores the client address (gin's ClientIP) in each
	// audit row; false stores "" (docs/security.md: no addresses are
	// stored by default, and respondents' never, since no respondent
	// route is audited).
	AuditClientAddr bool
}

// A Module is one adapter's share of the server.
type Module interface {
	// Prefixes are the paths the module owns: "/s" owns /s and every
	// path under /s/. Two modules may not own the same prefix.
	Prefixes() []string
	// Mount registers the module's routes; each must lie under one of its
	// prefixes.
	Mount(r *Router)
}

// An ErrorPager is a Module whose clients are browsers: errors under its
// prefixes are its HTML pages rather than JSON.
type ErrorPager interface {
	// ErrorPage answers err with status (decided by the one table), as a
	// page. err.Code says what went wrong; a request that matched no
	// route has an empty c.FullPath().
	ErrorPage(c *gin.Context, status int, err *survey.Error)
}

// Router is what a module mounts its routes on, with the server's shared
// parts.
type Router struct {
	*gin.RouterGroup
	// Auth checks the researcher token: Auth.Researcher guards routes.
	Auth *Auth
	// Metrics is Config.Metrics (nil when off).
	Metrics *metrics.Metrics
	// Logger is the server's logger; records logged with a request's
	// context carry its request id.
	Logger *slog.Logger
}

// Server is the HTTP handler of the whole service.
type Server struct {
	engine    *gin.Engine
	handler   http.Handler
	log       *slog.Logger
	publicURL string
	pages     []prefixPager
}

type prefixPager struct {
	prefix string
	pager  ErrorPager
}

// New builds the engine with its middleware and mounts cfg.Modules. It
// panics if a module registers a route outside its prefixes or two
// modules claim one prefix: both are wiring mistakes, found by any test.
func New(cfg Config) *Server {
	gin.SetMode(gin.ReleaseMode)
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if _, ok := log.Handler().(*logHandler); !ok {
		log = slog.New(NewLogHandler(log.Handler()))
	}
	s := &Server{log: log, publicURL: strings.TrimRight(cfg.PublicURL, "/")}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		// Validated by the caller; an unparsable entry trusts nobody.
		log.Warn("trusted proxies ignored", "error", err)
		_ = r.SetTrustedProxies(nil)
	}
	mw := []gin.HandlerFunc{s.requestIDs(), accessLog(log), recovery()}
	if cfg.Metrics != nil {
		mw = append(mw, cfg.Metrics.Middleware())
	}
	bodyTimeout := cfg.BodyReadTimeout
	if bodyTimeout <= 0 {
		bodyTimeout = defaultBodyReadTimeout
	}
	mw = append(mw, securityHeaders(), rateLimit(cfg.RateLimit), limitBody(MaxBodyBytes), bodyDeadline(bodyTimeout))
	r.Use(mw...)
	r.NoRoute(func(c *gin.Context) {
		Fail(c, survey.Errorf(survey.ENotFound, "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		Fail(c, survey.Errorf(survey.EMethodInvalid, "method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})

	guard := cfg.AuthGuard
	if guard == nil {
		guard = NewAuthGuard(DefaultAuthFailures, time.Minute)
	}
	if cfg.AuthFailures != nil {
		guard = guard.withStore(cfg.AuthFailures)
	}
	router := &Router{RouterGroup: &r.RouterGroup, Auth: newAuth(cfg, guard),
		Metrics: cfg.Metrics, Logger: log}
	owner := map[string]bool{}
	seen := map[string]bool{}
	for _, m := range cfg.Modules {
		m.Mount(router)
		// gin lists routes by tree, not in the order they were added: the
		// module's are those not seen before.
		for _, rt := range r.Routes() {
			k := rt.Method + " " + rt.Path
			if seen[k] {
				continue
			}
			seen[k] = true
			if !underAny(rt.Path, m.Prefixes()) {
				panic(fmt.Sprintf("server: %T registers %s %s outside its prefixes %v", m, rt.Method, rt.Path, m.Prefixes()))
			}
		}
		for _, p := range m.Prefixes() {
			if owner[p] {
				panic(fmt.Sprintf("server: two modules own the prefix %s", p))
			}
			owner[p] = true
			if pg, ok := m.(ErrorPager); ok {
				s.pages = append(s.pages, prefixPager{p, pg})
			}
		}
	}
	s.engine = r
	s.handler = AnswerHEAD(r)
	return s
}

// ServeHTTP serves a request, HEAD as GET (AnswerHEAD).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes lists the registered routes (the OpenAPI contract test reads
// them).
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// Logger is the server's logger, which adds the request id.
func (s *Server) Logger() *slog.Logger { return s.log }

// under reports whether path is prefix or lies below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func underAny(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if under(path, p) {
			return true
		}
	}
	return false
}

// pagerFor returns the error pages of the module owning path, or nil for
// JSON.
func (s *Server) pagerFor(path string) ErrorPager {
	for _, p := range s.pages {
		if under(path, p.prefix) {
			return p.pager
		}
	}
	return nil
}

// BaseURL is where respondents reach this server: Config.PublicURL, or
// the scheme and host of the request.
func BaseURL(c *gin.Context) string {
	if s := from(c); s != nil && s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// HTTPS tells whether the client reached Dyad over HTTPS: the request
// came over TLS, through a proxy that says so, or the public URL is
// HTTPS. Cookies are Secure when it holds.
func HTTPS(c *gin.Context) bool {
	if c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https") {
		return true
	}
	s := from(c)
	return s != nil && strings.HasPrefix(s.publicURL, "https://")
}

// reqInfo is what the server keeps in a request's context. It is the
// context itself, answering infoKey and asking its parent for anything
// else, rather than a value under context.WithValue: one allocation per
// request instead of two, on a path every request takes. It also holds
// the X-Request-Id header's value, so that the header costs no slice of
// its own.
type reqInfo struct {
	context.Context
	id  string
	srv *Server
	hdr [1]string
}

// Value returns ri for infoKey and the parent's value otherwise.
func (ri *reqInfo) Value(key any) any {
	if k, ok := key.(ctxKey); ok && k == infoKey {
		return ri
	}
	return ri.Context.Value(key)
}

type ctxKey int

const (
	infoKey ctxKey = iota
	actorKey
)

// from returns the server that is serving c, or nil outside one.
func from(c *gin.Context) *Server {
	if ri, ok := c.Request.Context().Value(infoKey).(*reqInfo); ok {
		return ri.srv
	}
	return nil
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if ri, ok := ctx.Value(infoKey).(*reqInfo); ok {
		return ri.id
	}
	return ""
}

// Logger returns the logger of the server serving c (slog.Default
// outside one); records logged with c's context carry the request id.
func Logger(c *gin.Context) *slog.Logger {
	if s := from(c); s != nil {
		return s.log
	}
	return slog.Default()
}
