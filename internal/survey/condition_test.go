package survey

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// conditionDoc is an instrument with one item of every type a condition
// can test, a section "more" that follows, and a last section "late"
// whose show_if the tests set. The target item "x" carries the condition
// under test; {{cond}} is replaced by it.
const conditionDoc = `{"key": "cond", "version": 1, "title": "Conditions",
 "scales": [{"id": "agree", "options": [{"value": 1, "label": "No"}, {"value": 2, "label": "Rather no"},
   {"value": 3, "label": "Neutral"}, {"value": 4, "label": "Agree"}, {"value": 5, "label": "Yes"},
   {"value": 9, "label": "Not applicable", "missing": true}]}],
 "sections": [
  {"id": "first", "title": "First", "items": [
   {"id": "lik", "type": "likert", "text": "L", "scale": "agree"},
   {"id": "one", "type": "single_choice", "text": "S", "options": [{"value": 1, "label": "A"}, {"value": 2, "label": "B"}, {"value": 3, "label": "C"}]},
   {"id": "many", "type": "multiple_choice", "text": "M", "options": [{"value": 1, "label": "A"}, {"value": 2, "label": "B"}, {"value": 3, "label": "C"}]},
   {"id": "age", "type": "integer", "text": "N", "min": 0, "max": 120},
   {"id": "note", "type": "text", "text": "T"},
   {"id": "gate", "type": "single_choice", "text": "G", "options": [{"value": 1, "label": "Yes"}, {"value": 0, "label": "No"}]},
   {"id": "follow", "type": "integer", "text": "F", "show_if": {"item": "gate", "equals": 1}},
   {"id": "x", "type": "text", "text": "X", "show_if": {{cond}}}]},
  {"id": "late", "title": "Late", "show_if": {{section}}, "items": [
   {"id": "y", "type": "integer", "text": "Y", "required": true},
   {"id": "z", "type": "text", "text": "Z", "show_if": {"item": "y", "gt": 3}}]},
  {"id": "end", "title": "End", "items": [{"id": "last", "type": "text", "text": "Last"}]}]}`

func conditionInstrument(tb testing.TB, cond, section string) *Instrument {
	tb.Helper()
	src := strings.Replace(strings.Replace(conditionDoc, "{{cond}}", cond, 1), "{{section}}", section, 1)
	var in Instrument
	if err := json.Unmarshal([]byte(src), &in); err != nil {
		tb.Fatalf("%s: %v", src, err)
	}
	if section == "null" {
		in.Sections[1].ShowIf = nil
	}
	return &in
}

func conditionForm(tb testing.TB, cond, section string) *Form {
	tb.Helper()
	in := conditionInstrument(tb, cond, section)
	if err := in.Validate(); err != nil {
		tb.Fatalf("%s: %v", cond, err)
	}
	f, err := NewForm(in)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// TestConditionRule holds every form of condition against answers, with
// the verdict for the item it shows, asked every way the rule is asked.
func TestConditionRule(t *testing.T) {
	yes, no, miss := IntVal(4), IntVal(1), IntVal(9)
	for _, tc := range []struct {
		cond string
		a    Answers
		want bool
	}{
		// The first format: equals and in, unchanged.
		{`{"item": "one", "equals": 2}`, Answers{"one": IntVal(2)}, true},
		{`{"item": "one", "equals": 2}`, Answers{"one": IntVal(1)}, false},
		{`{"item": "one", "equals": 2}`, Answers{}, false},
		{`{"item": "one", "in": [1, 3]}`, Answers{"one": IntVal(3)}, true},
		{`{"item": "one", "in": [1, 3]}`, Answers{"one": IntVal(2)}, false},
		{`{"item": "many", "equals": 2}`, Answers{"many": ListVal(1, 2)}, true},
		{`{"item": "many", "in": [2, 3]}`, Answers{"many": ListVal(1)}, false},
		// not_equals: false when unanswered, like every comparison.
		{`{"item": "one", "not_equals": 2}`, Answers{"one": IntVal(1)}, true},
		{`{"item": "one", "not_equals": 2}`, Answers{"one": IntVal(2)}, false},
		{`{"item": "one", "not_equals": 2}`, Answers{}, false},
		{`{"item": "many", "not_equals": 2}`, Answers{"many": ListVal(1, 3)}, true},
		{`{"item": "many", "not_equals": 2}`, Answers{"many": ListVal(1, 2)}, false},
		// Order comparisons; a missing-data code meets none.
		{`{"item": "lik", "gte": 4}`, Answers{"lik": yes}, true},
		{`{"item": "lik", "gte": 4}`, Answers{"lik": no}, false},
		{`{"item": "lik", "gte": 4}`, Answers{"lik": miss}, false},
		{`{"item": "lik", "lt": 2}`, Answers{"lik": no}, true},
		{`{"item": "lik", "lt": 2}`, Answers{"lik": miss}, false},
		{`{"item": "lik", "lte": 1}`, Answers{"lik": no}, true},
		{`{"item": "lik", "gt": 4}`, Answers{"lik": yes}, false},
		{`{"item": "lik", "equals": 9}`, Answers{"lik": miss}, true},
		{`{"item": "age", "gte": 18, "lt": 65}`, Answers{"age": IntVal(18)}, true},
		{`{"item": "age", "gte": 18, "lt": 65}`, Answers{"age": IntVal(65)}, false},
		{`{"item": "age", "gte": 18, "lt": 65}`, Answers{"age": IntVal(17)}, false},
		{`{"item": "age", "gt": 17, "lte": 64}`, Answers{"age": IntVal(64)}, true},
		{`{"item": "age", "gt": 17}`, Answers{}, false},
		// answered, on every type, text included.
		{`{"item": "note", "answered": true}`, Answers{"note": TextVal("hi")}, true},
		{`{"item": "note", "answered": true}`, Answers{}, false},
		{`{"item": "note", "answered": false}`, Answers{}, true},
		{`{"item": "note", "answered": false}`, Answers{"note": TextVal("hi")}, false},
		{`{"item": "lik", "answered": true}`, Answers{"lik": miss}, true},
		{`{"item": "many", "answered": false}`, Answers{"many": ListVal()}, true},
		// A hidden item is unanswered, whatever is stored for it.
		{`{"item": "follow", "gt": 3}`, Answers{"gate": IntVal(0), "follow": IntVal(5)}, false},
		{`{"item": "follow", "gt": 3}`, Answers{"gate": IntVal(1), "follow": IntVal(5)}, true},
		{`{"item": "follow", "answered": false}`, Answers{"gate": IntVal(0), "follow": IntVal(5)}, true},
		{`{"item": "follow", "answered": true}`, Answers{"gate": IntVal(0), "follow": IntVal(5)}, false},
		// all, any, not.
		{`{"all": [{"item": "lik", "in": [4, 5]}, {"item": "note", "answered": true}]}`, Answers{"lik": yes, "note": TextVal("a")}, true},
		{`{"all": [{"item": "lik", "in": [4, 5]}, {"item": "note", "answered": true}]}`, Answers{"lik": yes}, false},
		{`{"any": [{"item": "one", "equals": 1}, {"item": "age", "gt": 100}]}`, Answers{"age": IntVal(101)}, true},
		{`{"any": [{"item": "one", "equals": 1}, {"item": "age", "gt": 100}]}`, Answers{"one": IntVal(2), "age": IntVal(10)}, false},
		{`{"not": {"item": "one", "equals": 1}}`, Answers{}, true},
		{`{"not": {"item": "one", "equals": 1}}`, Answers{"one": IntVal(1)}, false},
		{`{"not": {"item": "one", "equals": 1}}`, Answers{"one": IntVal(3)}, true},
		{`{"all": [{"any": [{"item": "one", "equals": 1}, {"item": "one", "equals": 2}]}, {"not": {"item": "many", "equals": 3}}]}`, Answers{"one": IntVal(2), "many": ListVal(1)}, true},
		{`{"all": [{"any": [{"item": "one", "equals": 1}, {"item": "one", "equals": 2}]}, {"not": {"item": "many", "equals": 3}}]}`, Answers{"one": IntVal(2), "many": ListVal(3)}, false},
	} {
		t.Run(fmt.Sprintf("%s/%v", tc.cond, tc.a), func(t *testing.T) {
			f := conditionForm(t, tc.cond, "null")
			vals := make([]Value, len(f.Items()))
			for i, it := range f.Items() {
				vals[i] = tc.a[it.ID]
			}
			x := f.index["x"]
			if got := f.Shown(tc.a)["x"]; got != tc.want {
				t.Errorf("Shown: %v, want %v", got, tc.want)
			}
			if got := f.IsShown("x", tc.a); got != tc.want {
				t.Errorf("IsShown: %v, want %v", got, tc.want)
			}
			if got := f.ShownByPosition(vals, nil)[x]; got != tc.want {
				t.Errorf("ShownByPosition: %v, want %v", got, tc.want)
			}
			if got := f.Holds(f.Item("x").ShowIf, tc.a); got != tc.want {
				t.Errorf("Holds: %v, want %v", got, tc.want)
			}
			a := Answers{"x": TextVal("answer")}
			for k, v := range tc.a {
				a[k] = v
			}
			refused := false
			for _, d := range errDetails(f.Check(f.KeepShown(a), true)) {
				refused = refused || d.Path == "answers.x"
			}
			if _, kept := f.KeepShown(a)["x"]; kept != tc.want || refused {
				t.Errorf("KeepShown kept x: %v (refused %v), want %v", kept, refused, tc.want)
			}
		})
	}
}

// TestSectionCondition: a section whose condition does not hold is
// skipped: its items are hidden, not required, refused when answered,
// and navigation steps over it.
func TestSectionCondition(t *testing.T) {
	f := conditionForm(t, `{"item": "one", "equals": 1}`, `{"any": [{"item": "age", "gte": 65}, {"item": "many", "equals": 3}]}`)
	skip := Answers{"age": IntVal(30)}
	ask := Answers{"age": IntVal(70)}
	if f.SectionShown(skip, 1) || !f.SectionShown(ask, 1) {
		t.Fatalf("SectionShown: skip %v, ask %v", f.SectionShown(skip, 1), f.SectionShown(ask, 1))
	}
	if n := f.NextSection(skip, 0); n != 2 {
		t.Errorf("NextSection skips to %d, want 2", n)
	}
	if n := f.PrevSection(skip, 2); n != 0 {
		t.Errorf("PrevSection goes back to %d, want 0", n)
	}
	if n := f.NextSection(ask, 0); n != 1 {
		t.Errorf("NextSection with the section asked: %d, want 1", n)
	}
	decided := Answers{"age": IntVal(30), "many": ListVal(1)}
	// Progress: a skipped section counts in neither place; one that an
	// unanswered earlier item may still show counts.
	for _, tc := range []struct {
		a            Answers
		si, n, total int
	}{
		{decided, 0, 1, 2}, {decided, 2, 2, 2}, {ask, 1, 2, 3}, {ask, 2, 3, 3}, {Answers{}, 0, 1, 3},
		{skip, 0, 1, 3},    // many, unanswered, may still show the section
		{decided, 1, 2, 3}, // asked about a skipped page itself: it counts
	} {
		if n, total := f.PagePosition(tc.a, tc.si); n != tc.n || total != tc.total {
			t.Errorf("PagePosition(%v, %d) = %d of %d, want %d of %d", tc.a, tc.si, n, total, tc.n, tc.total)
		}
	}
	// Nav is the three at once, for every page and set of answers.
	for _, a := range []Answers{{}, skip, ask, decided} {
		for si := range f.Instrument.Sections {
			o := f.DocumentOrder()
			n, total := o.PagePosition(a, si)
			wn, wt, wf, wl := n, total, o.PrevSection(a, si) < 0, o.NextSection(a, si) < 0
			if n, total, first, last := o.Nav(a, si); n != wn || total != wt || first != wf || last != wl {
				t.Errorf("Nav(%v, %d) = %d, %d, %v, %v; want %d, %d, %v, %v", a, si, n, total, first, last, wn, wt, wf, wl)
			}
		}
	}
	// y is required, but not in a skipped section.
	if err := f.Check(skip, false); err != nil {
		t.Errorf("skipped section's required item: %v", err)
	}
	ds := errDetails(f.Check(ask, false))
	if len(ds) != 1 || ds[0].Path != "answers.y" || ds[0].Message != "is required" {
		t.Errorf("asked section: %v, want y required", ds)
	}
	// An answer to a skipped section's item is refused, saying why.
	ds = errDetails(f.Check(Answers{"age": IntVal(30), "y": IntVal(5)}, false))
	if len(ds) != 1 || ds[0].Path != "answers.y" || !strings.Contains(ds[0].Message, `its section "late" is skipped`) ||
		!strings.Contains(ds[0].Message, "shown if age is at least 65 or many includes 3 (C)") {
		t.Errorf("answer to a skipped section: %v", ds)
	}
	// The item conditions within a section add to the section's.
	if s := f.Shown(Answers{"age": IntVal(70), "y": IntVal(5)}); !s["y"] || !s["z"] {
		t.Errorf("shown %v, want y and z", s)
	}
	if s := f.Shown(Answers{"age": IntVal(30), "y": IntVal(5)}); s["y"] || s["z"] {
		t.Errorf("shown %v, want neither y nor z", s)
	}
	if got, want := f.DescribeShown("z"), "shown if (age is at least 65 or many includes 3 (C)) (the condition of section late) and y is more than 3"; got != want {
		t.Errorf("DescribeShown(z) = %q, want %q", got, want)
	}
	if got, want := f.DescribeShown("y"), "shown if age is at least 65 or many includes 3 (C) (the condition of section late)"; got != want {
		t.Errorf("DescribeShown(y) = %q, want %q", got, want)
	}
}

// TestDescribeCondition: each condition in words, as the codebook prints it.
func TestDescribeCondition(t *testing.T) {
	for _, tc := range []struct{ cond, want string }{
		{`{"item": "one", "equals": 2}`, "shown if one = 2 (B)"},
		{`{"item": "one", "in": [1, 3]}`, "shown if one is 1 (A) or 3 (C)"},
		{`{"item": "many", "equals": 2}`, "shown if many includes 2 (B)"},
		{`{"item": "many", "not_equals": 2}`, "shown if many does not include 2 (B)"},
		{`{"item": "one", "not_equals": 2}`, "shown if one is not 2 (B)"},
		{`{"item": "age", "gte": 18, "lt": 65}`, "shown if age is at least 18 and is less than 65"},
		{`{"item": "lik", "gt": 3}`, "shown if lik is more than 3 (Neutral)"},
		{`{"item": "lik", "lte": 2}`, "shown if lik is at most 2 (Rather no)"},
		{`{"item": "note", "answered": false}`, "shown if note is not answered"},
		{`{"all": [{"item": "lik", "in": [4, 5]}, {"item": "note", "answered": true}]}`, "shown if lik is 4 (Agree) or 5 (Yes) and note is answered"},
		{`{"any": [{"all": [{"item": "one", "equals": 1}, {"item": "age", "gt": 3}]}, {"not": {"item": "note", "answered": true}}]}`,
			"shown if (one = 1 (A) and age is more than 3) or not (note is answered)"},
		{`{"any": [{"item": "age", "gt": 3, "lt": 9}, {"item": "one", "equals": 1}]}`, "shown if (age is more than 3 and is less than 9) or one = 1 (A)"},
	} {
		f := conditionForm(t, tc.cond, "null")
		if got := f.DescribeCondition(f.Item("x").ShowIf); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.cond, got, tc.want)
		}
	}
}

// TestConditionValidation: every bad condition is refused at its path.
func TestConditionValidation(t *testing.T) {
	p := "sections[0].items[7].show_if"
	for _, tc := range []struct{ cond, section, path, message string }{
		{`{"item": "one"}`, "null", p, "set a comparison"},
		{`{"item": "one", "equals": 1, "in": [2]}`, "null", p, "not both"},
		{`{"item": "one", "equals": 1, "not_equals": 2}`, "null", p, "set one comparison"},
		{`{"item": "age", "gt": 1, "gte": 2}`, "null", p, "either gt or gte"},
		{`{"item": "age", "lt": 1, "lte": 2}`, "null", p, "either lt or lte"},
		{`{"item": "one", "in": []}`, "null", p + ".in", "at least one value"},
		{`{"equals": 1}`, "null", p + ".item", "is required"},
		{`{"item": "nope", "equals": 1}`, "null", p + ".item", `unknown item "nope"`},
		{`{"item": "x", "answered": true}`, "null", p + ".item", "depend on itself"},
		{`{"item": "y", "answered": true}`, "null", p + ".item", "comes later"},
		{`{"item": "one", "all": [{"item": "one", "equals": 1}]}`, "null", p, "either a comparison"},
		{`{"all": [], "any": []}`, "null", p, "either a comparison"},
		{`{"all": []}`, "null", p + ".all", "at least one condition"},
		{`{"any": []}`, "null", p + ".any", "at least one condition"},
		{`{"item": "one", "equals": 7}`, "null", p + ".equals", "7 is not an option"},
		{`{"item": "one", "in": [1, 7]}`, "null", p + ".in[1]", "7 is not an option"},
		{`{"item": "one", "not_equals": 7}`, "null", p + ".not_equals", "7 is not an option"},
		{`{"item": "lik", "gt": 6}`, "null", p + ".gt", "outside the values of item \"lik\" (1 to 5)"},
		{`{"item": "lik", "lt": 1}`, "null", p, "can never hold"},
		{`{"item": "lik", "gt": 5}`, "null", p, "can never hold"},
		{`{"item": "age", "gt": 150}`, "null", p + ".gt", "outside the range of item \"age\" (0 to 120)"},
		{`{"item": "age", "equals": -1}`, "null", p + ".equals", "outside the range"},
		{`{"item": "age", "gt": 10, "lt": 11}`, "null", p, "can never hold"},
		{`{"item": "many", "gt": 1}`, "null", p + ".gt", "without order"},
		{`{"item": "note", "equals": 1}`, "null", p + ".equals", "text item"},
		{`{"all": [{"item": "one", "equals": 1}, {"item": "one", "equals": 2}]}`, "null", p + ".all[1]", "can never hold together"},
		{`{"all": [{"item": "age", "gte": 18}, {"item": "note", "answered": true}, {"item": "age", "lt": 18}]}`, "null", p + ".all[2]", "can never hold together"},
		{`{"all": [{"item": "one", "answered": false}, {"item": "one", "not_equals": 1}]}`, "null", p + ".all[1]", "can never hold together"},
		{`{"any": [{"all": [{"item": "lik", "in": [1]}, {"item": "lik", "gte": 2}]}, {"item": "one", "equals": 1}]}`, "null", p + ".any[0].all[1]", "can never hold together"},
		{`{"not": {"not": {"item": "one", "equals": 9}}}`, "null", p + ".not.not.equals", "not an option"},
		{`{"not": {"not": {"not": {"not": {"not": {"not": {"not": {"not": {"item": "one", "equals": 1}}}}}}}}}`, "null", p, "at most 8 levels"},
		// A section's condition refers to earlier sections only.
		{`{"item": "one", "equals": 1}`, `{"item": "y", "equals": 1}`, "sections[1].show_if.item", "is in this section"},
		{`{"item": "one", "equals": 1}`, `{"item": "last", "answered": true}`, "sections[1].show_if.item", "comes later"},
		{`{"item": "one", "equals": 1}`, `{"item": "one", "equals": 5}`, "sections[1].show_if.equals", "5 is not an option"},
		{`{"item": "one", "equals": 1}`, `{"all": [{"item": "lik", "gte": 4}, {"item": "lik", "lte": 3}]}`, "sections[1].show_if.all[1]", "can never hold together"},
	} {
		t.Run(tc.cond+tc.section, func(t *testing.T) {
			in := conditionInstrument(t, tc.cond, tc.section)
			got := map[string]string{}
			for _, d := range errDetails(in.Validate()) {
				got[d.Path] = d.Message
			}
			if msg, ok := got[tc.path]; !ok || !strings.Contains(msg, tc.message) {
				t.Errorf("want %q at %s, got %v", tc.message, tc.path, got)
			}
		})
	}
}

// TestConditionValid: conditions that can hold pass validation.
func TestConditionValid(t *testing.T) {
	for _, cond := range []string{
		`{"all": [{"item": "many", "equals": 1}, {"item": "many", "equals": 2}]}`, // both may be chosen
		`{"all": [{"item": "age", "gte": 18}, {"item": "age", "not_equals": 18}, {"item": "age", "not_equals": 19}]}`,
		`{"all": [{"item": "lik", "gte": 2}, {"item": "lik", "lte": 2}]}`,
		`{"item": "lik", "lte": 5}`,
		`{"not": {"item": "lik", "answered": true}}`,
		`{"item": "note", "answered": true}`,
	} {
		if err := conditionInstrument(t, cond, "null").Validate(); err != nil {
			t.Errorf("%s: %v", cond, err)
		}
	}
}

// TestConditionLimits: the size of one show_if is bounded.
func TestConditionLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"any": [`)
	for i := range MaxConditionNodes {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"item": "one", "equals": 1}`)
	}
	b.WriteString(`]}`)
	in := conditionInstrument(t, b.String(), "null")
	ds := errDetails(in.Validate())
	if len(ds) != 1 || ds[0].Path != "sections[0].items[7].show_if" || !strings.Contains(ds[0].Message, "at most 100 conditions") {
		t.Errorf("got %v", ds)
	}
}

// TestStoredConditionKeepsWorking: a version stored under the first
// format, with {item, equals} outside an integer item's range, which the
// first format took, still builds its form (and the condition never
// holds), while a new one is refused.
func TestStoredConditionKeepsWorking(t *testing.T) {
	in := conditionInstrument(t, `{"item": "age", "equals": 200}`, "null")
	if err := in.Validate(); err == nil {
		t.Error("a new instrument with an impossible condition was admitted")
	}
	f, err := NewForm(in)
	if err != nil {
		t.Fatalf("the stored version no longer builds: %v", err)
	}
	if f.Shown(Answers{"age": IntVal(100)})["x"] {
		t.Error("the condition holds")
	}
}

// TestChainsStayLinear: conditions that each refer to the two items
// before them are decided item by item, not once per path through the
// chain (about 1.6^n paths for n items: without that, this test would
// not end).
func TestChainsStayLinear(t *testing.T) {
	yes := true
	items := []Item{{ID: "q0", Type: Text, Text: "Q"}, {ID: "q1", Type: Text, Text: "Q"}}
	for i := 2; i < 200; i++ {
		items = append(items, Item{ID: fmt.Sprintf("q%d", i), Type: Text, Text: "Q", ShowIf: &Condition{All: []Condition{
			{Item: fmt.Sprintf("q%d", i-1), Answered: &yes}, {Item: fmt.Sprintf("q%d", i-2), Answered: &yes}}}})
	}
	f, err := NewForm(&Instrument{Key: "chain", Version: 1, Title: "Chain", Sections: []Section{{ID: "s", Title: "S", Items: items}}})
	if err != nil {
		t.Fatal(err)
	}
	a := Answers{}
	for _, it := range items {
		a[it.ID] = TextVal("x")
	}
	if !f.IsShown("q199", a) || !f.Holds(items[199].ShowIf, a) {
		t.Error("the chain is answered throughout, but q199 is hidden")
	}
	delete(a, "q100")
	if f.IsShown("q199", a) || f.IsShown("q101", a) || !f.IsShown("q100", a) {
		t.Error("q100 unanswered should hide q101 and q102 and so every later item")
	}
}
