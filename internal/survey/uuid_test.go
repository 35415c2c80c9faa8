package survey

import (
	"strings"
	"testing"
)

// NewUUID makes version 4 UUIDs in lower case, each new: the form
// Submit accepts from a client.
func TestNewUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewUUID()
		if !uuidPattern.MatchString(id) || id[14] != '4' || !strings.ContainsRune("89ab", rune(id[19])) || seen[id] {
			t.Fatalf("NewUUID() = %q", id)
		}
		seen[id] = true
	}
}
