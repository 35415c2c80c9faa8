package interop

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Diff lists how two instruments differ in what a questionnaire asks and
// scores: the sections (ids, titles, descriptions) and, item by item, id,
// type, text, help, required, options with their values and labels (a
// likert item's through its scale, whatever the scale's id), range,
// multiline, max_length, show_if, subscale and reversal. It leaves out
// what the foreign formats do not carry, the instrument's own texts and
// the subscales' titles and scoring; nil means equivalent. The
// round-trip tests of the exporters hold their output to it.
func Diff(a, b *survey.Instrument) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	fa, _ := survey.NewForm(a) // nil when invalid: conditions then compare as written
	fb, _ := survey.NewForm(b)
	if len(a.Sections) != len(b.Sections) {
		add("%d sections against %d", len(a.Sections), len(b.Sections))
		return out
	}
	for si := range a.Sections {
		sa, sb := &a.Sections[si], &b.Sections[si]
		path := fmt.Sprintf("sections[%d]", si)
		if sa.ID != sb.ID || sa.Title != sb.Title || sa.Description != sb.Description {
			add("%s: %q %q %q against %q %q %q", path, sa.ID, sa.Title, sa.Description, sb.ID, sb.Title, sb.Description)
		}
		if len(sa.Items) != len(sb.Items) {
			add("%s: %d items against %d", path, len(sa.Items), len(sb.Items))
			continue
		}
		for ii := range sa.Items {
			ia, ib := &sa.Items[ii], &sb.Items[ii]
			p := fmt.Sprintf("%s.items[%d] (%s)", path, ii, ia.ID)
			if ia.ID != ib.ID || ia.Type != ib.Type || ia.Text != ib.Text || ia.Help != ib.Help || ia.Required != ib.Required {
				add("%s: %s %s %q %q %v against %s %s %q %q %v", p, ia.ID, ia.Type, ia.Text, ia.Help, ia.Required,
					ib.ID, ib.Type, ib.Text, ib.Help, ib.Required)
			}
			if !slices.Equal(OptionsOf(a, ia), OptionsOf(b, ib)) {
				add("%s: options %v against %v", p, OptionsOf(a, ia), OptionsOf(b, ib))
			}
			if !sameInt(ia.Min, ib.Min) || !sameInt(ia.Max, ib.Max) || ia.Multiline != ib.Multiline || ia.MaxLength != ib.MaxLength {
				add("%s: range, multiline or max_length differ", p)
			}
			if ia.Subscale != ib.Subscale || ia.Reverse != ib.Reverse {
				add("%s: subscale %q reverse %v against %q %v", p, ia.Subscale, ia.Reverse, ib.Subscale, ib.Reverse)
			}
			if ca, cb := effective(sa, ia), effective(sb, ib); !sameCondition(fa, fb, ca, cb) {
				add("%s: show_if %s against %s", p, conditionJSON(ca), conditionJSON(cb))
			}
		}
	}
	return out
}

func sameInt(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// effective is when an item is shown: its section's condition and its
// own, nil for always. Formats without conditions on a page carry a
// section's to each item, so an item is compared by both together.
func effective(sec *survey.Section, it *survey.Item) *survey.Condition {
	switch {
	case sec.ShowIf == nil:
		return it.ShowIf
	case it.ShowIf == nil:
		return sec.ShowIf
	}
	return &survey.Condition{All: []survey.Condition{*sec.ShowIf, *it.ShowIf}}
}

func conditionJSON(c *survey.Condition) string {
	if c == nil {
		return "none"
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// sameCondition tells whether two conditions show an item for the same
// answers: written alike, or (each format writes some conditions in its
// own way: a list of options for "answered", a range as two comparisons)
// deciding alike, by the rule of shown.go, for every answer that can
// matter to the items they test: unanswered, each option (each set of at
// most 8 options of a multiple-choice item), the operands, their
// neighbours and the bounds of an integer item. When the answers to try
// are too many (over 65536 combinations), written alike is the only test.
func sameCondition(fa, fb *survey.Form, a, b *survey.Condition) bool {
	if a == nil || b == nil || conditionJSON(a) == conditionJSON(b) {
		return a == nil && b == nil || conditionJSON(a) == conditionJSON(b)
	}
	if fa == nil || fb == nil {
		return false
	}
	ids := a.Items()
	for _, id := range b.Items() {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	var operands []int64
	for _, c := range []*survey.Condition{a, b} {
		c.Walk(func(n *survey.Condition) {
			operands = append(operands, n.Values()...)
			for _, p := range []*int64{n.NotEquals, n.Lt, n.Lte, n.Gt, n.Gte} {
				if p != nil {
					operands = append(operands, *p)
				}
			}
		})
	}
	tries := make([][]survey.Value, len(ids))
	total := 1
	for i, id := range ids {
		it := fa.Item(id)
		if it == nil || fb.Item(id) == nil {
			return false
		}
		tries[i] = answersToTry(it, fa.Options(id), operands)
		if total *= len(tries[i]); total > 1<<16 {
			return false
		}
	}
	a2 := survey.Answers{}
	var try func(i int) bool
	try = func(i int) bool {
		if i == len(ids) {
			return fa.Holds(a, a2) == fb.Holds(b, a2)
		}
		for _, v := range tries[i] {
			if v.Kind == 0 {
				delete(a2, ids[i])
			} else {
				a2[ids[i]] = v
			}
			if !try(i + 1) {
				return false
			}
		}
		return true
	}
	return try(0)
}

// answersToTry lists the answers to item it that sameCondition tries,
// unanswered (the zero Value) first.
func answersToTry(it *survey.Item, opts []survey.Option, operands []int64) []survey.Value {
	out := []survey.Value{{}}
	switch it.Type {
	case survey.Text:
		return append(out, survey.TextVal("x"))
	case survey.MultipleChoice:
		if len(opts) > 8 {
			for _, o := range opts {
				out = append(out, survey.ListVal(o.Value))
			}
			return out
		}
		for mask := 1; mask < 1<<len(opts); mask++ {
			var vs []int64
			for i, o := range opts {
				if mask&(1<<i) != 0 {
					vs = append(vs, o.Value)
				}
			}
			out = append(out, survey.ListVal(vs...))
		}
		return out
	case survey.Integer:
		seen := map[int64]bool{}
		add := func(v int64) {
			if !seen[v] && (it.Min == nil || v >= *it.Min) && (it.Max == nil || v <= *it.Max) {
				seen[v] = true
				out = append(out, survey.IntVal(v))
			}
		}
		for _, p := range []*int64{it.Min, it.Max} {
			if p != nil {
				add(*p)
			}
		}
		for _, v := range operands {
			add(v - 1)
			add(v)
			add(v + 1)
		}
		return out
	}
	for _, o := range opts {
		out = append(out, survey.IntVal(o.Value))
	}
	return out
}

// DiffDesign lists how two instruments differ in what Diff leaves out
// of the form's design: the randomised order (randomize on the
// instrument and its sections, fixed on sections and items), attention
// checks and a consent item's decline text. An exporter that carries
// them holds its round trip to DiffDesign too; one that cannot carry a
// feature states the loss in its test.
func DiffDesign(a, b *survey.Instrument) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if a.Randomize != b.Randomize {
		add("randomize %q against %q", a.Randomize, b.Randomize)
	}
	if len(a.Sections) != len(b.Sections) {
		add("%d sections against %d", len(a.Sections), len(b.Sections))
		return out
	}
	for si := range a.Sections {
		sa, sb := &a.Sections[si], &b.Sections[si]
		path := fmt.Sprintf("sections[%d]", si)
		if sa.Randomize != sb.Randomize || sa.Fixed != sb.Fixed {
			add("%s: randomize %q fixed %v against %q %v", path, sa.Randomize, sa.Fixed, sb.Randomize, sb.Fixed)
		}
		if len(sa.Items) != len(sb.Items) {
			add("%s: %d items against %d", path, len(sa.Items), len(sb.Items))
			continue
		}
		for ii := range sa.Items {
			ia, ib := &sa.Items[ii], &sb.Items[ii]
			p := fmt.Sprintf("%s.items[%d] (%s)", path, ii, ia.ID)
			if ia.Fixed != ib.Fixed {
				add("%s: fixed %v against %v", p, ia.Fixed, ib.Fixed)
			}
			if (ia.Attention == nil) != (ib.Attention == nil) || ia.Attention != nil && ia.Attention.Expect != ib.Attention.Expect {
				add("%s: attention %v against %v", p, ia.Attention, ib.Attention)
			}
			if ia.Decline != ib.Decline {
				add("%s: decline %q against %q", p, ia.Decline, ib.Decline)
			}
		}
	}
	return out
}
