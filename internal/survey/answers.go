package survey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
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
	switch v.Kind {
	case IntValue:
		return strconv.AppendInt(nil, v.Int, 10), nil
	case TextValue:
		return json.Marshal(v.Text)
	case ListValue:
		if v.List == nil {
			return []byte("[]"), nil
		}
		return json.Marshal(v.List)
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads a number, string or array of numbers. It refuses
// fractions, booleans and objects: no item type takes them.
func (v *Value) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return fmt.Errorf("empty value")
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = TextVal(s)
		return nil
	case '[':
		var raw []json.Number
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(&raw); err != nil {
			return fmt.Errorf("must be a list of integers")
		}
		list := make([]int64, len(raw))
		for i, n := range raw {
			x, err := parseInt(n)
			if err != nil {
				return fmt.Errorf("element %d: %v", i, err)
			}
			list[i] = x
		}
		*v = Value{Kind: ListValue, List: list}
		return nil
	case 'n':
		if string(b) == "null" {
			*v = Value{}
			return nil
		}
	case 't', 'f', '{':
	default:
		x, err := parseInt(json.Number(b))
		if err != nil {
			return err
		}
		*v = IntVal(x)
		return nil
	}
	return fmt.Errorf("must be an integer, a string or a list of integers")
}

func parseInt(n json.Number) (int64, error) {
	if x, err := n.Int64(); err == nil {
		return x, nil
	}
	// 4.0 is a fair way to write 4; 4.5 is not an answer to any item.
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("must be an integer, got %s", n)
	}
	return int64(f), nil
}

// Answers maps item ids to answers. An item without an entry is
// unanswered.
type Answers map[string]Value

// Canonical returns a deterministic encoding of the answers (keys sorted,
// compact), used to tell a retried submission from a different one.
func (a Answers) Canonical() []byte {
	ids := make([]string, 0, len(a))
	for id := range a {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(id)
		buf.Write(k)
		buf.WriteByte(':')
		v, _ := a[id].MarshalJSON()
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// DecodeAnswers turns raw JSON values into Answers, reporting every value
// that is not of a shape any item accepts. Nulls, empty strings are dropped
// as unanswered.
func DecodeAnswers(raw map[string]json.RawMessage) (Answers, Problems) {
	var p Problems
	out := make(Answers, len(raw))
	for id, r := range raw {
		var v Value
		if err := v.UnmarshalJSON(r); err != nil {
			p.Add("answers."+id, "%v", err)
			continue
		}
		if v.Kind == 0 || (v.Kind == TextValue && v.Text == "") {
			continue
		}
		out[id] = v
	}
	sortDetails(p)
	return out, p
}

func sortDetails(p Problems) {
	sort.SliceStable(p, func(i, j int) bool { return p[i].Path < p[j].Path })
}

// Check validates answers against the form: unknown items, answers to
// hidden items, wrong types, values outside the options or range, text too
// long and, unless partial, required items left unanswered. Every problem
// is returned at once, in instrument order, as an EInvalid *Error.
func (f *Form) Check(a Answers, partial bool) error {
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
	shown := f.Shown(a)
	for _, it := range f.order {
		v, answered := a[it.ID]
		path := "answers." + it.ID
		if !shown[it.ID] {
			if answered {
				p.Add(path, "must not be answered: the item is not shown because %s", f.describeCondition(it.ShowIf))
			}
			continue
		}
		if !answered {
			if it.Required && !partial {
				p.Add(path, "is required")
			}
			continue
		}
		f.checkValue(&p, path, it, v, partial)
	}
	return p.Err(EInvalid, "the response is not valid")
}

func (f *Form) checkValue(p *Problems, path string, it *Item, v Value, partial bool) {
	switch it.Type {
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
	}
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

// Shown tells, for every item, whether it is shown given the answers: an
// item with show_if is shown when the item it refers to is shown, answered
// and matches.
func (f *Form) Shown(a Answers) map[string]bool {
	shown := make(map[string]bool, len(f.order))
	for _, it := range f.order {
		shown[it.ID] = it.ShowIf == nil || (shown[it.ShowIf.Item] && matches(it.ShowIf, a[it.ShowIf.Item]))
	}
	return shown
}

func matches(c *Condition, v Value) bool {
	for _, want := range c.Values() {
		switch v.Kind {
		case IntValue:
			if v.Int == want {
				return true
			}
		case ListValue:
			for _, x := range v.List {
				if x == want {
					return true
				}
			}
		}
	}
	return false
}

// describeCondition puts a show_if in words, for error messages and the
// codebook: `item ai_use is not 1 (Yes)`.
func (f *Form) describeCondition(c *Condition) string {
	return "its condition does not hold (" + f.DescribeCondition(c) + ")"
}

// DescribeCondition puts a condition in words: "shown if ai_use = 1 (Yes)".
func (f *Form) DescribeCondition(c *Condition) string {
	if c == nil {
		return ""
	}
	vals := c.Values()
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = strconv.FormatInt(v, 10)
		for _, o := range f.options[c.Item] {
			if o.Value == v {
				parts[i] += " (" + o.Label + ")"
			}
		}
	}
	verb := " = "
	if ref := f.items[c.Item]; ref != nil && ref.Type == MultipleChoice {
		verb = " includes "
	}
	if len(parts) == 1 {
		return "shown if " + c.Item + verb + parts[0]
	}
	var b bytes.Buffer
	for i, s := range parts {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString(s)
	}
	if verb == " = " {
		verb = " is "
	}
	return "shown if " + c.Item + verb + b.String()
}
