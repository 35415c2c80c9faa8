// Package account holds what Dyad knows about researchers' credentials
// that is neither storage nor HTTP: password hashing (argon2id), the
// password rules of NIST SP 800-63B with the shipped list of common and
// breached passwords, and the issue of API tokens. The accounts
// themselves are stored through survey.Accounts; who may do what is
// decided by the policy table in internal/server.
package account

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/survey"
	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: the first of OWASP's recommended settings (19 MiB,
// 2 passes, 1 lane), which costs about 30-50 ms of one core here. RFC
// 9106's second recommendation (64 MiB, 3 passes) would cost three times
// the memory on a small server for a sign-in that is also rate-limited;
// the parameters are in each stored hash, so raising them later leaves
// old hashes verifiable (and Verify tells when one should be redone).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// hashing bounds the argon2id computations running at once: each holds
// 19 MiB, so a burst of sign-ins could otherwise take memory without
// bound. Four at once is 76 MiB; the others wait their turn (or their
// context's end).
var hashing = make(chan struct{}, 4)

func derive(ctx context.Context, password string, salt []byte, t, m uint32, p uint8, n uint32) ([]byte, error) {
	select {
	case hashing <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-hashing }()
	return argon2.IDKey([]byte(password), salt, t, m, p, n), nil
}

// HashPassword returns the PHC string of password's argon2id hash:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, base64 without padding.
func HashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := derive(ctx, password, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is verified against when there is no account, so that an
// unknown e-mail costs the same time as a wrong password (no account
// enumeration by timing).
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword(context.Background(), "no account has this password")
	return h
})

// VerifyPassword reports whether password matches the PHC string. An empty
// or unparsable phc (no account) is verified against a dummy hash first,
// so that it takes as long as a wrong password, and is false.
func VerifyPassword(ctx context.Context, phc, password string) (bool, error) {
	real := phc != ""
	if !real {
		phc = dummyHash()
	}
	var v int
	var m, t uint32
	var p uint8
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("password hash: not an argon2id PHC string")
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, fmt.Errorf("password hash: version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false, fmt.Errorf("password hash: parameters %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false, fmt.Errorf("password hash: encoding")
	}
	got, err := derive(ctx, password, salt, t, m, p, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return real && subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Password rules (NIST SP 800-63B, 3.1.1.2 of revision 4). Every account
// signs in with its password alone (no second factor yet), so the minimum
// is the single-factor one: 15 characters. The maximum is far above the
// 64 NIST asks to allow, and is there only to bound the work of hashing.
// No composition rules (a digit, a capital, a symbol), no periodic
// change: NIST advises against both. Refused instead: the shipped list of
// common and breached passwords, compared case-insensitively, and
// passwords built from the account's e-mail address or the service's name.
const (
	MinPasswordLength = 15
	MaxPasswordLength = 256
)

//go:embed common-passwords.txt
var commonText string

var common = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonText))
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			m[line] = true
		}
	}
	return m
})

// CheckPassword returns an EInvalid error naming the field "password" if
// password breaks a rule, nil otherwise. Lengths count characters
// (Unicode code points), as NIST asks.
func CheckPassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	problem := ""
	lower := strings.ToLower(password)
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	switch {
	case !utf8.ValidString(password):
		problem = "must be valid UTF-8 text"
	case n < MinPasswordLength:
		problem = fmt.Sprintf("must have at least %d characters (it has %d); a few unrelated words make a good one", MinPasswordLength, n)
	case n > MaxPasswordLength:
		problem = fmt.Sprintf("must have at most %d characters", MaxPasswordLength)
	case common()[lower] || common()[strings.Join(strings.Fields(lower), "")]:
		problem = "is on the list of common or breached passwords; choose another"
	case len(local) >= 3 && strings.Contains(lower, local), strings.Contains(lower, "dyad"):
		problem = "must not contain your e-mail address or the service's name"
	}
	if problem == "" {
		return nil
	}
	return &survey.Error{Code: survey.EInvalid, Message: "the password " + problem,
		Details: []survey.Detail{{Path: "password", Message: problem}}}
}

// CommonPasswords is how many entries the shipped list holds.
func CommonPasswords() int { return len(common()) }
