package web

import (
	"bytes"
	"html/template"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Section shells: a section page rendered once with marks where each
// respondent's values go, and filled per request.
//
// Once the items were fragments (fragments.go), what was left of a
// section page's template cost was the page around them: the layout and
// the section's own template, some forty actions each called through
// reflection with its escaper, about a tenth of the server's CPU on a web
// journey (docs/performance.md). Yet on a plain page (no error summary, no
// notice: what a respondent sees on every page that has nothing to fix)
// only three things differ between requests: the CSRF token, the list of
// shown items and the items' HTML. (The resume link is on the page only
// after "Continue later", which is not a plain page.) Everything else is
// the survey row's (titles, the form's action), the form's (section text,
// language) or the process's (asset URLs), and whether the page has a
// Back button and ends with Submit.
//
// So the page is rendered by the same templates once per survey row,
// section and button set, with a mark in each of the three places; the
// marks survive html/template's escaping unchanged, and the page is kept
// as the text between them. A request writes that text with its three
// values in the holes: the items as the fragments they are (already
// HTML), the two others escaped as html/template escapes a quoted
// attribute value (attrEscape), since that is where each of them sits.
// If the templates ever put a mark elsewhere, or twice, newShell refuses
// the page and it is rendered whole as before; TestSectionShellAsTemplate
// holds filled shells to the bytes the template writes.
//
// The shells are keyed by the *survey.Survey and *survey.Form (the
// service keeps one value per unchanged row, so an edited survey gets new
// shells) and hold nothing of any respondent. The cache is per process
// and bounded (shellLimit); past the bound pages are rendered whole.
type shellCache struct {
	m     sync.Map // shellKey -> *shell
	n     atomic.Int64
	tails atomic.Int64 // the shells' kept tails (shellgzip.go)
	// fastTails counts the tails kept as compressed per request.
	fastTails atomic.Int64
	fresh     atomic.Int64 // the shells' kept fresh items (fresh.go)
}

// shellLimit bounds the shells kept: a shell is the page's text, 4-8 KB,
// so at most about 8 MB.
const shellLimit = 1024

type shellKey struct {
	sv          *survey.Survey
	form        *survey.Form
	lang        string // the interface's language
	section     int
	page        int // the section's page number, which randomised sections change
	first, last bool
	// number and total: "Section N of M", which skipped sections change.
	number, total int
}

// The marks, one per hole. Letters and digits only, so no escaper
// changes them, and long enough not to occur in a page otherwise.
const (
	markCSRF  = "dyadHoleCSRF5e81b7"
	markShown = "dyadHoleShown5e81b7"
	markItems = "dyadHoleItems5e81b7"
)

// hole says which value fills a hole.
type hole uint8

const (
	holeCSRF hole = iota
	holeShown
	holeItems
)

var marks = [...]string{holeCSRF: markCSRF, holeShown: markShown, holeItems: markItems}

// shell is a section page cut at its holes: text[0], hole[0], text[1], ...,
// hole[3], text[4].
type shell struct {
	text  [len(marks) + 1][]byte
	holes [len(marks)]hole
	size  int        // the text's length, for the buffer
	z     shellZ     // its pre-compressed parts (shellgzip.go)
	fresh freshPages // its fresh pages' items (fresh.go)
}

// newShell cuts page at the marks; ok is false unless each occurs exactly
// once.
func newShell(page []byte) (*shell, bool) {
	type at struct {
		pos int
		h   hole
	}
	var found []at
	for h, m := range marks {
		i := bytes.Index(page, []byte(m))
		if i < 0 || bytes.Count(page, []byte(m)) != 1 {
			return nil, false
		}
		found = append(found, at{i, hole(h)})
	}
	slices.SortFunc(found, func(a, b at) int { return a.pos - b.pos })
	s := &shell{}
	prev := 0
	for k, f := range found {
		s.text[k] = bytes.Clone(page[prev:f.pos])
		s.holes[k] = f.h
		prev = f.pos + len(marks[f.h])
	}
	s.text[len(found)] = bytes.Clone(page[prev:])
	for _, t := range s.text {
		s.size += len(t)
	}
	return s, true
}

// shellValues are what one request puts in the holes.
type shellValues struct {
	csrf, shown string
	items       []template.HTML
	// fresh: none of the page's items is answered, so the page may be
	// sent from its pre-compressed parts (shellgzip.go).
	fresh bool
}

// fill appends the page with v in its holes to dst.
func (s *shell) fill(dst []byte, v *shellValues) []byte {
	for k, h := range s.holes {
		dst = append(dst, s.text[k]...)
		dst = s.fillHole(dst, h, v)
	}
	return append(dst, s.text[len(s.holes)]...)
}

// fillHole appends the value of hole h.
func (s *shell) fillHole(dst []byte, h hole, v *shellValues) []byte {
	switch h {
	case holeCSRF:
		dst = attrEscape(dst, v.csrf)
	case holeShown:
		dst = attrEscape(dst, v.shown)
	case holeItems:
		for _, it := range v.items {
			dst = append(dst, it...)
		}
	}
	return dst
}

// attrEscape appends s escaped as html/template escapes a value in a
// quoted attribute of plain text (its attrEscaper): NUL becomes U+FFFD,
// and " & ' + < > become character references; every other byte,
// including those of non-ASCII and invalid UTF-8, is kept. The replaced
// characters are all ASCII, so working byte by byte is the same as rune
// by rune.
func attrEscape(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			dst = append(dst, "\uFFFD"...)
		case '"':
			dst = append(dst, "&#34;"...)
		case '&':
			dst = append(dst, "&amp;"...)
		case '\'':
			dst = append(dst, "&#39;"...)
		case '+':
			dst = append(dst, "&#43;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// kept returns the kept shell of key, or nil.
func (sc *shellCache) kept(key shellKey) *shell {
	if s, ok := sc.m.Load(key); ok {
		return s.(*shell)
	}
	return nil
}

// shell returns the shell of v's section page, rendering it with marks
// the first time; nil when the page cannot be cut (it is then rendered
// whole). v is the page as sectionPage filled it, items and values
// included; it is left as it was.
func (sc *shellCache) shell(key shellKey, v *view) *shell {
	if s, ok := sc.m.Load(key); ok {
		return s.(*shell)
	}
	if sc.n.Load() >= shellLimit {
		return nil
	}
	marked := *v
	sec := *v.Section
	marked.Section = &sec
	marked.CSRF, sec.Shown = markCSRF, markShown
	sec.Items = []template.HTML{markItems}
	page, err := renderPage(&marked)
	if err != nil {
		return nil
	}
	s, ok := newShell(page)
	if !ok {
		return nil
	}
	if got, loaded := sc.m.LoadOrStore(key, s); loaded {
		return got.(*shell)
	}
	sc.n.Add(1)
	return s
}

// shellBuf is a request's scratch space for a section page: the page,
// and the text after its token when it is sent pre-compressed.
type shellBuf struct{ page, tail []byte }

var shellBufPool = sync.Pool{New: func() any { return new(shellBuf) }}

// write writes a section page from its shell, with the headers and
// compression pagekit.Render gives every page: a fresh page to a client
// that takes gzip from its pre-compressed parts (shellgzip.go).
func (sc *shellCache) write(c *gin.Context, status int, s *shell, v *shellValues) {
	bp := shellBufPool.Get().(*shellBuf)
	defer func() {
		// A page of a huge section is not kept for every later page.
		if cap(bp.page) <= 1<<20 && cap(bp.tail) <= 1<<20 {
			shellBufPool.Put(bp)
		}
	}()
	pagekit.Headers(c.Writer.Header())
	if status == 0 {
		status = http.StatusOK
	}
	n := s.size + len(v.csrf) + len(v.shown)
	for _, it := range v.items {
		n += len(it)
	}
	if v.fresh && pagekit.AcceptsGzip(c.Request) {
		var gz []byte
		gz, bp.tail = s.gzipFresh(sc, bp.page[:0], slices.Grow(bp.tail[:0], n+64), v)
		if gz != nil {
			bp.page = gz
			pagekit.WriteGzipped(c, status, "text/html; charset=utf-8", gz)
			return
		}
	}
	bp.page = s.fill(slices.Grow(bp.page[:0], n+64), v)
	pagekit.WriteBody(c, status, "text/html; charset=utf-8", bp.page)
}
