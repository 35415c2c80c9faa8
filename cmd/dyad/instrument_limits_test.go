package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const limitsToken = "instrument-limits-test-token-0123456789abcdef"

// postInstrument uploads an instrument to a real `dyad serve` and returns
// the status, the error's detail paths and the body's size.
func postInstrument(t *testing.T, base, contentType, body string) (int, map[string]string, int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/instruments", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+limitsToken)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct {
			Details []struct{ Path, Message string }
		}
	}
	_ = json.Unmarshal(b, &e)
	paths := map[string]string{}
	for _, d := range e.Error.Details {
		paths[d.Path] = d.Message
	}
	return resp.StatusCode, paths, len(b)
}

func startLimitsServer(t *testing.T) *server {
	t.Helper()
	return startServe(t, filepath.Join(t.TempDir(), "dyad.db"), map[string]string{"DYAD_ADMIN_TOKEN": limitsToken})
}

// TestHardening03ScaleRangeAPI: an upload whose scale spans 0 to 10^9 is
// answered 422 at the option's path, and nothing is stored.
func TestHardening03ScaleRangeAPI(t *testing.T) {
	s := startLimitsServer(t)
	doc := "key: wide\nversion: 1\ntitle: Wide\nscales:\n  - id: wide\n    options: [{value: 0, label: Low}, {value: 1000000000, label: High}]\n" +
		"sections:\n  - id: s\n    title: S\n    items:\n      - {id: w, type: likert, text: W, scale: wide}\n"
	status, paths, _ := postInstrument(t, s.base, "application/yaml", doc)
	if status != http.StatusUnprocessableEntity || !strings.Contains(paths["scales[0].options[1].value"], "between -9999 and 9999") {
		t.Fatalf("status %d, details %v; want 422 at scales[0].options[1].value", status, paths)
	}
	var list struct{ Items []struct{ Key string } }
	getJSON(t, s.base+"/api/v1/instruments", limitsToken, &list)
	for _, it := range list.Items {
		if it.Key == "wide" {
			t.Fatal("the refused instrument was stored")
		}
	}
}

// TestHardening04AliasBombAPI: the 11 KB alias document that expanded to a
// million items is answered 422 at once, with a short body.
func TestHardening04AliasBombAPI(t *testing.T) {
	s := startLimitsServer(t)
	doc := "key: bomb\nversion: 1\ntitle: Bomb\nsections:\n  - &s {id: s, title: S, items: [&i {id: q, type: text, text: Q}" +
		strings.Repeat(", *i", 999) + "]}\n" + strings.Repeat("  - *s\n", 999)
	start := time.Now()
	status, paths, size := postInstrument(t, s.base, "application/yaml", doc)
	if status != http.StatusUnprocessableEntity || !strings.Contains(paths[""], "aliases") {
		t.Fatalf("status %d, details %v; want 422 naming aliases", status, paths)
	}
	if elapsed := time.Since(start); size > 1024 || elapsed > 3*time.Second {
		t.Fatalf("%d-byte answer in %v; want under 1 KiB and 3 s", size, elapsed)
	}
}

// TestHardening11InstrumentTextAPI: a NUL in a title and an escape in an
// option label are answered 422 at their exact paths.
func TestHardening11InstrumentTextAPI(t *testing.T) {
	s := startLimitsServer(t)
	doc := `{"key":"ctl","version":1,"title":"T\u0000","sections":[{"id":"s","title":"S","items":[` +
		`{"id":"q","type":"single_choice","text":"Q","options":[{"value":1,"label":"A\u001b[2J"},{"value":2,"label":"B"}]}]}]}`
	status, paths, _ := postInstrument(t, s.base, "application/json", doc)
	if status != http.StatusUnprocessableEntity || len(paths) != 2 ||
		!strings.Contains(paths["title"], "U+0000") || !strings.Contains(paths["sections[0].items[0].options[0].label"], "U+001B") {
		t.Fatalf("status %d, details %v; want 422 at title and the label", status, paths)
	}
}
