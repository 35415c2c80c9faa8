package survey

import (
	"testing"
	"time"
)

// TestBackoff: Burst failures at once spend the budget; the wait is never
// more than one step however many failures follow; time gives tries back.
func TestBackoff(t *testing.T) {
	b := Backoff{Burst: 5, Every: 90 * time.Second}
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var until time.Time
	for i := 1; i <= 50; i++ {
		if w := b.Wait(until, t0); (i <= 5) != (w == 0) {
			t.Fatalf("before failure %d: wait %s", i, w)
		}
		until = b.Next(until, t0)
	}
	if w := b.Wait(until, t0); w != 90*time.Second {
		t.Errorf("after 50 failures: wait %s, want 90s", w)
	}
	if w := b.Wait(until, t0.Add(90*time.Second)); w != 0 {
		t.Errorf("one step later: wait %s", w)
	}
	if w := b.Wait(time.Time{}, t0); w != 0 {
		t.Errorf("no failures: wait %s", w)
	}
	if got := b.Next(t0.Add(-time.Hour), t0); !got.Equal(t0.Add(90 * time.Second)) {
		t.Errorf("a failure after a passed budget: %v", got)
	}
}
