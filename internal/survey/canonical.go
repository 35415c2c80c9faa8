package survey

import (
	"bytes"
	"strings"
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
	if !utf8.Valid(s) {
		return false // encoding/json replaces invalid bytes; let it
	}
	d := canonicalDecoder{s: s}
	d.ws()
	if !d.eat('{') {
		return false
	}
	d.ws()
	if d.eat('}') {
		d.ws()
		return d.i == len(d.s)
	}
	for {
		d.ws()
		raw, esc, escaped, ok := d.str()
		if !ok {
			return false
		}
		id := raw
		if escaped {
			id = []byte(esc)
		}
		d.ws()
		if !d.eat(':') {
			return false
		}
		d.ws()
		v, ok := d.value()
		if !ok {
			return false
		}
		fn(id, v)
		d.ws()
		if d.eat(',') {
			continue
		}
		if !d.eat('}') {
			return false
		}
		d.ws()
		return d.i == len(d.s)
	}
}

type canonicalDecoder struct {
	s []byte
	i int
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

func (d *canonicalDecoder) value() (Value, bool) {
	if d.i >= len(d.s) {
		return Value{}, false
	}
	switch c := d.s[d.i]; {
	case c == '"':
		raw, esc, escaped, ok := d.str()
		if !escaped {
			esc = string(raw)
		}
		return Value{Kind: TextValue, Text: esc}, ok
	case c == '-' || (c >= '0' && c <= '9'):
		n, ok := d.int()
		return Value{Kind: IntValue, Int: n}, ok
	case c == '[':
		d.i++
		list := []int64{}
		d.ws()
		if d.eat(']') {
			return Value{Kind: ListValue, List: list}, true
		}
		for {
			d.ws()
			n, ok := d.int()
			if !ok {
				return Value{}, false
			}
			list = append(list, n)
			d.ws()
			if d.eat(',') {
				continue
			}
			if !d.eat(']') {
				return Value{}, false
			}
			return Value{Kind: ListValue, List: list}, true
		}
	}
	return Value{}, false // null, true, false, objects: rare, so encoding/json's
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

// str reads a JSON string. Without escapes it returns the raw bytes
// between the quotes; with them, the unescaped text (as encoding/json
// unescapes) and escaped true.
func (d *canonicalDecoder) str() (raw []byte, unescaped string, escaped, ok bool) {
	if !d.eat('"') {
		return raw, "", false, false
	}
	start := d.i
	// Most strings have no escapes: find the closing quote with IndexByte
	// (vectorised) and check the run once, rather than byte by byte.
	end := bytes.IndexByte(d.s[start:], '"')
	if end < 0 {
		return raw, "", false, false
	}
	seg := d.s[start : start+end]
	if k := bytes.IndexByte(seg, '\\'); k >= 0 {
		d.i = start + k
		if hasControl(seg[:k]) {
			return raw, "", false, false
		}
		s, ok := d.strEscaped(start)
		return raw, s, true, ok
	}
	if hasControl(seg) {
		return raw, "", false, false
	}
	d.i = start + end + 1
	return seg, "", false, true
}

// hasControl reports a byte JSON forbids unescaped in strings. Bytes, not
// runes: every such character is a single byte below 0x20 in UTF-8.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

func (d *canonicalDecoder) strEscaped(start int) (string, bool) {
	var b strings.Builder
	b.Grow(d.i - start + 64)
	b.Write(d.s[start:d.i])
	for d.i < len(d.s) {
		// Copy the run up to the next quote, backslash or control byte.
		run := d.i
		for run < len(d.s) {
			c := d.s[run]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			run++
		}
		b.Write(d.s[d.i:run])
		d.i = run
		if d.i >= len(d.s) {
			break
		}
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return b.String(), true
		case c < 0x20:
			return "", false
		}
		if d.i+1 >= len(d.s) {
			return "", false
		}
		e := d.s[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				// A pair makes one rune; a lone half becomes U+FFFD, as in
				// encoding/json.
				r2 := rune(-1)
				if d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					if x, ok := d.hex4(); ok {
						r2 = x
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b.WriteRune(dec)
						continue
					}
					d.i = save
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return "", false
}

func (d *canonicalDecoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		return 0, false
	}
	var r rune
	for k := d.i; k < d.i+4; k++ {
		c := d.s[k]
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
	d.i += 4
	return r, true
}
