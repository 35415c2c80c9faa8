package limesurvey

// relevance to show_if.
//
// The part of LimeSurvey's ExpressionScript relevance that comes down to
// one earlier question and a set of its values is read here; each
// comparison is reduced by the rule all importers share
// (interop.Field.Test), and anything else is a warning, the item then
// shown to everyone:
//
//	Q1 == "A2"    Q1.NAOK != "A2"    Q1 > 3    eq ne lt gt le ge
//	!is_empty(Q1)   Q1 != ""          answered
//	Q2_SQ001 == "Y" (or != "")        option SQ001 of multiple choice Q2 selected
//	A or B, A and B, && ||            when both sides test the same question; parentheses
//	!(...)                            of a single-answer question: the other options

import (
	"fmt"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

type token struct {
	kind byte // 'n' name, '"' string, '0' number, 'o' operator, '(' ')' '!'
	text string
}

var words = map[string]string{"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "and": "and", "or": "or"}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
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
		case c == '&' || c == '|':
			if i+1 >= len(s) || s[i+1] != c {
				return nil, fmt.Errorf("unexpected %q", c)
			}
			out = append(out, token{'o', map[byte]string{'&': "and", '|': "or"}[c]})
			i += 2
		case strings.IndexByte("=<>!", c) >= 0:
			j := i + 1
			for j < len(s) && s[j] == '=' {
				j++
			}
			op := s[i:j]
			switch op {
			case "!":
				out = append(out, token{'!', op})
			case "==", "!=", "<", ">", "<=", ">=":
				out = append(out, token{'o', op})
			case "=":
				out = append(out, token{'o', "=="})
			default:
				return nil, fmt.Errorf("unknown operator %q", op)
			}
			i = j
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && (s[j] == '.' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			if j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z') {
				// 12175X19X1152A: a question named by its database
				// numbers (SGQA), which the file does not resolve.
				for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] == '_' || s[j] == '.') {
					j++
				}
				return nil, fmt.Errorf("%s names a question by its database numbers (SGQA), which Dyad cannot follow", s[i:j])
			}
			out = append(out, token{'0', s[i:j]})
			i = j
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
			j := i + 1
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] == '_' || s[j] == '.') {
				j++
			}
			w := s[i:j]
			if op, ok := words[strings.ToLower(w)]; ok {
				out = append(out, token{'o', op})
			} else {
				out = append(out, token{'n', w})
			}
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

func (p *parser) or() (interop.Set, error) {
	a, err := p.and()
	for err == nil && p.peek('o', "or") {
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
	for err == nil && p.peek('o', "and") {
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
		if !p.peek(')', "") {
			return s, fmt.Errorf("a parenthesis is not closed")
		}
		p.pos++
		return s, nil
	case p.peek('!', ""):
		p.pos++
		// !is_empty(Q): Q has an answer.
		if p.pos+3 < len(p.toks) && p.peek('n', "is_empty") && p.toks[p.pos+1].kind == '(' && p.toks[p.pos+2].kind == 'n' && p.toks[p.pos+3].kind == ')' {
			name := p.toks[p.pos+2].text
			p.pos += 4
			return p.answered(name)
		}
		s, err := p.unary()
		if err != nil {
			return s, err
		}
		return p.b.byID(s.Field).Not(s)
	case p.peek('n', "is_empty"):
		return interop.Set{}, fmt.Errorf("a Dyad condition cannot test that a question is unanswered")
	}
	return p.compare()
}

var flip = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<="}

func (p *parser) compare() (interop.Set, error) {
	if p.pos+3 > len(p.toks) {
		return interop.Set{}, fmt.Errorf("it is not a comparison such as Q1 == \"A1\"")
	}
	a, op, c := p.toks[p.pos], p.toks[p.pos+1], p.toks[p.pos+2]
	if op.kind != 'o' || op.text == "and" || op.text == "or" {
		if a.kind == 'n' && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == '(' {
			return interop.Set{}, fmt.Errorf("it uses the function %s, which Dyad conditions do not have", a.text)
		}
		return interop.Set{}, fmt.Errorf("it is not a comparison such as Q1 == \"A1\"")
	}
	p.pos += 3
	if a.kind != 'n' && c.kind == 'n' {
		a, c = c, a
		if f, ok := flip[op.text]; ok {
			op.text = f
		}
	}
	if a.kind != 'n' || c.kind != '"' && c.kind != '0' {
		return interop.Set{}, fmt.Errorf("it compares %q with %q; Dyad compares a question with a value", a.text, c.text)
	}
	name := strip(a.text)
	if f, code, ok := p.option(name); ok {
		// An option of a multiple-choice question: "Y" when selected.
		if op.text == "==" && c.text == "Y" || op.text == "!=" && c.text == "" {
			return f.Option(code)
		}
		return interop.Set{}, fmt.Errorf("only whether option %s of %s is selected maps", code, f.Name)
	}
	f, err := p.field(name)
	if err != nil {
		return interop.Set{}, err
	}
	return f.Test(op.text, c.text)
}

// answered is the set of !is_empty(name).
func (p *parser) answered(name string) (interop.Set, error) {
	name = strip(name)
	if f, code, ok := p.option(name); ok {
		return f.Option(code)
	}
	f, err := p.field(name)
	if err != nil {
		return interop.Set{}, err
	}
	return f.Test("!=", "")
}

// strip removes the attribute of a variable: Q1.NAOK and Q1.value are
// Q1's answer.
func strip(name string) string {
	for _, suffix := range []string{".NAOK", ".value", ".code"} {
		name = strings.TrimSuffix(name, suffix)
	}
	return name
}

// option resolves "Q2_SQ001" to the multiple-choice question Q2 and its
// option SQ001.
func (p *parser) option(name string) (*interop.Field, string, bool) {
	if p.b.fields[name] != nil {
		return nil, "", false
	}
	for i := strings.LastIndexByte(name, '_'); i > 0; i = strings.LastIndexByte(name[:i], '_') {
		if f := p.b.multi[name[:i]]; f != nil && p.b.fields[name[:i]] != nil {
			return f, name[i+1:], true
		}
	}
	return nil, "", false
}

func (p *parser) field(name string) (*interop.Field, error) {
	f := p.b.fields[name]
	switch {
	case name == p.self:
		return nil, fmt.Errorf("it refers to the question itself")
	case f == nil:
		return nil, fmt.Errorf("%s is not an earlier question (Dyad conditions refer to earlier items)", name)
	}
	return f, nil
}

// byID returns the field of an item id.
func (b *builder) byID(id string) *interop.Field {
	for _, f := range b.fields {
		if f.ID == id {
			return f
		}
	}
	return &interop.Field{Name: id}
}

// relevance reads a relevance equation (at place) of question self into
// a condition, or warns and returns nil.
func (b *builder) relevance(place, src, self string) *survey.Condition {
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
