package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestMissingCodesDrawnApart renders a likert item whose scale has a
// missing code: the code comes after the substantive points, below a
// divider the screen reader skips, as a radio of the same name (one
// group), and the points' "k of n" counts only the substantive ones.
func TestMissingCodesDrawnApart(t *testing.T) {
	in := &survey.Instrument{Key: "mc-web", Version: 1, Title: "T",
		Scales: []survey.Scale{{ID: "a3", Options: []survey.Option{
			{Value: 9, Label: "Not applicable", Missing: true},
			{Value: 1, Label: "Disagree"}, {Value: 2, Label: "Neutral"}, {Value: 3, Label: "Agree"},
		}}},
		Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{
			{ID: "q", Type: survey.Likert, Text: "Q", Scale: "a3"},
		}}},
	}
	form, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	iv := newItemView(i18n.Or(i18n.Default), form, form.Item("q"), survey.Answers{"q": survey.IntVal(9)}, map[string]bool{"q": true}, 0, "")
	html, err := renderItem(&iv)
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	scale := strings.Index(page, `<div class="scale">`)
	divider := strings.Index(page, `<hr class="missing-divider" aria-hidden="true">`)
	na := strings.Index(page, `value="9"`)
	end := strings.Index(page, `</fieldset>`)
	if scale < 0 || divider < scale || na < divider || end < na {
		t.Fatalf("want the scale, then the divider, then the missing code, all in the fieldset:\n%s", page)
	}
	if n := len(regexp.MustCompile(`type="radio" [^>]*name="q"`).FindAllString(page, -1)); n != 4 {
		t.Errorf("%d radios named q, want 4 (one group):\n%s", n, page)
	}
	for _, want := range []string{`aria-label="Disagree, 1 of 3"`, `aria-label="Agree, 3 of 3"`, `id="q-q-1" name="q" value="9" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("lacks %s:\n%s", want, page)
		}
	}
	if strings.Contains(page, "Not applicable, ") {
		t.Errorf("the missing code is announced as a point of the scale:\n%s", page)
	}
}
