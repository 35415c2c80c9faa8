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
