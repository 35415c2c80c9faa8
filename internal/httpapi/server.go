// Package httpapi is Dyad's JSON API over gin: routing, request decoding,
// authentication, and the mapping of domain errors to HTTP statuses.
// Handlers are thin: they decode, call survey.Service, and encode.
// The contract is api/openapi.yaml; a test keeps the two in step.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dyad-survey/dyad/internal/metrics"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// Config is what the API needs from the process.
type Config struct {
	Service *survey.Service
	// Ready reports whether the database can take writes (GET /readyz);
	// an EUnavailable error's message is shown as the reason.
	Ready func(ctx context.Context) error
	// AdminTokenHash is the SHA-256 of the researcher token.
	AdminTokenHash []byte
	// PublicURL is the base of respondent links, such as
	// https://survey.example.org; empty means the request's own host.
	PublicURL string
	Logger    *slog.Logger
	// RateLimit is the requests per second allowed to one client address
	// (with a burst of three seconds' worth); 0 turns limiting off.
	RateLimit float64
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For names the client; none by default, so a
	// client cannot pick its own address to dodge the rate limit.
	TrustedProxies []string
	// MaxConcurrentSubmissions caps submissions in progress; 0 means the
	// default of 1024.
	MaxConcurrentSubmissions int
	// BodyReadTimeout is how long a client has to send a request body;
	// 0 means the default of 10 s (see "Slow bodies" in limits.go).
	BodyReadTimeout time.Duration
	// AuthGuard limits failed authentication per client; nil means a guard
	// of the API's own with the default budget. Share one with the
	// dashboard's sign-in.
	AuthGuard *AuthGuard
	// Backup, when set, writes a consistent copy of the database to a new
	// file (GET /api/v1/backup).
	Backup func(ctx context.Context, out string) error
	// Metrics, when set, counts requests and serves GET /metrics behind the
	// researcher token.
	Metrics *metrics.Metrics
	// Responses streams responses for the export routes (the store);
	// without it those routes answer 503.
	Responses survey.ResponseScanner
}

type api struct {
	svc          *survey.Service
	publicURL    string
	backupTo     func(ctx context.Context, out string) error
	publicBodies sync.Map // publicKey -> *encodedBody
	publicJSON   sync.Map // *survey.Form -> json.RawMessage
	responses    survey.ResponseScanner
}

// New returns the API handler with every route registered.
func New(cfg Config) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	a := &api{svc: cfg.Service, publicURL: strings.TrimRight(cfg.PublicURL, "/"), responses: cfg.Responses, backupTo: cfg.Backup}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		// Validated by the caller; an unparsable entry trusts nobody.
		log.Warn("trusted proxies ignored", "error", err)
		_ = r.SetTrustedProxies(nil)
	}
	mw := []gin.HandlerFunc{requestIDs(), accessLog(log), recovery()}
	if cfg.Metrics != nil {
		mw = append(mw, cfg.Metrics.Middleware())
	}
	bodyTimeout := cfg.BodyReadTimeout
	if bodyTimeout <= 0 {
		bodyTimeout = defaultBodyReadTimeout
	}
	mw = append(mw, securityHeaders(), rateLimit(cfg.RateLimit), limitBody(MaxBodyBytes), bodyDeadline(bodyTimeout))
	r.Use(mw...)
	maxSubmissions := cfg.MaxConcurrentSubmissions
	if maxSubmissions == 0 {
		maxSubmissions = 1024
	}
	r.NoRoute(NotFound)
	r.NoMethod(func(c *gin.Context) {
		writeError(c, survey.Errorf(survey.EMethodInvalid, "method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", readyz(cfg.Ready))

	pub := r.Group("/api/v1/public")
	pub.GET("/surveys/:id", a.publicSurvey)
	pub.POST("/surveys/:id/responses", admitSubmission(maxSubmissions), a.submitResponse)
	for _, add := range extraPublicRoutes {
		add(pub)
	}

	guard := cfg.AuthGuard
	if guard == nil {
		guard = NewAuthGuard(DefaultAuthFailures, time.Minute)
	}
	res := r.Group("/api/v1", researcherAuth(cfg.AdminTokenHash, guard))
	res.POST("/instruments", a.createInstrument)
	res.GET("/instruments", a.listInstruments)
	res.GET("/instruments/:key/versions/:version", a.getInstrument)
	res.PUT("/instruments/:key/versions/:version", a.updateInstrument)
	res.DELETE("/instruments/:key/versions/:version", a.deleteInstrument)
	res.POST("/instruments/:key/versions/:version/publish", a.publishInstrument)
	res.POST("/instruments/:key/versions/:version/retire", a.retireInstrument)

	res.POST("/surveys", a.createSurvey)
	res.GET("/surveys", a.listSurveys)
	res.GET("/surveys/:id", a.getSurvey)
	res.POST("/surveys/:id/close", a.closeSurvey)
	res.POST("/surveys/:id/invitations", a.createInvitations)
	res.GET("/surveys/:id/responses", a.listResponses)
	res.GET("/surveys/:id/stats", a.surveyStats)
	res.GET("/surveys/:id/text/:item_id", a.textAnswers)
	res.GET("/backup", a.backup)
	for _, e := range a.exportFiles() {
		res.GET("/surveys/:id/"+e.Name, e.Handler)
	}
	if cfg.Metrics != nil {
		r.GET("/metrics", researcherAuth(cfg.AdminTokenHash, guard), gin.WrapH(cfg.Metrics.Handler()))
	}
	return r
}

// extraPublicRoutes is filled by files behind build tags (the load test's
// discard route); it is empty in a production build.
var extraPublicRoutes []func(*gin.RouterGroup)

// baseURL is where respondents reach this server.
func (a *api) baseURL(c *gin.Context) string {
	if a.publicURL != "" {
		return a.publicURL
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// NotFound is the API's answer to a request that matches no route. It is
// exported for packages that mount pages on the same engine and take over
// NoRoute for their own paths (internal/web), passing the rest back here.
func NotFound(c *gin.Context) {
	writeError(c, survey.Errorf(survey.ENotFound, "no route %s %s", c.Request.Method, c.Request.URL.Path))
}
