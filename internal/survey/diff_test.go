package survey

import (
	"slices"
	"strings"
	"testing"
)

func diffBase() *Instrument {
	return &Instrument{Key: "ward", Version: 1, Title: "Ward check",
		Scales:    []Scale{{ID: "agree", Options: []Option{{Value: 1, Label: "No"}, {Value: 2, Label: "Yes"}}}},
		Subscales: []Subscale{{ID: "load", Title: "Load"}},
		Sections: []Section{{ID: "s1", Title: "One", Items: []Item{
			{ID: "q1", Type: Likert, Text: "Busy?", Scale: "agree", Subscale: "load"},
			{ID: "q2", Type: Text, Text: "Anything else?"},
			{ID: "q3", Type: Likert, Text: "Tired?", Scale: "agree", Subscale: "load"},
		}}}}
}

// TestDiffInstruments holds what the diff reports for each kind of change,
// and that a wording change is not called a scoring change.
func TestDiffInstruments(t *testing.T) {
	ids := func(cs []ItemChange) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name                    string
		edit                    func(in *Instrument)
		added, removed, changed []string
		scoring                 []string // substrings, one per statement
		other                   []string
	}{
		{"Same", func(*Instrument) {}, nil, nil, nil, nil, nil},
		{"Wording", func(in *Instrument) { in.Sections[0].Items[1].Text = "Anything more?" }, nil, nil, []string{"q2"}, nil, nil},
		{"Reverse", func(in *Instrument) { in.Sections[0].Items[0].Reverse = true }, nil, nil, []string{"q1"}, []string{"item q1: reverse"}, nil},
		{"AddRemove", func(in *Instrument) {
			in.Sections[0].Items = append(in.Sections[0].Items[:2], Item{ID: "q4", Type: Likert, Text: "Calm?", Scale: "agree", Subscale: "load"})
		}, []string{"q4"}, []string{"q3"}, nil, []string{"q3 is removed from subscale load", "q4 is added to subscale load"}, nil},
		{"ScaleValues", func(in *Instrument) { in.Scales[0].Options[1].Value = 3 }, nil, nil, nil, []string{"scale agree"}, nil},
		{"ScaleLabelsOnly", func(in *Instrument) { in.Scales[0].Options[1].Label = "Yes, surely" }, nil, nil, nil, nil, nil},
		{"SubscaleRule", func(in *Instrument) { in.Subscales[0].Scoring = ScoreSum }, nil, nil, nil, []string{"subscale load: its scoring rule"}, nil},
		{"Title", func(in *Instrument) { in.Title = "Ward check, v2" }, nil, nil, nil, nil, []string{"title"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := diffBase()
			b := diffBase()
			b.Version = 2
			tc.edit(b)
			d := DiffInstruments(a, b)
			if d.From != 1 || d.To != 2 || d.Key != "ward" {
				t.Errorf("diff of %s %d..%d", d.Key, d.From, d.To)
			}
			if !slices.Equal(ids(d.Added), tc.added) || !slices.Equal(ids(d.Removed), tc.removed) || !slices.Equal(ids(d.Changed), tc.changed) {
				t.Errorf("added %v removed %v changed %v, want %v %v %v", ids(d.Added), ids(d.Removed), ids(d.Changed), tc.added, tc.removed, tc.changed)
			}
			if len(d.Scoring) != len(tc.scoring) {
				t.Fatalf("scoring %q, want %d statements like %q", d.Scoring, len(tc.scoring), tc.scoring)
			}
			for i, s := range tc.scoring {
				if !strings.Contains(d.Scoring[i], s) {
					t.Errorf("scoring[%d] = %q, want it to say %q", i, d.Scoring[i], s)
				}
			}
			if !slices.Equal(d.Other, tc.other) {
				t.Errorf("other = %v, want %v", d.Other, tc.other)
			}
		})
	}
}
