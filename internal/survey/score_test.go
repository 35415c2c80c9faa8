package survey

import (
	"errors"
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
			{ID: "agree5", Options: []Option{{Value: 1, Label: "SD"}, {Value: 2, Label: "D"}, {Value: 3, Label: "N"}, {Value: 4, Label: "A"}, {Value: 5, Label: "SA"}}},
			{ID: "freq4", Options: []Option{{Value: 0, Label: "Never"}, {Value: 1, Label: "Sometimes"}, {Value: 2, Label: "Often"}, {Value: 3, Label: "Always"}}},
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

// missingForm is the burden scale of the example that motivated missing
// codes: four items on 1–5 with 9 = "Not applicable", b2 reverse-keyed,
// scored as a prorated sum that needs 3 of the 4 items. Before missing
// codes existed, answering 9 everywhere scored 36 on a 4–20 scale and
// reversal turned 9 into 1 (1 + 9 − 9).
func missingForm(t *testing.T) *Form {
	t.Helper()
	in := &Instrument{
		Key: "missing-test", Version: 1, Title: "Missing codes",
		Scales: []Scale{{ID: "agree5na", Options: []Option{
			{Value: 1, Label: "SD"}, {Value: 2, Label: "D"}, {Value: 3, Label: "N"}, {Value: 4, Label: "A"}, {Value: 5, Label: "SA"},
			{Value: 9, Label: "Not applicable", Missing: true},
		}}},
		Subscales: []Subscale{
			{ID: "burden", Title: "Burden", Scoring: ScoreSum, MinAnswered: 3},
			{ID: "ease", Title: "Ease", Scoring: ScoreMean},
		},
		Sections: []Section{{ID: "s", Title: "S", Items: []Item{
			{ID: "b1", Type: Likert, Text: "b1", Scale: "agree5na", Subscale: "burden"},
			{ID: "b2", Type: Likert, Text: "b2", Scale: "agree5na", Subscale: "burden", Reverse: true},
			{ID: "b3", Type: Likert, Text: "b3", Scale: "agree5na", Subscale: "burden"},
			{ID: "b4", Type: Likert, Text: "b4", Scale: "agree5na", Subscale: "burden"},
			{ID: "e1", Type: Likert, Text: "e1", Scale: "agree5na", Subscale: "ease"},
			{ID: "e2", Type: Likert, Text: "e2", Scale: "agree5na", Subscale: "ease", Reverse: true},
			{ID: "pick", Type: SingleChoice, Text: "pick", Options: []Option{
				{Value: 1, Label: "Yes"}, {Value: 0, Label: "No"}, {Value: 99, Label: "Prefer not to say", Missing: true},
			}},
		}}},
	}
	f, err := NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestScoreMissingCodes(t *testing.T) {
	f := missingForm(t)
	none := math.NaN()
	for _, tc := range []struct {
		name     string
		subscale string
		answers  Answers
		want     float64 // NaN: no score
	}{
		// Reversal on 1–5, not on 1–9: b2 = 2 counts 1+5−2 = 4 (not 10−2 = 8);
		// 4+4+5+3 = 16.
		{"ReversedOnSubstantiveRange", "burden", Answers{"b1": IntVal(4), "b2": IntVal(2), "b3": IntVal(5), "b4": IntVal(3)}, 16},
		// The reverse-keyed b2 answered 9 is unanswered, not reversed to 1:
		// (4+5+3)/3 answered × 4 items = 16.
		{"ReversedItemMissingCode", "burden", Answers{"b1": IntVal(4), "b2": IntVal(9), "b3": IntVal(5), "b4": IntVal(3)}, 16},
		// A plain item answered 9: (4+4+3)/3 × 4 = 44/3.
		{"ItemMissingCode", "burden", Answers{"b1": IntVal(4), "b2": IntVal(2), "b3": IntVal(9), "b4": IntVal(3)}, 44.0 / 3},
		// Two codes leave 2 answered items, fewer than min_answered 3.
		{"TwoMissingCodesBelowMin", "burden", Answers{"b1": IntVal(9), "b2": IntVal(9), "b3": IntVal(5), "b4": IntVal(3)}, none},
		// Every item 9: no score (it was 36 on a 4–20 scale).
		{"AllMissingCodes", "burden", Answers{"b1": IntVal(9), "b2": IntVal(9), "b3": IntVal(9), "b4": IntVal(9)}, none},
		// ease needs every item; a missing code leaves it without a score.
		{"MeanNeedsAllMissingCode", "ease", Answers{"e1": IntVal(5), "e2": IntVal(9)}, none},
		// e2 = 1 reversed is 5: (5+5)/2.
		{"MeanComplete", "ease", Answers{"e1": IntVal(5), "e2": IntVal(1)}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := f.Score(tc.subscale, tc.answers)
			if math.IsNaN(tc.want) {
				if ok {
					t.Fatalf("Score = %v, want none", got)
				}
				return
			}
			if !ok || math.Abs(got-tc.want) > 1e-12 {
				t.Fatalf("Score = %v, %v; want %v", got, ok, tc.want)
			}
			// The Scorer over looked-up values agrees.
			s := f.Scorer(tc.subscale)
			var vals []Value
			for _, id := range s.ItemIDs() {
				vals = append(vals, tc.answers[id])
			}
			if v, ok := s.ScoreValues(vals); !ok || v != got {
				t.Fatalf("ScoreValues = %v, %v; Score = %v", v, ok, got)
			}
		})
	}

	if lo, hi, ok := f.ScaleRange("b2"); !ok || lo != 1 || hi != 5 {
		t.Errorf("ScaleRange(b2) = %d, %d, %v; want 1, 5 (9 is a missing code)", lo, hi, ok)
	}
	if lo, hi, ok := f.ScaleRange("pick"); !ok || lo != 0 || hi != 1 {
		t.Errorf("ScaleRange(pick) = %d, %d, %v; want 0, 1", lo, hi, ok)
	}
	a := Answers{"b2": IntVal(9), "b1": IntVal(2)}
	if v, ok := f.ItemScore("b2", a); ok {
		t.Errorf("ItemScore(b2 = 9) = %v; want none (a missing code)", v)
	}
	if v, ok := f.ItemScore("b1", a); !ok || v != 2 {
		t.Errorf("ItemScore(b1 = 2) = %v, %v", v, ok)
	}
	if !f.IsMissingCode("b1", 9) || f.IsMissingCode("b1", 5) || !f.IsMissingCode("pick", 99) || f.IsMissingCode("pick", 9) {
		t.Error("IsMissingCode wrong")
	}
	if got := f.DescribeScoring("burden"); !strings.Contains(got, "b2 (reversed: 6 − value)") || !strings.Contains(got, "9 (Not applicable) counts as unanswered") {
		t.Errorf("DescribeScoring(burden) = %q", got)
	}
}

func TestValidateMissingCodes(t *testing.T) {
	base := func() *Instrument {
		return &Instrument{
			Key: "mc", Version: 1, Title: "T",
			Scales: []Scale{
				{ID: "agree5", Options: []Option{{Value: 1, Label: "1"}, {Value: 2, Label: "2"}, {Value: 3, Label: "3"}, {Value: 4, Label: "4"}, {Value: 5, Label: "5"}}},
				{ID: "agree5na", Options: []Option{{Value: 1, Label: "SD"}, {Value: 2, Label: "D"}, {Value: 3, Label: "N"}, {Value: 4, Label: "A"}, {Value: 5, Label: "SA"}, {Value: 9, Label: "NA", Missing: true}}},
				{ID: "freq3", Options: []Option{{Value: 0, Label: "Never"}, {Value: 1, Label: "Sometimes"}, {Value: 2, Label: "Often"}}},
			},
			Subscales: []Subscale{{ID: "s", Title: "S"}},
			Sections: []Section{{ID: "p", Title: "P", Items: []Item{
				{ID: "i1", Type: Likert, Text: "i1", Scale: "agree5", Subscale: "s"},
				{ID: "i2", Type: Likert, Text: "i2", Scale: "agree5na", Subscale: "s"},
			}}},
		}
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("scales differing only in a missing code are one scale for scoring: %v", err)
	}
	for _, tc := range []struct {
		name, path, message string
		edit                func(in *Instrument)
	}{
		{"ErrSubscaleMixesScales", "sections[0].items[1].scale", `subscale "s" mixes scales: this item's scale "freq3" has the values 0, 1, 2 but sections[0].items[0] is on scale "agree5" with 1, 2, 3, 4, 5`,
			func(in *Instrument) { in.Sections[0].Items[1].Scale = "freq3" }},
		{"ErrScaleOneSubstantive", "scales[2].options", "at least 2 options that are not missing codes, got 1",
			func(in *Instrument) { in.Scales[2].Options[1].Missing, in.Scales[2].Options[2].Missing = true, true }},
		{"ErrChoiceAllMissing", "sections[0].items[2].options", "every option is a missing code",
			func(in *Instrument) {
				in.Sections[0].Items = append(in.Sections[0].Items, Item{ID: "c", Type: SingleChoice, Text: "c",
					Options: []Option{{Value: 8, Label: "DK", Missing: true}, {Value: 9, Label: "PNS", Missing: true}}})
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.edit(in)
			err := in.Validate()
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("Validate = %v; want *Error", err)
			}
			for _, d := range se.Details {
				if d.Path == tc.path && strings.Contains(d.Message, tc.message) {
					return
				}
			}
			t.Fatalf("no %q at %s in %+v", tc.message, tc.path, se.Details)
		})
	}
}

// TestScoreCombineRescale: with combine: rescale, a 0–2 item joins a 1–5
// subscale by the linear map 1 + (x − 0) × (5 − 1) / (2 − 0) = 1 + 2x;
// reversal happens first, on the item's own scale; a missing code still
// counts as unanswered.
func TestScoreCombineRescale(t *testing.T) {
	in := &Instrument{Key: "rescale", Version: 1, Title: "T",
		Scales: []Scale{
			{ID: "agree5", Options: []Option{{Value: 1, Label: "1"}, {Value: 2, Label: "2"}, {Value: 3, Label: "3"}, {Value: 4, Label: "4"}, {Value: 5, Label: "5"}}},
			{ID: "freq3", Options: []Option{{Value: 0, Label: "Never"}, {Value: 1, Label: "Sometimes"}, {Value: 2, Label: "Often"}, {Value: 9, Label: "NA", Missing: true}}},
		},
		Subscales: []Subscale{{ID: "mix", Title: "Mixed", Scoring: ScoreMean, MinAnswered: 1, Combine: CombineRescale}},
		Sections: []Section{{ID: "s", Title: "S", Items: []Item{
			{ID: "a", Type: Likert, Text: "a", Scale: "agree5", Subscale: "mix"},
			{ID: "f", Type: Likert, Text: "f", Scale: "freq3", Subscale: "mix"},
			{ID: "r", Type: Likert, Text: "r", Scale: "freq3", Subscale: "mix", Reverse: true},
		}}},
	}
	f, err := NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		a    Answers
		want float64
	}{
		// a 4; f 1 → 3; r 0 → reversed 2 → 5: (4 + 3 + 5) / 3.
		{"All", Answers{"a": IntVal(4), "f": IntVal(1), "r": IntVal(0)}, 4},
		// f 2 → 5; r 9 is a missing code: (2 + 5) / 2.
		{"MissingCode", Answers{"a": IntVal(2), "f": IntVal(2), "r": IntVal(9)}, 3.5},
		{"OnlyRescaled", Answers{"f": IntVal(0)}, 1},
	} {
		got, ok := f.Score("mix", tc.a)
		if !ok || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: Score = %v, %v; want %v", tc.name, got, ok, tc.want)
		}
	}
	if v, ok := f.ItemScore("r", Answers{"r": IntVal(0)}); !ok || v != 5 {
		t.Errorf("ItemScore(r = 0) = %v, %v; want 5 (reversed to 2, then 1 + 2 × 2)", v, ok)
	}
	if got := f.DescribeScoring("mix"); !strings.Contains(got, "each item first mapped linearly onto 1–5 (the scale of a)") {
		t.Errorf("DescribeScoring = %q", got)
	}
	in.Subscales[0].Combine = "average"
	var se *Error
	if err := in.Validate(); !errors.As(err, &se) || se.Details[0].Path != "subscales[0].combine" {
		t.Errorf("combine: average: %v", err)
	}
	in.Subscales[0].Combine = ""
	if err := in.Validate(); !errors.As(err, &se) || len(se.Details) != 2 || se.Details[0].Path != "sections[0].items[1].scale" {
		t.Errorf("without combine the mixed subscale is refused at each item off the first scale: %v", err)
	}
}

// TestCheckMissingCodeAlone: a multiple-choice missing code may be the
// only selection, not one of several.
func TestCheckMissingCodeAlone(t *testing.T) {
	in := &Instrument{Key: "mc-check", Version: 1, Title: "T",
		Sections: []Section{{ID: "s", Title: "S", Items: []Item{
			{ID: "m", Type: MultipleChoice, Text: "m", Options: []Option{{Value: 1, Label: "A"}, {Value: 2, Label: "B"}, {Value: 9, Label: "Don't know", Missing: true}}},
		}}},
	}
	f, err := NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []Answers{{"m": ListVal(9)}, {"m": ListVal(1, 2)}} {
		if err := f.Check(ok, false); err != nil {
			t.Errorf("Check(%v) = %v", ok["m"], err)
		}
	}
	err = f.Check(Answers{"m": ListVal(1, 9)}, false)
	var se *Error
	if !errors.As(err, &se) || len(se.Details) != 1 || se.Details[0].Path != "answers.m" ||
		se.Details[0].Message != "9 (Don't know) is a missing code and cannot be selected with other options" {
		t.Errorf("Check([1, 9]) = %v", err)
	}
}
