package postgres

import "time"

// timeLayout is the stored form of every time: fixed-width UTC with
// microseconds, the same as the SQLite driver's, so that text order is
// time order and the two engines hold the same bytes
// (migrations/postgres/0001_init.sql).
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

func parseTime(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		// The utc_time domain holds the layout; anything else is a bug
		// worth seeing rather than a zero time passed off as data.
		panic("store: bad stored time " + s)
	}
	// UTC() rather than Parse's own UTC: the two differ in representation,
	// and a time read back should compare == with the one written.
	return t.UTC()
}

func parseTimePtr(s *string) *time.Time {
	if s == nil {
		return nil
	}
	t := parseTime(*s)
	return &t
}
