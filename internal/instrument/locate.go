package instrument

import (
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Locator finds where the elements of an instrument written in YAML or
// JSON (a YAML document too) are in its text, so that a validation
// problem, reported by its path ("sections[0].items[1].scale"), can be
// shown at its line and column in an editor.
type Locator struct {
	file *ast.File
}

// NewLocator parses data for Find; nil when data is not well-formed YAML
// (whose own error already has the place). Call it only on text Parse
// read, which has passed the bounds on size and nesting.
func NewLocator(data []byte) *Locator {
	f, err := parser.ParseBytes(data, 0)
	if err != nil || len(f.Docs) == 0 {
		return nil
	}
	return &Locator{file: f}
}

// Find returns the line and column (from 1) of the element at path, or,
// when it is not in the text (a required field left out), of the nearest
// element around it that is; ok is false when nothing on the path is.
func (l *Locator) Find(path string) (line, column int, ok bool) {
	if l == nil {
		return 0, 0, false
	}
	for p := path; p != ""; {
		if yp, err := yaml.PathString("$." + p); err == nil {
			if n, err := yp.FilterFile(l.file); err == nil && n != nil {
				// A mapping (an item, a section) is found by its first
				// key, where an editor's reader looks for it.
				switch m := n.(type) {
				case *ast.MappingNode:
					if len(m.Values) > 0 {
						n = m.Values[0].Key
					}
				case *ast.MappingValueNode:
					n = m.Key
				}
				if tk := n.GetToken(); tk != nil && tk.Position != nil {
					return tk.Position.Line, tk.Position.Column, true
				}
			}
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			break
		}
		p = p[:i]
	}
	return 0, 0, false
}

// itemPath is the part of a problem's path that names an item.
var itemPath = regexp.MustCompile(`^sections\[\d+\]\.items\[\d+\]`)

// ItemID returns the id written for the item a path lies in
// ("sections[0].items[1].scale": the item's own id field), so that a
// problem can name the item as the researcher knows it; "" when the path
// is not inside an item or its id is not written as text.
func (l *Locator) ItemID(path string) string {
	if l == nil {
		return ""
	}
	p := itemPath.FindString(path)
	if p == "" {
		return ""
	}
	yp, err := yaml.PathString("$." + p + ".id")
	if err != nil {
		return ""
	}
	n, err := yp.FilterFile(l.file)
	if err != nil || n == nil {
		return ""
	}
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	return ""
}
