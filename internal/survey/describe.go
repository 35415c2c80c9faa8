package survey

import (
	"strconv"
	"strings"
)

// Conditions in words, for the codebook and for the errors that refuse an
// answer to a hidden item: "shown if q3 is 4 (Agree) or 5 (Strongly agree)
// and q7 is answered". The words follow the rule of shown.go; they do not
// restate it, they name it.

// DescribeCondition puts a condition in words: "shown if ai_use = 1 (Yes)";
// "" for none.
func (f *Form) DescribeCondition(c *Condition) string {
	if c == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("shown if ")
	f.words(&b, c, "")
	return b.String()
}

// DescribeShown puts in words when the item is shown: its section's
// condition and its own, "" when it is always shown.
func (f *Form) DescribeShown(id string) string {
	it := f.items[id]
	if it == nil {
		return ""
	}
	sec := &f.Instrument.Sections[f.section[id]]
	switch {
	case sec.ShowIf == nil:
		return f.DescribeCondition(it.ShowIf)
	case it.ShowIf == nil:
		return f.DescribeCondition(sec.ShowIf) + " (the condition of section " + sec.ID + ")"
	}
	var b strings.Builder
	b.WriteString("shown if ")
	f.words(&b, sec.ShowIf, "and")
	b.WriteString(" (the condition of section " + sec.ID + ") and ")
	f.words(&b, it.ShowIf, "and")
	return b.String()
}

// whyHidden says why item i is hidden given the answers, for the error
// that refuses an answer to it.
func (f *Form) whyHidden(i int, a Answers) string {
	sec := &f.Instrument.Sections[f.sectionAt[i]]
	if sec.ShowIf != nil && !f.Holds(sec.ShowIf, a) {
		return "its section " + strconv.Quote(sec.ID) + " is skipped: the section's condition does not hold (" + f.DescribeCondition(sec.ShowIf) + ")"
	}
	return "its condition does not hold (" + f.DescribeCondition(f.order[i].ShowIf) + ")"
}

// words writes c; within names the connective of the enclosing list ("and",
// "or", or "" at the top), so that a list joined by another connective is
// put in parentheses.
func (f *Form) words(b *strings.Builder, c *Condition, within string) {
	list := func(cs []Condition, conn string) {
		if within != "" && within != conn {
			b.WriteByte('(')
			defer b.WriteByte(')')
		}
		for i := range cs {
			if i > 0 {
				b.WriteString(" " + conn + " ")
			}
			f.words(b, &cs[i], conn)
		}
	}
	switch {
	case c.All != nil:
		list(c.All, "and")
	case c.Any != nil:
		list(c.Any, "or")
	case c.Not != nil:
		b.WriteString("not (")
		f.words(b, c.Not, "")
		b.WriteByte(')')
	default:
		parts := f.comparisonWords(c)
		if len(parts) > 1 && within == "or" {
			b.WriteByte('(')
			defer b.WriteByte(')')
		}
		b.WriteString(c.Item)
		b.WriteString(strings.Join(parts, " and"))
	}
}

// comparisonWords puts each comparison of a leaf in words, each starting
// with a space: " = 1 (Yes)", " is at least 4 (Agree)".
func (f *Form) comparisonWords(c *Condition) []string {
	multi := false
	if ref := f.items[c.Item]; ref != nil {
		multi = ref.Type == MultipleChoice
	}
	var parts []string
	add := func(s string) { parts = append(parts, s) }
	if vals := c.Values(); len(vals) > 0 {
		vs := make([]string, len(vals))
		for i, v := range vals {
			vs[i] = f.valueWords(c.Item, v)
		}
		switch {
		case multi:
			add(" includes " + strings.Join(vs, " or "))
		case len(vs) == 1:
			add(" = " + vs[0])
		default:
			add(" is " + strings.Join(vs, " or "))
		}
	}
	if c.NotEquals != nil {
		if multi {
			add(" does not include " + f.valueWords(c.Item, *c.NotEquals))
		} else {
			add(" is not " + f.valueWords(c.Item, *c.NotEquals))
		}
	}
	for _, cmp := range []struct {
		v     *int64
		words string
	}{{c.Gt, " is more than "}, {c.Gte, " is at least "}, {c.Lt, " is less than "}, {c.Lte, " is at most "}} {
		if cmp.v != nil {
			add(cmp.words + f.valueWords(c.Item, *cmp.v))
		}
	}
	if c.Answered != nil {
		if *c.Answered {
			add(" is answered")
		} else {
			add(" is not answered")
		}
	}
	return parts
}

// valueWords writes a value with its label when the item has an option
// of that value: "4 (Agree)".
func (f *Form) valueWords(id string, v int64) string {
	s := strconv.FormatInt(v, 10)
	for _, o := range f.options[id] {
		if o.Value == v {
			return s + " (" + o.Label + ")"
		}
	}
	return s
}
