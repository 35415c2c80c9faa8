package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web"
)

// Errors that the server finds before any page handler runs (the rate
// limit, a body over the limit, a method the path does not take) reach a
// respondent as a page with the pages' headers, not as the API's JSON.
// SQLite only: no request here reaches the store.
func TestServerErrorsArePages(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "dyad.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(server.New(server.Config{
		Modules:   []server.Module{web.New(web.Config{Service: survey.NewService(st)})},
		RateLimit: 1, // a burst of 3
		Logger:    slog.New(slog.DiscardHandler),
	}))
	t.Cleanup(srv.Close)
	check := func(resp *http.Response, status int, words string) {
		t.Helper()
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			resp.Header.Get("Content-Security-Policy") == "" || !strings.Contains(string(body), words) {
			t.Errorf("%s %s: %d %s, want %d and a page saying %q\n%s", resp.Request.Method, resp.Request.URL.Path,
				resp.StatusCode, resp.Header.Get("Content-Type"), status, words, body)
		}
	}
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/s/nosuchsurv", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	check(resp, http.StatusMethodNotAllowed, "not allowed")
	big := "_csrf=" + strings.Repeat("x", server.MaxBodyBytes)
	resp, err = http.Post(srv.URL+"/s/nosuchsurv/p/1", "application/x-www-form-urlencoded", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	check(resp, http.StatusRequestEntityTooLarge, "over the limit")
	var last *http.Response
	for range 3 {
		if last, err = http.Get(srv.URL + "/s/nosuchsurv"); err != nil {
			t.Fatal(err)
		}
		if last.StatusCode == http.StatusTooManyRequests {
			break
		}
		last.Body.Close()
	}
	if last.Header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	check(last, http.StatusTooManyRequests, "slow down")
}
