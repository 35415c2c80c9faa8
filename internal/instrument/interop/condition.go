package interop

// The conditions of other formats, turned into Dyad's.
//
// REDCap's branching logic, XLSForm's relevant and LimeSurvey's relevance
// are expression languages; each importer parses its own syntax, and every
// comparison in it (a field, an operator, a literal) becomes a Set here,
// by one rule (Field.Test). A Set is either the values of one field that
// meet the expression, which is what the simplest Dyad conditions say
// ({item, equals} and {item, in}) and what every format reads back, or,
// when no such list says it, a Dyad condition: a comparison (lt, gt, ...
// on a whole number without a short range; answered), or all, any and
// not over other Sets. Combine joins two Sets with or and meets them with
// and: two Sets of one single-answer field become one list of values, any
// others a list under any or all. Not is not. Whatever does not map is the
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

// Set is what an expression accepts: the values of one field (Field and
// Values), or a Dyad condition (Cond) when no list of values says it.
type Set struct {
	Field  string
	Values map[int64]bool
	// Cond, when set, is the condition itself, and Values is unused.
	Cond *survey.Condition
	// multi tells that each value is an option of a multiple-choice
	// field ("selected"), of which an answer may hold several.
	multi bool
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
	case lit == "" && (eq || ne):
		// Empty or not: whether the field is answered. A choice field's
		// "answered" stays the list of its options, which every format
		// reads back.
		if ne && f.Options != nil && f.Type != survey.MultipleChoice {
			for _, o := range f.Options {
				out.Values[o.Value] = true
			}
			return out, nil
		}
		return f.leaf(&survey.Condition{Answered: &ne}), nil
	case f.Type == survey.MultipleChoice:
		return out, fmt.Errorf("%s takes several answers; only whether one option is selected maps", f.Name)
	case lit == "":
		return out, fmt.Errorf("it compares %s with an empty value by order", f.Name)
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
		if (eq || ne) && ((f.Min != nil && x < *f.Min) || (f.Max != nil && x > *f.Max)) {
			if eq {
				return out, fmt.Errorf("%d is outside the range of %s", x, f.Name)
			}
			return f.leaf(&survey.Condition{Answered: &ne}), nil // every answer is not x
		}
		if eq {
			out.Values[x] = true
			return out, nil
		}
		if f.Min == nil || f.Max == nil || *f.Max-*f.Min >= survey.MaxOptions {
			// No short range to list: the comparison itself.
			c := &survey.Condition{}
			switch op {
			case "<>", "!=":
				c.NotEquals = &x
			case "<":
				c.Lt = &x
			case "<=":
				c.Lte = &x
			case ">":
				c.Gt = &x
			case ">=":
				c.Gte = &x
			default:
				return out, fmt.Errorf("%q is not a comparison", op)
			}
			return f.leaf(c), nil
		}
		for v := *f.Min; v <= *f.Max; v++ {
			if holds(float64(v), op, float64(x)) {
				out.Values[v] = true
			}
		}
		return out, nil
	}
	return out, fmt.Errorf("%s is a text item; Dyad conditions test whether it is answered, not what it says", f.Name)
}

// leaf is the Set of a comparison on f.
func (f *Field) leaf(c *survey.Condition) Set {
	c.Item = f.ID
	return Set{Cond: c}
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
	return Set{Field: f.ID, Values: map[int64]bool{v: true}, multi: f.Type == survey.MultipleChoice}, nil
}

// Not is the Set of what s does not accept: {not: s}, which, as in the
// expression languages, holds when the field is not answered. f is not
// used (s knows its field); the importers call it on the field they read.
func (f *Field) Not(s Set) (Set, error) {
	return s.Not()
}

// Not: see Field.Not.
func (s Set) Not() (Set, error) {
	c, err := s.Condition()
	if err != nil {
		return Set{}, err
	}
	return Set{Cond: &survey.Condition{Not: c}}, nil
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

// Combine joins (union, for or) or meets (for and) two Sets. Two lists of
// values of one field stay a list, but for and on a multiple-choice field,
// whose answer may hold both; anything else becomes any or all, a list
// under the same word taken in rather than nested.
func Combine(a, b Set, union bool) (Set, error) {
	if a.Cond == nil && b.Cond == nil && a.Field == b.Field && (union || !a.multi) {
		out := Set{Field: a.Field, Values: map[int64]bool{}, multi: a.multi && b.multi}
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
	var parts []survey.Condition
	for _, s := range []Set{a, b} {
		c, err := s.Condition()
		if err != nil {
			return Set{}, err
		}
		switch {
		case union && c.Any != nil:
			parts = append(parts, c.Any...)
		case !union && c.All != nil:
			parts = append(parts, c.All...)
		default:
			parts = append(parts, *c)
		}
	}
	if union {
		return Set{Cond: &survey.Condition{Any: parts}}, nil
	}
	return Set{Cond: &survey.Condition{All: parts}}, nil
}

// Condition is the Dyad condition of a set: equals for one value, in for
// several, or the condition it holds.
func (s Set) Condition() (*survey.Condition, error) {
	if s.Cond != nil {
		return s.Cond, nil
	}
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
			if err = survey.CheckConditionSize(c); err == nil {
				return c
			}
		}
	}
	clipped, _ := Clip(src, 200)
	r.Warn(place, "%q cannot be a Dyad condition: %v; the item is shown to everyone", clipped, err)
	return nil
}
