package survey

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// Reading the stored encoding of answers without a map.
//
// Answers are stored as Canonical writes them: one flat JSON object of
// integers, strings and lists of integers. An export reads every stored
// response once, and encoding/json with a map per response is most of its
// cost, so EachCanonicalAnswer reads that shape directly. It declines
// (returns false) on anything else, so a caller can always fall back to
// encoding/json and get the same result: the two agree on every input
// this one accepts (tested against each other).

// EachCanonicalAnswer calls fn for each answer of an answers object, in
// order, and reports whether s was an object of the stored shape. On false
// fn may have been called for some answers; decode s with encoding/json
// instead. The id passed to fn shares s's memory and is valid only during
// the call; texts are copied.
func EachCanonicalAnswer(s []byte, fn func(id []byte, v Value)) bool {
	var buf []byte
	return EachRawCanonicalAnswer(s, new(RawAnswer), func(id []byte, a *RawAnswer) {
		v := Value{Kind: a.Kind, Int: a.Int}
		switch a.Kind {
		case TextValue:
			if a.Escaped {
				buf = AppendUnescaped(buf[:0], s[a.Start:a.End])
				v.Text = string(buf)
			} else {
				v.Text = string(s[a.Start:a.End])
			}
		case ListValue:
			v.List = append([]int64{}, a.List...)
		}
		fn(id, v)
	})
}

// RawAnswer is one answer as EachRawCanonicalAnswer reads it, without
// copying anything out of the JSON.
type RawAnswer struct {
	Kind ValueKind
	Int  int64 // IntValue
	// A TextValue's string is s[Start:End], the bytes between the quotes
	// as stored: when Escaped, still with JSON escapes, which
	// AppendUnescaped resolves exactly as encoding/json does.
	Start, End int
	Escaped    bool
	List       []int64 // ListValue; reused, valid only during the call
	// The id is s[IDStart:IDEnd] as stored, with JSON escapes when
	// IDEscaped (fn's id is then unescaped): DecodeCanonicalAnswers takes
	// the ids from s itself rather than copying them.
	IDStart, IDEnd int
	IDEscaped      bool
}

// EachRawCanonicalAnswer is EachCanonicalAnswer without copies, for a
// caller that only passes the answers on (an export writing them out): it
// accepts and declines exactly the same inputs, and calls fn with the
// same ids and values, texts given as their place in s. Each answer is
// read into a, which fn gets: a caller reading many objects passes the
// same a each time, so that nothing is allocated (a.List keeps its
// capacity). The id and a's contents are valid only during the call.
func EachRawCanonicalAnswer(s []byte, a *RawAnswer, fn func(id []byte, a *RawAnswer)) bool {
	// Invalid UTF-8 is declined (encoding/json replaces invalid bytes; let
	// it): str checks the strings, and a byte above 0x7f anywhere else is
	// no JSON.
	d := canonicalDecoder{s: s}
	var key []byte
	for {
		id, st := d.next(a, &key)
		if st != objectAnswer {
			return st == objectEnd
		}
		fn(id, a)
	}
}

// What canonicalDecoder.next found.
const (
	objectAnswer = iota // an answer
	objectEnd           // the object's end, and nothing after it
	objectBad           // anything else: decline
)

// next reads the next answer of an answers object into a, and returns its
// id: s's memory, or unescaped into *key. A loop of next calls is
// EachRawCanonicalAnswer without a callback, so that DecodeCanonicalAnswers
// keeps its scratch on the stack.
func (d *canonicalDecoder) next(a *RawAnswer, key *[]byte) ([]byte, int) {
	d.ws()
	if !d.inObject {
		d.inObject = true
		if !d.eat('{') {
			return nil, objectBad
		}
		d.ws()
		if d.eat('}') {
			return nil, d.end()
		}
	} else if !d.eat(',') {
		if !d.eat('}') {
			return nil, objectBad
		}
		return nil, d.end()
	}
	d.ws()
	start, end, escaped, ok := d.str()
	if !ok {
		return nil, objectBad
	}
	id := d.s[start:end]
	if escaped {
		*key = AppendUnescaped((*key)[:0], id)
		id = *key
	}
	d.ws()
	if !d.eat(':') {
		return nil, objectBad
	}
	d.ws()
	if !d.value(a) {
		return nil, objectBad
	}
	a.IDStart, a.IDEnd, a.IDEscaped = start, end, escaped
	return id, objectAnswer
}

// end is next's verdict after the closing brace: only space may follow.
func (d *canonicalDecoder) end() int {
	d.ws()
	if d.i == len(d.s) {
		return objectEnd
	}
	return objectBad
}

type canonicalDecoder struct {
	s []byte
	i int
	// maxList, when above 0, declines a list longer than that: see
	// ReadSubmittedAnswers.
	maxList int
	// inObject is set once next has read the object's opening brace.
	inObject bool
}

func (d *canonicalDecoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *canonicalDecoder) eat(c byte) bool {
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *canonicalDecoder) value(a *RawAnswer) bool {
	a.Int, a.Start, a.End, a.Escaped = 0, 0, 0, false
	if d.i >= len(d.s) {
		return false
	}
	switch c := d.s[d.i]; {
	case c == '"':
		a.Kind = TextValue
		var ok bool
		a.Start, a.End, a.Escaped, ok = d.str()
		return ok
	case c == '-' || (c >= '0' && c <= '9'):
		a.Kind = IntValue
		var ok bool
		a.Int, ok = d.int()
		return ok
	case c == '[':
		d.i++
		a.Kind = ListValue
		a.List = a.List[:0]
		d.ws()
		if d.eat(']') {
			return true
		}
		for {
			d.ws()
			n, ok := d.int()
			if !ok {
				return false
			}
			a.List = append(a.List, n)
			if d.maxList > 0 && len(a.List) > d.maxList {
				return false
			}
			d.ws()
			if d.eat(',') {
				continue
			}
			return d.eat(']')
		}
	}
	return false // null, true, false, objects: rare, so encoding/json's
}

// int reads a JSON integer that fits in int64; a fraction or exponent
// sends the whole object to the fallback (which accepts 4.0 as 4, as
// submission does).
func (d *canonicalDecoder) int() (int64, bool) {
	neg := d.eat('-')
	start := d.i
	var n uint64
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		digit := uint64(d.s[d.i] - '0')
		if n > (1<<63-digit)/10 { // past -2^63
			return 0, false
		}
		n = n*10 + digit
		d.i++
	}
	if d.i == start || (d.s[start] == '0' && d.i-start > 1) {
		return 0, false
	}
	if d.i < len(d.s) {
		switch d.s[d.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	if neg {
		return -int64(n), true // -2^63 wraps to itself
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// str reads a JSON string and returns where its contents (between the
// quotes) are in s, and whether they hold escapes, all checked: a string
// it accepts is one encoding/json accepts, and AppendUnescaped gives the
// same text.
func (d *canonicalDecoder) str() (start, end int, escaped, ok bool) {
	if !d.eat('"') {
		return 0, 0, false, false
	}
	start = d.i
	// Ids are short: one pass byte by byte is quicker than the calls below.
	for i := start; i < len(d.s) && i < start+24; i++ {
		c := d.s[i]
		if c == '"' {
			d.i = i + 1
			return start, i, false, true
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
	}
	// Most strings have no escapes: find the closing quote with IndexByte
	// (vectorised) and check the run once, rather than byte by byte.
	q := bytes.IndexByte(d.s[start:], '"')
	if q < 0 {
		return 0, 0, false, false
	}
	seg := d.s[start : start+q]
	k := bytes.IndexByte(seg, '\\')
	if k < 0 {
		if badText(seg) {
			return 0, 0, false, false
		}
		d.i = start + q + 1
		return start, start + q, false, true
	}
	if badText(seg[:k]) {
		return 0, 0, false, false
	}
	d.i = start + k
	q += start // the next quote, escaped or not
	for {
		// d.i is at a backslash.
		if d.i+1 >= len(d.s) {
			return 0, 0, false, false
		}
		switch d.s[d.i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			d.i += 2
		case 'u':
			d.i += 2
			if _, ok := d.hex4(); !ok {
				return 0, 0, false, false
			}
		default:
			return 0, 0, false, false
		}
		if d.i > q {
			// The quote was escaped: find the next one.
			n := bytes.IndexByte(d.s[d.i:], '"')
			if n < 0 {
				return 0, 0, false, false
			}
			q = d.i + n
		}
		run := d.s[d.i:q]
		if k := bytes.IndexByte(run, '\\'); k >= 0 {
			if badText(run[:k]) {
				return 0, 0, false, false
			}
			d.i += k
			continue
		}
		if badText(run) {
			return 0, 0, false, false
		}
		d.i = q + 1
		return start, q, true, true
	}
}

// badText reports what JSON forbids unescaped in a string, a byte below
// 0x20 (every such character is a single byte in UTF-8), or what is not
// UTF-8. Printable ASCII, most of any text, is checked eight bytes at a
// time.
func badText(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		// A byte below 0x20 or above 0x7f sets its high bit here.
		if ((x-0x20*ones)|x)&highs != 0 {
			break
		}
		b = b[8:]
	}
	for i, c := range b {
		if c < 0x20 {
			return true
		}
		if c >= utf8.RuneSelf {
			return hasControl(b[i:]) || !utf8.Valid(b[i:])
		}
	}
	return false
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// AppendUnescaped appends the text of a JSON string's contents, as
// EachRawCanonicalAnswer found them (escapes already checked), to dst:
// the escapes resolved as encoding/json resolves them, a lone surrogate
// half becoming U+FFFD.
func AppendUnescaped(dst, raw []byte) []byte {
	for {
		k := bytes.IndexByte(raw, '\\')
		if k < 0 || k+1 >= len(raw) {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:k]...)
		e := raw[k+1]
		raw = raw[k+2:]
		switch e {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(raw)
			if !ok {
				return append(dst, raw...) // not from str; keep the rest
			}
			raw = raw[4:]
			if utf16.IsSurrogate(r) {
				// A pair makes one rune; a lone half becomes U+FFFD, as in
				// encoding/json.
				if len(raw) >= 6 && raw[0] == '\\' && raw[1] == 'u' {
					if r2, ok := hex4(raw[2:]); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							dst = utf8.AppendRune(dst, dec)
							raw = raw[6:]
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, e)
		}
	}
}

func (d *canonicalDecoder) hex4() (rune, bool) {
	r, ok := hex4(d.s[d.i:])
	if ok {
		d.i += 4
	}
	return r, ok
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
