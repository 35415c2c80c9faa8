package main

// Regression tests for the hardening findings of issue 10 that need the
// whole server (the API, the respondent pages and the dashboard on one
// engine) or its start-up: weak researcher tokens and sign-in guessing
// (05) and HEAD (smaller findings). The process tests are in
// hardening_process_test.go.

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestHardening05WeakAdminTokenRefused checks that serve refuses a short
// or repetitive DYAD_ADMIN_TOKEN with a clear message before opening
// anything, that generated tokens meet the same rule, and that the
// dashboard's sign-in is limited like the API's bearer token.
func TestHardening05WeakAdminTokenRefused(t *testing.T) {
	for _, tc := range []struct{ token, want string }{
		{"a", "DYAD_ADMIN_TOKEN is 1 characters long; it must be at least 32"},
		{"correct-horse-battery-staple", "DYAD_ADMIN_TOKEN is 28 characters long; it must be at least 32"},
		{strings.Repeat("ab", 20), "DYAD_ADMIN_TOKEN uses only 2 different characters; it must use at least 8"},
	} {
		db := filepath.Join(t.TempDir(), "dyad.db")
		var out, errOut bytes.Buffer
		getenv := func(k string) string { return map[string]string{"DYAD_ADMIN_TOKEN": tc.token}[k] }
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db}, getenv, &out, &errOut)
		cancel()
		if code != 2 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("token %q: exit %d, stderr %q; want exit 2 and %q", tc.token, code, errOut.String(), tc.want)
		}
	}
	for range 1000 {
		if tok := survey.NewToken(); checkAdminToken(tok) != nil {
			t.Fatalf("generated token %q fails the rule: %v", tok, checkAdminToken(tok))
		}
	}

	// Sign-in guessing on the dashboard draws on the same budget.
	const token = "hardening-token-0123456789abcdefgh"
	s := startServe(t, filepath.Join(t.TempDir(), "dyad.db"), map[string]string{"DYAD_ADMIN_TOKEN": token})
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(s.base + "/admin/login")
	if err != nil {
		t.Fatal(err)
	}
	form, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(form)
	if csrf == nil {
		t.Fatalf("no sign-in form:\n%s", form)
	}
	signIn := func(tok string) *http.Response {
		t.Helper()
		resp, err := client.PostForm(s.base+"/admin/login", url.Values{"_csrf": {string(csrf[1])}, "token": {tok}})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	var codes []int
	for range 12 {
		codes = append(codes, signIn("a-wrong-guess-at-the-token").StatusCode)
	}
	if codes[9] != http.StatusUnauthorized || codes[10] != http.StatusTooManyRequests {
		t.Fatalf("sign-in statuses %v: want 10 × 401, then 429", codes)
	}
	if resp := signIn(token); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the right token from a blocked client: %d (Retry-After %q), want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	req, _ := http.NewRequest(http.MethodGet, s.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("/metrics after failed sign-ins: %v %v, want 429 (one budget)", resp.StatusCode, err)
	}
}

// rawHEAD sends a HEAD request on its own connection and returns the
// status line, the headers and every byte after them until the server
// closed the connection.
func rawHEAD(t *testing.T, base, path, auth string) (string, http.Header, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
	if auth != "" {
		req += "Authorization: " + auth + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("HEAD %s: %v", path, err)
	}
	head, rest, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("HEAD %s: no end of headers in %q", path, raw)
	}
	lines := strings.Split(string(head), "\r\n")
	h := http.Header{}
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok {
			h.Add(k, strings.TrimSpace(v))
		}
	}
	return lines[0], h, rest
}

// TestHardeningHEAD checks that HEAD is answered as GET without a body on
// every kind of route: health, the public and researcher API, the
// respondent pages (reached through NoRoute) and the dashboard.
func TestHardeningHEAD(t *testing.T) {
	const token = "hardening-token-0123456789abcdefgh"
	s := startServe(t, filepath.Join(t.TempDir(), "dyad.db"), map[string]string{"DYAD_ADMIN_TOKEN": token})
	surveyID := regexp.MustCompile(`/s/([a-z0-9]+)`).FindStringSubmatch(s.out.String())[1]
	for _, tc := range []struct{ path, auth string }{
		{"/healthz", ""},
		{"/readyz", ""},
		{"/api/v1/public/surveys/" + surveyID, ""},
		{"/api/v1/surveys", "Bearer " + token},
		{"/api/v1/surveys/" + surveyID + "/export.csv", "Bearer " + token},
		{"/s/" + surveyID, ""},
		{"/admin/login", ""},
		{"/admin", ""}, // a redirect to the sign-in form, as for GET
	} {
		req, _ := http.NewRequest(http.MethodGet, s.base+tc.path, nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		get, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, get.Body)
		get.Body.Close()

		status, h, body := rawHEAD(t, s.base, tc.path, tc.auth)
		if want := "HTTP/1.1 " + get.Status; status != want {
			t.Errorf("HEAD %s: %q, want %q as for GET", tc.path, status, want)
		}
		if h.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: Content-Type %q, GET's is %q", tc.path, h.Get("Content-Type"), get.Header.Get("Content-Type"))
		}
		if len(body) != 0 {
			t.Errorf("HEAD %s: %d bytes of body: %.80q", tc.path, len(body), body)
		}
	}
}
