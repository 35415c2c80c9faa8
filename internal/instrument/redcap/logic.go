package redcap

// Branching logic to show_if.
//
// A Dyad condition is one earlier item and the set of values that show
// the item. REDCap's branching logic is a small language; the part of it
// that comes down to such a set is read here, and every other
// expression is a warning, the item then shown to everyone (asking a
// question too often loses nothing; hiding it wrongly loses answers):
//
//	[q] = '1'          [q] <> '1'      [q] != ""       (answered)
//	[q] > 2            [q] <= '3'      comparisons, against the choices' codes
//	[cb(3)] = '1'      a checkbox choice ticked
//	A or B, A and B    when both sides test the same field; parentheses
//
// Each comparison is reduced by the rule all importers share
// (interop.Field.Test): comparisons on an integer field hold when its
// range is known and small enough to list (survey.MaxOptions values).
// Anything naming two fields, another event ([event][q]), a function, a
// later field, or a text field is left out.

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

type token struct {
	kind byte // '[' field ref, '"' string, '0' number, 'w' word, 'o' operator, '(' ')'
	text string
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unclosed [")
			}
			out = append(out, token{'[', s[i+1 : i+j]})
			i += j + 1
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unclosed quote")
			}
			out = append(out, token{'"', s[i+1 : i+1+j]})
			i += j + 2
		case c == '(' || c == ')':
			out = append(out, token{c, string(c)})
			i++
		case strings.ContainsRune("=<>!", rune(c)):
			j := i + 1
			for j < len(s) && strings.ContainsRune("=<>", rune(s[j])) {
				j++
			}
			op := s[i:j]
			switch op {
			case "=", "==", "<>", "!=", "<", ">", "<=", ">=":
			default:
				return nil, fmt.Errorf("unknown operator %q", op)
			}
			out = append(out, token{'o', op})
			i = j
		case c == '-' || c == '.' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && (s[j] == '.' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			out = append(out, token{'0', s[i:j]})
			i = j
		case unicode.IsLetter(rune(c)) || c == '_':
			j := i + 1
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_') {
				j++
			}
			out = append(out, token{'w', strings.ToLower(s[i:j])})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q", c)
		}
	}
	return out, nil
}

type logic struct {
	toks []token
	pos  int
	b    *builder
	self string
}

func (l *logic) peek() *token {
	if l.pos < len(l.toks) {
		return &l.toks[l.pos]
	}
	return nil
}

func (l *logic) or() (interop.Set, error) {
	a, err := l.and()
	for err == nil {
		t := l.peek()
		if t == nil || t.kind != 'w' || t.text != "or" {
			break
		}
		l.pos++
		var b interop.Set
		if b, err = l.and(); err == nil {
			a, err = interop.Combine(a, b, true)
		}
	}
	return a, err
}

func (l *logic) and() (interop.Set, error) {
	a, err := l.unary()
	for err == nil {
		t := l.peek()
		if t == nil || t.kind != 'w' || t.text != "and" {
			break
		}
		l.pos++
		var b interop.Set
		if b, err = l.unary(); err == nil {
			a, err = interop.Combine(a, b, false)
		}
	}
	return a, err
}

func (l *logic) unary() (interop.Set, error) {
	t := l.peek()
	if t == nil {
		return interop.Set{}, fmt.Errorf("it ends too early")
	}
	if t.kind == '(' {
		l.pos++
		s, err := l.or()
		if err != nil {
			return s, err
		}
		if t := l.peek(); t == nil || t.kind != ')' {
			return s, fmt.Errorf("a parenthesis is not closed")
		}
		l.pos++
		return s, nil
	}
	return l.compare()
}

var flip = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<="}

func (l *logic) compare() (interop.Set, error) {
	if l.pos+3 > len(l.toks) {
		return interop.Set{}, fmt.Errorf("it is not a comparison such as [q] = '1'")
	}
	a, op, c := l.toks[l.pos], l.toks[l.pos+1], l.toks[l.pos+2]
	if a.kind == 'w' || op.kind == '[' {
		return interop.Set{}, fmt.Errorf("it uses a function or another event (%s), which Dyad conditions do not have", a.text)
	}
	if op.kind != 'o' {
		return interop.Set{}, fmt.Errorf("it is not a comparison such as [q] = '1'")
	}
	l.pos += 3
	if a.kind != '[' && c.kind == '[' {
		a, c = c, a
		if f, ok := flip[op.text]; ok {
			op.text = f
		}
	}
	if a.kind != '[' || c.kind != '"' && c.kind != '0' {
		return interop.Set{}, fmt.Errorf("it compares %q with %q; Dyad compares a field with a value", a.text, c.text)
	}
	return l.b.test(a.text, op.text, c.text, l.self)
}

// test is the set of one comparison of field ref (maybe "q(3)", a
// checkbox choice) with a literal.
func (b *builder) test(ref, op, lit, self string) (interop.Set, error) {
	name, code, checkbox := strings.Cut(ref, "(")
	code = strings.TrimSuffix(code, ")")
	f := b.fields[name]
	switch {
	case name == self:
		return interop.Set{}, fmt.Errorf("it refers to the field itself")
	case f == nil:
		return interop.Set{}, fmt.Errorf("[%s] is not an earlier field (Dyad conditions refer to earlier items)", name)
	}
	if !checkbox {
		return f.Test(op, lit)
	}
	eq := op == "=" || op == "=="
	ne := op == "<>" || op == "!="
	if f.Type != survey.MultipleChoice {
		return interop.Set{}, fmt.Errorf("[%s] is not a checkbox field", name)
	}
	if !(eq && lit == "1" || ne && lit == "0") {
		return interop.Set{}, fmt.Errorf("only a ticked choice ([%s] = '1') maps to a Dyad condition", ref)
	}
	return f.Option(code)
}

// branching reads the branching logic of row r (of field self) into a
// condition, or warns and returns nil.
func (b *builder) branching(r *row, self string) *survey.Condition {
	return b.rep.Condition(r.at(colBranching), r.cells[colBranching], func(src string) (interop.Set, error) {
		toks, err := tokenize(src)
		if err != nil {
			return interop.Set{}, err
		}
		l := &logic{toks: toks, b: b, self: self}
		s, err := l.or()
		if err == nil && l.pos != len(toks) {
			err = fmt.Errorf("%q follows a complete comparison", toks[l.pos].text)
		}
		return s, err
	})
}
