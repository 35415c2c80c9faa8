package interop

// Dyad conditions written in another format's expression language: the
// encoders' side of condition.go. The walk over all, any and not is
// written once (Expr); each format says how it writes one comparison and
// whether it has not. What a format cannot say is an error naming the
// condition, which the encoder returns: a file that silently showed a
// question to everyone would lose nothing, but the author would not know.

import (
	"fmt"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Syntax is how a format writes conditions.
type Syntax struct {
	// And and Or join conditions: " and ", " or ".
	And, Or string
	// Not wraps a written condition; nil when the format has no not.
	Not func(inner string) string
	// Leaf writes one comparison on ref (c.IsLeaf()), or says why the
	// format cannot; Expr puts it in parentheses when it is a list.
	Leaf func(c *survey.Condition, ref *survey.Item) (string, error)
}

// Expr writes c in syn; items holds every item by id. A list under all or
// any, or a leaf that is a list, is put in parentheses when it is part of
// a larger expression.
func Expr(c *survey.Condition, items map[string]*survey.Item, syn Syntax) (string, error) {
	return expr(c, items, syn, true)
}

func expr(c *survey.Condition, items map[string]*survey.Item, syn Syntax, top bool) (string, error) {
	paren := func(s string) string {
		if top {
			return s
		}
		return "(" + s + ")"
	}
	list := func(cs []survey.Condition, join string) (string, error) {
		parts := make([]string, len(cs))
		for i := range cs {
			s, err := expr(&cs[i], items, syn, len(cs) == 1 && top)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		if len(parts) == 1 {
			return parts[0], nil
		}
		return paren(strings.Join(parts, join)), nil
	}
	switch {
	case c.All != nil:
		return list(c.All, syn.And)
	case c.Any != nil:
		return list(c.Any, syn.Or)
	case c.Not != nil:
		if syn.Not == nil {
			return "", fmt.Errorf("the format has no not")
		}
		s, err := expr(c.Not, items, syn, true)
		if err != nil {
			return "", err
		}
		return syn.Not(s), nil
	}
	ref := items[c.Item]
	if ref == nil {
		return "", fmt.Errorf("unknown item %q", c.Item)
	}
	s, err := syn.Leaf(c, ref)
	if err != nil {
		return "", err
	}
	if strings.Contains(s, syn.And) || strings.Contains(s, syn.Or) {
		return paren(s), nil
	}
	return s, nil
}

// ItemsByID indexes the items of an instrument by id.
func ItemsByID(in *survey.Instrument) map[string]*survey.Item {
	out := map[string]*survey.Item{}
	for si := range in.Sections {
		for ii := range in.Sections[si].Items {
			it := &in.Sections[si].Items[ii]
			out[it.ID] = it
		}
	}
	return out
}

// Unsupported is the error an encoder returns for a condition its format
// cannot express: invalid for that format, at the condition's path.
func Unsupported(format, path string, err error) error {
	var p survey.Problems
	p.Add(path, "%s cannot express this condition: %v", format, err)
	return p.Err(survey.EInvalid, "the instrument cannot be written as "+format)
}
