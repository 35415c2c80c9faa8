package survey

import (
	"fmt"
	"math"
	"slices"
)

// Validation of show_if conditions, on items and on sections.
//
// A condition is checked for its shape (a comparison on an item, or one of
// all, any and not), for its references (only earlier items; for a
// section, only items of earlier sections) and for its operands (values
// the referenced item can take, order comparisons only on single
// numbers). Then for conditions that can never hold, where that is cheap
// to decide: a comparison that no answer meets ("q1 < 1" on a 1–5 scale)
// and, within one all, comparisons on the same item that no single answer
// meets together ("q1 = 1" and "q1 = 2" on a single-choice item). Both
// ask the rule of shown.go (meets) about a few candidate answers the item
// can take rather than restate it: the options of a likert or choice
// item; for an integer item the operands, their neighbours and the item's
// bounds, among which an answer meeting a conjunction of comparisons lies
// whenever one exists. The depth and size of a condition are admission
// limits (checkLimits).

// MaxConditionDepth bounds how deep all, any and not may nest in one
// condition: a condition at depth 1 is the show_if itself.
const MaxConditionDepth = 8

// MaxConditionNodes bounds the conditions, comparisons and combinations
// together, in one show_if.
const MaxConditionNodes = 100

// seenItem is an item met during validation, with its path.
type seenItem struct {
	item *Item
	path string
}

// conditionScope is what a condition may refer to.
type conditionScope struct {
	earlier map[string]seenItem // items before the condition's owner
	all     map[string]bool     // every item id of the instrument
	scales  map[string]*Scale
	self    string          // the item the condition belongs to; "" for a section
	section map[string]bool // for a section's condition: its own items
	// stored: checking a version already stored (NewForm), not one
	// entering Dyad. The first format took any whole number for an integer
	// item, so {item, equals} and {item, in} are not held to the integer's
	// range, nor to holding, there: a survey of such a version keeps
	// working (the condition never holds, as before).
	stored bool
}

// checkConditionLimits reports a condition nested deeper than
// MaxConditionDepth or larger than MaxConditionNodes, without walking
// further than those limits.
func checkConditionLimits(p *Problems, path string, c *Condition) {
	nodes := 0
	deep := false
	var walk func(c *Condition, depth int)
	walk = func(c *Condition, depth int) {
		nodes++
		if depth > MaxConditionDepth {
			deep = true
			return
		}
		for i := range c.All {
			if nodes > MaxConditionNodes {
				return
			}
			walk(&c.All[i], depth+1)
		}
		for i := range c.Any {
			if nodes > MaxConditionNodes {
				return
			}
			walk(&c.Any[i], depth+1)
		}
		if c.Not != nil && nodes <= MaxConditionNodes {
			walk(c.Not, depth+1)
		}
	}
	walk(c, 1)
	if deep {
		p.Add(path, "all, any and not may nest at most %d levels deep", MaxConditionDepth)
	}
	if nodes > MaxConditionNodes {
		p.Add(path, "at most %d conditions are allowed in one show_if", MaxConditionNodes)
	}
}

// CheckConditionSize returns an error when c nests deeper than
// MaxConditionDepth or holds more than MaxConditionNodes conditions: the
// importers ask it before they give a condition to an item.
func CheckConditionSize(c *Condition) error {
	var p Problems
	checkConditionLimits(&p, "show_if", c)
	if len(p) > 0 {
		return fmt.Errorf("%s", p[0].Message)
	}
	return nil
}

// check reports the problems of c at path and tells whether c can never
// hold and whether it always holds, as far as cheaply decided. A condition
// found never to hold is reported where that is found, once.
func (s *conditionScope) check(p *Problems, path string, c *Condition) (never, always bool) {
	composite := 0
	for _, set := range []bool{c.All != nil, c.Any != nil, c.Not != nil} {
		if set {
			composite++
		}
	}
	if composite == 0 {
		return s.checkLeaf(p, path, c), false
	}
	if composite > 1 || c.Item != "" || hasComparison(c) {
		p.Add(path, "a condition is either a comparison on an item (item with equals, not_equals, in, lt, lte, gt, gte or answered) or exactly one of all, any and not")
		return false, false
	}
	switch {
	case c.Not != nil:
		n, a := s.check(p, path+".not", c.Not)
		if a {
			p.Add(path, "can never hold: the condition under not always holds")
		}
		return a, n
	case c.All != nil:
		if len(c.All) == 0 {
			p.Add(path+".all", "must list at least one condition")
			return false, false
		}
		always = true
		for i := range c.All {
			n, a := s.check(p, fmt.Sprintf("%s.all[%d]", path, i), &c.All[i])
			never = never || n
			always = always && a
		}
		if !never {
			never = s.checkTogether(p, path, c.All)
		}
		return never, always
	default:
		if len(c.Any) == 0 {
			p.Add(path+".any", "must list at least one condition")
			return false, false
		}
		never = true
		for i := range c.Any {
			n, a := s.check(p, fmt.Sprintf("%s.any[%d]", path, i), &c.Any[i])
			never = never && n
			always = always || a
		}
		return never, always
	}
}

func hasComparison(c *Condition) bool {
	return c.Equals != nil || c.In != nil || c.NotEquals != nil || c.Lt != nil || c.Lte != nil ||
		c.Gt != nil || c.Gte != nil || c.Answered != nil
}

// checkLeaf checks a comparison and reports whether it can never hold.
func (s *conditionScope) checkLeaf(p *Problems, path string, c *Condition) (never bool) {
	before := p.Count()
	s.checkShape(p, path, c)
	ref := s.checkRef(p, path, c)
	if p.Count() > before || ref == nil {
		return false
	}
	if s.stored && c.IsSimple() && ref.Type == Integer {
		return false
	}
	s.checkOperands(p, path, c, ref)
	if p.Count() > before {
		return false
	}
	if !s.canHold(ref, []*Condition{c}) {
		p.Add(path, "can never hold: no answer to item %q meets it", c.Item)
		return true
	}
	return false
}

// checkShape: one comparison, or a lower and an upper bound together.
func (s *conditionScope) checkShape(p *Problems, path string, c *Condition) {
	switch {
	case c.Equals != nil && c.In != nil:
		p.Add(path, "set either equals or in, not both")
		return
	case c.Gt != nil && c.Gte != nil:
		p.Add(path, "set either gt or gte, not both")
		return
	case c.Lt != nil && c.Lte != nil:
		p.Add(path, "set either lt or lte, not both")
		return
	case c.In != nil && len(c.In) == 0:
		p.Add(path+".in", "must list at least one value")
		return
	}
	kinds := 0
	for _, set := range []bool{c.Equals != nil || c.In != nil, c.NotEquals != nil, c.Answered != nil, c.Gt != nil || c.Gte != nil || c.Lt != nil || c.Lte != nil} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		p.Add(path, "set a comparison: equals, not_equals, in, lt, lte, gt, gte or answered")
	case kinds > 1:
		p.Add(path, "set one comparison, or a lower bound (gt or gte) and an upper bound (lt or lte) together; combine comparisons with all, any or not")
	}
}

// checkRef returns the referenced item when it is a fair reference.
func (s *conditionScope) checkRef(p *Problems, path string, c *Condition) *Item {
	ref, ok := s.earlier[c.Item]
	switch {
	case c.Item == "":
		p.Add(path+".item", "is required")
	case s.self != "" && c.Item == s.self:
		p.Add(path+".item", "an item cannot depend on itself (%q)", c.Item)
	case s.section != nil && s.section[c.Item]:
		p.Add(path+".item", "%q is in this section; a section's show_if may only refer to items of earlier sections", c.Item)
	case !ok && s.all[c.Item] && s.section != nil:
		p.Add(path+".item", "%q comes later in the instrument; a section's show_if may only refer to items of earlier sections", c.Item)
	case !ok && s.all[c.Item]:
		p.Add(path+".item", "%q comes later in the instrument; show_if may only refer to an earlier item", c.Item)
	case !ok:
		p.Add(path+".item", "unknown item %q", c.Item)
	default:
		return ref.item
	}
	return nil
}

// optionsOf returns the options of a likert or choice item, nil for other
// types or a broken reference.
func (s *conditionScope) optionsOf(ref *Item) []Option {
	switch ref.Type {
	case Likert:
		if sc := s.scales[ref.Scale]; sc != nil {
			return sc.Options
		}
	case SingleChoice, MultipleChoice:
		return ref.Options
	}
	return nil
}

// checkOperands checks each operand against what the item can take.
func (s *conditionScope) checkOperands(p *Problems, path string, c *Condition, ref *Item) {
	type operand struct {
		field   string
		v       int64
		ordered bool
	}
	var ops []operand
	if c.Equals != nil {
		ops = append(ops, operand{"equals", *c.Equals, false})
	}
	for i, v := range c.In {
		ops = append(ops, operand{fmt.Sprintf("in[%d]", i), v, false})
	}
	if c.NotEquals != nil {
		ops = append(ops, operand{"not_equals", *c.NotEquals, false})
	}
	for _, o := range []struct {
		field string
		v     *int64
	}{{"lt", c.Lt}, {"lte", c.Lte}, {"gt", c.Gt}, {"gte", c.Gte}} {
		if o.v != nil {
			ops = append(ops, operand{o.field, *o.v, true})
		}
	}
	switch ref.Type {
	case Text, DateItem, Number:
		for _, o := range ops {
			p.Add(path+"."+o.field, "%q is a %s item; a condition can only ask whether it is answered", c.Item, ref.Type)
		}
	case Info:
		p.Add(path+".item", "%q is an info item, which takes no answer; a condition cannot test it", c.Item)
	case Slider, Consent:
		// Compared as integers: a slider's 0 to SliderMax, a consent's 1.
		lo, hi := int64(0), int64(SliderMax)
		if ref.Type == Consent {
			lo, hi = 1, 1
		}
		for _, o := range ops {
			if o.v < lo || o.v > hi {
				p.Add(path+"."+o.field, "%d is outside the range of item %q (%s)", o.v, c.Item, boundsText(&lo, &hi))
			}
		}
	case Integer:
		for _, o := range ops {
			if (ref.Min != nil && o.v < *ref.Min) || (ref.Max != nil && o.v > *ref.Max) {
				p.Add(path+"."+o.field, "%d is outside the range of item %q (%s)", o.v, c.Item, boundsText(ref.Min, ref.Max))
			}
		}
	case Likert, SingleChoice, MultipleChoice:
		opts := s.optionsOf(ref)
		if opts == nil {
			return // the referenced item is itself broken and reported
		}
		vals := substantiveValues(opts)
		for _, o := range ops {
			switch {
			case o.ordered && ref.Type == MultipleChoice:
				p.Add(path+"."+o.field, "%q is a multiple_choice item, whose answer is a set of options without order; use equals, in or not_equals", c.Item)
			case o.ordered && len(vals) > 0 && (o.v < vals[0] || o.v > vals[len(vals)-1]):
				p.Add(path+"."+o.field, "%d is outside the values of item %q (%d to %d)", o.v, c.Item, vals[0], vals[len(vals)-1])
			case !o.ordered && !hasValue(opts, o.v):
				p.Add(path+"."+o.field, "%d is not an option of item %q", o.v, c.Item)
			}
		}
	}
}

func boundsText(lo, hi *int64) string {
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("%d to %d", *lo, *hi)
	case lo != nil:
		return fmt.Sprintf("at least %d", *lo)
	default:
		return fmt.Sprintf("at most %d", *hi)
	}
}

// checkTogether reports, among the comparisons listed directly in an all,
// those on one item that no single answer meets together with the earlier
// ones, and tells whether there was one.
func (s *conditionScope) checkTogether(p *Problems, path string, cs []Condition) bool {
	byItem := map[string][]*Condition{}
	never := false
	for i := range cs {
		c := &cs[i]
		if !c.IsLeaf() {
			continue
		}
		ref, ok := s.earlier[c.Item]
		if !ok {
			continue
		}
		group := append(byItem[c.Item], c)
		byItem[c.Item] = group
		if len(group) > 1 && !s.canHold(ref.item, group) {
			p.Add(fmt.Sprintf("%s.all[%d]", path, i), "can never hold together with the earlier comparisons on item %q in this all: no single answer meets them all", c.Item)
			byItem[c.Item] = group[:len(group)-1]
			never = true
		}
	}
	return never
}

// canHold tells whether some state of item ref, unanswered or one of the
// candidate answers, meets every comparison of cs.
func (s *conditionScope) canHold(ref *Item, cs []*Condition) bool {
	switch ref.Type {
	case Likert, SingleChoice, MultipleChoice, Integer, Text:
	default:
		return true // a type this check does not know: assume it can
	}
	opts := s.optionsOf(ref)
	ok := func(v Value) bool {
		for _, c := range cs {
			if !answered(v) {
				if c.Answered == nil || *c.Answered {
					return false
				}
				continue
			}
			if !meets(c, v, v.Kind == IntValue && isMissingCode(opts, v.Int)) {
				return false
			}
		}
		return true
	}
	if ok(Value{}) {
		return true
	}
	return slices.ContainsFunc(candidates(ref, opts, cs), ok)
}

// candidates lists answers of item ref among which one meets the
// comparisons cs if any answer does (see the overview).
func candidates(ref *Item, opts []Option, cs []*Condition) []Value {
	switch ref.Type {
	case Text:
		return []Value{TextVal("x")}
	case MultipleChoice:
		// The widest choice meets every "includes" a narrower one does;
		// only not_equals asks for an option to be left out.
		var list []int64
		for _, o := range opts {
			if !slices.ContainsFunc(cs, func(c *Condition) bool { return c.NotEquals != nil && *c.NotEquals == o.Value }) {
				list = append(list, o.Value)
			}
		}
		if list == nil {
			return nil
		}
		return []Value{ListVal(list...)}
	case Integer:
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		if ref.Min != nil {
			lo = *ref.Min
		}
		if ref.Max != nil {
			hi = *ref.Max
		}
		vals := []int64{lo, hi}
		for _, c := range cs {
			for _, v := range append(c.Values(), ptrs(c.NotEquals, c.Lt, c.Lte, c.Gt, c.Gte)...) {
				for _, d := range []int64{-1, 0, 1} {
					if x := v + d; (d >= 0 || x < v) && (d <= 0 || x > v) && x >= lo && x <= hi {
						vals = append(vals, x)
					}
				}
			}
		}
		out := make([]Value, len(vals))
		for i, v := range vals {
			out[i] = IntVal(v)
		}
		return out
	default: // likert, single choice
		out := make([]Value, len(opts))
		for i, o := range opts {
			out[i] = IntVal(o.Value)
		}
		return out
	}
}

func ptrs(ps ...*int64) []int64 {
	var out []int64
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}
