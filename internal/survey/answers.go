package survey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Value is one answer: an integer (likert, single choice, integer items), a
// string (text items) or a list of integers (multiple choice).
type Value struct {
	Kind ValueKind
	Int  int64
	Text string
	List []int64
}

// ValueKind tells which field of a Value holds the answer.
type ValueKind uint8

// Value kinds.
const (
	IntValue ValueKind = iota + 1
	TextValue
	ListValue
)

// IntVal, TextVal and ListVal build Values.
func IntVal(v int64) Value     { return Value{Kind: IntValue, Int: v} }
func TextVal(s string) Value   { return Value{Kind: TextValue, Text: s} }
func ListVal(v ...int64) Value { return Value{Kind: ListValue, List: append([]int64{}, v...)} }

// MarshalJSON writes the value as a JSON number, string or array.
func (v Value) MarshalJSON() ([]byte, error) {
	return v.AppendJSON(nil), nil
}

// AppendJSON appends the value's JSON encoding to dst. It is the hot path
// of every submission, hence written out rather than left to reflection.
func (v Value) AppendJSON(dst []byte) []byte {
	switch v.Kind {
	case IntValue:
		return strconv.AppendInt(dst, v.Int, 10)
	case TextValue:
		return appendJSONString(dst, v.Text)
	case NumberValue:
		// Stored as text, like a decimal answer sent as text (itemtypes.go).
		return appendJSONString(dst, v.Text)
	case ListValue:
		dst = append(dst, '[')
		for i, x := range v.List {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, x, 10)
		}
		return append(dst, ']')
	}
	return append(dst, "null"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced, everything else
// (including "<", "&" and all of Unicode) kept as written.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\\ufffd"...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript parsers.
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// invalidValue marks a value that could not be read; Text holds why.
// DecodeAnswers turns it into a problem naming the item, so one bad value
// does not hide the others.
const invalidValue ValueKind = 255

// UnmarshalJSON reads a number, string or array of numbers. Anything else
// (fractions, booleans, objects) becomes an invalid value that
// DecodeAnswers reports; no item type takes them. encoding/json has checked
// the syntax of b before calling.
func (v *Value) UnmarshalJSON(b []byte) error {
	*v = parseValue(b)
	return nil
}

func parseValue(b []byte) Value {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return Value{Kind: invalidValue, Text: "empty value"}
	}
	switch b[0] {
	case '"':
		inner := b[1 : len(b)-1]
		if !utf8.Valid(inner) {
			// encoding/json would put U+FFFD in place of each bad byte:
			// refused instead (see ForbiddenInText).
			return Value{Kind: invalidValue, Text: "is not valid UTF-8 text"}
		}
		if bytes.IndexByte(inner, '\\') < 0 {
			return TextVal(string(inner)) // no escapes: the bytes are the text
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return Value{Kind: invalidValue, Text: "must be a valid string"}
		}
		return TextVal(s)
	case '[':
		return parseList(b)
	case 'n':
		return Value{} // null: unanswered
	case 't', 'f':
		return Value{Kind: invalidValue, Text: "must be an integer, a string or a list of integers, got " + string(b)}
	case '{':
		return Value{Kind: invalidValue, Text: "must be an integer, a string or a list of integers, got an object"}
	}
	if x, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return IntVal(x)
	}
	x, err := parseInt(json.Number(b))
	if err != nil {
		// A fraction: the answer to a number item (itemtypes.go), which
		// Check refuses for every other type.
		if c, ok := ParseDecimal(string(b)); ok {
			return Value{Kind: NumberValue, Text: c}
		}
		return Value{Kind: invalidValue, Text: err.Error()}
	}
	return IntVal(x)
}

// parseList reads a JSON array of integers. It splits the array at its
// commas instead of decoding it into []json.RawMessage, which cost about
// 40 bytes and an allocation per element (a 1 MiB list of 500,000 values
// took 30 MB); the list itself is allocated once, at its length, so a list
// costs 8 bytes per value at most. encoding/json has checked the syntax of
// b, and until an element that is not a number is met no comma can be
// inside a string or a nested value.
func parseList(b []byte) Value {
	inner := b[1 : len(b)-1]
	if len(bytes.TrimSpace(inner)) == 0 {
		return Value{Kind: ListValue, List: []int64{}}
	}
	n := 0
	for rest := inner; ; n++ {
		elem, tail, more := bytes.Cut(rest, []byte{','})
		elem = bytes.TrimSpace(elem)
		if len(elem) == 0 || !(elem[0] == '-' || (elem[0] >= '0' && elem[0] <= '9')) {
			return Value{Kind: invalidValue, Text: fmt.Sprintf("element %d: must be an integer, got %s", n, firstJSONValue(rest))}
		}
		if !more {
			n++
			break
		}
		rest = tail
	}
	list := make([]int64, 0, n)
	for rest := inner; len(list) < n; {
		elem, tail, _ := bytes.Cut(rest, []byte{','})
		rest = tail
		elem = bytes.TrimSpace(elem)
		if x, err := strconv.ParseInt(string(elem), 10, 64); err == nil {
			list = append(list, x)
			continue
		}
		x, err := parseInt(json.Number(elem))
		if err != nil {
			return Value{Kind: invalidValue, Text: fmt.Sprintf("element %d: %v", len(list), err)}
		}
		list = append(list, x)
	}
	return Value{Kind: ListValue, List: list}
}

// firstJSONValue returns the JSON value at the start of b, for an error
// message (which clips it).
func firstJSONValue(b []byte) string {
	var raw json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&raw); err != nil {
		return string(bytes.TrimSpace(b))
	}
	return string(raw)
}

func parseInt(n json.Number) (int64, error) {
	if x, err := n.Int64(); err == nil {
		return x, nil
	}
	// 4.0 and 4e2 are fair ways to write 4 and 400. Read exactly, not
	// through a float, which would round 4.0000000000000001 to 4; at most
	// 15 digits, as before (a float's 2^53).
	if c, ok := ParseDecimal(string(n)); ok && !strings.Contains(c, ".") {
		if x, err := strconv.ParseInt(c, 10, 64); err == nil {
			return x, nil
		}
	}
	return 0, fmt.Errorf("must be an integer, got %s", n)
}

// Answers maps item ids to answers. An item without an entry is
// unanswered.
type Answers map[string]Value

// Canonical returns a deterministic JSON encoding of the answers (keys
// sorted, compact, text as written). It is what is stored, and its hash
// tells a retried submission from a different one.
func (a Answers) Canonical() []byte {
	ids := make([]string, 0, len(a))
	size := 2
	for id, v := range a {
		ids = append(ids, id)
		size += len(id) + 4 + len(v.Text) + 8*len(v.List) + 20
	}
	sort.Strings(ids)
	buf := make([]byte, 0, size)
	buf = append(buf, '{')
	for i, id := range ids {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, id)
		buf = append(buf, ':')
		buf = a[id].AppendJSON(buf)
	}
	return append(buf, '}')
}

// DecodeAnswers checks answers as decoded from JSON: every value that is
// not of a shape any item accepts is reported by item, and nulls and empty
// strings are dropped as unanswered.
func DecodeAnswers(in Answers) (Answers, Problems) {
	var bad []string
	out := make(Answers, len(in))
	for id, v := range in {
		switch {
		case v.Kind == invalidValue:
			bad = append(bad, id)
		case v.Kind == 0 || (v.Kind == TextValue && v.Text == ""):
		default:
			out[id] = v
		}
	}
	// Sorted before they are added, so that the problems kept under the
	// cap (MaxDetails) are the same for the same input.
	sort.Strings(bad)
	var p Problems
	for _, id := range bad {
		p.Add("answers."+id, "%s", in[id].Text)
	}
	return out, p
}

// Check validates answers against the form: unknown items, answers to
// hidden items, wrong types, values outside the options or range, text too
// long or holding control characters (ForbiddenInText) and, unless
// partial, required items left unanswered. Every problem is returned at
// once, in instrument order, as an EInvalid *Error.
func (f *Form) Check(a Answers, partial bool) error {
	required := everySection
	if partial {
		required = noSection
	}
	return f.check(a, required)
}

// Sections whose required items check asks for, besides a section index.
const (
	everySection = -1 // a whole response
	noSection    = -2 // a partial one
)

// check is Check with the required items asked for only in section
// required (or in every section, or in none): a page's Next with more
// pages to come holds only its own page to them, and naming every
// unanswered item of the later pages, to keep only the page's, was a
// good part of a page save's work.
func (f *Form) check(a Answers, required int) error {
	// Values are checked as before in every mode but the partial one (an
	// empty list for a required item is a problem, and its item's
	// dependents are not blamed as well), so that a section's problems
	// are the ones the whole check finds in it.
	partial := required == noSection
	var p Problems
	var unknown []string
	for id := range a {
		if f.items[id] == nil {
			unknown = append(unknown, id)
		}
	}
	sort.Strings(unknown)
	for _, id := range unknown {
		p.Add("answers."+id, "unknown item %q", id)
	}
	a, tooLong := f.dropLongLists(a)
	shown := f.shownList(a)
	// Items whose own answer is wrong: whether the items that depend on them
	// are shown is then unknowable, so those are not blamed as well.
	var bad []bool
	for i, it := range f.order {
		v, answered := a[it.ID]
		path := f.paths[i] // made once: Check runs on every submission
		if !shown[i] {
			if bad != nil && slices.ContainsFunc(f.refs[i], func(ref int) bool { return bad[ref] }) {
				bad[i] = true
				continue
			}
			if answered {
				p.Add(path, "must not be answered: the item is not shown because %s", f.whyHidden(i, a))
			}
			continue
		}
		if !answered {
			if it.IsRequired() && (required == everySection || required == f.sectionAt[i]) {
				p.Add(path, "is required")
			}
			continue
		}
		before := p.Count()
		if n, ok := tooLong[it.ID]; ok {
			p.Add(path, "lists %d values; this item has only %d options", n, len(f.options[it.ID]))
		} else {
			f.checkValue(&p, path, it, v, partial)
		}
		if p.Count() > before {
			if bad == nil {
				bad = make([]bool, len(f.order))
			}
			bad[i] = true
		}
	}
	return p.Err(EInvalid, "the response is not valid")
}

// dropLongLists bounds the work an answer can cause. A list longer than
// its item's options cannot be a right answer (each option at most once),
// and checking it value by value, or matching it against every condition
// that refers to its item, would cost time and problems in proportion to
// the request. Such a list is replaced, in a copy of the answers, by an
// empty one (which meets no condition); for a multiple-choice item its
// length is returned, to be reported as one problem. Lists given to other
// items are reported by checkValue as the wrong type.
func (f *Form) dropLongLists(a Answers) (Answers, map[string]int) {
	var tooLong map[string]int
	copied := false
	for _, it := range f.order {
		v, ok := a[it.ID]
		if !ok || v.Kind != ListValue || len(v.List) <= len(f.options[it.ID]) {
			continue
		}
		if !copied {
			a, copied = maps.Clone(a), true
		}
		a[it.ID] = Value{Kind: ListValue}
		if it.Type == MultipleChoice {
			if tooLong == nil {
				tooLong = map[string]int{}
			}
			tooLong[it.ID] = len(v.List)
		}
	}
	return a, tooLong
}

func (f *Form) checkValue(p *Problems, path string, it *Item, v Value, partial bool) {
	if v.Kind == NumberValue && it.Type != Number {
		// Refused with the words DecodeAnswers used before fractions
		// became number answers.
		switch it.Type {
		case Likert, SingleChoice, Integer, Slider, Consent:
			p.Add(path, "must be an integer, got %s", v.Text)
			return
		}
	}
	switch it.Type {
	case DateItem, Number, Slider, Info, Consent:
		f.checkNewValue(p, path, it, v)
	case Likert, SingleChoice:
		if v.Kind != IntValue {
			p.Add(path, "must be one integer option value")
			return
		}
		if !hasValue(f.options[it.ID], v.Int) {
			p.Add(path, "%d is not an option (allowed: %s)", v.Int, valueList(f.options[it.ID]))
		}
	case MultipleChoice:
		if v.Kind != ListValue {
			p.Add(path, "must be a list of option values")
			return
		}
		if len(v.List) == 0 && it.Required && !partial {
			p.Add(path, "is required: select at least one option")
		}
		seen := map[int64]bool{}
		for _, x := range v.List {
			if !hasValue(f.options[it.ID], x) {
				p.Add(path, "%d is not an option (allowed: %s)", x, valueList(f.options[it.ID]))
			} else if seen[x] {
				p.Add(path, "%d is selected twice", x)
			}
			seen[x] = true
		}
		// A missing code ("Don't know") says there is no substantive
		// answer, so it cannot stand beside one; nor can an exclusive
		// option ("None of these") stand beside another.
		if len(v.List) > 1 {
			for _, o := range f.options[it.ID] {
				if o.Missing && seen[o.Value] {
					p.Add(path, "%d (%s) is a missing code and cannot be selected with other options", o.Value, o.Label)
					break
				}
				if o.Exclusive && seen[o.Value] {
					p.Add(path, "%d (%s) is exclusive and cannot be selected with other options", o.Value, o.Label)
					break
				}
			}
		}
	case Integer:
		if v.Kind != IntValue {
			p.Add(path, "must be an integer")
			return
		}
		if it.Min != nil && v.Int < *it.Min {
			p.Add(path, "must be at least %d, got %d", *it.Min, v.Int)
		}
		if it.Max != nil && v.Int > *it.Max {
			p.Add(path, "must be at most %d, got %d", *it.Max, v.Int)
		}
	case Text:
		if v.Kind != TextValue {
			p.Add(path, "must be a string")
			return
		}
		if n, limit := utf8.RuneCountInString(v.Text), it.TextLimit(); n > limit {
			p.Add(path, "is %d characters long; at most %d are allowed", n, limit)
		}
		if pos, r := ForbiddenInText(v.Text); pos > 0 {
			if r == utf8.RuneError {
				p.Add(path, "is not valid UTF-8 text (at character %d)", pos)
			} else {
				p.Add(path, "holds the control character %U at character %d; answers may hold any text, tabs and line breaks, but no other control characters", r, pos)
			}
		}
	}
}

// What free-text answers may hold: any Unicode text, with tabs and line
// breaks (LF, CR), and no other control character, in valid UTF-8.
//
// The control characters are Unicode's category Cc: C0 (U+0000–U+001F),
// DEL (U+007F) and C1 (U+0080–U+009F). No keyboard types them into a text
// field, and they do harm downstream: a NUL ends a string in C, so PSPP
// and R cut the text (or the file) short at it, and R strings cannot hold
// it at all; \v and \f are line breaks to some tools and not others; DEL
// and the C1 controls appear only in text decoded with the wrong
// encoding (Windows-1252 read as Latin-1), and U+0085 (NEL) is a line
// break to some readers. Tab, LF and CR are what people type.
//
// Allowed on purpose: U+2028 and U+2029 (line and paragraph separators,
// which word processors paste), the format characters (zero-width joiner
// in emoji, direction marks in right-to-left text, U+FEFF), private-use
// and unassigned code points, and U+FFFD itself. They are real text, and
// the exports carry them exactly (the syntax files make labels plain on
// their own, see internal/export).
//
// Bytes that are not UTF-8 (in a form post, or in JSON, where encoding/json
// would turn each into U+FFFD) are refused rather than repaired: they mean
// the client sent another encoding (Latin-1 "é" is the byte 0xE9), so
// repairing would turn real letters into U+FFFD unseen; browsers always
// send UTF-8, so only a broken client meets this. A lone UTF-16 surrogate
// in a JSON escape ("\ud83d" alone, from a client that cut an emoji in
// half) is different: it is read as U+FFFD, as encoding/json does and as a
// browser does with the same string in a form, since the character was
// already lost by the sender; the stored-answers decoder (canonical.go)
// reads it the same way, which keeps it in step with encoding/json.
// Stored answers from before this rule are not touched; the exports cope
// with them.

// ForbiddenInText finds the first character that an answer text may not
// hold. It returns its position (1 for the first character) and the
// character, utf8.RuneError standing for a byte that is not UTF-8 (U+FFFD
// written as such is allowed); pos is 0 when s is fit.
func ForbiddenInText(s string) (pos int, r rune) {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		n++
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
				return n, rune(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (r >= 0x80 && r <= 0x9f) {
			return n, r
		}
		i += size
	}
	return 0, 0
}

// TextLimit returns the item's max_length or the default.
func (it *Item) TextLimit() int {
	if it.MaxLength > 0 {
		return it.MaxLength
	}
	return DefaultTextMaxLength
}

func valueList(opts []Option) string {
	var b bytes.Buffer
	for i, o := range opts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(o.Value, 10))
	}
	return b.String()
}
