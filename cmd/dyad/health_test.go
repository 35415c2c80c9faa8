package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestHealthCommand runs dyad health, as the container's HEALTHCHECK does,
// against a real dyad serve: exit 0 while it is ready, reached with --url
// and through DYAD_ADDR; exit 1 once it has stopped, and when /readyz
// answers 503.
func TestHealthCommand(t *testing.T) {
	s := startServe(t, filepath.Join(t.TempDir(), "dyad.db"), nil)
	health := func(env map[string]string, args ...string) (int, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"health"}, args...), func(k string) string { return env[k] }, &out, &errOut)
		return code, out.String() + errOut.String()
	}

	if code, out := health(nil, "--url", s.base); code != 0 {
		t.Errorf("health --url %s: exit %d, want 0\n%s", s.base, code, out)
	}
	addr := ":" + s.base[strings.LastIndex(s.base, ":")+1:] // as DYAD_ADDR is set in the image
	if code, out := health(map[string]string{"DYAD_ADDR": addr}); code != 0 {
		t.Errorf("health with DYAD_ADDR=%s: exit %d, want 0\n%s", addr, code, out)
	}

	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			t.Errorf("health asked %s, want /readyz", r.URL.Path)
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer notReady.Close()
	if code, out := health(nil, "--url", notReady.URL); code != 1 {
		t.Errorf("health against a 503: exit %d, want 1\n%s", code, out)
	}

	s.shutdown(t)
	if code, out := health(nil, "--url", s.base); code != 1 {
		t.Errorf("health after the server stopped: exit %d, want 1\n%s", code, out)
	}
	if code, _ := health(nil, "extra"); code != 2 {
		t.Errorf("health with an argument: exit %d, want 2 (usage)", code)
	}
}
