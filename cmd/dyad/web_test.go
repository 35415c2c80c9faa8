package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeRespondentForm checks that `dyad serve` mounts the respondent
// form beside the API, and that a page opened before a restart can still
// be sent after it (the CSRF key is kept in the database).
func TestServeRespondentForm(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dyad.db")
	s := startServe(t, db, nil)
	link := regexp.MustCompile(`(http://\S+/s/[a-z0-9]+)`).FindString(s.out.String())
	if link == "" {
		t.Fatalf("no survey link printed:\n%s", s.out.String())
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	resp, body := get(link)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "Start the survey") {
		t.Fatalf("welcome page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := get(s.base + "/s/nosuchsurv"); resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("unknown survey: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := get(s.base + "/api/v1/nothing"); resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("unknown API route: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if token == nil {
		t.Fatal("no CSRF token on the welcome page")
	}

	s.shutdown(t)
	s2 := startServe(t, db, nil)
	// Same browser: cookies belong to the host, whatever the new port.
	start := strings.Replace(link, s.base, s2.base, 1) + "/start"
	resp, err := client.PostForm(start, url.Values{"_csrf": {token[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/p/1") {
		t.Fatalf("start after a restart: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
