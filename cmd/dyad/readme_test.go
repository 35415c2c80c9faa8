package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeWalkthrough pastes the README's curl walkthrough into bash
// against a real `dyad serve`, so the README cannot drift from the API.
func TestReadmeWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the walkthrough needs %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "## Walkthrough with curl")
	if start < 0 {
		t.Fatal("README has no walkthrough section")
	}
	section := text[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	blocks := 0
	for _, part := range strings.Split(section, "```sh\n")[1:] {
		block := part[:strings.Index(part, "```")]
		// The two exports are the reader's to fill in; the test sets them.
		for _, line := range strings.Split(block, "\n") {
			if strings.HasPrefix(line, "export DYAD=") || strings.HasPrefix(line, "export TOKEN=") {
				continue
			}
			script.WriteString(line + "\n")
		}
		script.WriteString("echo\n")
		blocks++
	}
	if blocks < 5 {
		t.Fatalf("found %d shell blocks in the walkthrough, want at least 5", blocks)
	}

	const token = "walkthrough-token-0123456789abcdef"
	s := startServe(t, filepath.Join(t.TempDir(), "dyad.db"), map[string]string{"DYAD_ADMIN_TOKEN": token})
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Env = append(os.Environ(), "DYAD="+s.base, "TOKEN="+token)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		`{"key":"burnout-check","version":1,"status":"draft"}`,
		`{"key":"burnout-check","version":1,"status":"published"}`,
		`"id":"0b7f6c1e-2d4a-4f5e-9a8b-3c2d1e0f9a8b"`,
		`"status":"complete"`,
		`{"path":"answers.exh_1","message":"9 is not an option (allowed: 1, 2, 3, 4, 5)"}`,
		`{"path":"answers.exh_2","message":"is required"}`,
		`"answers":{"comment":"Night shifts, mostly.","exh_1":4,"exh_2":2}`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("walkthrough output lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
