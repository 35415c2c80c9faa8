package export

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CSV encoding (RFC 4180): fields separated by commas, records ended by
// CRLF, a field quoted when it holds a comma, a quote, a line break or
// leading or trailing white space, quotes inside doubled. Text inside a
// field is written byte for byte, line breaks included, so a CSV reader
// gets back exactly what was answered.
//
// Records are built in one reused buffer and handed to the io.Writer in
// chunks of about flushSize bytes: an export of any length costs a few
// allocations per row (none for numbers) and one write per chunk.

const flushSize = 64 << 10

// csvBuf builds records.
type csvBuf struct {
	w          io.Writer
	b          []byte
	excelSafe  bool
	spaceBreak bool // line breaks in text become spaces, NULs are dropped
	err        error
}

func newCSVBuf(w io.Writer, opt Options) *csvBuf {
	return &csvBuf{w: w, b: make([]byte, 0, flushSize+flushSize/4), excelSafe: opt.ExcelSafe, spaceBreak: opt.LineBreaks == LineBreaksSpace}
}

// endRecord ends a record and writes the buffer out once it is full.
func (c *csvBuf) endRecord() error {
	c.b = append(c.b, '\r', '\n')
	if len(c.b) >= flushSize {
		return c.flush()
	}
	return c.err
}

func (c *csvBuf) flush() error {
	if c.err != nil {
		return c.err
	}
	if len(c.b) > 0 {
		_, c.err = c.w.Write(c.b)
		c.b = c.b[:0]
	}
	return c.err
}

func (c *csvBuf) comma() { c.b = append(c.b, ',') }

func (c *csvBuf) int(n int64) { c.b = strconv.AppendInt(c.b, n, 10) }

// float writes the shortest decimal that reads back as the same float64:
// 4, 4.25, 3.3333333333333335. No exponent, so every tool reads it.
func (c *csvBuf) float(f float64) { c.b = strconv.AppendFloat(c.b, f, 'f', -1, 64) }

// time writes an RFC 3339 UTC time to the second: 2026-01-14T09:30:00Z.
func (c *csvBuf) time(t time.Time) { c.b = appendTime(c.b, t) }

func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, time.RFC3339)
	}
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append(b, byte('0'+int(mo)/10), byte('0'+int(mo)%10), '-', byte('0'+d/10), byte('0'+d%10), 'T')
	b = append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':')
	return append(b, byte('0'+s/10), byte('0'+s%10), 'Z')
}

// formulaStart reports whether a spreadsheet could run a text cell as a
// formula (CSV injection), following OWASP's list: a cell that starts with
// tab or carriage return, or whose first visible character is =, +, - or
// @ or one of their full-width forms ＝ ＋ － ＠ (which spreadsheets in
// East Asian locales take as the ASCII ones). Leading white space (space,
// no-break space, ideographic space, line breaks) and invisible format
// characters (zero-width space, byte-order mark, joiners, direction marks)
// are skipped first: spreadsheets trim some of them, and none of them
// shows, so " =1+1" or "\u200b=1+1" must not slip through. The usual cell
// (a letter or digit first) is decided on its first byte.
func formulaStart[S string | []byte](s S) bool {
	if len(s) == 0 {
		return false
	}
	if s[0] == '\t' || s[0] == '\r' {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '=', '+', '-', '@':
				return true
			case ' ', '\n', '\v', '\f', '\t', '\r':
				i++
				continue
			}
			return false
		}
		r, size := decodeRune(s[i:])
		switch {
		case r == '＝' || r == '＋' || r == '－' || r == '＠':
			return true
		case unicode.IsSpace(r) || unicode.Is(unicode.Cf, r):
			i += size
		default:
			return false
		}
	}
	return false
}

// decodeRune is utf8.DecodeRuneInString or utf8.DecodeRune for either,
// without converting.
func decodeRune[S string | []byte](s S) (rune, int) {
	switch s := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(s)
	case []byte:
		return utf8.DecodeRune(s)
	}
	return utf8.RuneError, 1
}

// text writes a text cell, quoted when needed. The Excel guard and the
// line-break folding apply here only: numbers never pass through text.
func (c *csvBuf) text(s string) { appendText(c, s) }

// textBytes is text for bytes (free text straight from the stored JSON).
func (c *csvBuf) textBytes(s []byte) { appendText(c, s) }

func appendText[S string | []byte](c *csvBuf, s S) {
	if c.spaceBreak && hasLineBreak(s) {
		s = foldLineBreaks(s)
	}
	guard := c.excelSafe && formulaStart(s)
	if !needsQuotes(s) && !guard {
		c.b = append(c.b, s...)
		return
	}
	if !needsQuotes(s) {
		c.b = append(c.b, '\'')
		c.b = append(c.b, s...)
		return
	}
	c.b = append(c.b, '"')
	if guard {
		c.b = append(c.b, '\'')
	}
	for {
		i := indexQuote(s)
		if i < 0 {
			break
		}
		c.b = append(c.b, s[:i+1]...)
		c.b = append(c.b, '"')
		s = s[i+1:]
	}
	c.b = append(c.b, s...)
	c.b = append(c.b, '"')
}

// needsQuotes: commas, quotes and line breaks must be quoted; leading or
// trailing white space is quoted too, because some readers trim it from
// bare fields.
func needsQuotes[S string | []byte](s S) bool {
	if len(s) == 0 {
		return false
	}
	if s[0] == ' ' || s[0] == '\t' || s[len(s)-1] == ' ' || s[len(s)-1] == '\t' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}

// foldLineBreaks turns each line break (CRLF, LF or CR) into one space,
// and drops NUL characters: this variant of the CSV is for SPSS, whose
// strings end at a NUL (PSPP reads "a\x00b" as "a", and a text that
// starts with NUL as empty). Answers cannot hold NUL any more (see
// survey.ForbiddenInText), but older data can.
func foldLineBreaks[S string | []byte](s S) S {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b = append(b, ' ')
		case '\n':
			b = append(b, ' ')
		case 0:
		default:
			b = append(b, s[i])
		}
	}
	return S(b)
}

// hasLineBreak reports whether foldLineBreaks would change s.
func hasLineBreak[S string | []byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' || s[i] == '\n' || s[i] == 0 {
			return true
		}
	}
	return false
}

// indexQuote is strings.IndexByte(s, '"') or bytes.IndexByte for either
// (both vectorised).
func indexQuote[S string | []byte](s S) int {
	switch s := any(s).(type) {
	case string:
		return strings.IndexByte(s, '"')
	case []byte:
		return bytes.IndexByte(s, '"')
	}
	return -1
}
