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
	if t, ok := parseStoredTime(s); ok {
		return t
	}
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

// parseStoredTime reads TimeLayout's fixed-width form digit by digit: the
// web form reads two or three times with its response on every request,
// and time.Parse's general layout walk was a visible part of that. It
// declines (false) anything time.Parse might read differently or refuse,
// so ParseTime's result never depends on which of the two read it.
func parseStoredTime(s string) (time.Time, bool) {
	// 2006-01-02T15:04:05.000000Z
	// 0123456789012345678901234567
	if len(s) != len(TimeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
		s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	ok := true
	num := func(i, j int) int {
		n := 0
		for _, c := range []byte(s[i:j]) {
			if c < '0' || c > '9' {
				ok = false
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec, micro := num(11, 13), num(14, 16), num(17, 19), num(20, 26)
	if !ok || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, micro*1000, time.UTC)
	if t.Day() != day { // past the month's end, which time.Date would carry over
		return time.Time{}, false
	}
	return t, true
}
