package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/gin-gonic/gin"
)

// BenchmarkPageGzip is pagekit.WriteBody alone on a section page as the
// journey meets it (section 2, not yet answered, rendered plain through
// the router once): the compression every page rendered per request
// pays, and the bytes it sends.
func BenchmarkPageGzip(b *testing.B) {
	f, newReq, _ := benchRespondent(b)
	r := newReq(http.MethodGet, sectionPath(1), "")
	r.Header.Del("Accept-Encoding")
	w := httptest.NewRecorder()
	f.srv.Config.Handler.ServeHTTP(w, r)
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "" {
		b.Fatalf("section 2: %d %q", w.Code, w.Header().Get("Content-Encoding"))
	}
	page := w.Body.Bytes()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	sent := 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = req
		pagekit.WriteBody(c, http.StatusOK, "text/html; charset=utf-8", page)
		if rec.Header().Get("Content-Encoding") != "gzip" {
			b.Fatal("not compressed")
		}
		sent = rec.Body.Len()
	}
	b.ReportMetric(float64(len(page)), "page-bytes")
	b.ReportMetric(float64(sent), "gzip-bytes")
}
