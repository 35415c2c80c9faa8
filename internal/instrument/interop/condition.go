package interop

// The conditions of other formats, reduced to Dyad's.
//
// A Dyad condition is one earlier item and the set of values that show
// the item. REDCap's branching logic, XLSForm's relevant and
// LimeSurvey's relevance are expression languages; each importer parses
// its own syntax, and every comparison in it (a field, an operator, a
// literal) becomes a Set here, by one rule (Field.Test). Sets of the same
// field join with or (Union) and meet with and (Intersect); two fields in
// one expression have no Dyad condition. Whatever does not reduce is the
// importer's warning, and the item is shown to everyone: asking a
// question too often loses nothing, hiding it wrongly loses answers.

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Field is what a condition needs to know of an earlier item.
type Field struct {
	// Name is the field's name in the source, for messages; ID its Dyad
	// item id, "" when the importer left it out.
	Name, ID string
	Type     string
	// Codes maps each code the source writes for an option to its value.
	Codes map[string]int64
	// Options are the item's options (its scale's for a likert item).
	Options []survey.Option
	// Min and Max bound an integer item.
	Min, Max *int64
}

// Set is the values of one field that an expression accepts.
type Set struct {
	Field  string
	Values map[int64]bool
}

// Test is the set of f's values that meet "f op lit", op one of = == <>
// != < > <= >=. An empty lit with <> or != means answered (every option);
// the ordered comparisons compare codes as numbers. An integer item's
// values are listed from its range, when it has one of at most
// survey.MaxOptions values. Choice items compare their codes; a
// multiple-choice item is tested one option at a time by the importer
// (Option), not here.
func (f *Field) Test(op, lit string) (Set, error) {
	out := Set{Field: f.ID, Values: map[int64]bool{}}
	eq := op == "=" || op == "=="
	ne := op == "<>" || op == "!="
	switch {
	case f.ID == "":
		return out, fmt.Errorf("%s is a field Dyad left out", f.Name)
	case f.Type == survey.MultipleChoice:
		return out, fmt.Errorf("%s takes several answers; only whether one option is selected maps", f.Name)
	case lit == "":
		if !ne || f.Options == nil {
			return out, fmt.Errorf("a Dyad condition can test that %s has an answer among its options, nothing else about an empty value", f.Name)
		}
		for _, o := range f.Options {
			out.Values[o.Value] = true
		}
		return out, nil
	case f.Codes != nil:
		x, numErr := strconv.ParseFloat(lit, 64)
		for raw, v := range f.Codes {
			switch {
			case eq:
				if raw == lit {
					out.Values[v] = true
				}
			case ne:
				if raw != lit {
					out.Values[v] = true
				}
			default:
				r, err := strconv.ParseFloat(raw, 64)
				if numErr != nil || err != nil {
					return out, fmt.Errorf("it compares codes of %s that are not numbers", f.Name)
				}
				if holds(r, op, x) {
					out.Values[v] = true
				}
			}
		}
		if eq && len(out.Values) == 0 {
			return out, fmt.Errorf("%q is not a code of %s", lit, f.Name)
		}
		return out, nil
	case f.Type == survey.Integer:
		x, err := strconv.ParseInt(lit, 10, 64)
		if err != nil {
			return out, fmt.Errorf("%q is not a whole number", lit)
		}
		if eq {
			out.Values[x] = true
			return out, nil
		}
		if f.Min == nil || f.Max == nil || *f.Max-*f.Min >= survey.MaxOptions {
			return out, fmt.Errorf("%s has no range of at most %d values to list", f.Name, survey.MaxOptions)
		}
		for v := *f.Min; v <= *f.Max; v++ {
			if holds(float64(v), op, float64(x)) {
				out.Values[v] = true
			}
		}
		return out, nil
	}
	return out, fmt.Errorf("%s is a text item; Dyad conditions test choices and whole numbers", f.Name)
}

// Option is the set of a choice item in which option code is selected.
func (f *Field) Option(code string) (Set, error) {
	v, ok := f.Codes[code]
	switch {
	case f.ID == "":
		return Set{}, fmt.Errorf("%s is a field Dyad left out", f.Name)
	case f.Codes == nil:
		return Set{}, fmt.Errorf("%s has no options", f.Name)
	case !ok:
		return Set{}, fmt.Errorf("%q is not an option of %s", code, f.Name)
	}
	return Set{Field: f.ID, Values: map[int64]bool{v: true}}, nil
}

// Not is the set of f's values outside s: for a single-answer item, the
// options not in s.
func (f *Field) Not(s Set) (Set, error) {
	if f.Type == survey.MultipleChoice || f.Options == nil {
		return Set{}, fmt.Errorf("a Dyad condition cannot test that %s is not something", f.Name)
	}
	out := Set{Field: s.Field, Values: map[int64]bool{}}
	for _, o := range f.Options {
		if !s.Values[o.Value] {
			out.Values[o.Value] = true
		}
	}
	return out, nil
}

func holds(a float64, op string, b float64) bool {
	switch op {
	case "=", "==":
		return a == b
	case "<>", "!=":
		return a != b
	case "<":
		return a < b
	case ">":
		return a > b
	case "<=":
		return a <= b
	case ">=":
		return a >= b
	}
	return false
}

// Combine joins (union, for or) or meets (for and) two sets of the same
// field.
func Combine(a, b Set, union bool) (Set, error) {
	if a.Field != b.Field {
		return Set{}, fmt.Errorf("it tests two items, %s and %s; a Dyad condition tests one", a.Field, b.Field)
	}
	out := Set{Field: a.Field, Values: map[int64]bool{}}
	for v := range a.Values {
		if union || b.Values[v] {
			out.Values[v] = true
		}
	}
	if union {
		for v := range b.Values {
			out.Values[v] = true
		}
	}
	return out, nil
}

// Condition is the Dyad condition of a set: equals for one value, in for
// several.
func (s Set) Condition() (*survey.Condition, error) {
	if len(s.Values) == 0 {
		return nil, fmt.Errorf("no answer to %s meets it", s.Field)
	}
	if len(s.Values) > survey.MaxOptions {
		return nil, fmt.Errorf("it lists more than %d values", survey.MaxOptions)
	}
	vals := make([]int64, 0, len(s.Values))
	for v := range s.Values {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	if len(vals) == 1 {
		return &survey.Condition{Item: s.Field, Equals: &vals[0]}, nil
	}
	return &survey.Condition{Item: s.Field, In: vals}, nil
}

// Condition reduces src, an expression of another format at place in the
// source, to a Dyad condition: parse reads the whole expression into a
// Set (the importer's own syntax). When the expression does not parse or
// does not reduce, the report warns, in the same words for every format,
// and Condition returns nil: the item is shown to everyone.
func (r *Report) Condition(place, src string, parse func(src string) (Set, error)) *survey.Condition {
	s, err := parse(src)
	if err == nil {
		var c *survey.Condition
		if c, err = s.Condition(); err == nil {
			return c
		}
	}
	clipped, _ := Clip(src, 200)
	r.Warn(place, "%q cannot be a Dyad condition: %v; the item is shown to everyone", clipped, err)
	return nil
}
