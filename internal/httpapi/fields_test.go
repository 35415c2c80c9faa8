package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/server"
)

// TestMalformedFieldsNamed: a malformed time or query number is a 422 that
// names the field, not a 400 about the whole body.
func TestMalformedFieldsNamed(t *testing.T) {
	t.Parallel()
	srv, _ := limitedServer(t, server.Config{})
	cases := []struct {
		method, url, body, path string
	}{
		{"POST", "/api/v1/surveys", `{"instrument_key":"k1","instrument_version":1,"title":"T","access":"open","opens_at":"yesterday"}`, "opens_at"},
		{"POST", "/api/v1/surveys", `{"instrument_key":"k1","instrument_version":1,"title":"T","access":"open","closes_at":12}`, "closes_at"},
		{"POST", "/api/v1/public/surveys/nosuchsurvey/responses", `{"started_at":"2026-13-01T00:00:00Z","answers":{}}`, "started_at"},
		{"GET", "/api/v1/surveys/nosuchsurvey/responses?limit=ten", "", "limit"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.url, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer limits-token")
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Error struct {
				Code    string
				Details []struct{ Path string }
			}
		}
		json.Unmarshal(b, &e)
		if resp.StatusCode != http.StatusUnprocessableEntity || len(e.Error.Details) != 1 || e.Error.Details[0].Path != tc.path {
			t.Errorf("%s %s: %d %s, want 422 at %s", tc.method, tc.url, resp.StatusCode, b, tc.path)
		}
	}
}
