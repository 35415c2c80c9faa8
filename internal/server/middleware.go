package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// requestIDs gives every request an id, taken from a well-formed
// X-Request-ID header or made anew, echoes it in the response, and puts
// it (with the server) in the request's context, where the log handler
// and Fail find it.
func (s *Server) requestIDs() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < '!' || r > '~' }) {
			id = survey.NewSurveyID() + survey.NewSurveyID()
		}
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), infoKey, &reqInfo{id: id, srv: s}))
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

// accessLog logs one line per request: the route pattern and the path, never
// the query string (it may hold an invitation code) or any body. The log
// handler adds the request id.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
			slog.String("method", c.Request.Method),
			slog.String("route", c.FullPath()),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", c.Writer.Status()),
			slog.Duration("duration", time.Since(start)),
		)
	}
}

// recovery turns a panic into the standard 500 error and logs it.
func recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, err any) {
		Logger(c).ErrorContext(c.Request.Context(), "panic", "route", c.FullPath(), "panic", err)
		Fail(c, survey.Errorf(survey.EInternal, "internal error; the request id identifies it in the server log"))
	})
}

// securityHeaders sets headers every answer carries; pages add their own
// (pagekit.Headers).
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		c.Next()
	}
}

// limitBody caps request bodies; reading past the cap fails with
// *http.MaxBytesError, which the decoders turn into 413.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			Fail(c, survey.Errorf(survey.ETooLarge, "the request body is over the limit of %d bytes", n))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// AnswerHEAD answers HEAD requests as GET requests without the body, on
// every route of h: the API, the respondent pages and the dashboard alike
// (RFC 9110 §9.3.2: the same headers as a GET, no content). It wraps the
// whole engine rather than registering HEAD routes because HEAD is a
// property of HTTP, not of any module's routes, and because it must hold
// for paths that match no route too: api/openapi.yaml lists GET routes
// only and says so once. Server.ServeHTTP applies it.
//
// The handler sees a GET (a copy of the request; access logs and metrics
// say GET) and writes as usual; net/http's server discards the body of a
// response to a HEAD request, and sets Content-Length when the whole body
// fits its buffer, so the headers are those of the GET. The body is
// still made, so a HEAD costs what a GET does, within the same limits.
func AnswerHEAD(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			get := r.Clone(r.Context())
			get.Method = http.MethodGet
			r = get
		}
		h.ServeHTTP(w, r)
	})
}
