package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/testkit/formclient"
)

// TestMigrateDBMovesAStudy: a study run on SQLite (an open and an
// invitation survey, a code spent, complete and in-progress responses, a
// dashboard token) moves to PostgreSQL with `dyad migrate-db`; the exports
// of both databases are equal byte for byte; a second run says "already
// migrated, verified"; `dyad serve` on the copy keeps the spent code spent
// and takes an unspent one once; a run into a target that has since
// changed is refused. The URL's password is never printed.
func TestMigrateDBMovesAStudy(t *testing.T) {
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	const password = "pw-never-printed-7f3a" // the test cluster trusts local connections: it is not checked
	u.User = url.UserPassword(u.User.Username(), password)
	dsn := u.String()
	db := filepath.Join(t.TempDir(), "dyad.db")
	const token = "migrate-db-test-token-0123456789abcdef"
	env := map[string]string{"DYAD_KEY_FILE": filepath.Join(t.TempDir(), "dyad.key"), "DYAD_ADMIN_TOKEN": token}

	call := func(base, method, path string, body any, dst any) int {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if dst != nil && resp.StatusCode < 300 {
			if err := json.Unmarshal(b, dst); err != nil {
				t.Fatalf("%s %s: %v in %s", method, path, err, b)
			}
		}
		return resp.StatusCode
	}
	answers := realisticAnswers(t)

	s := startServe(t, db, env)
	open := regexp.MustCompile(`/s/([a-z0-9]+)`).FindStringSubmatch(s.out.String())[1]
	var inv struct{ ID string }
	if st := call(s.base, "POST", "/api/v1/surveys", map[string]any{"instrument_key": instruments.Study, "instrument_version": instruments.StudyVersion,
		"title": "Invited", "access": "invitation"}, &inv); st != http.StatusCreated {
		t.Fatalf("create survey: %d", st)
	}
	var codes struct{ Codes []string }
	if st := call(s.base, "POST", "/api/v1/surveys/"+inv.ID+"/invitations", map[string]any{"count": 3}, &codes); st != http.StatusCreated || len(codes.Codes) != 3 {
		t.Fatalf("invitations: %d %v", st, codes.Codes)
	}
	submitInv := "/api/v1/public/surveys/" + inv.ID + "/responses"
	if st := call(s.base, "POST", submitInv, map[string]any{"answers": answers, "invitation_code": codes.Codes[0]}, nil); st != http.StatusCreated {
		t.Fatalf("submit with a code: %d", st)
	}
	for range 5 {
		if st := call(s.base, "POST", "/api/v1/public/surveys/"+open+"/responses", map[string]any{"answers": answers}, nil); st != http.StatusCreated {
			t.Fatalf("submit: %d", st)
		}
	}
	c := formclient.New(t, s.base)
	if p := c.Get("/s/" + open); p.Status != http.StatusOK {
		t.Fatalf("welcome page: %d", p.Status)
	}
	if p := c.Post("/s/"+open+"/start", url.Values{"_csrf": {c.CSRF}}); p.Status != http.StatusSeeOther {
		t.Fatalf("start: %d", p.Status)
	}
	// A dashboard sign-in: its session moves with the data (cookies are
	// not per port, so the same client carries it to the new server).
	admin := formclient.New(t, s.base)
	if p := admin.Get("/admin/login"); admin.CSRF == "" {
		t.Fatalf("no sign-in form: %d", p.Status)
	}
	if p := admin.Post("/admin/login", url.Values{"token": {token}, "next": {"/admin/surveys/" + open}}); p.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", p.Status)
	}
	s.shutdown(t)

	migrateDB := func() (int, string) {
		var out bytes.Buffer
		code := run(context.Background(), []string{"migrate-db", "--from", db, "--to", dsn}, func(string) string { return "" }, &out, &out)
		if strings.Contains(out.String(), password) {
			t.Fatalf("migrate-db printed the password:\n%s", out.String())
		}
		return code, out.String()
	}
	if code, out := migrateDB(); code != 0 || !strings.Contains(out, "verified") || !strings.Contains(out, "same key file") ||
		!regexp.MustCompile(`(?m)^responses +7 rows`).MatchString(out) || !regexp.MustCompile(`(?m)^sessions +1 rows`).MatchString(out) {
		t.Fatalf("first run: exit %d\n%s", code, out)
	} else {
		t.Logf("first run:\n%s", out)
	}
	if code, out := migrateDB(); code != 0 || !strings.Contains(out, "already migrated, verified") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}

	export := func(from, id, status string) []byte {
		var out, errs bytes.Buffer
		if code := run(context.Background(), []string{"export", "--db", from, "--survey", id, "--status", status}, func(string) string { return "" }, &out, &errs); code != 0 {
			t.Fatalf("export from %s: %d %s", from, code, errs.String())
		}
		return out.Bytes()
	}
	for _, id := range []string{open, inv.ID} {
		for _, status := range []string{"complete", "all"} {
			a, b := export(db, id, status), export(dsn, id, status)
			if !bytes.Equal(a, b) || len(a) == 0 {
				t.Errorf("export of %s (%s): SQLite %d bytes, PostgreSQL %d bytes, not equal", id, status, len(a), len(b))
			}
		}
	}

	p := startServe(t, dsn, env)
	admin.Base = p.base
	if pg := admin.Get("/admin/surveys/" + open); pg.Status != http.StatusOK {
		t.Errorf("the dashboard session signed in on SQLite, on PostgreSQL: %d, want 200", pg.Status)
	}
	if st := call(p.base, "POST", submitInv, map[string]any{"answers": answers, "invitation_code": codes.Codes[0]}, nil); st != http.StatusConflict {
		t.Errorf("the code spent on SQLite, on PostgreSQL: %d, want 409", st)
	}
	if st := call(p.base, "POST", submitInv, map[string]any{"answers": answers, "invitation_code": codes.Codes[1]}, nil); st != http.StatusCreated {
		t.Errorf("an unspent code on PostgreSQL: %d, want 201", st)
	}
	if st := call(p.base, "POST", submitInv, map[string]any{"answers": answers, "invitation_code": codes.Codes[1]}, nil); st != http.StatusConflict {
		t.Errorf("that code again: %d, want 409", st)
	}
	var sv struct {
		Responses struct {
			Complete   int
			InProgress int `json:"in_progress"`
		}
	}
	getJSON(t, p.base+"/api/v1/surveys/"+open, token, &sv)
	if sv.Responses.Complete != 5 || sv.Responses.InProgress != 1 {
		t.Errorf("the open survey on PostgreSQL: %+v, want 5 complete and 1 in progress", sv.Responses)
	}
	p.shutdown(t)

	if code, out := migrateDB(); code != 1 || !strings.Contains(out, "refused") {
		t.Fatalf("a run into a target that has changed since: exit %d\n%s", code, out)
	} else {
		t.Logf("refused:\n%s", out)
	}
}
