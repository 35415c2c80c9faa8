package web

import (
	"bytes"
	"html/template"
	"strconv"
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
// message, which options are checked, the verdicts its show_if takes from
// other pages, and the value typed in a text or number field. The first
// four take few values per item, so the
// fragment for each combination is rendered once by the same template and
// kept; the section template then writes the fragments as they are. An
// item with a typed value is kept the same way with a mark where the
// value goes (as the section shells are, shell.go), cut in two at the
// mark; a request puts its value between the halves, escaped as
// html/template escapes it there (attrEscape: the value is in an input's
// value attribute or a textarea, where html/template's escapers agree).
// The value is the respondent's own text: it is never kept or shared,
// only the halves are. Should the template ever write the value anywhere
// else, or twice, the mark would not be found exactly once and such
// items are rendered per request as before.
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
	lang  string // the interface's language
	state string
	typed bool // the fragment is a typedFragment
}

// typedFragment is the HTML of an item with a typed value, cut where the
// value goes.
type typedFragment struct{ pre, post string }

// markValue stands for a typed value while its item is rendered: letters
// and digits, which no escaper changes.
const markValue = "dyadHoleValue5e81b7"

// item returns the HTML of iv, an item of form, from the kept fragment of
// its state and language, which it renders the first time.
func (fc *fragmentCache) item(form *survey.Form, lang string, iv *itemView) (template.HTML, error) {
	if iv.OtherText != "" {
		// A second typed value: rendered per request.
		return renderItem(iv)
	}
	key := fragmentKey{form, lang, itemState(iv), iv.Value != ""}
	if f, ok := fc.m.Load(key); ok {
		return fill(f, iv.Value), nil
	}
	var f any
	if key.typed {
		marked := *iv
		marked.Value = markValue
		h, err := renderItem(&marked)
		if err != nil {
			return "", err
		}
		pre, post, ok := strings.Cut(string(h), markValue)
		if !ok || strings.Contains(post, markValue) {
			return renderItem(iv)
		}
		f = typedFragment{pre, post}
	} else {
		h, err := renderItem(iv)
		if err != nil {
			return "", err
		}
		f = h
	}
	if fc.n.Load() < fragmentLimit {
		if _, loaded := fc.m.LoadOrStore(key, f); !loaded {
			fc.n.Add(1)
		}
	}
	return fill(f, iv.Value), nil
}

// fill returns a kept fragment with value, if it takes one, in its place.
func fill(f any, value string) template.HTML {
	tf, ok := f.(typedFragment)
	if !ok {
		return f.(template.HTML)
	}
	b := make([]byte, 0, len(tf.pre)+len(value)+len(tf.post)+16)
	b = append(b, tf.pre...)
	b = attrEscape(b, value)
	b = append(b, tf.post...)
	return template.HTML(b) // #nosec: the template's escaped output, the value escaped as it escapes it
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
	if sl := iv.Slider; sl != nil {
		b.WriteByte(0)
		b.WriteString(strconv.Itoa(sl.Position))
		if sl.Unset {
			b.WriteByte('u')
		}
	}
	if iv.OtherError != "" {
		b.WriteByte(0)
		b.WriteString(iv.OtherError)
	}
	// The script's condition holds the verdicts of comparisons on other
	// pages, which the answers change.
	b.WriteByte(0)
	b.WriteString(iv.If)
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
