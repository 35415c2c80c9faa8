package survey

import "bytes"

// Reading submitted answers in one pass.
//
// A submission's answers object was decoded by encoding/json into an
// Answers map (a reflective call of Value.UnmarshalJSON per answer, after
// a full syntax scan of the body), then copied into a second map by
// DecodeAnswers, then encoded by Canonical for its digest and its row:
// about a third of the server's CPU per submission. ReadSubmittedAnswers
// reads the object once with the stored-answers decoder (canonical.go),
// which already agrees with encoding/json on every input it accepts, and
// notices when the client sent the answers exactly as Canonical would
// write them (the load tool does; so do clients that send keys sorted and
// compact), so that those bytes can be stored as they came.
//
// Like EachRawCanonicalAnswer it only ever accepts: anything unusual (a
// null, a boolean, a fraction, an object, invalid UTF-8, a repeated id) is
// declined, and the caller decodes with encoding/json and DecodeAnswers,
// which report what is wrong. So every error a submission can get still
// comes from one decoder; FuzzDecodeSubmission (internal/httpapi) holds
// the two paths to the same answers, canonical bytes and verdicts.

// ReadSubmittedAnswers reads the JSON object of answers at the start of s
// (after optional whitespace) and returns what DecodeAnswers would return
// for it with no problems, and n, the bytes read. canonical is the
// object's bytes when they are exactly Answers.Canonical() of the result
// (sharing s's memory), nil otherwise. ok is false when the object is not
// one this reader takes; then nothing else is meaningful.
func ReadSubmittedAnswers(s []byte) (answers Answers, canonical []byte, n int, ok bool) {
	// A list longer than any item's options is no answer, and only a
	// large body holds one: declined, it goes to DecodeAnswers, which
	// allocates it once at its length rather than growing a buffer and
	// copying it (see parseList on memory per request).
	d := canonicalDecoder{s: s, maxList: MaxOptions}
	d.ws()
	start := d.i
	if !d.eat('{') {
		return nil, nil, 0, false
	}
	// Sized once for a usual instrument: no more answers than colons
	// (texts may hold colons too), and no more than 128 ahead of time, so
	// that a body of colons does not allocate a large map.
	answers = make(Answers, min(bytes.Count(s, []byte(":")), 128))
	canon := true
	var (
		a       RawAnswer
		key     []byte
		text    []byte
		scratch []byte
		prev    []byte // the previous id, to check that ids are sorted
	)
	for first := true; ; first = false {
		if d.i < len(d.s) && isSpace(d.s[d.i]) {
			canon = false
			d.ws()
		}
		if first && d.eat('}') {
			if canon {
				canonical = s[start:d.i]
			}
			return answers, canonical, d.i, true
		}
		kstart, kend, escaped, ok := d.str()
		if !ok {
			return nil, nil, 0, false
		}
		id := s[kstart:kend]
		if escaped {
			key = AppendUnescaped(key[:0], id)
			id = key
		}
		if canon && escaped {
			canon = false // rare: encode again rather than compare
		} else if canon {
			scratch, canon = canonicalString(scratch, s[kstart:kend], "", false)
			canon = canon && (prev == nil || bytes.Compare(prev, id) < 0)
			prev = append(prev[:0], id...)
		}
		if d.i < len(d.s) && isSpace(d.s[d.i]) {
			canon = false
			d.ws()
		}
		if !d.eat(':') {
			return nil, nil, 0, false
		}
		if d.i < len(d.s) && isSpace(d.s[d.i]) {
			canon = false
			d.ws()
		}
		vstart := d.i
		if !d.value(&a) {
			return nil, nil, 0, false
		}
		if _, dup := answers[string(id)]; dup {
			return nil, nil, 0, false // encoding/json keeps the last: let it
		}
		switch a.Kind {
		case IntValue:
			answers[string(id)] = IntVal(a.Int)
			// Only -0 is written otherwise by Canonical: d.int takes no
			// leading zeros, fractions or exponents.
			canon = canon && !(a.Int == 0 && s[vstart] == '-')
		case TextValue:
			raw := s[a.Start:a.End]
			switch {
			case len(raw) == 0:
				canon = false // unanswered: dropped, so not in Canonical
			case a.Escaped:
				text = AppendUnescaped(text[:0], raw)
				v := TextVal(string(text))
				answers[string(id)] = v
				// Compared by writing it again, unless long (a long text
				// is rare, and then encoded again).
				canon = canon && len(raw) <= 4<<10
				if canon {
					scratch, canon = canonicalString(scratch, raw, v.Text, true)
				}
			default:
				v := TextVal(string(raw))
				answers[string(id)] = v
				if canon {
					scratch, canon = canonicalString(scratch, raw, v.Text, false)
				}
			}
		case ListValue:
			list := make([]int64, len(a.List))
			copy(list, a.List)
			answers[string(id)] = Value{Kind: ListValue, List: list}
			// d.int takes no leading zeros, so "-0" is found only as the
			// integer -0, which Canonical writes as 0.
			raw := s[vstart:d.i]
			canon = canon && !bytes.Contains(raw, []byte("-0")) && !hasSpace(raw)
		}
		if d.i < len(d.s) && isSpace(d.s[d.i]) {
			canon = false
			d.ws()
		}
		if d.eat(',') {
			continue
		}
		if !d.eat('}') {
			return nil, nil, 0, false
		}
		if canon {
			canonical = s[start:d.i]
		}
		return answers, canonical, d.i, true
	}
}

// canonicalString reports whether raw, the bytes between a string's
// quotes, are what appendJSONString writes for text (raw itself when not
// escaped); an escaped string is written out into scratch and compared.
func canonicalString(scratch, raw []byte, text string, escaped bool) ([]byte, bool) {
	if !escaped {
		// str has checked that raw is UTF-8 without control characters,
		// quotes or backslashes: appendJSONString changes only U+2028 and
		// U+2029 in it.
		// Both begin with the byte 0xE2, which most text lacks.
		return scratch, bytes.IndexByte(raw, 0xe2) < 0 ||
			!bytes.Contains(raw, []byte("\u2028")) && !bytes.Contains(raw, []byte("\u2029"))
	}
	scratch = appendJSONString(scratch[:0], text)
	return scratch, len(scratch) == len(raw)+2 && string(scratch[1:len(scratch)-1]) == string(raw)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func hasSpace(b []byte) bool {
	for _, c := range b {
		if isSpace(c) {
			return true
		}
	}
	return false
}
