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

// TestServeDashboard checks that `dyad serve` mounts the researcher
// dashboard beside the API and the respondent form: the address is
// printed, a visit without a session goes to the sign-in form, the token
// signs in, and the survey's results and downloads open.
func TestServeDashboard(t *testing.T) {
	const token = "dashboard-token-0123456789abcdefgh"
	s := startServe(t, filepath.Join(t.TempDir(), "dyad.db"), map[string]string{"DYAD_ADMIN_TOKEN": token})
	if !strings.Contains(s.out.String(), s.base+"/admin\n") {
		t.Fatalf("the dashboard's address is not printed:\n%s", s.out.String())
	}
	surveyID := regexp.MustCompile(`/s/([a-z0-9]+)`).FindStringSubmatch(s.out.String())[1]
	c := formclient.New(t, s.base)

	p := c.Get("/admin/surveys/" + surveyID)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/admin/login?next=") {
		t.Fatalf("without a session: %d %q", p.Status, p.Location)
	}
	if p := c.Get(p.Location); c.CSRF == "" {
		t.Fatalf("no sign-in form:\n%s", p.Body)
	}
	p = c.Post("/admin/login", url.Values{"token": {token}, "next": {"/admin/surveys/" + surveyID}})
	if p.Status != http.StatusSeeOther || p.Location != "/admin/surveys/"+surveyID {
		t.Fatalf("sign in: %d %q", p.Status, p.Location)
	}
	p = c.Get("/admin/surveys/" + surveyID)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `class="chart-svg likert"`) {
		t.Fatalf("results: %d", p.Status)
	}
	p = c.Get("/admin/surveys/" + surveyID + "/codebook.csv")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "eff_1") {
		t.Fatalf("codebook: %d", p.Status)
	}
	for path, ctype := range map[string]string{"/admin/nothing": "text/html", "/s/nosuchsurv": "text/html", "/api/v1/nothing": "application/json"} {
		if p := c.Get(path); p.Status != http.StatusNotFound || !strings.HasPrefix(p.Header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %s, want 404 %s", path, p.Status, p.Header.Get("Content-Type"), ctype)
		}
	}
}
