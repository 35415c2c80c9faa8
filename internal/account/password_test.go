package account

import (
	"context"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

func TestHashAndVerifyPassword(t *testing.T) {
	ctx := context.Background()
	const pw = "a long passphrase of several words"
	h, err := HashPassword(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, pw) {
		t.Fatalf("hash %q: not the stated argon2id parameters", h)
	}
	h2, _ := HashPassword(ctx, pw)
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		phc, pw string
		ok      bool
	}{
		{h, pw, true},
		{h2, pw, true},
		{h, pw + " ", false},
		{h, strings.ToUpper(pw), false},
		{"", pw, false}, // no account: false, after a dummy hash
	} {
		got, err := VerifyPassword(ctx, tc.phc, tc.pw)
		if err != nil || got != tc.ok {
			t.Errorf("VerifyPassword(%.20q, %q) = %v, %v; want %v", tc.phc, tc.pw, got, err, tc.ok)
		}
	}
	for _, bad := range []string{"$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA", "plain"} {
		if _, err := VerifyPassword(ctx, bad, pw); err == nil {
			t.Errorf("VerifyPassword accepted the stored hash %q", bad)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	if n := CommonPasswords(); n < 2000 {
		t.Fatalf("the common-password list has %d entries", n)
	}
	for _, tc := range []struct {
		name, pw, problem string
	}{
		{"OK", "violet tractor under the bridge", ""},
		{"OKUnicodeCountsCharacters", "ééééééééééééééé", ""}, // 15 characters, 30 bytes
		{"OKNoCompositionRules", "alllowercaseletterswithoutdigits", ""},
		{"ErrShort", "Tr0ub4dor&3", "at least 15 characters"},
		{"ErrShortUnicode", "éééééééééééééé", "at least 15 characters (it has 14)"},
		{"ErrLong", strings.Repeat("x", MaxPasswordLength+1), "at most 256"},
		{"ErrCommon", "passwordpassword", "common or breached"},
		{"ErrCommonOtherCase", "QwertyuiopASDFGHJKL", "common or breached"},
		{"ErrCommonSpaced", "correct horse battery staple", "common or breached"},
		{"ErrRepeated", strings.Repeat("a", 20), "common or breached"},
		{"ErrEmail", "jane.doe is my long password", "e-mail address"},
		{"ErrService", "my dyad survey password", "service's name"},
		{"ErrNotUTF8", "\xff\xfe long enough to pass the length", "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPassword(tc.pw, "Jane.Doe@example.org")
			if tc.problem == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			se, ok := err.(*survey.Error)
			if !ok || se.Code != survey.EInvalid || len(se.Details) != 1 || se.Details[0].Path != "password" || !strings.Contains(se.Message, tc.problem) {
				t.Fatalf("got %#v, want invalid password: %q", err, tc.problem)
			}
		})
	}
}
