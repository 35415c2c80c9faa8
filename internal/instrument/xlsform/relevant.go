package xlsform

// relevant to show_if.
//
// The part of XLSForm's relevant (an XPath expression) that comes down
// to one earlier question and a set of its values is read here; each
// comparison is reduced by the rule all importers share
// (interop.Field.Test), and anything else is a warning, the item then
// shown to everyone:
//
//	${q} = 'yes'        ${q} != 'yes'     ${q} != ''    (answered)
//	${q} > 2            comparisons against the choices' names
//	selected(${q}, 'a') a choice selected (select_one or select_multiple)
//	not(...)            of a single-answer question: the other options
//	A or B, A and B     when both sides test the same question; parentheses

import (
	"fmt"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

type token struct {
	kind byte // '$' reference, '"' string, '0' number, 'w' word, 'o' operator, '(' ')' ','
	text string
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("unclosed ${")
			}
			out = append(out, token{'$', s[i+2 : i+j]})
			i += j + 1
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unclosed quote")
			}
			out = append(out, token{'"', s[i+1 : i+1+j]})
			i += j + 2
		case c == '(' || c == ')' || c == ',':
			out = append(out, token{c, string(c)})
			i++
		case strings.IndexByte("=<>!", c) >= 0:
			j := i + 1
			for j < len(s) && strings.IndexByte("=<>", s[j]) >= 0 {
				j++
			}
			op := s[i:j]
			switch op {
			case "=", "!=", "<", ">", "<=", ">=":
			default:
				return nil, fmt.Errorf("unknown operator %q", op)
			}
			out = append(out, token{'o', op})
			i = j
		case c == '-' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && (s[j] == '.' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			out = append(out, token{'0', s[i:j]})
			i = j
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '.':
			j := i + 1
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] == '_' || s[j] == '-' || s[j] == ':') {
				j++
			}
			out = append(out, token{'w', s[i:j]})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q", c)
		}
	}
	return out, nil
}

type parser struct {
	toks []token
	pos  int
	b    *builder
	self string
}

func (p *parser) peek(kind byte, text string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == kind && (text == "" || p.toks[p.pos].text == text)
}

func (p *parser) expect(kind byte) (token, error) {
	if p.pos >= len(p.toks) || p.toks[p.pos].kind != kind {
		return token{}, fmt.Errorf("it is not an expression Dyad reads (expected %q)", kind)
	}
	p.pos++
	return p.toks[p.pos-1], nil
}

func (p *parser) or() (interop.Set, error) {
	a, err := p.and()
	for err == nil && p.peek('w', "or") {
		p.pos++
		var b interop.Set
		if b, err = p.and(); err == nil {
			a, err = interop.Combine(a, b, true)
		}
	}
	return a, err
}

func (p *parser) and() (interop.Set, error) {
	a, err := p.unary()
	for err == nil && p.peek('w', "and") {
		p.pos++
		var b interop.Set
		if b, err = p.unary(); err == nil {
			a, err = interop.Combine(a, b, false)
		}
	}
	return a, err
}

func (p *parser) unary() (interop.Set, error) {
	switch {
	case p.peek('(', ""):
		p.pos++
		s, err := p.or()
		if err != nil {
			return s, err
		}
		_, err = p.expect(')')
		return s, err
	case p.peek('w', "not"):
		p.pos++
		if _, err := p.expect('('); err != nil {
			return interop.Set{}, err
		}
		s, err := p.or()
		if err != nil {
			return s, err
		}
		if _, err := p.expect(')'); err != nil {
			return s, err
		}
		return p.b.byID[s.Field].Not(s)
	case p.peek('w', "selected"):
		p.pos++
		if _, err := p.expect('('); err != nil {
			return interop.Set{}, err
		}
		ref, err := p.expect('$')
		if err != nil {
			return interop.Set{}, err
		}
		if _, err := p.expect(','); err != nil {
			return interop.Set{}, err
		}
		lit, err := p.expect('"')
		if err != nil {
			return interop.Set{}, err
		}
		if _, err := p.expect(')'); err != nil {
			return interop.Set{}, err
		}
		f, err := p.field(ref.text)
		if err != nil {
			return interop.Set{}, err
		}
		return f.Option(lit.text)
	case p.peek('w', ""):
		return interop.Set{}, fmt.Errorf("it uses %s, which Dyad conditions do not have", p.toks[p.pos].text)
	}
	return p.compare()
}

var flip = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<="}

func (p *parser) compare() (interop.Set, error) {
	if p.pos+3 > len(p.toks) {
		return interop.Set{}, fmt.Errorf("it is not a comparison such as ${q} = 'yes'")
	}
	a, op, c := p.toks[p.pos], p.toks[p.pos+1], p.toks[p.pos+2]
	if op.kind != 'o' {
		return interop.Set{}, fmt.Errorf("it is not a comparison such as ${q} = 'yes'")
	}
	p.pos += 3
	if a.kind != '$' && c.kind == '$' {
		a, c = c, a
		if f, ok := flip[op.text]; ok {
			op.text = f
		}
	}
	if a.kind != '$' || c.kind != '"' && c.kind != '0' {
		return interop.Set{}, fmt.Errorf("it compares %q with %q; Dyad compares a question with a value", a.text, c.text)
	}
	f, err := p.field(a.text)
	if err != nil {
		return interop.Set{}, err
	}
	return f.Test(op.text, c.text)
}

func (p *parser) field(name string) (*interop.Field, error) {
	f := p.b.fields[name]
	switch {
	case name == p.self:
		return nil, fmt.Errorf("it refers to the question itself")
	case f == nil || strings.HasPrefix(name, "\x00"):
		return nil, fmt.Errorf("${%s} is not an earlier question (Dyad conditions refer to earlier items)", name)
	}
	return f, nil
}

// relevant reads a relevant expression (at place) of question self into
// a condition, or warns and returns nil.
func (b *builder) relevant(place, src, self string) *survey.Condition {
	return b.rep.Condition(place, src, func(src string) (interop.Set, error) {
		toks, err := tokenize(src)
		if err != nil {
			return interop.Set{}, err
		}
		p := &parser{toks: toks, b: b, self: self}
		s, err := p.or()
		if err == nil && p.pos != len(toks) {
			err = fmt.Errorf("%q follows a complete comparison", toks[p.pos].text)
		}
		return s, err
	})
}
