package survey

// Answers by position: for readers of many stored responses (statistics)
// that keep each response's answers in a slice indexed like Items, reused
// from one response to the next, rather than in a map per response.

// Position returns where the item with the given id is in Items(), or -1
// when the form has no such item.
func (f *Form) Position(id string) int {
	if i, ok := f.index[id]; ok {
		return i
	}
	return -1
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
	for i, it := range f.order {
		if it.ShowIf == nil {
			shown[i] = true
			continue
		}
		ref := f.index[it.ShowIf.Item] // earlier, by validation
		shown[i] = shown[ref] && matches(it.ShowIf, vals[ref])
	}
	return shown
}
