package survey

import (
	"math/rand/v2"
	"testing"
)

// SaveSection saves the merged answers unchecked when decideSection's
// check passed, trusting that such answers pass Check(partial) too. Over
// random pages of a form with every rule that tells the two checks apart
// (required items, a required multiple choice that an empty list does not
// answer, a follow-up and a follow-up of a follow-up, bounds, unknown
// items) and every action: whenever decideSection says passed,
// Check(merged, true) finds nothing.
func TestDecidePassedImpliesPartialPasses(t *testing.T) {
	one, lo, hi, yes := ptrInt(1), ptrInt(0), ptrInt(10), true
	in := &Instrument{Key: "decide", Version: 1, Title: "T", Sections: []Section{
		{ID: "s1", Title: "One", Items: []Item{
			{ID: "a", Type: SingleChoice, Text: "A", Required: true, Options: []Option{{Value: 1, Label: "Yes"}, {Value: 2, Label: "No"}}},
			{ID: "b", Type: MultipleChoice, Text: "B", Required: true, Options: []Option{{Value: 1, Label: "X"}, {Value: 2, Label: "Y"}}, ShowIf: &Condition{Item: "a", Equals: one}},
			{ID: "c", Type: Text, Text: "C", ShowIf: &Condition{Item: "b", Answered: &yes}},
		}},
		{ID: "s2", Title: "Two", Items: []Item{
			{ID: "d", Type: Integer, Text: "D", Required: true, Min: lo, Max: hi},
			{ID: "e", Type: MultipleChoice, Text: "E", Options: []Option{{Value: 1, Label: "X"}, {Value: 2, Label: "Y"}}},
		}},
		{ID: "s3", Title: "Three", Items: []Item{
			{ID: "f", Type: Text, Text: "F", Required: true, ShowIf: &Condition{Item: "d", Equals: one}},
			{ID: "g", Type: SingleChoice, Text: "G", Options: []Option{{Value: 1, Label: "Yes"}, {Value: 2, Label: "No"}}},
		}},
	}}
	f, err := NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	// Mostly values the items take (an empty list among them), now and
	// then one they refuse, and an unknown item.
	valid := map[string][]Value{
		"a": {IntVal(1), IntVal(2)}, "b": {ListVal(1), ListVal(2), ListVal(1, 2), ListVal()}, "c": {TextVal("x")},
		"d": {IntVal(1), IntVal(5)}, "e": {ListVal(1), ListVal()}, "f": {TextVal("x")}, "g": {IntVal(1), IntVal(2)},
	}
	invalid := []Value{IntVal(11), IntVal(-1), ListVal(3), ListVal(1, 1, 2), TextVal("a\x00b"), IntVal(3)}
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() Answers {
		a := Answers{}
		for id, vs := range valid {
			switch r := rng.IntN(20); {
			case r < 6: // unanswered
			case r < 19:
				a[id] = vs[rng.IntN(len(vs))]
			default:
				a[id] = invalid[rng.IntN(len(invalid))]
			}
		}
		if rng.IntN(20) == 0 {
			a["zz"] = IntVal(1)
		}
		return a
	}
	passedSome := 0
	for range 20000 {
		si := rng.IntN(len(in.Sections))
		action := SectionAction(rng.IntN(3))
		var seen map[string]bool
		if rng.IntN(2) == 0 {
			seen = map[string]bool{"a": true, "b": true, "c": true, "d": true, "e": true, "f": true, "g": true}
		}
		merged := f.mergeSection(random(), random(), si)
		_, _, passed := f.decideSection(merged, si, action, seen, f.DocumentOrder())
		if !passed {
			continue
		}
		passedSome++
		if err := f.Check(merged, true); err != nil {
			t.Fatalf("section %d, action %d, answers %v: decideSection passed, Check(partial) finds %v", si, action, merged, err)
		}
	}
	if passedSome < 100 {
		t.Fatalf("only %d of the random pages passed: the test checks too little", passedSome)
	}
}
