package survey

import (
	"reflect"
	"testing"
)

// TestFormInEveryLanguageIsTheSameForm: a language's form, its texts put
// back in the default language, is in every field the form NewForm builds
// for the instrument; so anything a form is built with (an index, a
// route, an order) that NewForm computes but a language's form lacks
// fails here.
func TestFormInEveryLanguageIsTheSameForm(t *testing.T) {
	in := &Instrument{
		Key: "bi", Version: 1, Title: "Title", Language: "en", Languages: []string{"en", "de"},
		Scales: []Scale{{ID: "agree", Options: []Option{{Value: 1, Label: "No"}, {Value: 2, Label: "Yes"}, {Value: 9, Label: "N/A", Missing: true}}}},
		Sections: []Section{
			{ID: "s1", Title: "One", Items: []Item{
				{ID: "q1", Type: Likert, Text: "Q one", Scale: "agree"},
				{ID: "q2", Type: SingleChoice, Text: "Q two", Options: []Option{{Value: 1, Label: "A"}, {Value: 2, Label: "B"}}},
			}},
			{ID: "s2", Title: "Two", Items: []Item{
				{ID: "q3", Type: Text, Text: "Why?", ShowIf: &Condition{Item: "q2", Equals: ptrInt(1)}},
			}},
		},
	}
	tr := Translation{}
	for _, s := range in.SourceTexts() {
		tr[s.ID] = "de: " + s.Text
	}
	in.Translations = map[string]Translation{"de": tr}
	f, err := NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	de := f.In("de")
	if de == f || de.Lang != "de" {
		t.Fatalf("no German form: %s", de.Lang)
	}
	// What NewForm builds for the German instrument, but for the fields
	// that say which language a form is in.
	want, err := NewForm(in.Localized("de"))
	if err != nil {
		t.Fatal(err)
	}
	got, w := *de, *want
	got.Lang, got.own, got.langs = "", nil, nil
	w.Lang, w.own, w.langs = "", nil, nil
	// The document order points back to its own form.
	gi, wi := *got.orders.identity, *w.orders.identity
	gi.form, wi.form = nil, nil
	got.orders.identity, w.orders.identity = &gi, &wi
	if !reflect.DeepEqual(&got, &w) {
		t.Errorf("the German form is not what NewForm builds for the German instrument:\n%+v\n%+v", got, w)
	}
}

func ptrInt(v int64) *int64 { return &v }
