package interop

import (
	"encoding/json"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestConditionRule holds the one rule that turns another format's
// comparisons, and their and, or and not, into Dyad conditions.
func TestConditionRule(t *testing.T) {
	lo, hi, wideHi := int64(0), int64(9), int64(100000)
	opts := []survey.Option{{Value: 1, Label: "A"}, {Value: 2, Label: "B"}, {Value: 3, Label: "C"}}
	one := &Field{Name: "one", ID: "one", Type: survey.SingleChoice, Codes: map[string]int64{"1": 1, "2": 2, "3": 3}, Options: opts}
	many := &Field{Name: "many", ID: "many", Type: survey.MultipleChoice, Codes: map[string]int64{"a": 1, "b": 2, "c": 3}, Options: opts}
	small := &Field{Name: "small", ID: "small", Type: survey.Integer, Min: &lo, Max: &hi}
	wide := &Field{Name: "wide", ID: "wide", Type: survey.Integer, Min: &lo, Max: &wideHi}
	text := &Field{Name: "text", ID: "text", Type: survey.Text}
	test := func(f *Field, op, lit string) Set {
		s, err := f.Test(op, lit)
		if err != nil {
			t.Fatalf("%s %s %q: %v", f.Name, op, lit, err)
		}
		return s
	}
	opt := func(f *Field, code string) Set {
		s, err := f.Option(code)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	comb := func(a, b Set, union bool) Set {
		s, err := Combine(a, b, union)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	not := func(s Set) Set {
		n, err := s.Not()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name string
		set  Set
		want string
	}{
		{"equals", test(one, "=", "2"), `{"item":"one","equals":2}`},
		{"not equals lists the others", test(one, "<>", "2"), `{"item":"one","in":[1,3]}`},
		{"order on codes", test(one, ">=", "2"), `{"item":"one","in":[2,3]}`},
		{"answered choice lists its options", test(one, "!=", ""), `{"item":"one","in":[1,2,3]}`},
		{"unanswered", test(one, "=", ""), `{"item":"one","answered":false}`},
		{"answered text", test(text, "<>", ""), `{"item":"text","answered":true}`},
		{"answered multiple choice", test(many, "!=", ""), `{"item":"many","answered":true}`},
		{"short range listed", test(small, ">", "6"), `{"item":"small","in":[7,8,9]}`},
		{"wide range compared", test(wide, ">", "6"), `{"item":"wide","gt":6}`},
		{"wide range not equals", test(wide, "!=", "6"), `{"item":"wide","not_equals":6}`},
		{"or of one field", comb(test(one, "=", "1"), test(one, "=", "3"), true), `{"item":"one","in":[1,3]}`},
		{"and of one field", comb(test(one, ">", "1"), test(one, "<", "3"), false), `{"item":"one","equals":2}`},
		{"or of options", comb(opt(many, "a"), opt(many, "c"), true), `{"item":"many","in":[1,3]}`},
		{"and of options: both may be chosen", comb(opt(many, "a"), opt(many, "c"), false), `{"all":[{"item":"many","equals":1},{"item":"many","equals":3}]}`},
		{"and of two fields", comb(test(one, "=", "1"), test(wide, ">=", "18"), false), `{"all":[{"item":"one","equals":1},{"item":"wide","gte":18}]}`},
		{"and of ands taken in", comb(comb(test(one, "=", "1"), test(wide, ">=", "18"), false), test(text, "<>", ""), false),
			`{"all":[{"item":"one","equals":1},{"item":"wide","gte":18},{"item":"text","answered":true}]}`},
		{"or within and", comb(comb(test(one, "=", "1"), test(wide, "<", "5"), true), test(text, "<>", ""), false),
			`{"all":[{"any":[{"item":"one","equals":1},{"item":"wide","lt":5}]},{"item":"text","answered":true}]}`},
		{"not", not(test(one, "=", "1")), `{"not":{"item":"one","equals":1}}`},
		{"not of an option", not(opt(many, "b")), `{"not":{"item":"many","equals":2}}`},
	} {
		c, err := tc.set.Condition()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got, _ := json.Marshal(c); string(got) != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		f    *Field
		op   string
		lit  string
	}{
		{"equals outside the range", small, "=", "10"},
		{"not a code", one, "=", "7"},
		{"what a text says", text, "=", "x"},
		{"a multiple-choice item as a whole", many, "=", "a"},
		{"order against nothing", one, ">", ""},
	} {
		if _, err := tc.f.Test(tc.op, tc.lit); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	var r Report
	deep := test(one, "=", "1")
	for range survey.MaxConditionDepth {
		deep = not(deep)
	}
	if c := r.Condition("row 1", "deep", func(string) (Set, error) { return deep, nil }); c != nil || len(r.Warnings()) != 1 {
		t.Errorf("a condition nested too deep: %v, warnings %v", c, r.Warnings())
	}
}
