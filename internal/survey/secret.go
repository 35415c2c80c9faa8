package survey

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
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

// Invitation codes are stored as keyed hashes.
//
// A plain SHA-256 of a code is computable by anyone who has the list of
// codes, which the researcher who issued them has, so two backups taken
// before and after a submission named the code whose row turned spent. The
// stored hash is therefore an HMAC-SHA-256 of the survey id and the code
// under a key that the server keeps apart from the database (a key file,
// see cmd/dyad): whoever holds the database or a backup but not the key
// cannot tell which issued code a row belongs to, so a row turning spent
// says only that some code was used, which the new response says anyway.
//
// Three keys are derived from the server's invitation key with HKDF: one
// for the invitations row, one for the mark on the web response that a
// code holds (progress.go), one for the hold reference on the invitation
// row, a keyed hash of that mark by which the sweep of abandoned responses
// releases the code of a holder it deletes (abandoned.go). Separate
// derivations, so that the mark on a response and the hash or reference on
// an invitation row cannot be matched without the key either.
//
// Rows hashed before the key existed (migrations/0004) keep their plain
// SHA-256 and are still accepted, tried after the keyed hash; they are not
// protected against this linking, and say so by keyed = 0.

const (
	codeHashInfo = "dyad invitation code hash v2"
	holdMarkInfo = "dyad invitation hold mark v1"
	holdRefInfo  = "dyad invitation hold reference v1"
	// Participants (participants.go): the personal code and the opt-out
	// token are derived from the participant's id, never stored.
	participantCodeInfo = "dyad participant code v1"
	optOutInfo          = "dyad participant opt-out v1"
)

// invitationKeys are the keys derived from the server's invitation key.
type invitationKeys struct{ code, hold, ref, participant, optOut []byte }

func deriveInvitationKeys(master []byte) invitationKeys {
	code, err1 := hkdf.Key(sha256.New, master, nil, codeHashInfo, 32)
	hold, err2 := hkdf.Key(sha256.New, master, nil, holdMarkInfo, 32)
	ref, err3 := hkdf.Key(sha256.New, master, nil, holdRefInfo, 32)
	part, err4 := hkdf.Key(sha256.New, master, nil, participantCodeInfo, 32)
	opt, err5 := hkdf.Key(sha256.New, master, nil, optOutInfo, 32)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil { // only for a key length HKDF refuses, which 32 bytes is not
		panic("derive invitation keys: " + err.Error())
	}
	return invitationKeys{code: code, hold: hold, ref: ref, participant: part, optOut: opt}
}

// keyedHash is HMAC-SHA-256(key, surveyID NUL code): a code of one survey
// hashes differently in another.
func keyedHash(key []byte, surveyID, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(surveyID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// InvitationKeySize is the length of the server's invitation key.
const InvitationKeySize = 32

// NewInvitationKey returns a new random invitation key.
func NewInvitationKey() []byte {
	b := make([]byte, InvitationKeySize)
	randRead(b)
	return b
}

// InvitationKeyCheck is a value computed from the key that may be stored
// beside the data: it tells a server started with the wrong key file that
// the key does not match, without revealing the key (it is an HMAC of a
// constant, one-way).
func InvitationKeyCheck(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("dyad invitation key check v1"))
	return m.Sum(nil)
}
