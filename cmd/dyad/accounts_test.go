package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestUserAdd: dyad user add reads the password from standard input,
// refuses a weak one, a taken address, an unknown role and a missing
// address, and stores the account with its role in the study.
func TestUserAdd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dyad.db")
	run1 := func(password string, args ...string) (int, string) {
		t.Helper()
		old := stdin
		stdin = strings.NewReader(password + "\n")
		defer func() { stdin = old }()
		var out bytes.Buffer
		code := run(context.Background(), append([]string{"user", "add", "--db", db}, args...), func(string) string { return "" }, &out, &out)
		return code, out.String()
	}
	for _, tc := range []struct {
		name, password string
		args           []string
		code           int
		out            string
	}{
		{"ErrWeak", "letmein123", []string{"--email", "pi@example.org"}, 1, "at least 15 characters"},
		{"ErrCommon", "passwordpassword", []string{"--email", "pi@example.org"}, 1, "common or breached"},
		{"ErrRole", teamPassword, []string{"--email", "pi@example.org", "--role", "boss"}, 2, "--role must be one of"},
		{"ErrNoEmail", teamPassword, nil, 2, "--email must be an e-mail address"},
		{"OK", teamPassword, []string{"--email", "PI@example.org", "--role", "owner"}, 0, "added pi@example.org"},
		{"ErrTaken", teamPassword, []string{"--email", "pi@example.org"}, 1, "exists"},
		{"OKAdmin", teamPassword, []string{"--email", "it@example.org", "--admin"}, 0, "added it@example.org"},
		{"ErrStudy", teamPassword, []string{"--email", "b@example.org", "--role", "viewer", "--study", "2"}, 1, "study 2 not found"},
	} {
		code, out := run1(tc.password, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("%s: exit %d %q, want %d with %q", tc.name, code, out, tc.code, tc.out)
		}
		if strings.Contains(out, tc.password) {
			t.Errorf("%s: the output echoes the password", tc.name)
		}
	}
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.FindUserByEmail(context.Background(), "pi@example.org")
	if err != nil || u.Admin || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Fatalf("stored: %+v, %v", u, err)
	}
	if ms, err := st.FindMemberships(context.Background(), u.ID); err != nil || len(ms) != 1 || ms[0].Role != survey.RoleOwner {
		t.Errorf("roles: %+v, %v", ms, err)
	}
	if it, err := st.FindUserByEmail(context.Background(), "it@example.org"); err != nil || !it.Admin {
		t.Errorf("admin: %+v, %v", it, err)
	}
	if _, err := st.FindUserByEmail(context.Background(), "b@example.org"); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("an account made for an unknown study: %v", err)
	}
	// A role in another study.
	if err := st.CreateStudy(context.Background(), &survey.Study{Name: "B", CreatedAt: time.Now()}, 0); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, out := run1(teamPassword, "--email", "b@example.org", "--role", "viewer", "--study", "2"); code != 0 {
		t.Fatalf("--study 2: exit %d %s", code, out)
	}
	st2, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	b, err := st2.FindUserByEmail(context.Background(), "b@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if ms, err := st2.FindMemberships(context.Background(), b.ID); err != nil || len(ms) != 1 || ms[0].StudyID != 2 || ms[0].Role != survey.RoleViewer {
		t.Errorf("the role in study 2: %+v, %v", ms, err)
	}
}
