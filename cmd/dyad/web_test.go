package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/testkit/formclient"
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
	c := formclient.New(t, s.base)

	p := c.Get(strings.TrimPrefix(link, s.base))
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") || !strings.Contains(p.Body, "Start the survey") {
		t.Fatalf("welcome page: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	token := c.CSRF
	if p := c.Get("/s/nosuchsurv"); p.Status != http.StatusNotFound || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
		t.Errorf("unknown survey: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	if p := c.Get("/api/v1/nothing"); p.Status != http.StatusNotFound || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") {
		t.Errorf("unknown API route: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	if token == "" {
		t.Fatal("no CSRF token on the welcome page")
	}

	s.shutdown(t)
	s2 := startServe(t, db, nil)
	// Same browser: cookies belong to the host, whatever the new port.
	c.Base = s2.base
	p = c.Post(strings.TrimPrefix(link, s.base)+"/start", url.Values{"_csrf": {token}})
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/p/1") {
		t.Fatalf("start after a restart: %d %q", p.Status, p.Location)
	}
}
