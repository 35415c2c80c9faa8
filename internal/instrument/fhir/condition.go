package fhir

// enableWhen to show_if.
//
// A Dyad condition is one earlier item and the set of values that show
// the item (interop/condition.go). An enableWhen list maps when every entry tests the same
// earlier question: each entry is a set of that question's values (=,
// != and the comparisons against its options' values or, for an integer
// question with a known range of at most survey.MaxOptions values, that
// range; exists true for any answer), and enableBehavior "any" joins the
// sets, "all" intersects them. Anything else is a warning, and the item
// is shown to everyone: asking too often loses nothing, hiding wrongly
// loses answers.

import (
	"fmt"
	"strconv"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

func (b *builder) condition(it *Item, path, self string) *survey.Condition {
	at := path + ".enableWhen"
	fail := func(format string, args ...any) *survey.Condition {
		b.rep.Warn(at, "cannot be a Dyad condition: %s; the item is shown to everyone", fmt.Sprintf(format, args...))
		return nil
	}
	all := it.EnableBehavior != nil && *it.EnableBehavior == "all"
	if len(it.EnableWhen) > 1 && it.EnableBehavior == nil {
		return fail("several conditions without an enableBehavior")
	}
	var ref *question
	var acc map[int64]bool
	for i, ew := range it.EnableWhen {
		q := b.byLink[ew.Question]
		switch {
		case ew.Question == self:
			return fail("it refers to the item itself")
		case q == nil:
			return fail("%q is not an earlier question (Dyad conditions refer to earlier items)", ew.Question)
		case q.id == "":
			return fail("%q is a question Dyad left out", ew.Question)
		case ref != nil && q != ref:
			return fail("it tests two questions; a Dyad condition tests one")
		}
		ref = q
		set, err := values(q, &ew)
		if err != nil {
			return fail("entry %d: %v", i+1, err)
		}
		switch {
		case acc == nil:
			acc = set
		case all:
			for v := range acc {
				if !set[v] {
					delete(acc, v)
				}
			}
		default:
			for v := range set {
				acc[v] = true
			}
		}
	}
	c, err := interop.Set{Field: ref.id, Values: acc}.Condition()
	if err != nil {
		return fail("%v", err)
	}
	return c
}

// values is the set of values of question q that meet one entry.
func values(q *question, ew *EnableWhen) (map[int64]bool, error) {
	out := map[int64]bool{}
	if ew.Operator == "exists" {
		if ew.AnswerBoolean == nil || !*ew.AnswerBoolean || q.options == nil {
			return nil, fmt.Errorf("only \"exists: true\" on a question with options maps")
		}
		for _, o := range q.options {
			out[o.Value] = true
		}
		return out, nil
	}
	var x int64
	var code string
	switch {
	case ew.AnswerCoding != nil:
		code = str(ew.AnswerCoding.Code)
	case ew.AnswerBoolean != nil:
		code = strconv.FormatBool(*ew.AnswerBoolean)
	case ew.AnswerInteger != nil:
		code = strconv.FormatInt(*ew.AnswerInteger, 10)
	case ew.AnswerString != nil:
		code = *ew.AnswerString
	default:
		return nil, fmt.Errorf("it compares with a kind of answer Dyad does not have")
	}
	if q.codes != nil {
		v, ok := q.codes[code]
		if !ok {
			return nil, fmt.Errorf("%q is not an answer option of the question", code)
		}
		x = v
		for _, o := range q.options {
			if holds(o.Value, ew.Operator, x) {
				out[o.Value] = true
			}
		}
		return out, nil
	}
	if q.typ != survey.Integer || ew.AnswerInteger == nil {
		return nil, fmt.Errorf("a condition in Dyad tests choices and whole numbers")
	}
	x = *ew.AnswerInteger
	if ew.Operator == "=" {
		out[x] = true
		return out, nil
	}
	if q.min == nil || q.max == nil || *q.max-*q.min >= survey.MaxOptions {
		return nil, fmt.Errorf("the question has no range of at most %d values to list", survey.MaxOptions)
	}
	for v := *q.min; v <= *q.max; v++ {
		if holds(v, ew.Operator, x) {
			out[v] = true
		}
	}
	return out, nil
}

func holds(a int64, op string, b int64) bool {
	switch op {
	case "=":
		return a == b
	case "!=":
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
