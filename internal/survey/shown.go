package survey

import (
	"maps"
	"slices"
)

// The show/hide rule, written once.
//
// An item is shown when its section's show_if and its own hold; either
// may be absent. A condition combines comparisons on earlier items with
// all, any and not (holds, below); a comparison on an item that is hidden
// or unanswered is false, except answered: false. Validation puts every
// referenced item earlier in the instrument (a section's in earlier
// sections), so one pass in document order decides every item, and a
// chain of conditions is decided link by link. A section whose items are
// all hidden, by its own condition or theirs, is skipped.
//
// Readers hold answers in different shapes: a map (a submission, a page of
// the web form), a slice by position reused across responses (statistics),
// or only one item is asked about (the synthetic-answer generators). Each
// entry point below adapts its shape to an answer function and asks shows;
// none restates the rule.

// shows is the rule for item i: shown when its section's condition and
// its own hold (either may be absent). Conditions refer only to earlier
// items (a section's to earlier sections), so refShown and answer are only
// asked about items before i.
func (f *Form) shows(i int, refShown func(ref int) bool, answer func(ref int) Value) bool {
	if c := f.Instrument.Sections[f.sectionAt[i]].ShowIf; c != nil && !f.holds(c, refShown, answer) {
		return false
	}
	c := f.order[i].ShowIf
	return c == nil || f.holds(c, refShown, answer)
}

// holds decides a condition: All, Any and Not combine as their names say
// (All of nothing is not valid, so never asked), and a comparison is
// decided by meets on the answer of its item when that item is shown and
// answered. An item that is hidden or unanswered meets only answered:
// false; everything else about it is false, so that "q3 > 2" never shows a
// follow-up to a question nobody answered. Not inverts: "not q3 > 2" holds
// when q3 is unanswered.
func (f *Form) holds(c *Condition, refShown func(ref int) bool, answer func(ref int) Value) bool {
	switch {
	case c.All != nil:
		for i := range c.All {
			if !f.holds(&c.All[i], refShown, answer) {
				return false
			}
		}
		return true
	case c.Any != nil:
		for i := range c.Any {
			if f.holds(&c.Any[i], refShown, answer) {
				return true
			}
		}
		return false
	case c.Not != nil:
		return !f.holds(c.Not, refShown, answer)
	}
	ref, ok := f.index[c.Item] // earlier, by validation
	if !ok {
		return false
	}
	v := answer(ref)
	if c.Answered != nil && !*c.Answered {
		return !answered(v) || !refShown(ref)
	}
	// The answer first: most conditions are decided by it without
	// following the chain of the item they refer to.
	return answered(v) && f.meets(c, v) && refShown(ref)
}

// answered tells whether v holds an answer: a value, not the zero Value of
// an item left empty, nor an empty list of choices.
func answered(v Value) bool {
	return v.Kind != 0 && !(v.Kind == ListValue && len(v.List) == 0)
}

// meets tells whether an answer v, given to the shown item c.Item, meets
// the comparison c (a leaf): every comparison c sets must hold.
func (f *Form) meets(c *Condition, v Value) bool {
	// The missing codes matter to order comparisons only; the others,
	// the common case, skip the lookup.
	missing := v.Kind == IntValue && (c.Lt != nil || c.Lte != nil || c.Gt != nil || c.Gte != nil) &&
		isMissingCode(f.options[c.Item], v.Int)
	return meets(c, v, missing)
}

// meets is the one definition of the comparisons, for an answered item:
// missing tells whether v (an IntValue) is one of the item's missing-data
// codes. holds adds what a hidden or unanswered item gives; validation
// asks meets whether any answer an item can take meets a condition.
func meets(c *Condition, v Value, missing bool) bool {
	if c.Answered != nil && !*c.Answered {
		return false
	}
	if c.Equals != nil && !includes(v, *c.Equals) {
		return false
	}
	if c.In != nil && !slices.ContainsFunc(c.In, func(x int64) bool { return includes(v, x) }) {
		return false
	}
	if c.NotEquals != nil && includes(v, *c.NotEquals) {
		return false
	}
	if c.Lt != nil || c.Lte != nil || c.Gt != nil || c.Gte != nil {
		// Only single numbers are ordered; a missing-data code such as
		// 9 "Not applicable" is not "more than 4".
		if v.Kind != IntValue || missing {
			return false
		}
		x := v.Int
		if (c.Lt != nil && x >= *c.Lt) || (c.Lte != nil && x > *c.Lte) ||
			(c.Gt != nil && x <= *c.Gt) || (c.Gte != nil && x < *c.Gte) {
			return false
		}
	}
	return true
}

// includes tells whether the answer is x or, for a list of choices,
// includes x.
func includes(v Value, x int64) bool {
	switch v.Kind {
	case IntValue:
		return v.Int == x
	case ListValue:
		return slices.Contains(v.List, x)
	}
	return false
}

// fillShown decides every item in document order into shown, which must
// have one slot per item.
func (f *Form) fillShown(shown []bool, answer func(ref int) Value) {
	refShown := func(ref int) bool { return shown[ref] }
	for i := range f.order {
		shown[i] = f.shows(i, refShown, answer)
	}
}

// byID reads the answers of a map by position.
func (f *Form) byID(a Answers) func(int) Value {
	return func(i int) Value { return a[f.order[i].ID] }
}

// Shown tells, for every item, whether it is shown given the answers: an
// item with show_if is shown when the item it refers to is shown, answered
// and matches.
func (f *Form) Shown(a Answers) map[string]bool {
	list := f.shownList(a)
	shown := make(map[string]bool, len(f.order))
	for i, it := range f.order {
		shown[it.ID] = list[i]
	}
	return shown
}

// shownList is Shown by position in document order, without a map: the
// form of it that every submission's validation uses.
func (f *Form) shownList(a Answers) []bool {
	shown := make([]bool, len(f.order))
	f.fillShown(shown, f.byID(a))
	return shown
}

// ShownByPosition is Shown by position for answers held by position:
// vals[i] is the answer to Items()[i], the zero Value when there is none.
// It writes shown[i] for every item into shown, reusing its memory when it
// is long enough, and returns it. The rule is that of Shown and IsShown.
func (f *Form) ShownByPosition(vals []Value, shown []bool) []bool {
	if cap(shown) < len(f.order) {
		shown = make([]bool, len(f.order))
	}
	shown = shown[:len(f.order)]
	f.fillShown(shown, func(i int) Value { return vals[i] })
	return shown
}

// IsShown tells whether one item is shown given the answers, by the rule
// of Shown, without deciding every item: it follows the item's chain of
// conditions only. An unknown id is not shown.
func (f *Form) IsShown(id string, a Answers) bool {
	i, ok := f.index[id]
	if !ok {
		return false
	}
	answer := f.byID(a)
	if !f.sharedRefs {
		// Every condition refers to one item: a chain is a line, each
		// item on it decided once. (Written here, not returned by
		// chainShown, so that nothing escapes: statistics ask this for
		// every unanswered item of every response.)
		var refShown func(int) bool
		refShown = func(ref int) bool { return f.shows(ref, refShown, answer) }
		return refShown(i)
	}
	return f.chainShown(answer)(i)
}

// chainShown returns the rule for one item at a time, following chains
// of conditions only as far as they go. Each item it decides is kept:
// a condition may refer to several items, which may refer to the same
// earlier ones, and deciding each again would take time exponential in
// the chain's length. An item without conditions costs nothing to keep.
func (f *Form) chainShown(answer func(int) Value) func(int) bool {
	var known map[int]bool
	var refShown func(int) bool
	refShown = func(ref int) bool {
		if v, ok := known[ref]; ok {
			return v
		}
		v := f.shows(ref, refShown, answer)
		if f.refs[ref] != nil {
			if known == nil {
				known = map[int]bool{}
			}
			known[ref] = v
		}
		return v
	}
	return refShown
}

// PagePosition tells where section si stands among the sections shown
// given the answers, for the progress a respondent sees, in the
// document's order (Order.PagePosition: in a response's order).
func (f *Form) PagePosition(a Answers, si int) (number, total int) {
	return f.DocumentOrder().PagePosition(a, si)
}

// PagePosition tells where section si stands among the sections shown
// given the answers, in this order: it is the number-th of total,
// counting si itself even when it is skipped. A section before si counts
// when it is shown; one after si also when it is skipped for now but its
// conditions refer to an item of an earlier page not yet answered, which
// may still show it. The total is an estimate that answers change.
// (Conditions refer only to sections earlier in every order, order.go,
// so "earlier" in the document is earlier here too.)
func (o *Order) PagePosition(a Answers, si int) (number, total int) {
	return o.pagePosition(a, si, o.form.shownList(a))
}

// pagePosition is PagePosition with the shown items decided (shownList).
func (o *Order) pagePosition(a Answers, si int, shown []bool) (number, total int) {
	f := o.form
	visible := make([]bool, len(f.Instrument.Sections))
	open := make([]bool, len(f.Instrument.Sections))
	for i, v := range shown {
		sec := f.sectionAt[i]
		visible[sec] = visible[sec] || v
		for _, ref := range f.refs[i] {
			// Only answers on earlier pages can show a skipped page.
			if _, ok := a[f.order[ref].ID]; !ok && f.sectionAt[ref] < sec {
				open[sec] = true
			}
		}
	}
	for _, n := range o.sections {
		if visible[n] || n == si || (o.page[n] > o.page[si] && open[n]) {
			total++
			if o.page[n] <= o.page[si] {
				number++
			}
		}
	}
	return number, total
}

// Conditional tells whether the item has a show_if, its own or its
// section's: whether any answers can hide it.
func (f *Form) Conditional(id string) bool {
	it := f.items[id]
	return it != nil && (it.ShowIf != nil || f.Instrument.Sections[f.section[id]].ShowIf != nil)
}

// Holds decides a condition given the answers, by the rule of Shown: the
// web form uses it for the parts of a page's conditions that refer to
// items of other pages.
func (f *Form) Holds(c *Condition, a Answers) bool {
	answer := f.byID(a)
	if !f.sharedRefs {
		var refShown func(int) bool
		refShown = func(ref int) bool { return f.shows(ref, refShown, answer) }
		return f.holds(c, refShown, answer)
	}
	return f.holds(c, f.chainShown(answer), answer)
}

// KeepShown returns the answers without those to items that are not shown.
// Whether an item is shown depends only on earlier items that are shown, so
// dropping hidden answers never changes what is shown.
//
// It decides by position (shownList), as SectionShown does.
func (f *Form) KeepShown(a Answers) Answers {
	out := make(Answers, len(a)) // never nil, as callers store it
	maps.Copy(out, a)
	f.dropHidden(out)
	return out
}

// dropHidden is KeepShown in place, for a map of the caller's own: a page
// save merges into a new map, and a copy of it for KeepShown was one of
// the larger allocations of a web journey.
func (f *Form) dropHidden(a Answers) {
	shown := f.shownList(a)
	for id := range a {
		if i, known := f.index[id]; known && !shown[i] { // unknown ids stay, for Check to report
			delete(a, id)
		}
	}
}

// AppendSectionShown appends to dst, for each item of section si in
// document order, whether it is shown given the answers: Shown for one
// page, without a map. The web form asks it of every fresh section page.
func (f *Form) AppendSectionShown(dst []bool, a Answers, si int) []bool {
	shown := f.shownList(a)
	for _, it := range f.Instrument.Sections[si].Items {
		dst = append(dst, shown[f.index[it.ID]])
	}
	return dst
}
