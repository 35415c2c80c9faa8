package instrument_test

import (
	"errors"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// FuzzParse feeds arbitrary documents to the parser and validator: it must
// never panic, and every rejection must be a *survey.Error (malformed or
// invalid) whose details name a place. Whatever it accepts must also pass
// NewForm, the index every request uses.
//
// Seeds are small on purpose (excerpt, under 500 bytes, and
// testdata/fuzz/FuzzParse, under 400 bytes each): the fuzzer minimises
// every new input it finds, one byte at a time for up to a minute, so the
// cost grows with the size of the inputs it mutates. Seeded with the 16 KB
// study instrument, or even the 1 KB minimal instrument, the 10 s CI run
// spent its budget minimising (14 to 48 executions); with these seeds it
// makes tens of thousands. The shipped instruments are parsed by the
// schema and study tests instead.
func FuzzParse(f *testing.F) {
	f.Add([]byte(excerpt), false)
	f.Add([]byte(translated), false)
	f.Add([]byte(`{"key":"x1","version":1,"title":"T","sections":[{"id":"s","title":"S","items":[{"id":"q","type":"text","text":"Q"}]}]}`), true)
	f.Add([]byte(`{"key":"x1","version":1,"title":"T","randomize":"sections","sections":[{"id":"s","title":"S","fixed":true,"randomize":"items","items":[{"id":"q","type":"text","text":"Q","fixed":true},{"id":"r","type":"text","text":"R"}]},{"id":"t","title":"T","items":[{"id":"u","type":"text","text":"U"}]}]}`), true)
	f.Add([]byte(`key: t1
version: 1
title: T
sections:
  - id: s
    title: S
    items:
      - {id: d, type: date, text: D, min: 2020-01-01, max: "2030-12-31"}
      - {id: n, type: number, text: N, decimals: 2, unit: kg, min: 0.05, max: 1e2}
      - {id: v, type: slider, text: V, min_label: L, max_label: H}
      - {id: i, type: info, text: I}
      - {id: c, type: consent, text: C, decline: No}
      - {id: m, type: multiple_choice, text: M, other: true, options: [{value: 1, label: A}, {value: 2, label: B, exclusive: true}]}
`), false)
	// Conditions of every shape, on an item and on a section, in JSON.
	f.Add([]byte(`{"key":"x2","version":1,"title":"T","sections":[{"id":"s","title":"S","items":[`+
		`{"id":"a","type":"integer","text":"A","min":0,"max":9},{"id":"b","type":"text","text":"B",`+
		`"show_if":{"any":[{"item":"a","gte":2,"lt":5},{"not":{"item":"a","answered":true}}]}}]},`+
		`{"id":"t","title":"T","show_if":{"all":[{"item":"a","not_equals":3},{"item":"b","answered":true}]},`+
		`"items":[{"id":"c","type":"text","text":"C"}]}]}`), true)
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		format := instrument.YAML
		if asJSON {
			format = instrument.JSON
		}
		in, err := instrument.Parse(data, format)
		if err != nil {
			var se *survey.Error
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if se.Code != survey.EMalformed && se.Code != survey.EInvalid && se.Code != survey.ETooLarge {
				t.Fatalf("error code %q", se.Code)
			}
			if len(se.Details) == 0 {
				t.Fatal("a rejection without details")
			}
			return
		}
		form, err := survey.NewForm(in)
		if err != nil {
			t.Fatalf("parsed instrument fails NewForm: %v", err)
		}
		// A translation changes texts only: every language's form has the
		// same items in the same order, and every text translated.
		for l, tr := range in.Translations {
			lf := form.In(l)
			if len(lf.Items()) != len(form.Items()) {
				t.Fatalf("%s form has %d items, the default %d", l, len(lf.Items()), len(form.Items()))
			}
			for i, it := range lf.Items() {
				if it.ID != form.Items()[i].ID {
					t.Fatalf("%s form's item %d is %s, the default's %s", l, i, it.ID, form.Items()[i].ID)
				}
				if it.Text != tr["items."+it.ID+".text"] && !form.IsOtherItem(it.ID) {
					t.Fatalf("%s text of %s is %q, the translation %q", l, it.ID, it.Text, tr["items."+it.ID+".text"])
				}
			}
		}
		// Every condition it accepted can be decided and put in words.
		form.Shown(survey.Answers{})
		for _, it := range form.Items() {
			form.DescribeShown(it.ID)
		}
	})
}

// excerpt has the shapes of the shipped instruments (block texts, a
// reverse-keyed subscale item, show_if with in) in a few lines.
const excerpt = `key: excerpt
version: 1
title: Excerpt
introduction: |
  First paragraph.

  Second paragraph.
scales:
  - id: a5
    options:
      - {value: 1, label: "No"}
      - {value: 5, label: "Yes"}
      - {value: 9, label: NA, missing: true}
subscales:
  - {id: trust, title: Trust, scoring: sum, min_answered: 1}
sections:
  - id: s
    title: S
    items:
      - {id: t1, type: likert, text: T1, scale: a5, subscale: trust, reverse: true}
      - id: t2
        type: text
        text: Why?
        show_if: {item: t1, in: [1, 5]}
`

// translated is a two-language instrument, the translation given inline.
const translated = `key: tr
version: 1
title: T
language: en
languages: [en, de]
sections:
  - id: s
    title: S
    items:
      - {id: q, type: single_choice, text: Q, help: H, options: [{value: 1, label: A}, {value: 2, label: B}]}
translations:
  de: {title: T-de, sections.s.title: S-de, items.q.text: Q-de, items.q.help: H-de, items.q.options.1: A-de, items.q.options.2: B-de}
`
