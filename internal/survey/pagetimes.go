package survey

import (
	"encoding/json"
	"maps"
	"time"
	"unsafe"
)

// Page times: how long a web respondent spent on each page, as the server
// saw it.
//
// The respondent pages stamp each section page when it is first shown
// (internal/web: a signed cookie, so the stamp is the server's clock and
// cannot be forged) and SaveSection adds the time from that stamp to the
// save to the section's total; a page saved several times (Back, then
// Next again; a page shown again with problems to fix) adds each visit.
// One visit counts at most MaxPageVisit, so a page left open overnight
// does not count the night. Responses sent through the JSON API have no
// page times (nil).
//
// The times feed the export's duration_<section>_s columns and the
// speeder flag (quality.go); they are stored with the response as a JSON
// object of section id to milliseconds.

// PageTimes maps a section id to the milliseconds spent on its page.
type PageTimes map[string]int64

// MaxPageVisit is the most one visit of a page counts.
const MaxPageVisit = time.Hour

// Added returns a copy of t with d added to section's time, d cut to
// [0, MaxPageVisit] (a clock step back counts nothing).
func (t PageTimes) Added(section string, d time.Duration) PageTimes {
	d = min(max(d, 0), MaxPageVisit)
	out := make(PageTimes, len(t)+1)
	maps.Copy(out, t)
	out[section] += d.Milliseconds()
	return out
}

// Total is the time on every page, in milliseconds.
func (t PageTimes) Total() int64 {
	var n int64
	for _, ms := range t {
		n += ms
	}
	return n
}

// Encode returns the stored form: a JSON object with its keys in order,
// or "" for none.
func (t PageTimes) Encode() string {
	if len(t) == 0 {
		return ""
	}
	b, _ := json.Marshal(map[string]int64(t)) // a map of strings to integers always encodes
	return string(b)
}

// ParsePageTimes reads the stored form; "" is none (nil). The web form
// reads it back on every request, so the stored shape (Encode's) is read
// directly, and encoding/json is left anything else.
func ParsePageTimes(s string) (PageTimes, error) {
	if s == "" {
		return nil, nil
	}
	if t, ok := decodePageTimes(s); ok {
		return t, nil
	}
	var t PageTimes
	if err := json.Unmarshal([]byte(s), &t); err != nil {
		return nil, err
	}
	return t, nil
}

// DecodePageTimesInto reads the stored form s into *into, reusing its map
// (for exports, which reuse one response for every row): *into is left
// non-nil for a later row, and the page times to use are returned (nil
// for s empty).
func DecodePageTimesInto(into *PageTimes, s []byte) (PageTimes, error) {
	if len(s) == 0 {
		return nil, nil
	}
	if *into == nil {
		*into = PageTimes{}
	}
	clear(*into)
	if err := json.Unmarshal(s, into); err != nil {
		return nil, err
	}
	return *into, nil
}

// decodePageTimes reads an object of integers with canonicalDecoder, which
// accepts only what encoding/json reads the same way (canonical.go); false
// for anything else, such as a value that is not an integer, which
// encoding/json then reads or refuses. Like DecodeCanonicalAnswers, the
// section ids share s's memory.
func decodePageTimes(s string) (PageTimes, bool) {
	type entry struct {
		id string
		ms int64
	}
	var (
		d       = canonicalDecoder{s: unsafe.Slice(unsafe.StringData(s), len(s))} // only read
		raw     RawAnswer
		key     []byte
		entries = make([]entry, 0, 16)
	)
	for {
		id, st := d.next(&raw, &key)
		if st == objectBad || (st == objectAnswer && raw.Kind != IntValue) {
			return nil, false
		}
		if st == objectEnd {
			break
		}
		e := entry{ms: raw.Int}
		if raw.IDEscaped {
			e.id = string(id)
		} else {
			e.id = s[raw.IDStart:raw.IDEnd]
		}
		entries = append(entries, e)
	}
	t := make(PageTimes, len(entries))
	for _, e := range entries {
		t[e.id] = e.ms
	}
	return t, true
}
