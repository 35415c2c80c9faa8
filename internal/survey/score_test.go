package survey

import (
	"math"
	"strings"
	"testing"
)

func scoreForm(t *testing.T) *Form {
	t.Helper()
	two := 2
	in := &Instrument{
		Key: "score-test", Version: 1, Title: "Scores",
		Scales: []Scale{
			{ID: "agree5", Options: []Option{{1, "SD"}, {2, "D"}, {3, "N"}, {4, "A"}, {5, "SA"}}},
			{ID: "freq4", Options: []Option{{0, "Never"}, {1, "Sometimes"}, {2, "Often"}, {3, "Always"}}},
		},
		Subscales: []Subscale{
			{ID: "pos", Title: "Positive", Scoring: ScoreMean, MinAnswered: two},
			{ID: "load", Title: "Load", Scoring: ScoreSum, MinAnswered: two},
			{ID: "all", Title: "All items", Scoring: ScoreMean},
			{ID: "tot", Title: "Sum, all items", Scoring: ScoreSum},
		},
		Sections: []Section{{ID: "s", Title: "S", Items: []Item{
			{ID: "p1", Type: Likert, Text: "p1", Scale: "agree5", Subscale: "pos"},
			{ID: "p2", Type: Likert, Text: "p2", Scale: "agree5", Subscale: "pos", Reverse: true},
			{ID: "p3", Type: Likert, Text: "p3", Scale: "agree5", Subscale: "pos"},
			{ID: "l1", Type: Likert, Text: "l1", Scale: "freq4", Subscale: "load"},
			{ID: "l2", Type: Likert, Text: "l2", Scale: "freq4", Subscale: "load", Reverse: true},
			{ID: "l3", Type: Likert, Text: "l3", Scale: "freq4", Subscale: "load"},
			{ID: "a1", Type: Likert, Text: "a1", Scale: "agree5", Subscale: "all"},
			{ID: "a2", Type: Likert, Text: "a2", Scale: "agree5", Subscale: "all", Reverse: true},
			{ID: "t1", Type: Likert, Text: "t1", Scale: "agree5", Subscale: "tot"},
			{ID: "t2", Type: Likert, Text: "t2", Scale: "agree5", Subscale: "tot"},
			{ID: "note", Type: Text, Text: "note"},
		}}},
	}
	f, err := NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestScore(t *testing.T) {
	f := scoreForm(t)
	none := math.NaN()
	for _, tc := range []struct {
		name     string
		subscale string
		answers  Answers
		want     float64 // NaN: no score
	}{
		// p2 is reversed: 1+5−2 = 4; (4+4+5)/3.
		{"MeanReversed", "pos", Answers{"p1": IntVal(4), "p2": IntVal(2), "p3": IntVal(5)}, 13.0 / 3},
		{"MeanAtMinAnswered", "pos", Answers{"p1": IntVal(4), "p2": IntVal(5)}, (4.0 + 1) / 2},
		{"MeanBelowMinAnswered", "pos", Answers{"p1": IntVal(4)}, none},
		{"MeanNothing", "pos", Answers{}, none},
		// l2 is reversed on 0–3: 0+3−3 = 0; sum 1+0+2 over all 3 items.
		{"SumComplete", "load", Answers{"l1": IntVal(1), "l2": IntVal(3), "l3": IntVal(2)}, 3},
		// Prorated: (3 + (3−1)) / 2 answered × 3 items = 7.5.
		{"SumProrated", "load", Answers{"l1": IntVal(3), "l2": IntVal(1)}, 7.5},
		{"SumBelowMinAnswered", "load", Answers{"l3": IntVal(3)}, none},
		// Default min_answered is every item of the subscale.
		{"DefaultNeedsAll", "all", Answers{"a1": IntVal(5)}, none},
		{"DefaultAllAnswered", "all", Answers{"a1": IntVal(5), "a2": IntVal(5)}, 3},
		{"SumDefaultNeedsAll", "tot", Answers{"t1": IntVal(5)}, none},
		{"SumAll", "tot", Answers{"t1": IntVal(5), "t2": IntVal(4)}, 9},
		// Answers of the wrong kind do not count.
		{"TextDoesNotCount", "pos", Answers{"p1": TextVal("4"), "p2": IntVal(2), "p3": IntVal(5)}, (4.0 + 5) / 2},
		{"UnknownSubscale", "nope", Answers{"p1": IntVal(4)}, none},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := f.Score(tc.subscale, tc.answers)
			if math.IsNaN(tc.want) {
				if ok {
					t.Fatalf("Score = %v, want none", got)
				}
				return
			}
			if !ok || got != tc.want {
				t.Fatalf("Score = %v, %v; want %v", got, ok, tc.want)
			}
		})
	}
}

func TestScoresAndItemScore(t *testing.T) {
	f := scoreForm(t)
	a := Answers{"p1": IntVal(4), "p2": IntVal(2), "p3": IntVal(5), "l1": IntVal(3)}
	s := f.Scores(a)
	if len(s) != 4 {
		t.Fatalf("Scores has %d entries, want one per subscale", len(s))
	}
	if s["pos"] == nil || *s["pos"] != 13.0/3 {
		t.Errorf("pos = %v", s["pos"])
	}
	if s["load"] != nil || s["all"] != nil {
		t.Errorf("load, all = %v, %v; want nil", s["load"], s["all"])
	}
	if a["p2"].Int != 2 {
		t.Error("scoring changed the answer in place")
	}
	if v, ok := f.ItemScore("p2", a); !ok || v != 4 {
		t.Errorf("ItemScore(p2) = %v, %v; want 4 (reversed)", v, ok)
	}
	if v, ok := f.ItemScore("p1", a); !ok || v != 4 {
		t.Errorf("ItemScore(p1) = %v, %v", v, ok)
	}
	if _, ok := f.ItemScore("note", Answers{"note": TextVal("x")}); ok {
		t.Error("ItemScore of a text item")
	}
	if ids := f.SubscaleItems("load"); len(ids) != 3 || ids[1].ID != "l2" {
		t.Errorf("SubscaleItems(load) = %v", ids)
	}
}

func TestDescribeScoring(t *testing.T) {
	f := scoreForm(t)
	for id, want := range map[string][]string{
		"pos":  {"mean of the answered items of p1, p2 (reversed: 6 − value), p3", "fewer than 2 of 3"},
		"load": {"prorated sum", "× 3", "l2 (reversed: 3 − value)", "fewer than 2 of 3"},
		"all":  {"empty unless all 2 items are answered"},
	} {
		got := f.DescribeScoring(id)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("DescribeScoring(%s) = %q, lacks %q", id, got, w)
			}
		}
	}
}
