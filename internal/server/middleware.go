package server

import (
	"crypto/rand"
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
		// The canonical key, read from the map directly: Header.Get would
		// canonicalize "X-Request-ID" into a new string on every request.
		var id string
		if v := c.Request.Header[requestIDHeader]; len(v) > 0 {
			id = v[0]
		}
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < '!' || r > '~' }) {
			id = newRequestID()
		}
		ri := &reqInfo{Context: c.Request.Context(), id: id, srv: s}
		ri.hdr[0] = id
		c.Request = c.Request.WithContext(ri)
		c.Writer.Header()[requestIDHeader] = ri.hdr[:]
		c.Next()
	}
}

// requestIDHeader is X-Request-ID as net/http keys it.
const requestIDHeader = "X-Request-Id"

// newRequestID returns 20 random characters of Crockford's base32 in
// lower case (100 bits), the shape of two survey ids side by side, which
// is what request ids were made of: one read of the random source and no
// intermediate strings.
func newRequestID() string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	var r [13]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read does not fail (Go 1.24+)
	var out [20]byte
	var acc uint64
	bits := 0
	j := 0
	for _, b := range r {
		acc = acc<<8 | uint64(b)
		bits += 8
		for bits >= 5 && j < len(out) {
			bits -= 5
			out[j] = alphabet[acc>>bits&31]
			j++
		}
	}
	return string(out[:])
}

// accessLog logs one line per request: the route pattern and the path, never
// the query string (it may hold an invitation code) or any body. The log
// handler adds the request id.
//
// The record is made here and handed to the handler, as slog.Logger.LogAttrs
// would but without its runtime.Callers (the source position, which this
// line would give as the middleware's own and which Dyad's loggers do not
// print) and with one clock reading for both the duration and the time.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	h := log.Handler()
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		ctx := c.Request.Context()
		if !h.Enabled(ctx, slog.LevelInfo) {
			return
		}
		end := time.Now()
		r := slog.NewRecord(end, slog.LevelInfo, "request", 0)
		r.AddAttrs(
			slog.String("method", c.Request.Method),
			slog.String("route", c.FullPath()),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", c.Writer.Status()),
			slog.Duration("duration", end.Sub(start)),
		)
		_ = h.Handle(ctx, r)
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
		h["X-Content-Type-Options"] = nosniff
		h["Referrer-Policy"] = noReferrer
		h["Cache-Control"] = noStore
		c.Next()
	}
}

// The values of securityHeaders, made once and shared by every response,
// as gin shares its Content-Type values: a header's value is replaced or
// appended to (which copies, the capacity being 1), never written in
// place. The keys are canonical, as Header.Set would make them.
var (
	nosniff    = []string{"nosniff"}
	noReferrer = []string{"no-referrer"}
	noStore    = []string{"no-store"}
)

// limitBody caps request bodies; reading past the cap fails with
// *http.MaxBytesError, which the decoders turn into 413.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			Fail(c, survey.Errorf(survey.ETooLarge, "the request body is over the limit of %d bytes", n))
			return
		}
		// A request without a body (every GET) has nothing to cap.
		if b := c.Request.Body; b != nil && b != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, b, n)
		}
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
