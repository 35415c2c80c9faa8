package survey

import (
	"strings"
	"testing"
)

// TestShowHideRule holds the show/hide rule against a table of answers
// with the expected verdicts, and every way of asking it (Shown, IsShown,
// ShownByPosition, KeepShown, and Check, which refuses an answer to a
// hidden item) to the same verdicts.
func TestShowHideRule(t *testing.T) {
	f := branchForm(t)
	for _, tc := range []struct {
		name  string
		a     Answers
		shown string // the ids shown, in order
		// badRef: an answer is of the wrong type, so Check blames it and
		// not the items that depend on it (see Check).
		badRef bool
	}{
		{"Unanswered", Answers{}, "uses note", false},
		{"No", Answers{"uses": IntVal(0)}, "uses note", false},
		{"Yes", Answers{"uses": IntVal(1)}, "uses tools note", false},
		{"YesNotOther", Answers{"uses": IntVal(1), "tools": ListVal(1)}, "uses tools note", false},
		{"YesOther", Answers{"uses": IntVal(1), "tools": ListVal(1, 5)}, "uses tools other note", false},
		{"ChainBroken", Answers{"uses": IntVal(0), "tools": ListVal(5)}, "uses note", false},
		{"TextNeverMatches", Answers{"uses": TextVal("1"), "tools": ListVal(5)}, "uses note", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]bool{}
			for _, id := range strings.Fields(tc.shown) {
				want[id] = true
			}
			shown := f.Shown(tc.a)
			vals := make([]Value, len(f.Items()))
			for i, it := range f.Items() {
				vals[i] = tc.a[it.ID]
			}
			byPos := f.ShownByPosition(vals, nil)
			kept := f.KeepShown(tc.a)
			for i, it := range f.Items() {
				w := want[it.ID]
				if shown[it.ID] != w || f.IsShown(it.ID, tc.a) != w || byPos[i] != w {
					t.Errorf("%s: Shown %v, IsShown %v, ShownByPosition %v; want %v",
						it.ID, shown[it.ID], f.IsShown(it.ID, tc.a), byPos[i], w)
				}
				if _, answered := tc.a[it.ID]; answered && !tc.badRef {
					if _, ok := kept[it.ID]; ok != w {
						t.Errorf("%s: KeepShown kept it: %v, want %v", it.ID, ok, w)
					}
					refused := false
					for _, d := range errDetails(f.Check(tc.a, true)) {
						refused = refused || (d.Path == "answers."+it.ID && strings.Contains(d.Message, "not shown"))
					}
					if refused == w {
						t.Errorf("%s: Check refuses it as hidden: %v, want %v", it.ID, refused, !w)
					}
				}
			}
		})
	}
}
