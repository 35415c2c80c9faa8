package web

import (
	"bytes"
	"html/template"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Item fragments: the HTML of one item of a section page, kept once
// rendered.
//
// Executing the "item" template per item and per option was most of a
// section page's cost (html/template walks each option by reflection and
// escapes every attribute): about half of the server's CPU on a web
// journey (docs/performance.md). Yet an item's HTML depends on the
// respondent only through a few things: whether it is hidden, its error
// message, which options are checked, and the value typed in a text or
// number field. The first three take few values per item, so the
// fragment for each combination is rendered once by the same template and
// kept; the section template then writes the fragments as they are. An
// item with a typed value is rendered per request: its value is the
// respondent's own text, which is neither kept nor shared.
//
// The fragments are keyed by the form (a *survey.Form is immutable, and
// the key keeps it alive, so its address is never reused by another) and
// by the item's state, so a fragment is the same bytes whoever asks for
// it: what the page shows does not change. They hold no answer of anyone
// beyond which options are checked, and the same for every respondent who
// checked them. The cache is bounded (fragmentLimit): an instrument with
// a great many multiple-choice combinations stops filling it and renders
// the rest per request. It is per process, like the services' caches of
// forms; running several instances only means each renders its own.
type fragmentCache struct {
	m sync.Map // fragmentKey -> template.HTML
	n atomic.Int64
}

// fragmentLimit bounds the fragments kept: at a few hundred bytes to
// 2 KB each, at most about 16 MB.
const fragmentLimit = 8192

type fragmentKey struct {
	form  *survey.Form
	state string
}

// item returns the HTML of iv, an item of form: kept when iv has no typed
// value, rendered per request when it has.
func (fc *fragmentCache) item(form *survey.Form, iv *itemView) (template.HTML, error) {
	if iv.Value != "" {
		return renderItem(iv)
	}
	key := fragmentKey{form, itemState(iv)}
	if f, ok := fc.m.Load(key); ok {
		return f.(template.HTML), nil
	}
	f, err := renderItem(iv)
	if err != nil {
		return "", err
	}
	if fc.n.Load() < fragmentLimit {
		if _, loaded := fc.m.LoadOrStore(key, f); !loaded {
			fc.n.Add(1)
		}
	}
	return f, nil
}

// itemState is everything of iv that a respondent's answers change, less
// a typed value: with the form and the item's id, it decides the
// fragment.
func itemState(iv *itemView) string {
	var b strings.Builder
	b.Grow(len(iv.ID) + len(iv.Error) + len(iv.Options) + 3)
	b.WriteString(iv.ID)
	b.WriteByte(0)
	if iv.Hidden {
		b.WriteByte('h')
	}
	for _, o := range iv.Options {
		if o.Checked {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	b.WriteByte(0)
	b.WriteString(iv.Error)
	return b.String()
}

// renderItem executes the "item" template for iv. The section page's
// template calls it at the same place with the same data, in the same
// context (HTML text), so the bytes are those it would write.
func renderItem(iv *itemView) (template.HTML, error) {
	var buf bytes.Buffer
	if err := pages["section"].ExecuteTemplate(&buf, "item", iv); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil // #nosec: the template's own escaped output
}
