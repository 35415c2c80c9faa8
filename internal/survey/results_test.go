package survey

import (
	"errors"
	"testing"
)

// branchForm: uses → tools (if uses = 1) → other (if tools includes 5),
// and an item without a condition.
func branchForm(tb testing.TB) *Form {
	tb.Helper()
	one, five := int64(1), int64(5)
	f, err := NewForm(&Instrument{Key: "branch", Version: 1, Title: "Branch", Sections: []Section{{ID: "a", Title: "A", Items: []Item{
		{ID: "uses", Type: SingleChoice, Text: "Uses?", Options: []Option{{Value: 1, Label: "Yes"}, {Value: 0, Label: "No"}}},
		{ID: "tools", Type: MultipleChoice, Text: "Which?", Options: []Option{{Value: 1, Label: "X"}, {Value: 5, Label: "Other"}}, ShowIf: &Condition{Item: "uses", Equals: &one}},
		{ID: "other", Type: Text, Text: "Other?", ShowIf: &Condition{Item: "tools", Equals: &five}},
		{ID: "note", Type: Text, Text: "Note"},
	}}}})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// TestIsShown: for every item and every kind of answer along the branch,
// IsShown agrees with Shown.
func TestIsShown(t *testing.T) {
	f := branchForm(t)
	for _, a := range []Answers{
		{},
		{"uses": IntVal(0)},
		{"uses": IntVal(1)},
		{"uses": IntVal(1), "tools": ListVal(1)},
		{"uses": IntVal(1), "tools": ListVal(1, 5)},
		{"uses": IntVal(0), "tools": ListVal(5)}, // stale: tools hidden, so other too
		{"uses": TextVal("1"), "tools": ListVal(5)},
	} {
		shown := f.Shown(a)
		for _, it := range f.Items() {
			if got := f.IsShown(it.ID, a); got != shown[it.ID] {
				t.Errorf("answers %v: IsShown(%s) = %v, Shown says %v", a, it.ID, got, shown[it.ID])
			}
		}
		if f.IsShown("nope", a) {
			t.Errorf("unknown item shown")
		}
	}
}

func TestGroupingItem(t *testing.T) {
	f := branchForm(t)
	if it, err := f.GroupingItem("uses"); err != nil || it.ID != "uses" {
		t.Errorf("uses: %v, %v", it, err)
	}
	for _, id := range []string{"tools", "note", "nope"} {
		_, err := f.GroupingItem(id)
		var e *Error
		if !errors.As(err, &e) || e.Code != EInvalid || len(e.Details) != 1 || e.Details[0].Path != "by" {
			t.Errorf("%s: %v", id, err)
		}
	}
}
