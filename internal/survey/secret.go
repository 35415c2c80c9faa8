package survey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// Crockford's base32 alphabet: no I, L, O or U, so codes read aloud or
// typed from paper are not misread.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var crockfordEncoding = base32.NewEncoding(crockford).WithPadding(base32.NoPadding)

// NewToken returns a random 256-bit secret, for researcher tokens and
// resume links.
func NewToken() string {
	b := make([]byte, 32)
	randRead(b)
	return strings.ToLower(crockfordEncoding.EncodeToString(b))
}

// NewInvitationCode returns a random 60-bit code in the form XXXX-XXXX-XXXX,
// short enough to type from a letter, long enough not to be guessed.
func NewInvitationCode() string {
	b := make([]byte, 8)
	randRead(b)
	s := crockfordEncoding.EncodeToString(b)[:12]
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12]
}

// NewSurveyID returns a random 50-bit identifier for survey URLs.
func NewSurveyID() string {
	b := make([]byte, 7)
	randRead(b)
	return strings.ToLower(crockfordEncoding.EncodeToString(b)[:10])
}

// NormalizeCode folds what a person may type for a code (lower case,
// spaces, missing dashes, O for 0, I or L for 1) to its canonical form.
func NormalizeCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case r == ' ' || r == '-':
			continue
		}
		b.WriteRune(r)
	}
	s := b.String()
	if len(s) == 12 {
		return s[0:4] + "-" + s[4:8] + "-" + s[8:12]
	}
	return s
}

// HashSecret returns the SHA-256 of a secret. Secrets are random and long,
// so a fast hash is enough: only the hash is stored, never the secret.
func HashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// randRead fills b from the system's secure source. crypto/rand.Read never
// returns an error (it crashes the program instead), so none is checked.
func randRead(b []byte) { _, _ = rand.Read(b) }
