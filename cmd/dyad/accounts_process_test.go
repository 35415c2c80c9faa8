//go:build integration

package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAccountSessionSurvivesRestart, with the real binary: dyad user add
// reads the password from standard input (and refuses a weak one), the
// account signs in to the dashboard, the server restarts, and the same
// browser is still signed in; dyad audit verify then finds the sign-in in
// an intact trail.
func TestAccountSessionSurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dyad.db")
	bin := dyadBinary(t)
	add := func(password string) (string, error) {
		cmd := exec.Command(bin, "user", "add", "--email", "pi@example.org", "--role", "owner", "--db", db)
		cmd.Stdin = strings.NewReader(password + "\n")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := add("password123"); err == nil || !strings.Contains(out, "at least 15 characters") {
		t.Fatalf("a weak password: %v\n%s", err, out)
	}
	if out, err := add(teamPassword); err != nil || !strings.Contains(out, "added pi@example.org") {
		t.Fatalf("dyad user add: %v\n%s", err, out)
	}

	p := startDyad(t, db)
	b := newBrowser(t, p.base)
	if pg := b.signIn("pi@example.org", teamPassword); pg.status != 303 {
		t.Fatalf("sign-in: %d", pg.status)
	}
	if pg := b.send("GET", "/admin", nil, ""); pg.status != 200 {
		t.Fatalf("dashboard: %d", pg.status)
	}
	stop := func(p *proc) {
		t.Helper()
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.exited:
			if err != nil {
				t.Fatalf("dyad exited with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("dyad did not stop")
		}
	}
	stop(p)

	p = startDyad(t, db)
	b.base = p.base // the jar keeps cookies by host, not port
	if pg := b.send("GET", "/admin", nil, ""); pg.status != 200 || !strings.Contains(pg.body, "Sign out") {
		t.Fatalf("dashboard after a restart: %d, want the same session", pg.status)
	}
	stop(p)

	out, err := exec.Command(bin, "audit", "verify", "--db", db).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "audit trail intact") {
		t.Fatalf("dyad audit verify: %v\n%s", err, out)
	}
}
