package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvitationKeyFile: the first start creates <db>.key, readable by its
// owner only and absent from the database; a later start with the key
// file missing or another key refuses to run rather than reject every
// issued code.
func TestInvitationKeyFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "dyad.db")
	s := startServe(t, db, nil)
	s.shutdown(t)
	keyFile := db + ".key"
	st, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	key, _ := os.ReadFile(keyFile)
	data, _ := os.ReadFile(db)
	if strings.Contains(string(data), strings.TrimSpace(string(key))) {
		t.Fatal("the key is in the database")
	}
	// The same key file: starts again.
	startServe(t, db, nil).shutdown(t)

	serveOnce := func(env map[string]string) (int, string) {
		var errOut strings.Builder
		code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db}, func(k string) string { return env[k] }, io.Discard, &errOut)
		return code, errOut.String()
	}
	other := filepath.Join(dir, "other.key")
	if err := os.WriteFile(other, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, errOut := serveOnce(map[string]string{"DYAD_KEY_FILE": other}); code == 0 || !strings.Contains(errOut, "not the key") {
		t.Fatalf("another key: %d %s", code, errOut)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	if code, errOut := serveOnce(nil); code == 0 || !strings.Contains(errOut, "is missing") {
		t.Fatalf("missing key file: %d %s", code, errOut)
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Fatal("a new key file was made for a database that had one")
	}
}
