package stats

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Reading stored answers for counting.
//
// Statistics read every answer of every response but need little of it:
// integers and lists of integers, and of a text only whether it is empty.
// readCounted reads the stored shape (a flat JSON object, as
// survey.Answers.Canonical writes it) into values by position without
// copying texts or allocating lists, and declines (false) on anything it
// does not read exactly as survey.EachCanonicalAnswer does: escaped keys,
// unusual numbers, other value types. The caller then falls back to
// EachCanonicalAnswer, so declining is always safe; accepting must give
// what it gives, up to the content of texts (tested against it).

// countedText stands for a non-empty text answer: its content is never
// read by the counts.
const countedText = "\x00"

// readCounted decodes s into vals (by the positions at gives each item id,
// other ids skipped) and reports whether it could. vals must be cleared by
// the caller; lists[i] is reused for the list answer of item i.
func readCounted(s []byte, at map[string]int, vals []survey.Value, lists [][]int64) bool {
	if !utf8.Valid(s) {
		return false
	}
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return skipWS(s, i+1) == len(s)
	}
	for {
		i = skipWS(s, i)
		if i >= len(s) || s[i] != '"' {
			return false
		}
		end, plain := scanString(s, i+1)
		if end < 0 || !plain {
			return false // escaped keys: let the full decoder unescape them
		}
		pos, known := at[string(s[i+1:end])]
		i = skipWS(s, end+1)
		if i >= len(s) || s[i] != ':' {
			return false
		}
		i = skipWS(s, i+1)
		if i >= len(s) {
			return false
		}
		var v survey.Value
		switch c := s[i]; {
		case c == '"':
			end, _ := scanString(s, i+1)
			if end < 0 {
				return false
			}
			v.Kind = survey.TextValue
			if end > i+1 { // any escape stands for at least one character
				v.Text = countedText
			}
			i = end + 1
		case c == '-' || (c >= '0' && c <= '9'):
			n, next, ok := readInt(s, i)
			if !ok {
				return false
			}
			v = survey.Value{Kind: survey.IntValue, Int: n}
			i = next
		case c == '[':
			var list []int64
			if known {
				list = lists[pos][:0]
			}
			i = skipWS(s, i+1)
			if i < len(s) && s[i] == ']' {
				i++
			} else {
				for {
					i = skipWS(s, i)
					n, next, ok := readInt(s, i)
					if !ok {
						return false
					}
					list = append(list, n)
					i = skipWS(s, next)
					if i < len(s) && s[i] == ',' {
						i++
						continue
					}
					if i >= len(s) || s[i] != ']' {
						return false
					}
					i++
					break
				}
			}
			if list == nil {
				list = []int64{}
			}
			if known {
				lists[pos] = list
			}
			v = survey.Value{Kind: survey.ListValue, List: list}
		default:
			return false
		}
		if known {
			vals[pos] = v
		}
		i = skipWS(s, i)
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		if i >= len(s) || s[i] != '}' {
			return false
		}
		return skipWS(s, i+1) == len(s)
	}
}

func skipWS(s []byte, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// readInt reads an integer as JSON writes one (no leading zeros, no
// fraction or exponent) that surely fits an int64: at most 18 digits.
// Anything else is declined.
func readInt(s []byte, i int) (n int64, next int, ok bool) {
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + int64(s[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 || digits > 18 || (digits > 1 && s[start] == '0') {
		return 0, 0, false
	}
	if i < len(s) && (s[i] == '.' || s[i] == 'e' || s[i] == 'E') {
		return 0, 0, false
	}
	if neg {
		n = -n
	}
	return n, i, true
}

// scanString finds the closing quote of a JSON string whose contents start
// at i, checking what JSON requires of them (no control characters, valid
// escapes; s is valid UTF-8 already). It returns the quote's index, or -1
// when the string is not valid, and whether it had no escapes.
func scanString(s []byte, i int) (end int, plain bool) {
	plain = true
	for {
		// Eight bytes at a time while none is a quote, a backslash or a
		// control character.
		for i+8 <= len(s) && !hasSpecial(binary.LittleEndian.Uint64(s[i:])) {
			i += 8
		}
		for ; i < len(s); i++ {
			if c := s[i]; c == '"' || c == '\\' || c < 0x20 {
				break
			}
		}
		if i >= len(s) {
			return -1, false
		}
		switch c := s[i]; {
		case c == '"':
			return i, plain
		case c < 0x20:
			return -1, false
		}
		// A backslash.
		plain = false
		if i+1 >= len(s) {
			return -1, false
		}
		switch s[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			if i+6 > len(s) {
				return -1, false
			}
			for _, h := range s[i+2 : i+6] {
				if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
					return -1, false
				}
			}
			i += 6
		default:
			return -1, false
		}
	}
}

// hasSpecial reports whether any byte of w (eight string bytes) is a
// quote, a backslash or below 0x20. Bytes of 0x80 and above (UTF-8
// sequences) never count: each test is made on the low seven bits and
// masked by the byte's high bit being clear.
func hasSpecial(w uint64) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
		low7 = 0x7f7f7f7f7f7f7f7f
	)
	x := w & low7
	// A byte of x is zero after (x ^ c) iff it equals c; (y + 0x7f) sets
	// the high bit of every non-zero seven-bit byte without carries.
	isZero := func(y uint64) uint64 { return ^((y + low7) | y) & high }
	quote := isZero(x ^ ('"' * ones))
	slash := isZero(x ^ ('\\' * ones))
	// Below 0x20: the seven-bit byte plus 0x60 stays below 0x80.
	ctrl := ^(x + 0x6060606060606060) & high
	return (quote|slash|ctrl)&^w != 0
}
