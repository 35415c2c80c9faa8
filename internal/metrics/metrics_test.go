package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/metrics"
	"github.com/gin-gonic/gin"
)

// Requests are counted by route pattern, method and status (unmatched
// paths under one label), timed by route and method, and public
// submissions counted by result; a series looked up once is counted on
// by later requests.
func TestMiddlewareCounts(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	m := metrics.New()
	r := gin.New()
	r.Use(m.Middleware())
	r.GET("/things/:id", func(c *gin.Context) {
		if c.Param("id") == "missing" {
			c.Status(http.StatusNotFound)
			return
		}
		c.Status(http.StatusOK)
	})
	r.POST(metrics.SubmitRoute, func(c *gin.Context) {
		switch c.Param("id") {
		case "new":
			c.Status(http.StatusCreated)
		case "again":
			c.Status(http.StatusOK)
		case "bad":
			c.Status(http.StatusUnprocessableEntity)
		default:
			c.Status(http.StatusServiceUnavailable)
		}
	})
	send := func(method, path string) {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, path, nil))
	}
	for range 3 {
		send("GET", "/things/a")
	}
	send("GET", "/things/missing")
	send("GET", "/nowhere/1")
	send("GET", "/nowhere/2")
	for _, id := range []string{"new", "new", "again", "bad", "busy"} {
		send("POST", "/api/v1/public/surveys/"+id+"/responses")
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`dyad_http_requests_total{method="GET",route="/things/:id",status="200"} 3`,
		`dyad_http_requests_total{method="GET",route="/things/:id",status="404"} 1`,
		`dyad_http_requests_total{method="GET",route="unmatched",status="404"} 2`,
		`dyad_http_requests_total{method="POST",route="/api/v1/public/surveys/:id/responses",status="201"} 2`,
		`dyad_http_request_duration_seconds_count{method="GET",route="/things/:id"} 4`,
		`dyad_http_request_duration_seconds_count{method="GET",route="unmatched"} 2`,
		`dyad_http_request_duration_seconds_count{method="POST",route="/api/v1/public/surveys/:id/responses"} 5`,
		`dyad_submissions_total{result="accepted"} 2`,
		`dyad_submissions_total{result="replayed"} 1`,
		`dyad_submissions_total{result="rejected"} 1`,
		`dyad_submissions_total{result="failed"} 1`,
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("no %s in\n%s", want, grep(string(body), "dyad_"))
		}
	}
}

func grep(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
