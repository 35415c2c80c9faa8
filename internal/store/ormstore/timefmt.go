package ormstore

import "time"

// TimeLayout is the stored form of every time, on every engine: fixed-width
// UTC with microseconds, so that text order is time order in SQL
// comparisons and indexes, and the engines hold the same bytes
// (migrations/postgres/0001_init.sql checks the layout with a domain).
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime is t in the stored form.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// FormatTimePtr is FormatTime of *t, or nil.
func FormatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := FormatTime(*t)
	return &s
}

// ParseTime reads a stored time. A value not in the stored form is a bug
// (only the drivers write these columns), so it panics.
func ParseTime(s string) time.Time {
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		// Only the drivers write these columns; anything else is a bug
		// worth seeing rather than a zero time passed off as data.
		panic("store: bad stored time " + s)
	}
	// UTC() rather than Parse's own UTC: the two differ in representation,
	// and a time read back should compare == with the one written.
	return t.UTC()
}

// ParseTimePtr is ParseTime of *s, or nil.
func ParseTimePtr(s *string) *time.Time {
	if s == nil {
		return nil
	}
	t := ParseTime(*s)
	return &t
}
