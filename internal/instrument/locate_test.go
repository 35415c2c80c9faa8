package instrument_test

import (
	"errors"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestLocator: each validation problem of a YAML and a JSON instrument is
// found at the line of the element at fault, or of the element around a
// field left out.
func TestLocator(t *testing.T) {
	yamlDoc := `key: ward-check
version: 1
title: Ward check
sections:
  - id: main
    title: Main
    items:
      - id: q1
        type: likret
        text: Time for patients
      - id: q2
        type: text
`
	jsonDoc := `{"key": "ward-check", "version": 1, "title": "Ward check",
 "sections": [{"id": "main", "title": "Main", "items": [
  {"id": "q1", "type": "likret", "text": "Time for patients"},
  {"id": "q2", "type": "text"}]}]}`
	for _, tc := range []struct {
		name   string
		doc    string
		format instrument.Format
		want   map[string][2]int
	}{
		{"YAML", yamlDoc, instrument.YAML, map[string][2]int{
			"sections[0].items[0].type": {9, 15}, // the value
			"sections[0].items[1].text": {11, 9}, // left out: the item
		}},
		{"JSON", jsonDoc, instrument.JSON, map[string][2]int{
			"sections[0].items[0].type": {3, 24},
			"sections[0].items[1].text": {4, 4},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := instrument.Parse([]byte(tc.doc), tc.format)
			var se *survey.Error
			if !errors.As(err, &se) || len(se.Details) != len(tc.want) {
				t.Fatalf("parse: %v", err)
			}
			l := instrument.NewLocator([]byte(tc.doc))
			for _, d := range se.Details {
				want, ok := tc.want[d.Path]
				if !ok {
					t.Errorf("unexpected problem %s: %s", d.Path, d.Message)
					continue
				}
				line, col, found := l.Find(d.Path)
				if !found || line != want[0] || want[1] != 0 && col != want[1] {
					t.Errorf("%s at %d:%d (%v), want %d:%d", d.Path, line, col, found, want[0], want[1])
				}
			}
		})
	}
	if _, _, ok := instrument.NewLocator([]byte("key: [")).Find("key"); ok {
		t.Error("found a place in text that does not parse")
	}
	if _, _, ok := instrument.NewLocator([]byte("key: x\n")).Find("sections[3].items[0]"); ok {
		t.Error("found a place for a path not in the text")
	}
}

// TestLocatorItemID: a problem inside an item names the item's id, in YAML
// and in JSON; a path outside any item names none.
func TestLocatorItemID(t *testing.T) {
	for name, doc := range map[string]string{
		"YAML": "key: k\nsections:\n  - id: main\n    items:\n      - id: q1\n        type: likret\n      - id: q2\n",
		"JSON": `{"key": "k", "sections": [{"id": "main", "items": [{"id": "q1", "type": "likret"}, {"id": "q2"}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			l := instrument.NewLocator([]byte(doc))
			for path, want := range map[string]string{
				"sections[0].items[0].type": "q1", "sections[0].items[1].text": "q2", "sections[0].items[1]": "q2",
				"sections[0].title": "", "key": "", "sections[0].items[5].type": "",
			} {
				if got := l.ItemID(path); got != want {
					t.Errorf("ItemID(%q) = %q, want %q", path, got, want)
				}
			}
		})
	}
}
