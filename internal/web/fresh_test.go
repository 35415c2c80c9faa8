package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestFreshState holds freshState to what it stands for (fresh.go): any
// two fresh pages with the same key have the same items' HTML and list of
// shown items, prepared item by item as sectionPage prepares them. The
// pages are the study's sections, in the orders of many responses, after
// random answers to the other pages (which hide and show follow-ups and
// decide the script's verdicts), in every language; a page with one of
// its own items answered has no key.
func TestFreshState(t *testing.T) {
	study, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	checkFresh(t, study, 300, func() survey.Answers { return sample.Answers(study, rng) },
		func() *survey.Order { return study.Order(fmt.Sprintf("00000000-0000-4000-8000-%012d", rng.IntN(40))) }, rng)

	// A page whose items earlier answers hide, and a condition that
	// mixes an item of its page with one of an earlier page.
	var in survey.Instrument
	if err := json.Unmarshal([]byte(freshBranching), &in); err != nil {
		t.Fatal(err)
	}
	branching, err := survey.NewForm(&in)
	if err != nil {
		t.Fatal(err)
	}
	pick := func(vs ...survey.Value) (survey.Value, bool) {
		i := rng.IntN(len(vs) + 1)
		if i == len(vs) {
			return survey.Value{}, false
		}
		return vs[i], true
	}
	checkFresh(t, branching, 300, func() survey.Answers {
		a := survey.Answers{}
		for id, vs := range map[string][]survey.Value{
			"smoker": {survey.IntVal(1), survey.IntVal(0)},
			"age":    {survey.IntVal(30), survey.IntVal(50), survey.IntVal(70)},
			"cigs":   {survey.IntVal(5), survey.IntVal(20)},
		} {
			if v, ok := pick(vs...); ok {
				a[id] = v
			}
		}
		return a
	}, branching.DocumentOrder, rng)
}

// freshBranching has pages whose items earlier answers hide (smoking,
// by its section's condition; end), and an item whose condition mixes an
// item of its page with one of an earlier page, for the script's verdicts.
const freshBranching = `{"key": "branching", "version": 1, "title": "Branching",
 "sections": [
  {"id": "screen", "title": "Screening", "items": [
   {"id": "smoker", "type": "single_choice", "text": "Do you smoke?", "required": true,
    "options": [{"value": 1, "label": "Yes"}, {"value": 0, "label": "No"}]},
   {"id": "age", "type": "integer", "text": "Your age", "min": 18, "max": 120, "required": true}]},
  {"id": "smoking", "title": "Smoking", "show_if": {"item": "smoker", "equals": 1}, "items": [
   {"id": "cigs", "type": "integer", "text": "Cigarettes a day", "min": 1, "max": 80, "required": true},
   {"id": "quit", "type": "single_choice", "text": "Have you tried to quit?", "required": true,
    "options": [{"value": 1, "label": "Yes"}, {"value": 0, "label": "No"}],
    "show_if": {"all": [{"item": "cigs", "gte": 10}, {"item": "age", "gte": 40}]}}]},
  {"id": "end", "title": "The end", "items": [
   {"id": "younger", "type": "text", "text": "Anything else?", "show_if": {"not": {"item": "age", "gte": 65}}},
   {"id": "detail", "type": "text", "text": "Tell us more", "show_if": {"item": "younger", "answered": true}}]}]}`

// checkFresh prepares n rounds of every page of form, fresh (the page's
// own answers left out) or not, in an order and after answers to the other
// pages drawn each round, and holds pages with one key to one HTML.
func checkFresh(t *testing.T, form *survey.Form, n int, answers func() survey.Answers, order func() *survey.Order, rng *rand.Rand) {
	t.Helper()
	var fc fragmentCache
	type items struct {
		html  []template.HTML
		shown string
	}
	seen := map[string]items{}
	distinct := map[string]bool{} // pages, by their HTML
	compared, keys := 0, 0
	for round := range n {
		l := i18n.All()[round%len(i18n.All())]
		o := order()
		all := answers()
		for si, sec := range form.Instrument.Sections {
			a := survey.Answers{}
			for id, v := range all {
				if form.SectionOf(id) != si || form.Item(id) == nil {
					a[id] = v
				}
			}
			// Some rounds answer an item of the page: no key.
			if round%7 == 0 && len(sec.Items) > 0 {
				id := sec.Items[rng.IntN(len(sec.Items))].ID
				if v, ok := all[id]; ok {
					a[id] = v
					if _, _, ok := freshState(nil, nil, form, o, si, a); ok {
						t.Fatalf("section %d with %s answered has a fresh key", si+1, id)
					}
					continue
				}
			}
			state, _, ok := freshState(nil, nil, form, o, si, a)
			if !ok {
				t.Fatalf("section %d: no fresh key without its answers", si+1)
			}
			shown := form.Shown(a)
			var got items
			var visible []string
			for _, ii := range o.Items(si) {
				iv := newItemView(l, form, &sec.Items[ii], a, shown, si, "")
				h, err := fc.item(form, l.Code, &iv)
				if err != nil {
					t.Fatal(err)
				}
				got.html = append(got.html, h)
				if !iv.Hidden {
					visible = append(visible, iv.ID)
				}
			}
			got.shown = strings.Join(visible, " ")
			key := l.Code + "\x00" + fmt.Sprint(si) + "\x00" + string(state)
			distinct[got.shown+fmt.Sprint(got.html)] = true
			if want, ok := seen[key]; ok {
				if got.shown != want.shown || !slices.Equal(got.html, want.html) {
					t.Fatalf("round %d, section %d: one key, two pages\n--- got\n%s\n%s\n--- want\n%s\n%s",
						round, si+1, got.shown, got.html, want.shown, want.html)
				}
				compared++
			} else {
				seen[key] = got
				keys++
			}
		}
	}
	if compared < 100 {
		t.Errorf("only %d pages met a key seen before (%d keys)", compared, keys)
	}
	t.Logf("%s: %d pages compared, %d keys, %d pages", form.Instrument.Key, compared, keys, len(distinct))
}
