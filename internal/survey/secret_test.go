package survey

import (
	"bytes"
	"testing"
)

// TestInvitationHashes: the stored hash of a code depends on the key and
// the survey, is not the plain SHA-256, ignores how the code was typed, and
// differs from the mark the code leaves on a response it holds.
func TestInvitationHashes(t *testing.T) {
	key := bytes.Repeat([]byte{7}, InvitationKeySize)
	s := NewService(nil, WithInvitationKey(key))
	same := NewService(nil, WithInvitationKey(bytes.Clone(key)))
	other := NewService(nil, WithInvitationKey(NewInvitationKey()))
	const code = "7KQ2-M9XA-4B1C"
	h := s.InvitationHash("survey1", code)
	for name, c := range map[string]struct {
		got  []byte
		same bool
	}{
		"same key":       {same.InvitationHash("survey1", code), true},
		"typed loosely":  {s.InvitationHash("survey1", " 7kq2m9xa4b1c "), true},
		"another key":    {other.InvitationHash("survey1", code), false},
		"another survey": {s.InvitationHash("survey2", code), false},
		"plain SHA-256":  {HashSecret(code), false},
		"hold mark":      {s.holdMark("survey1", code), false},
		"legacy slot":    {s.codeHashes("survey1", code)[1], false},
	} {
		if bytes.Equal(c.got, h) != c.same {
			t.Errorf("%s: equal %v, want %v", name, !c.same, c.same)
		}
	}
	if !bytes.Equal(s.codeHashes("survey1", code)[1], HashSecret(code)) {
		t.Error("the legacy hash is not the plain SHA-256 of the normalised code")
	}
	if bytes.Equal(InvitationKeyCheck(key), InvitationKeyCheck(NewInvitationKey())) || bytes.Contains(InvitationKeyCheck(key), key) {
		t.Error("the key check does not tell keys apart, or holds the key")
	}
}
