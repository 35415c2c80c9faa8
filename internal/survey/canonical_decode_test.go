package survey_test

import (
	"reflect"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestDecodeCanonicalAnswersLists checks that lists sharing one array
// stay apart: a caller may change or extend one without touching another,
// and an empty list is [] (not null) once encoded again.
func TestDecodeCanonicalAnswersLists(t *testing.T) {
	in := survey.Answers{"a": survey.ListVal(1, 2), "b": survey.ListVal(3), "c": survey.ListVal(), "d": survey.TextVal("x\ny"), "e": survey.IntVal(4)}
	stored := string(in.Canonical())
	got, ok := survey.DecodeCanonicalAnswers(stored)
	if !ok || !reflect.DeepEqual(got, in) {
		t.Fatalf("got %#v, %v; want %#v", got, ok, in)
	}
	if c := string(got.Canonical()); c != stored {
		t.Fatalf("encoded again: %s, want %s", c, stored)
	}
	got["a"].List[1] = 7 // in place
	a := got["a"]
	a.List = append(a.List, 9)
	c := got["c"]
	c.List = append(c.List, 8)
	if b := got["b"].List; len(b) != 1 || b[0] != 3 {
		t.Fatalf("b changed with a or c: %v", b)
	}
	if l := got["a"].List; l[1] != 7 || len(l) != 2 {
		t.Fatalf("a: %v", l)
	}
	if e, ok := survey.DecodeCanonicalAnswers(`{"a":[]}`); !ok || e["a"].List == nil {
		t.Fatalf("[] decoded as nil: %#v", e)
	}
}

// BenchmarkDecodeCanonicalAnswers decodes a typical stored response.
func BenchmarkDecodeCanonicalAnswers(b *testing.B) {
	a := survey.Answers{}
	for i, id := range []string{"q01", "q02", "q03", "q04", "q05", "q06", "q07", "q08", "q09", "q10", "q11", "q12", "q13", "q14", "q15", "q16"} {
		a[id] = survey.IntVal(int64(i % 5))
	}
	a["m"] = survey.ListVal(1, 3)
	a["t"] = survey.TextVal("some words, \"quoted\"")
	s := string(a.Canonical())
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := survey.DecodeCanonicalAnswers(s); !ok {
			b.Fatal("declined")
		}
	}
}

func BenchmarkEachCanonicalAnswerMap(b *testing.B) {
	a := survey.Answers{}
	for i, id := range []string{"q01", "q02", "q03", "q04", "q05", "q06", "q07", "q08", "q09", "q10", "q11", "q12", "q13", "q14", "q15", "q16"} {
		a[id] = survey.IntVal(int64(i % 5))
	}
	a["m"] = survey.ListVal(1, 3)
	a["t"] = survey.TextVal("some words, \"quoted\"")
	s := string(a.Canonical())
	b.ReportAllocs()
	for b.Loop() {
		m := make(survey.Answers, 18)
		survey.EachCanonicalAnswer([]byte(s), func(id []byte, v survey.Value) { m[string(id)] = v })
	}
}
