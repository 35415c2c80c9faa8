// Package metrics exposes Dyad's Prometheus metrics: HTTP requests by
// route and status, submissions accepted and rejected, the group-commit
// writer's batch sizes and commit latency, abandoned responses deleted,
// and the database's size on disk
// (as the store driver reports it: this package knows no engine or file).
// Labels carry route patterns, never paths or anything a respondent sent.
package metrics

import (
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// SubmitRoute is the route pattern of public submissions, whose outcomes
// are counted apart.
const SubmitRoute = "/api/v1/public/surveys/:id/responses"

// Metrics holds the collectors of one process.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	submissions *prometheus.CounterVec
	batchSize   prometheus.Histogram
	commit      prometheus.Histogram
	abandoned   prometheus.Counter
	mail        *prometheus.CounterVec

	routesMu sync.Mutex // held to add to routes
	routes   atomic.Pointer[map[routeKey]*routeMetrics]
}

// New registers Dyad's collectors, the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dyad_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dyad_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dyad_submissions_total", Help: "Public response submissions by result: accepted (201), replayed (200, a retry), rejected (4xx), failed (5xx).",
		}, []string{"result"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dyad_writer_batch_size", Help: "Responses per group-commit transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128},
		}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dyad_writer_commit_seconds", Help: "Time to write and durably commit one batch.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, 1},
		}),
		abandoned: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dyad_abandoned_responses_deleted_total", Help: "Responses in progress deleted by the sweep after the retention without a save.",
		}),
		mail: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dyad_mail_attempts_total", Help: "Participants' e-mails handed to the SMTP relay, by result: sent, retry (4xx or no connection), bounced (5xx), failed (out of attempts).",
		}, []string{"result"}),
	}
	m.routes.Store(&map[routeKey]*routeMetrics{})
	m.reg.MustRegister(m.requests, m.latency, m.submissions, m.batchSize, m.commit, m.abandoned, m.mail,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ReportDatabaseSize adds the gauge dyad_database_bytes, read from size at
// each scrape: the store driver's own figure (store.SizeReporter; for
// SQLite the database file plus its write-ahead log). Call it once.
func (m *Metrics) ReportDatabaseSize(size func() int64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "dyad_database_bytes", Help: "Size of the database on disk, as the store reports it.",
	}, func() float64 { return float64(size()) }))
}

// Middleware counts and times every request by its route pattern.
func (m *Metrics) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		status := c.Writer.Status()
		var rm *routeMetrics
		if route == "" {
			// Unmatched: not kept in m.routes, whose keys are then
			// bounded by the routes, their methods and the statuses.
			rm = m.newRouteMetrics(routeKey{route: "unmatched", method: c.Request.Method, status: status})
		} else {
			rm = m.routeMetrics(routeKey{route: route, method: c.Request.Method, status: status})
		}
		rm.requests.Inc()
		rm.latency.Observe(time.Since(start).Seconds())
		if rm.submission != nil {
			rm.submission.Inc()
		}
	}
}

// routeKey names the series one request counts in.
type routeKey struct {
	route, method string
	status        int
}

// routeMetrics are the children of the collectors a request with a
// routeKey counts in. Looking a child up by its label values hashes and
// checks every value each time; Middleware looks them up once per key and
// keeps them in Metrics.routes.
type routeMetrics struct {
	requests   prometheus.Counter
	latency    prometheus.Observer
	submission prometheus.Counter // nil unless a public submission
}

// routeMetrics returns the children for k, made on its first request.
// The map is copied on write: new keys come with the first requests of
// each route and status, and reads then take no lock.
func (m *Metrics) routeMetrics(k routeKey) *routeMetrics {
	if rm := (*m.routes.Load())[k]; rm != nil {
		return rm
	}
	m.routesMu.Lock()
	defer m.routesMu.Unlock()
	old := *m.routes.Load()
	if rm := old[k]; rm != nil {
		return rm
	}
	rm := m.newRouteMetrics(k)
	next := make(map[routeKey]*routeMetrics, len(old)+1)
	maps.Copy(next, old)
	next[k] = rm
	m.routes.Store(&next)
	return rm
}

func (m *Metrics) newRouteMetrics(k routeKey) *routeMetrics {
	rm := &routeMetrics{
		requests: m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(k.status)),
		latency:  m.latency.WithLabelValues(k.route, k.method),
	}
	if k.route == SubmitRoute && k.method == http.MethodPost {
		switch {
		case k.status == http.StatusCreated:
			rm.submission = m.submissions.WithLabelValues("accepted")
		case k.status == http.StatusOK:
			rm.submission = m.submissions.WithLabelValues("replayed")
		case k.status >= 500:
			rm.submission = m.submissions.WithLabelValues("failed")
		default:
			rm.submission = m.submissions.WithLabelValues("rejected")
		}
	}
	return rm
}

// ObserveBatch records one group commit (store.Options.ObserveBatch).
func (m *Metrics) ObserveBatch(size int, commit time.Duration) {
	m.batchSize.Observe(float64(size))
	m.commit.Observe(commit.Seconds())
}

// MailAttempt counts one attempt to send a participant's e-mail by its
// result (internal/mail.Loop.Observe).
func (m *Metrics) MailAttempt(result string) { m.mail.WithLabelValues(result).Inc() }

// AbandonedDeleted counts responses in progress deleted by the sweep.
func (m *Metrics) AbandonedDeleted(n int) { m.abandoned.Add(float64(n)) }

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
