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
	"sync"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/survey"
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

// TestServeTwoInstancesPostgres: two `dyad serve` on one PostgreSQL
// database, sharing the key file and the researcher token, as behind a
// load balancer. 40 concurrent submissions of one invitation code spread
// across both: exactly one 201, the rest 409. One response id sent to both
// at once: one 201 and one 200, one row.
func TestServeTwoInstancesPostgres(t *testing.T) {
	dsn := pgtest.URL(t)
	const token = "two-instances-share-one-token-0123456789"
	env := map[string]string{"DYAD_KEY_FILE": filepath.Join(t.TempDir(), "dyad.key"), "DYAD_ADMIN_TOKEN": token}
	a := startServe(t, dsn, env)
	b := startServe(t, dsn, env)
	call := func(base, method, path string, body any, dst any) int {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if dst != nil && resp.StatusCode < 300 {
			if err := json.Unmarshal(b, dst); err != nil {
				t.Errorf("%s %s: %v in %s", method, path, err, b)
			}
		}
		return resp.StatusCode
	}
	var sv struct{ ID string }
	if st := call(a.base, "POST", "/api/v1/surveys", map[string]any{"instrument_key": instruments.Study, "instrument_version": instruments.StudyVersion,
		"title": "Two instances", "access": "invitation"}, &sv); st != http.StatusCreated {
		t.Fatalf("create survey: %d", st)
	}
	var inv struct{ Codes []string }
	if st := call(b.base, "POST", "/api/v1/surveys/"+sv.ID+"/invitations", map[string]any{"count": 1}, &inv); st != http.StatusCreated || len(inv.Codes) != 1 {
		t.Fatalf("invitations: %d %v", st, inv.Codes)
	}
	answers := realisticAnswers(t)
	submit := "/api/v1/public/surveys/" + sv.ID + "/responses"

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		start    = make(chan struct{})
	)
	for i := range 40 {
		base := []string{a.base, b.base}[i%2]
		wg.Go(func() {
			<-start
			st := call(base, "POST", submit, map[string]any{"answers": answers, "invitation_code": inv.Codes[0]}, nil)
			mu.Lock()
			statuses[st]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if statuses[http.StatusCreated] != 1 || statuses[http.StatusConflict] != 39 {
		t.Errorf("40 submissions of one code: %v; want one 201 and 39 409", statuses)
	}

	open := regexp.MustCompile(`/s/([a-z0-9]+)`).FindStringSubmatch(a.out.String())[1]
	for range 5 {
		id := survey.NewUUID()
		var got [2]int
		for k, base := range []string{a.base, b.base} {
			wg.Go(func() {
				got[k] = call(base, "POST", "/api/v1/public/surveys/"+open+"/responses", map[string]any{"id": id, "answers": answers}, nil)
			})
		}
		wg.Wait()
		if !(got[0] == http.StatusCreated && got[1] == http.StatusOK || got[0] == http.StatusOK && got[1] == http.StatusCreated) {
			t.Errorf("one id sent to both instances: %v; want one 201 and one 200", got)
		}
	}
	var page struct{ Items []struct{ ID string } }
	getJSON(t, b.base+"/api/v1/surveys/"+open+"/responses", token, &page)
	if len(page.Items) != 5 {
		t.Errorf("%d responses stored for 5 ids", len(page.Items))
	}
}
