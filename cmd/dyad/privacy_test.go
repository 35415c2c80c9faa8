package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
)

// TestPrivacyLogsAndDatabase holds two promises of docs/security.md against
// the whole service (API, respondent pages and dashboard in one process):
//
//   - the log never holds a secret or an answer: not the researcher token
//     (right or wrong), not an invitation code (in a body or a query
//     string), not a resume token, not a free-text answer, not the client's
//     address;
//   - the database keeps no client address and no secret in the clear: the
//     researcher token and invitation codes are stored only as hashes.
func TestPrivacyLogsAndDatabase(t *testing.T) {
	const (
		token       = "privacy-test-researcher-token-0123456789abcdef"
		wrongToken  = "wrong-token-guess-ZZZZ-0123456789abcdefghijkl"
		answerText  = "Unique-answer-marker-7f3a9c: my patients ask about AI."
		resumeToken = "resume-token-marker-5d2e8b1f"
	)
	dir := t.TempDir()
	db := filepath.Join(dir, "dyad.db")
	s := startServe(t, db, map[string]string{"DYAD_ADMIN_TOKEN": token})

	do := func(method, path, bearer string, body any) (int, []byte) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, s.base+path, rd)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}

	// An invitation survey of the study instrument, with two codes.
	var list struct{ Items []struct{ Key string } }
	getJSON(t, s.base+"/api/v1/instruments", token, &list)
	code, b := do(http.MethodPost, "/api/v1/surveys", token, map[string]any{
		"instrument_key": instruments.Study, "instrument_version": instruments.StudyVersion,
		"title": "Privacy check", "access": "invitation"})
	if code != http.StatusCreated {
		t.Fatalf("create survey: %d %s", code, b)
	}
	var sv struct{ ID string }
	_ = json.Unmarshal(b, &sv)
	code, b = do(http.MethodPost, "/api/v1/surveys/"+sv.ID+"/invitations", token, map[string]any{"count": 2})
	if code != http.StatusCreated {
		t.Fatalf("create invitations: %d %s", code, b)
	}
	var inv struct{ Codes []string }
	_ = json.Unmarshal(b, &inv)
	if len(inv.Codes) != 2 {
		t.Fatalf("codes: %s", b)
	}

	// A response that spends the first code, with a free-text answer.
	answers := realisticAnswers(t)
	answers["eff_text"] = answerText
	if code, b := do(http.MethodPost, "/api/v1/public/surveys/"+sv.ID+"/responses", "",
		map[string]any{"invitation_code": inv.Codes[0], "answers": answers}); code != http.StatusCreated {
		t.Fatalf("submit: %d %s", code, b)
	}
	// The second code in the welcome page's query string, a resume token in
	// the resume link's, and a wrong researcher token.
	do(http.MethodGet, "/s/"+sv.ID+"?code="+inv.Codes[1], "", nil)
	do(http.MethodGet, "/s/"+sv.ID+"/resume?t="+resumeToken, "", nil)
	if code, _ := do(http.MethodGet, "/api/v1/surveys", wrongToken, nil); code != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d, want 401", code)
	}
	s.shutdown(t)

	logText := s.log.String()
	if !strings.Contains(logText, `"route"`) {
		t.Fatalf("the test saw no request log lines:\n%s", logText)
	}
	secrets := map[string]string{
		"researcher token":   token,
		"wrong token":        wrongToken,
		"invitation code 1":  inv.Codes[0],
		"invitation code 2":  inv.Codes[1],
		"free-text answer":   "Unique-answer-marker-7f3a9c",
		"resume token":       resumeToken,
		"client address":     "127.0.0.1",
		"IPv6 loopback addr": "::1",
	}
	for what, secret := range secrets {
		if strings.Contains(logText, secret) {
			t.Errorf("the log holds the %s %q", what, secret)
		}
	}

	// The database files (after a clean shutdown, and whatever WAL is left).
	var stored []byte
	for _, f := range []string{db, db + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		stored = append(stored, b...)
	}
	if !bytes.Contains(stored, []byte("Unique-answer-marker-7f3a9c")) {
		t.Fatal("the answer is not in the database files: the search below would prove nothing")
	}
	for what, secret := range map[string]string{
		"researcher token":  token,
		"invitation code 1": inv.Codes[0],
		"invitation code 2": inv.Codes[1],
		"client address":    "127.0.0.1",
	} {
		if bytes.Contains(stored, []byte(secret)) {
			t.Errorf("the database holds the %s %q in the clear", what, secret)
		}
	}
}
