package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/metrics"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/gin-gonic/gin"
)

// BenchmarkMiddleware measures what every request pays outside its
// handler: a trivial route behind the whole chain as dyad serve builds it
// (request id, the JSON access log, recovery, metrics, security headers,
// the rate limiter, the body limit and deadline, HEAD as GET). A journey
// of the web form is 19 such requests.
//
//	go test -run '^$' -bench Middleware -benchmem ./internal/server
func BenchmarkMiddleware(b *testing.B) {
	mod := &module{[]string{"/api/v1"}, func(r *server.Router) {
		r.GET("/api/v1/thing/:id", func(c *gin.Context) { c.Data(http.StatusOK, "text/plain", []byte("ok")) })
		r.POST("/api/v1/thing/:id", func(c *gin.Context) {
			_, _ = io.Copy(io.Discard, c.Request.Body)
			c.Status(http.StatusNoContent)
		})
	}}
	srv := server.New(server.Config{
		Modules:   []server.Module{mod},
		Logger:    slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Metrics:   metrics.New(),
		RateLimit: 1e9,
	})
	run := func(b *testing.B, method, body string) {
		// One request, made once: the chain copies it (WithContext) before
		// changing anything but the body, so the loop measures the server.
		req := httptest.NewRequest(method, "/api/v1/thing/abc", nil)
		req.Header.Set("User-Agent", "Mozilla/5.0")
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		rd := strings.NewReader(body)
		b.ReportAllocs()
		for b.Loop() {
			if method == http.MethodPost {
				_, _ = rd.Seek(0, io.SeekStart)
				req.Body, req.ContentLength = io.NopCloser(rd), rd.Size()
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code >= 300 {
				b.Fatalf("status %d", w.Code)
			}
		}
	}
	b.Run("GET", func(b *testing.B) { run(b, http.MethodGet, "") })
	b.Run("POST", func(b *testing.B) { run(b, http.MethodPost, "a=1&b=2") })
}
