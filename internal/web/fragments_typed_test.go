package web

import (
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestTypedFragmentsAsTemplate holds the fragments of items with a typed
// value (a kept fragment cut where the value goes) to what the item
// template writes for the same value: every text and number item of the
// study, with values that every escaper treats differently, with and
// without an error, each asked for twice so the second comes from the
// cache. The values themselves must not be kept.
func TestTypedFragmentsAsTemplate(t *testing.T) {
	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	var fc fragmentCache
	typed := 0
	values := append([]string{"42", "</textarea><script>x</script>", "line one\r\nline two"}, awkward[1:]...)
	for si, sec := range form.Instrument.Sections {
		for i := range sec.Items {
			it := &sec.Items[i]
			if it.Type != survey.Text && it.Type != survey.Integer {
				continue
			}
			for _, value := range values {
				for _, msg := range []string{"", "Please enter a whole number."} {
					for pass := range 2 {
						iv := newItemView(i18n.Or("de"), form, it, survey.Answers{}, map[string]bool{it.ID: true}, si, msg)
						iv.Value = value
						got, err := fc.item(form, "de", &iv)
						if err != nil {
							t.Fatal(err)
						}
						want, err := renderItem(&iv)
						if err != nil {
							t.Fatal(err)
						}
						if got != want {
							t.Fatalf("item %s, value %q, error %q, pass %d:\n--- got\n%s\n--- want\n%s", it.ID, value, msg, pass, got, want)
						}
					}
				}
				typed++
			}
		}
	}
	if typed == 0 {
		t.Fatal("the study has no text or number item")
	}
	kept := 0
	fc.m.Range(func(k, f any) bool {
		if tf, ok := f.(typedFragment); ok {
			kept++
			for _, value := range values[1:] {
				if strings.Contains(tf.pre+tf.post, value) {
					t.Errorf("item %s: a typed value is kept: %q", k.(fragmentKey).state, value)
				}
			}
		}
		return true
	})
	if kept == 0 {
		t.Fatal("no typed fragment was kept")
	}
	t.Logf("%d values compared, %d typed fragments kept", typed, kept)
}
