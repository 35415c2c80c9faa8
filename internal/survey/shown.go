package survey

// The show/hide rule, written once.
//
// An item without show_if is always shown. An item with one is shown when
// the item its condition refers to is shown and that item's answer meets
// the condition (shows, below). Validation puts the referenced item
// earlier in the instrument, so one pass in document order decides every
// item, and a chain of conditions is decided link by link.
//
// Readers hold answers in different shapes: a map (a submission, a page of
// the web form), a slice by position reused across responses (statistics),
// or only one item is asked about (the synthetic-answer generators). Each
// entry point below adapts its shape to an answer function and asks shows;
// none restates the rule.

// shows is the rule for item i: shown when it has no condition, or when
// the item its condition refers to is shown (refShown) and that item's
// answer (answer) meets the condition.
func (f *Form) shows(i int, refShown func(ref int) bool, answer func(ref int) Value) bool {
	c := f.order[i].ShowIf
	if c == nil {
		return true
	}
	ref := f.index[c.Item] // earlier, by validation
	return matches(c, answer(ref)) && refShown(ref)
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
	var refShown func(int) bool
	refShown = func(ref int) bool { return f.shows(ref, refShown, answer) }
	return refShown(i)
}

// KeepShown returns the answers without those to items that are not shown.
// Whether an item is shown depends only on earlier items that are shown, so
// dropping hidden answers never changes what is shown.
//
// It decides by position (shownList), as SectionShown does: a page save
// calls it twice.
func (f *Form) KeepShown(a Answers) Answers {
	shown := f.shownList(a)
	out := make(Answers, len(a))
	for id, v := range a {
		if i, known := f.index[id]; !known || shown[i] { // unknown ids stay, for Check to report
			out[id] = v
		}
	}
	return out
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
