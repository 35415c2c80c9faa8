package httpapi

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

const requestIDKey = "request_id"

// requestIDs gives every request an id, taken from a well-formed
// X-Request-ID header or made anew, and echoes it in the response.
func requestIDs() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < '!' || r > '~' }) {
			id = survey.NewSurveyID() + survey.NewSurveyID()
		}
		c.Set(requestIDKey, id)
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// accessLog logs one line per request: the route pattern and the path, never
// the query string (it may hold an invitation code) or any body.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
			slog.String("request_id", requestID(c)),
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
		slog.ErrorContext(c.Request.Context(), "panic", "request_id", requestID(c), "route", c.FullPath(), "panic", err)
		writeError(c, survey.Errorf(survey.EInternal, "internal error; the request id identifies it in the server log"))
	})
}

// securityHeaders sets headers every API answer carries.
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
			writeError(c, survey.Errorf(survey.ETooLarge, "the request body is over the limit of %d bytes", n))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// researcherAuth admits requests bearing the researcher token. Only the
// token's hash is held, and it is compared in constant time.
func researcherAuth(tokenHash []byte) gin.HandlerFunc {
	return func(c *gin.Context) {
		const prefix = "Bearer "
		h := c.GetHeader("Authorization")
		if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
			c.Header("WWW-Authenticate", `Bearer realm="dyad"`)
			writeError(c, survey.Errorf(survey.EUnauthorized, "researcher routes need the header Authorization: Bearer <token>"))
			return
		}
		got := survey.HashSecret(strings.TrimSpace(h[len(prefix):]))
		if len(tokenHash) == 0 || subtle.ConstantTimeCompare(got, tokenHash) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="dyad", error="invalid_token"`)
			writeError(c, survey.Errorf(survey.EUnauthorized, "the researcher token is not valid"))
			return
		}
		c.Next()
	}
}
