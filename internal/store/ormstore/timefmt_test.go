package ormstore

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestParseStoredTime holds the digit-by-digit reader to time.Parse: the
// same time (==, location included) for what it accepts, and a decline for
// anything time.Parse refuses, over stored times and stored times with a
// byte changed.
func TestParseStoredTime(t *testing.T) {
	check := func(s string) bool {
		t.Helper()
		got, ok := parseStoredTime(s)
		want, err := time.Parse(TimeLayout, s)
		if !ok {
			return false
		}
		if err != nil {
			t.Fatalf("%q: accepted what time.Parse refuses (%v)", s, err)
		}
		if got != want.UTC() {
			t.Fatalf("%q: got %#v, want %#v", s, got, want.UTC())
		}
		return true
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range []string{"2026-12-01T10:06:10.123456Z", "2024-02-29T23:59:59.999999Z", "0000-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z"} {
		if !check(s) {
			t.Fatalf("declined %q", s)
		}
	}
	for _, s := range []string{"2023-02-29T00:00:00.000000Z", "2026-04-31T00:00:00.000000Z", "2026-13-01T00:00:00.000000Z", "2026-00-01T00:00:00.000000Z",
		"2026-01-00T00:00:00.000000Z", "2026-01-01T24:00:00.000000Z", "2026-01-01T00:60:00.000000Z", "2026-01-01T00:00:60.000000Z",
		"2026-01-01T00:00:00.00000Z", "2026-01-01T00:00:00.000000", "2026-01-01 00:00:00.000000Z", "+026-01-01T00:00:00.000000Z"} {
		if check(s) {
			t.Fatalf("accepted %q", s)
		}
	}
	digits := []byte("0123456789-:.TZ +a")
	for range 20000 {
		ts := time.Unix(rng.Int64N(1<<36)-1<<35, rng.Int64N(1e9))
		s := FormatTime(ts)
		if !check(s) {
			t.Fatalf("declined the stored form %q", s)
		}
		if ParseTime(s) != ts.UTC().Truncate(time.Microsecond) {
			t.Fatalf("%q: read back %v, wrote %v", s, ParseTime(s), ts)
		}
		b := []byte(s)
		b[rng.IntN(len(b))] = digits[rng.IntN(len(digits))]
		check(string(b))
	}
}
