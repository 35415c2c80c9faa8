package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/testkit/formclient"
)

// TestServePostgres runs `dyad serve --db postgres://...` on a fresh
// database (DYAD_TEST_POSTGRES_URL; skipped without it outside CI): it
// seeds the study survey, takes one response through the API and reads it
// back, serves the web form, and on a second start on the same database
// keeps the survey and the response and prints no new token.
func TestServePostgres(t *testing.T) {
	dsn := pgtest.URL(t)
	env := map[string]string{"DYAD_KEY_FILE": filepath.Join(t.TempDir(), "dyad.key")}
	s := startServe(t, dsn, env)
	out := s.out.String()
	token := regexp.MustCompile(`Researcher token \(shown once[^\n]*\n\s+(\S+)`).FindStringSubmatch(out)
	m := regexp.MustCompile(`(http://\S+/s/([a-z0-9]+))`).FindStringSubmatch(out)
	if token == nil || m == nil {
		t.Fatalf("no token or survey printed:\n%s", out)
	}
	surveyID := m[2]

	body, _ := json.Marshal(map[string]any{"answers": realisticAnswers(t)})
	resp, err := http.Post(s.base+"/api/v1/public/surveys/"+surveyID+"/responses", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %d %s", resp.StatusCode, b)
	}
	var created struct{ ID string }
	if err := json.Unmarshal(b, &created); err != nil || created.ID == "" {
		t.Fatalf("submit answered %s", b)
	}
	var page struct {
		Items []struct {
			ID      string
			Status  string
			Answers map[string]json.RawMessage
		}
	}
	getJSON(t, s.base+"/api/v1/surveys/"+surveyID+"/responses", token[1], &page)
	want := realisticAnswers(t)
	if len(page.Items) != 1 || page.Items[0].ID != created.ID || page.Items[0].Status != "complete" || len(page.Items[0].Answers) != len(want) {
		t.Fatalf("read back %+v; want the one response %s with %d answers", page.Items, created.ID, len(want))
	}
	for id, v := range want {
		if got, w := string(page.Items[0].Answers[id]), string(v.(json.RawMessage)); got != w {
			t.Errorf("answer %s read back %s, want %s", id, got, w)
		}
	}

	// The web form starts a response in progress on PostgreSQL too.
	c := formclient.New(t, s.base)
	link := strings.TrimPrefix(m[1], s.base)
	if p := c.Get(link); p.Status != http.StatusOK || c.CSRF == "" {
		t.Fatalf("welcome page: %d", p.Status)
	}
	if p := c.Post(link+"/start", url.Values{"_csrf": {c.CSRF}}); p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/p/1") {
		t.Fatalf("start: %d %q", p.Status, p.Location)
	}

	s.shutdown(t)
	s2 := startServe(t, dsn, env)
	if strings.Contains(s2.out.String(), "shown once") || !strings.Contains(s2.out.String(), "/s/"+surveyID) {
		t.Fatalf("second start on the same database:\n%s", s2.out.String())
	}
	var sv struct {
		Responses struct {
			Complete   int
			InProgress int `json:"in_progress"`
		}
	}
	getJSON(t, s2.base+"/api/v1/surveys/"+surveyID, token[1], &sv)
	if sv.Responses.Complete != 1 || sv.Responses.InProgress != 1 {
		t.Fatalf("after restart: %+v, want 1 complete and 1 in progress", sv.Responses)
	}
}
