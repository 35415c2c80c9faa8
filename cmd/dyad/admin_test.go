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
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(resp *http.Response, err error) (*http.Response, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	resp, _ := do(client.Get(s.base + "/admin/surveys/" + surveyID))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login?next=") {
		t.Fatalf("without a session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, form := do(client.Get(s.base + resp.Header.Get("Location")))
	csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(form)
	if csrf == nil {
		t.Fatalf("no sign-in form:\n%s", form)
	}
	resp, _ = do(client.PostForm(s.base+"/admin/login", url.Values{"_csrf": {csrf[1]}, "token": {token},
		"next": {"/admin/surveys/" + surveyID}}))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/surveys/"+surveyID {
		t.Fatalf("sign in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := do(client.Get(s.base + "/admin/surveys/" + surveyID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `class="chart-svg likert"`) {
		t.Fatalf("results: %d", resp.StatusCode)
	}
	resp, body = do(client.Get(s.base + "/admin/surveys/" + surveyID + "/codebook.csv"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "eff_1") {
		t.Fatalf("codebook: %d", resp.StatusCode)
	}
	for path, ctype := range map[string]string{"/admin/nothing": "text/html", "/s/nosuchsurv": "text/html", "/api/v1/nothing": "application/json"} {
		if resp, _ := do(client.Get(s.base + path)); resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %s, want 404 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), ctype)
		}
	}
}
