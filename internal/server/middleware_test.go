package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/gin-gonic/gin"
)

// The access log line: these fields in this order, the route pattern and
// the path without its query (which may hold an invitation code), the
// status, the duration and the request id the client was sent.
func TestAccessLogLine(t *testing.T) {
	var buf syncBuffer
	m := &module{[]string{"/x"}, func(r *server.Router) {
		r.POST("/x/:id", func(c *gin.Context) {
			_, _ = io.Copy(io.Discard, c.Request.Body)
			c.Status(http.StatusAccepted)
		})
	}}
	srv := server.New(server.Config{Modules: []server.Module{m}, Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	rec := get(t, srv, "POST", "/x/abc?code=SECRET-CODE-1")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d", rec.Code)
	}
	line := strings.TrimSpace(buf.String())
	if strings.Contains(line, "SECRET") || strings.Contains(line, "code=") {
		t.Errorf("the query string is in the log: %s", line)
	}
	dec := json.NewDecoder(strings.NewReader(line))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := strings.Join(keys, ","), "time,level,msg,method,route,path,status,duration,request_id"; got != want {
		t.Errorf("fields %s, want %s", got, want)
	}
	var f map[string]any
	if err := json.Unmarshal([]byte(line), &f); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"level": "INFO", "msg": "request", "method": "POST", "route": "/x/:id", "path": "/x/abc",
		"status": float64(http.StatusAccepted), "request_id": rec.Header().Get("X-Request-ID")}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %v, want %v", k, f[k], v)
		}
	}
	if d, ok := f["duration"].(float64); !ok || d <= 0 {
		t.Errorf("duration %v, want a positive number of nanoseconds", f["duration"])
	}
}

// A request id is the client's when well formed (printable ASCII, at most
// 64 bytes), otherwise 20 characters of lower-case Crockford base32, new
// for every request; every answer carries the security headers.
func TestRequestIDsAndHeaders(t *testing.T) {
	m := &module{[]string{"/x"}, func(r *server.Router) {
		r.GET("/x", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	}}
	srv := server.New(server.Config{Modules: []server.Module{m}, Logger: slog.New(slog.DiscardHandler)})
	shape := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{20}$`)
	seen := map[string]bool{}
	for _, sent := range []string{"", "has space", strings.Repeat("a", 65), "naïve", "", ""} {
		var header []string
		if sent != "" {
			header = []string{"X-Request-ID", sent}
		}
		rec := get(t, srv, "GET", "/x", header...)
		id := rec.Header().Get("X-Request-ID")
		if !shape.MatchString(id) || seen[id] {
			t.Errorf("sent %q, got the id %q: want a new one of 20 base32 characters", sent, id)
		}
		seen[id] = true
		if n := len(rec.Header()["X-Request-Id"]); n != 1 {
			t.Errorf("%d X-Request-ID headers", n)
		}
	}
	for _, kept := range []string{"a", strings.Repeat("z", 64), "!~"} {
		if id := get(t, srv, "GET", "/x", "X-Request-ID", kept).Header().Get("X-Request-ID"); id != kept {
			t.Errorf("sent %q, got %q", kept, id)
		}
	}
	rec := get(t, srv, "GET", "/x")
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
		if got := rec.Header().Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
}
