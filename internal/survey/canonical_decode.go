package survey

import "unsafe"

// Decoding stored answers into Answers, for the web form.
//
// The web form reads its response back on every request, and decoding the
// stored answers was most of that read: a string for every id and text, a
// slice for every list, each copied out of the stored text that the driver
// had just copied into a fresh string. DecodeCanonicalAnswers takes that
// string as it is: the ids and texts are substrings of it (Go strings are
// immutable, so sharing one is safe), and every list is a piece of one
// array. What it accepts and declines is EachCanonicalAnswer's: both read
// with canonicalDecoder.next.

// DecodeCanonicalAnswers decodes an answers object of the stored shape,
// the result EachCanonicalAnswer gives; false when s is not of that shape
// (decode it with encoding/json then, as EachCanonicalAnswer's callers
// do). The result shares s's memory and so keeps all of s alive as long as
// any id or text is in use. Lists share one array but each is capped at
// its own length: a caller may change or append to one without touching
// another.
func DecodeCanonicalAnswers(s string) (Answers, bool) {
	// The scanner only reads its input; viewing the string's bytes as a
	// slice, rather than copying them, is safe because nothing here or in
	// EachRawCanonicalAnswer writes to it.
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	type decoded struct {
		id, text string
		kind     ValueKind
		n        int64
		lo, hi   int // a list's place in ints
	}
	var (
		d        = canonicalDecoder{s: b}
		raw      RawAnswer
		key      []byte
		entries  = make([]decoded, 0, 48) // on the stack for most forms
		ints     = make([]int64, 0, 64)
		lists    bool
		unescape []byte
	)
	for {
		id, st := d.next(&raw, &key)
		if st == objectBad {
			return nil, false
		}
		if st == objectEnd {
			break
		}
		e := decoded{kind: raw.Kind, n: raw.Int}
		if raw.IDEscaped {
			e.id = string(id)
		} else {
			e.id = s[raw.IDStart:raw.IDEnd]
		}
		switch raw.Kind {
		case TextValue:
			if raw.Escaped {
				unescape = AppendUnescaped(unescape[:0], b[raw.Start:raw.End])
				e.text = string(unescape)
			} else {
				e.text = s[raw.Start:raw.End]
			}
		case ListValue:
			lists = true
			e.lo = len(ints)
			ints = append(ints, raw.List...)
			e.hi = len(ints)
		}
		entries = append(entries, e)
	}
	var all []int64
	if lists {
		// Non-nil even when every list is empty, as EachCanonicalAnswer
		// gives []int64{} for [] (Canonical writes nil as null).
		all = make([]int64, len(ints))
		copy(all, ints)
	}
	out := make(Answers, len(entries))
	for _, e := range entries {
		v := Value{Kind: e.kind, Int: e.n, Text: e.text}
		if e.kind == ListValue {
			v.List = all[e.lo:e.hi:e.hi]
		}
		out[e.id] = v
	}
	return out, true
}
