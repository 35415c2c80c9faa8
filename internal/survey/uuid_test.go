package survey

import (
	"strings"
	"testing"
	"time"
)

// NewUUID makes version 7 UUIDs in lower case (the form Submit accepts
// from a client), each new, whose first 48 bits are the time in
// milliseconds: ids made later sort after, so that new responses go into
// the id index's last leaf (service.go).
func TestNewUUID(t *testing.T) {
	seen := map[string]bool{}
	before := time.Now().UnixMilli()
	prev := ""
	for i := range 1000 {
		id := NewUUID()
		if !uuidPattern.MatchString(id) || id[14] != '7' || !strings.ContainsRune("89ab", rune(id[19])) || seen[id] {
			t.Fatalf("NewUUID() = %q", id)
		}
		seen[id] = true
		var ms int64
		for _, c := range strings.ReplaceAll(id[:13], "-", "") {
			ms = ms<<4 | int64(strings.IndexRune("0123456789abcdef", c))
		}
		if now := time.Now().UnixMilli(); ms < before || ms > now {
			t.Fatalf("NewUUID() = %q: time %d ms, not within %d..%d", id, ms, before, now)
		}
		if i%100 == 0 {
			// A millisecond apart, ids sort in the order made.
			if prev != "" && id <= prev {
				t.Fatalf("NewUUID() = %q sorts before %q, made a millisecond earlier", id, prev)
			}
			prev = id
			time.Sleep(2 * time.Millisecond)
		}
	}
	// The bits after the time are random: not all the same.
	a, b := NewUUID(), NewUUID()
	if a[15:] == b[15:] {
		t.Fatalf("two ids share their random part: %q %q", a, b)
	}
}
