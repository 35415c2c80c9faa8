// Package httpapi is Dyad's JSON API: its routes, request decoding and
// answers, mounted on internal/server (which owns the engine, the
// middleware, authentication and the error→status table). Handlers are
// thin: they decode, call survey.Service, and encode. The contract is
// api/openapi.yaml; a test keeps the two in step.
package httpapi

import (
	"context"
	"net/http"
	"sync"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// MaxBodyBytes bounds every request body (the server's limit).
const MaxBodyBytes = server.MaxBodyBytes

// Config is what the API needs from the process; the server's own
// settings (rate limit, proxies, token, public URL, metrics) are in
// server.Config.
type Config struct {
	Service *survey.Service
	// Ready reports whether the database can take writes (GET /readyz);
	// an EUnavailable error's message is shown as the reason.
	Ready func(ctx context.Context) error
	// MaxConcurrentSubmissions caps submissions in progress; 0 means the
	// default of 1024.
	MaxConcurrentSubmissions int
	// Backup, when set, writes a consistent copy of the database to a new
	// file (GET /api/v1/backup).
	Backup func(ctx context.Context, out string) error
	// Responses streams responses for the export routes (the store);
	// without it those routes answer 503.
	Responses survey.ResponseScanner
	// Accounts keeps the accounts' API tokens (/api/v1/tokens); nil
	// answers those routes with 409.
	Accounts survey.Accounts
}

type api struct {
	svc          *survey.Service
	ready        func(ctx context.Context) error
	maxSubmit    int
	backupTo     func(ctx context.Context, out string) error
	publicBodies sync.Map // publicKey -> *encodedBody
	publicJSON   sync.Map // *survey.Form -> json.RawMessage
	responses    survey.ResponseScanner
	accounts     survey.Accounts
}

// API is the JSON API as a server.Module: it owns /api/v1, /healthz,
// /readyz, /metrics and the e-mails' opt-out page /optout.
type API struct{ a *api }

// New returns the API, to be mounted by server.New.
func New(cfg Config) *API {
	return &API{&api{svc: cfg.Service, ready: cfg.Ready, maxSubmit: cfg.MaxConcurrentSubmissions,
		responses: cfg.Responses, backupTo: cfg.Backup, accounts: cfg.Accounts}}
}

// Prefixes are the paths the API owns.
func (*API) Prefixes() []string {
	return []string{"/api/v1", "/healthz", "/readyz", "/metrics", "/optout"}
}

// Mount registers every route of api/openapi.yaml.
func (m *API) Mount(r *server.Router) {
	a := m.a
	maxSubmissions := a.maxSubmit
	if maxSubmissions == 0 {
		maxSubmissions = 1024
	}
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", readyz(a.ready))

	pub := r.Group("/api/v1/public")
	pub.GET("/surveys/:id", a.publicSurvey)
	pub.POST("/surveys/:id/responses", admitSubmission(maxSubmissions), a.submitResponse)
	for _, add := range extraPublicRoutes {
		add(pub)
	}

	res := r.Group("/api/v1", r.Auth.Researcher())
	res.POST("/instruments", a.createInstrument)
	res.GET("/instruments", a.listInstruments)
	res.GET("/instruments/:key/versions/:version", a.getInstrument)
	res.PUT("/instruments/:key/versions/:version", a.updateInstrument)
	res.DELETE("/instruments/:key/versions/:version", a.deleteInstrument)
	res.POST("/instruments/:key/versions/:version/publish", a.publishInstrument)
	res.POST("/instruments/:key/versions/:version/retire", a.retireInstrument)
	res.GET("/instruments/:key/versions/:version/export", a.exportInstrument)
	res.GET("/instruments/:key/diff", a.diffInstrument)
	res.POST("/instruments/check", a.checkInstrument)
	res.GET("/instruments/:key/versions/:version/translations/:lang", a.getTranslationTable)
	res.PUT("/instruments/:key/versions/:version/translations/:lang", a.putTranslation)

	res.POST("/surveys", a.createSurvey)
	res.GET("/surveys", a.listSurveys)
	res.GET("/surveys/:id", a.getSurvey)
	res.PATCH("/surveys/:id", a.updateSurvey)
	res.DELETE("/surveys/:id", a.deleteSurvey)
	res.POST("/surveys/:id/close", a.closeSurvey)
	res.POST("/surveys/:id/live", a.goLive)
	res.DELETE("/surveys/:id/responses", a.deleteResponses)
	res.POST("/surveys/:id/invitations", a.createInvitations)
	res.GET("/surveys/:id/invitations", a.invitationCounts)
	res.GET("/surveys/:id/responses", a.listResponses)
	res.GET("/surveys/:id/stats", a.surveyStats)
	res.GET("/surveys/:id/psychometrics", a.surveyPsychometrics)
	res.GET("/surveys/:id/text/:item_id", a.textAnswers)
	res.GET("/backup", a.backup)
	a.mountParticipants(res, r.RouterGroup)
	res.GET("/tokens", a.listTokens)
	res.POST("/tokens", a.createToken)
	res.DELETE("/tokens/:token", a.revokeToken)
	res.GET("/studies", a.listStudies)
	res.POST("/studies", a.createStudy)
	res.GET("/studies/:study", a.getStudy)
	res.PATCH("/studies/:study", a.updateStudy)
	for _, e := range a.exportFiles() {
		res.GET("/surveys/:id/"+e.Name, e.Handler)
	}
	if r.Metrics != nil {
		r.GET("/metrics", r.Auth.Researcher(), gin.WrapH(r.Metrics.Handler()))
	}
}

// extraPublicRoutes is filled by files behind build tags (the load test's
// discard route); it is empty in a production build.
var extraPublicRoutes []func(*gin.RouterGroup)

// baseURL is where respondents reach this server (server.BaseURL).
func (a *api) baseURL(c *gin.Context) string { return server.BaseURL(c) }
