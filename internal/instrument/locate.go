package instrument

import (
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
