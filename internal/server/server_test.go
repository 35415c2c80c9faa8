package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// module is a small module for the server's own tests: routes under its
// prefixes, and an HTML error page when pages is set.
type module struct {
	prefixes []string
	mount    func(r *server.Router)
}

func (m *module) Prefixes() []string     { return m.prefixes }
func (m *module) Mount(r *server.Router) { m.mount(r) }

type pageModule struct{ module }

func (*pageModule) ErrorPage(c *gin.Context, status int, err *survey.Error) {
	c.Data(status, "text/html; charset=utf-8", []byte("<p>page: "+err.Code+"</p>"))
}

func get(tb testing.TB, h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// Errors under a page module's prefix are its page; everywhere else they
// are the API's JSON, whoever finds them: a handler, the router (no such
// path, wrong method) or a panic.
func TestErrorsAnswerByPrefix(t *testing.T) {
	fail := func(c *gin.Context) { server.Fail(c, survey.Errorf(survey.EConflict, "taken")) }
	api := &module{[]string{"/api/v1"}, func(r *server.Router) {
		r.GET("/api/v1/thing", fail)
		r.GET("/api/v1/panic", func(*gin.Context) { panic("boom") })
	}}
	pages := &pageModule{module{[]string{"/s"}, func(r *server.Router) {
		r.GET("/s/:id", fail)
		r.GET("/s/:id/panic", func(*gin.Context) { panic("boom") })
	}}}
	srv := server.New(server.Config{Modules: []server.Module{api, pages}, Logger: slog.New(slog.DiscardHandler)})
	for _, tc := range []struct {
		method, path string
		status       int
		html         bool
		code         string
	}{
		{"GET", "/api/v1/thing", 409, false, "conflict"},
		{"GET", "/api/v1/nothing", 404, false, "not_found"},
		{"POST", "/api/v1/thing", 405, false, "method_invalid"},
		{"GET", "/api/v1/panic", 500, false, "internal"},
		{"GET", "/elsewhere", 404, false, "not_found"},
		{"GET", "/s", 404, true, "not_found"},
		{"GET", "/s/abc", 409, true, "conflict"},
		{"GET", "/s/abc/nothing/here", 404, true, "not_found"},
		{"POST", "/s/abc", 405, true, "method_invalid"},
		{"GET", "/s/abc/panic", 500, true, "internal"},
		{"GET", "/status", 404, false, "not_found"}, // a prefix is a path segment, not a string prefix
	} {
		rec := get(t, srv, tc.method, tc.path)
		ct := rec.Header().Get("Content-Type")
		if rec.Code != tc.status || strings.HasPrefix(ct, "text/html") != tc.html {
			t.Errorf("%s %s: %d %s, want %d (HTML %v)", tc.method, tc.path, rec.Code, ct, tc.status, tc.html)
			continue
		}
		if tc.html {
			if want := "page: " + tc.code; !strings.Contains(rec.Body.String(), want) {
				t.Errorf("%s %s: page %q, want %q", tc.method, tc.path, rec.Body, want)
			}
			continue
		}
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != tc.code {
			t.Errorf("%s %s: body %s, want the JSON error %s", tc.method, tc.path, rec.Body, tc.code)
		}
	}
}

// A module may register routes only under its own prefixes, and no two
// modules may own one prefix: either is a wiring mistake New refuses.
func TestModulesStayOnTheirPrefixes(t *testing.T) {
	ok := func(*gin.Context) {}
	for name, mods := range map[string][]server.Module{
		"route outside": {&module{[]string{"/s"}, func(r *server.Router) { r.GET("/admin/x", ok) }}},
		"string prefix": {&module{[]string{"/s"}, func(r *server.Router) { r.GET("/survey", ok) }}},
		"shared prefix": {
			&module{[]string{"/s"}, func(r *server.Router) { r.GET("/s/a", ok) }},
			&module{[]string{"/s"}, func(r *server.Router) { r.GET("/s/b", ok) }},
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: New did not refuse it", name)
				}
			}()
			server.New(server.Config{Modules: mods, Logger: slog.New(slog.DiscardHandler)})
		}()
	}
}

// Every record logged with a request's context carries its request id,
// which no caller names: the access log line and a handler's own line
// both have the id the client was sent.
func TestLogRecordsCarryTheRequestID(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	m := &module{[]string{"/x"}, func(r *server.Router) {
		r.GET("/x", func(c *gin.Context) {
			server.Logger(c).InfoContext(c.Request.Context(), "handler says")
			r.Logger.InfoContext(c.Request.Context(), "router logger says")
			c.Status(http.StatusNoContent)
		})
	}}
	srv := server.New(server.Config{Modules: []server.Module{m}, Logger: log})
	rec := get(t, srv, "GET", "/x", "X-Request-ID", "client-chosen-id-1")
	if id := rec.Header().Get("X-Request-ID"); id != "client-chosen-id-1" {
		t.Fatalf("X-Request-ID %q, want the client's", id)
	}
	rec = get(t, srv, "GET", "/x")
	id := rec.Header().Get("X-Request-ID")
	if id == "" {
		t.Fatal("no X-Request-ID made")
	}
	seen := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rid, _ := rec["request_id"].(string); rid == id {
			seen[rec["msg"].(string)] = rid
		}
	}
	for _, msg := range []string{"handler says", "router logger says", "request"} {
		if seen[msg] == "" {
			t.Errorf("the line %q of the second request has no request_id %s; log:\n%s", msg, id, buf.String())
		}
	}
	// Logging without a request's context adds nothing.
	buf.Reset()
	srv.Logger().Info("outside")
	if strings.Contains(buf.String(), "request_id") {
		t.Errorf("a record without a request has a request id: %s", buf.String())
	}
}

// The researcher token puts the researcher in the request's context as
// its actor; a request without it never reaches the handler.
func TestResearcherIsTheActor(t *testing.T) {
	const token = "server-test-token-0123456789abcdef"
	m := &module{[]string{"/api/v1"}, func(r *server.Router) {
		r.GET("/api/v1/me", r.Auth.Researcher(), func(c *gin.Context) {
			a, ok := server.ActorFrom(c.Request.Context())
			c.JSON(http.StatusOK, gin.H{"ok": ok, "id": a.ID, "method": a.Method})
		})
	}}
	srv := server.New(server.Config{Modules: []server.Module{m}, TokenHash: survey.HashSecret(token), Logger: slog.New(slog.DiscardHandler)})
	rec := get(t, srv, "GET", "/api/v1/me", "Authorization", "Bearer "+token)
	if rec.Code != 200 || rec.Body.String() != `{"id":"researcher","method":"token","ok":true}` {
		t.Errorf("with the token: %d %s", rec.Code, rec.Body)
	}
	if rec := get(t, srv, "GET", "/api/v1/me", "Authorization", "Bearer wrong"); rec.Code != 401 {
		t.Errorf("with a wrong token: %d, want 401", rec.Code)
	}
}

// AcceptsGzip reads Accept-Encoding as RFC 9110 §12.5.3 does: "*" stands
// for any coding not named, a named coding's own weight wins over "*",
// and q=0 means "not acceptable".
func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                        false,
		"identity":                false,
		"br, deflate":             false,
		"gzip":                    true,
		"GZIP":                    true,
		"x-gzip":                  true,
		"gzip, deflate, br, zstd": true,
		"gzip;q=0":                false,
		"gzip; q=0.000":           false,
		"gzip;q=0.001":            true,
		"gzip;q=1.0":              true,
		"*":                       true,
		"*;q=0":                   false,
		"br, *;q=0.1":             true,
		"gzip;q=0, *":             false, // named and refused: * does not bring it back
		"*;q=0, gzip":             true,  // named and accepted: * does not take it away
		"*, gzip;q=0":             false,
		"identity;q=1, *;q=0":     false,
		"gzip;level=1":            true, // an unknown parameter is no weight
	} {
		if got := server.AcceptsGzip(header); got != want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// HEAD is answered as GET, with the GET's headers and no body, on every
// path: a route, a page and a path that matches nothing.
func TestHeadIsGet(t *testing.T) {
	m := &module{[]string{"/x"}, func(r *server.Router) {
		r.GET("/x", func(c *gin.Context) { c.String(http.StatusOK, "hello") })
	}}
	srv := httptest.NewServer(server.New(server.Config{Modules: []server.Module{m}, Logger: slog.New(slog.DiscardHandler)}))
	defer srv.Close()
	for path, status := range map[string]int{"/x": 200, "/nothing": 404} {
		resp, err := http.Head(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != status || len(body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes, want %d and none", path, resp.StatusCode, len(body), status)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
