package survey

import (
	"context"
	"time"
)

// Failed-authentication budgets. A client (an address) and an account (an
// e-mail address, whether an account has it or not) each have a budget of
// failed sign-ins and wrong tokens: Burst at once, then one more every
// Every. The budget is a back-off, never a lock: however long an attacker
// keeps failing, the real user waits at most Every for the next try.
//
// A budget is one time per key, "full until" (the generic cell rate
// algorithm's theoretical arrival time): each failure moves it Every
// later, starting from now if it has passed, and never beyond Burst×Every
// from now; the budget is spent while it is more than (Burst-1)×Every
// ahead. One number per key, changed by one arithmetic rule, lets the
// store apply a failure in one statement, so that two instances failing
// the same key at once both count (AuthFailures).

// Backoff is a failed-authentication budget: Burst failures at once, then
// one more every Every.
type Backoff struct {
	Burst int
	Every time.Duration
}

// Wait returns how long a key whose budget is full until until must wait
// at now before its next attempt; 0 means it may try now.
func (b Backoff) Wait(until, now time.Time) time.Duration {
	if until.IsZero() {
		return 0
	}
	return max(0, until.Sub(now)-time.Duration(b.Burst-1)*b.Every)
}

// Next returns the key's full-until time after one more failure at now.
func (b Backoff) Next(until, now time.Time) time.Time {
	if until.Before(now) {
		until = now
	}
	until = until.Add(b.Every)
	if limit := now.Add(time.Duration(b.Burst) * b.Every); until.After(limit) {
		until = limit
	}
	return until
}

// AuthFailures keeps the failed-authentication budgets in storage, so
// that they hold across instances and restarts. Keys are the SHA-256 of
// what is counted (HashSecret), never an address or an e-mail in clear,
// and a key is deleted once its time has passed.
type AuthFailures interface {
	// FindAuthFailures returns the key's full-until time, zero if it has
	// none.
	FindAuthFailures(ctx context.Context, key []byte) (time.Time, error)
	// AddAuthFailure counts one failure of the key at now under b
	// (Backoff.Next, applied in one statement: racing failures all count)
	// and deletes the keys whose time has passed.
	AddAuthFailure(ctx context.Context, key []byte, now time.Time, b Backoff) error
}
