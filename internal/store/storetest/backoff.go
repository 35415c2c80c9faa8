package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// testAuthFailures: a budget spent by Burst failures at once, waits of
// one step after that however many more failures come (a back-off, not a
// lock), refilled by time, started afresh once passed, kept apart by key,
// and a passed key deleted by the next failure of any key.
func testAuthFailures(t *testing.T, s survey.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	b := survey.Backoff{Burst: 3, Every: time.Minute}
	one, two := survey.HashSecret("client:192.0.2.1"), survey.HashSecret("acct:a@example.org")
	wait := func(key []byte, now time.Time) time.Duration {
		t.Helper()
		until, err := s.FindAuthFailures(ctx, key)
		if err != nil {
			t.Fatalf("find: %v", err)
		}
		return b.Wait(until, now)
	}
	fail := func(key []byte, now time.Time) {
		t.Helper()
		if err := s.AddAuthFailure(ctx, key, now, b); err != nil {
			t.Fatalf("add: %v", err)
		}
	}
	if until, err := s.FindAuthFailures(ctx, one); err != nil || !until.IsZero() {
		t.Fatalf("unknown key: %v %v", until, err)
	}
	fail(one, t0)
	fail(one, t0)
	if w := wait(one, t0); w != 0 {
		t.Errorf("after 2 of 3 failures: wait %s", w)
	}
	fail(one, t0)
	if w := wait(one, t0); w != time.Minute {
		t.Errorf("after 3 of 3 failures: wait %s, want 1m", w)
	}
	if w := wait(two, t0); w != 0 {
		t.Errorf("another key waits %s", w)
	}
	for range 10 {
		fail(one, t0.Add(10*time.Second))
	}
	if w := wait(one, t0.Add(10*time.Second)); w != time.Minute {
		t.Errorf("after 10 more failures: wait %s, want 1m (never longer than one step)", w)
	}
	// 3m10s from now was the limit; one step passes, one try is back.
	at := t0.Add(70 * time.Second)
	if w := wait(one, at); w != 0 {
		t.Errorf("a minute later: wait %s", w)
	}
	fail(one, at)
	if w := wait(one, at); w != time.Minute {
		t.Errorf("the refilled try spent: wait %s, want 1m", w)
	}
	// Passed: a failure starts afresh, and a failure of another key
	// deletes the passed row.
	late := t0.Add(time.Hour)
	if w := wait(one, late); w != 0 {
		t.Errorf("an hour later: wait %s", w)
	}
	fail(two, late)
	if until, err := s.FindAuthFailures(ctx, one); err != nil || !until.IsZero() {
		t.Errorf("a passed key is kept: %v %v", until, err)
	}
	if until, err := s.FindAuthFailures(ctx, two); err != nil || !until.Equal(late.Add(time.Minute)) {
		t.Errorf("a first failure: until %v (%v), want %v", until, err, late.Add(time.Minute))
	}
}

// testAuthFailuresRace: failures of one key racing (as from two
// instances) all count.
func testAuthFailuresRace(t *testing.T, s survey.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	b := survey.Backoff{Burst: 100, Every: time.Second}
	key := survey.HashSecret("acct:race@example.org")
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() { errs <- s.AddAuthFailure(ctx, key, t0, b) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("add: %v", err)
		}
	}
	until, err := s.FindAuthFailures(ctx, key)
	if err != nil || !until.Equal(t0.Add(n*time.Second)) {
		t.Errorf("after %d racing failures: until %v (%v), want %v", n, until, err, t0.Add(n*time.Second))
	}
}
