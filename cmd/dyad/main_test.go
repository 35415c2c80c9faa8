package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

func TestValidate(t *testing.T) {
	t.Run("ShippedInstrumentsPass", func(t *testing.T) {
		files, _ := filepath.Glob("../../instruments/*")
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append([]string{"validate"}, files...), os.Getenv, &out, &errOut); code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
		}
		if n := strings.Count(out.String(), ": ok"); n < 2 {
			t.Fatalf("want every instrument file ok, got:\n%s", out.String())
		}
	})
	t.Run("BrokenFileListsEveryProblem", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"validate", fixtures.InstrumentPath("broken.yaml")}, os.Getenv, &out, &errOut)
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		for _, want := range []string{
			"broken.yaml: key: must match",
			"broken.yaml: colour: unknown field",
			`broken.yaml: sections[0].items[0].scale: unknown scale "agree7"`,
			`broken.yaml: sections[0].items[1].id: duplicate item id "q1"`,
			"broken.yaml: sections[0].items[2].min: min 10 is greater than max 5",
			`broken.yaml: sections[0].items[3].show_if.item: "q5" comes later`,
			"broken.yaml: scales[1].options: a scale needs at least 2 options",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q", want)
			}
		}
		if t.Failed() {
			t.Log(out.String())
		}
	})
	t.Run("NoFiles", func(t *testing.T) {
		if code := run(context.Background(), []string{"validate"}, os.Getenv, io.Discard, io.Discard); code != 2 {
			t.Fatalf("exit %d, want 2", code)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is one `dyad serve` run inside the test process.
type server struct {
	out  *syncBuffer
	log  *syncBuffer // the server's structured log (stderr)
	stop context.CancelFunc
	done chan int
	base string
}

var runningAt = regexp.MustCompile(`Dyad is running at (http://\S+)`)

func startServe(t *testing.T, db string, env map[string]string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{out: &syncBuffer{}, log: &syncBuffer{}, stop: cancel, done: make(chan int, 1)}
	getenv := func(k string) string { return env[k] }
	go func() {
		s.done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db}, getenv, s.out, s.log)
	}()
	deadline := time.After(20 * time.Second)
	for s.base == "" {
		if m := runningAt.FindStringSubmatch(s.out.String()); m != nil && strings.HasSuffix(s.out.String(), "\n\n") {
			s.base = m[1]
			break
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve exited with %d:\n%s", code, s.out.String())
		case <-deadline:
			t.Fatalf("serve did not start:\n%s", s.out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Cleanup(func() { s.shutdown(t) })
	return s
}

func (s *server) shutdown(t *testing.T) {
	if s.stop == nil {
		return
	}
	s.stop()
	s.stop = nil
	if code := <-s.done; code != 0 {
		t.Errorf("serve exited with %d", code)
	}
}

func TestServeFreshDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dyad.db")
	s := startServe(t, db, nil)
	out := s.out.String()

	token := regexp.MustCompile(`Researcher token \(shown once[^\n]*\n\s+(\S+)`).FindStringSubmatch(out)
	if token == nil {
		t.Fatalf("no researcher token printed:\n%s", out)
	}
	surveyURL := regexp.MustCompile(`(http://\S+/s/([a-z0-9]+))`).FindStringSubmatch(out)
	if surveyURL == nil || !strings.HasPrefix(surveyURL[1], s.base+"/s/") {
		t.Fatalf("no survey URL printed:\n%s", out)
	}
	surveyID := surveyURL[2]

	var list struct {
		Items []struct {
			Key     string
			Version int
			Status  string
		}
	}
	getJSON(t, s.base+"/api/v1/instruments", token[1], &list)
	found := false
	for _, it := range list.Items {
		if it.Key == instruments.Study && it.Version == instruments.StudyVersion && it.Status == survey.StatusPublished {
			found = true
		}
	}
	if !found {
		t.Fatalf("study instrument not listed as published version %d: %+v", instruments.StudyVersion, list)
	}

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

	// A second start on the same file prints no new token, opens no second
	// survey, and keeps the response.
	s.shutdown(t)
	s2 := startServe(t, db, nil)
	if strings.Contains(s2.out.String(), "shown once") {
		t.Fatalf("second start printed a new token:\n%s", s2.out.String())
	}
	if !strings.Contains(s2.out.String(), "/s/"+surveyID) {
		t.Fatalf("second start did not print the same survey:\n%s", s2.out.String())
	}
	var sv struct{ Responses struct{ Complete int } }
	getJSON(t, s2.base+"/api/v1/surveys/"+surveyID, token[1], &sv)
	if sv.Responses.Complete != 1 {
		t.Fatalf("after restart: %d complete responses, want 1", sv.Responses.Complete)
	}
}

func TestServeTokenFromEnvironment(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dyad.db")
	s := startServe(t, db, map[string]string{"DYAD_ADMIN_TOKEN": "correct-horse-battery-staple-and-more"})
	if strings.Contains(s.out.String(), "shown once") {
		t.Fatal("a token was generated although DYAD_ADMIN_TOKEN is set")
	}
	var list struct{ Items []any }
	getJSON(t, s.base+"/api/v1/instruments", "correct-horse-battery-staple-and-more", &list)
	if len(list.Items) == 0 {
		t.Fatal("no instruments")
	}
}

func getJSON(t *testing.T, url, token string, dst any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		t.Fatal(err)
	}
}

// realisticAnswers answers the study instrument as a physician who uses AI
// tools might: every shown item, varied values, free text with punctuation.
func realisticAnswers(t *testing.T) map[string]any {
	t.Helper()
	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	answers := sample.Fixed(form, survey.Answers{"ai_use": survey.IntVal(1)}, func(id string) string {
		return fmt.Sprintf("Notes for %s: it saves time, but \"empathy\" can't be automated.", id)
	})
	out := map[string]any{}
	for id, v := range answers {
		raw, _ := v.MarshalJSON()
		out[id] = json.RawMessage(raw)
	}
	return out
}
