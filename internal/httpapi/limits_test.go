package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/httpapi"
	"github.com/dyad-survey/dyad/internal/metrics"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
)

// limitedServer serves the API over a SQLite file: the server's limits and
// metrics are under test, not the store (the API tests on both engines are
// in helpers_test.go).
func limitedServer(t *testing.T, cfg server.Config) (*httptest.Server, *survey.Service) {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "dyad.db")
	st, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	svc := survey.NewService(st)
	cfg.TokenHash = survey.HashSecret("limits-token")
	srv := httptest.NewServer(newServer(config{Config: cfg, API: httpapi.Config{Service: svc}}))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return srv, svc
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	srv, _ := limitedServer(t, server.Config{RateLimit: 2}) // burst of 6
	var codes []int
	var retryAfter string
	for range 10 {
		resp, err := http.Get(srv.URL + "/api/v1/public/surveys/nosuchsurvey")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			retryAfter = resp.Header.Get("Retry-After")
			if !strings.Contains(string(body), `"code":"rate_limited"`) {
				t.Errorf("429 body is not the error JSON: %s", body)
			}
		}
	}
	limited := 0
	for _, c := range codes {
		if c == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 4 {
		t.Fatalf("statuses %v: want the 4 requests past the burst of 6 limited", codes)
	}
	if n, err := strconv.Atoi(retryAfter); err != nil || n < 1 {
		t.Fatalf("Retry-After %q, want a positive number of seconds", retryAfter)
	}
	// Health checks are never limited.
	for range 10 {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/healthz: %d", resp.StatusCode)
		}
	}
}

func TestRateLimitOff(t *testing.T) {
	t.Parallel()
	srv, _ := limitedServer(t, server.Config{RateLimit: 0})
	for range 50 {
		resp, err := http.Get(srv.URL + "/api/v1/public/surveys/nosuchsurvey")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			t.Fatal("rate limited although limiting is off")
		}
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.ReportDatabaseSize(func() int64 { return 0 }) // what the store driver reports (store.SizeReporter)
	srv, _ := limitedServer(t, server.Config{Metrics: m})

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/metrics without the token: %d, want 401", resp.StatusCode)
	}
	post, _ := http.Post(srv.URL+"/api/v1/public/surveys/nosuchsurvey/responses", "application/json", strings.NewReader(`{"answers":{}}`))
	post.Body.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer limits-token")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`dyad_http_requests_total{method="POST",route="/api/v1/public/surveys/:id/responses",status="404"} 1`,
		`dyad_submissions_total{result="rejected"} 1`,
		`dyad_database_bytes`,
		`dyad_writer_commit_seconds_bucket`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(string(body), "nosuchsurvey") {
		t.Error("metrics carry a raw path")
	}
}
