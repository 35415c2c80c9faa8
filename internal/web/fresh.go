package web

import (
	"encoding/binary"
	"html/template"
	"sync"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Fresh section pages: the items of a page that has none of its own
// answers yet, kept with the page's shell.
//
// Every page of a journey is first shown fresh (the GET after each 303),
// and once its shell is kept (shell.go) such a page's items were still
// prepared one by one per request (the item's view, its options' ids and
// values formatted, its fragment's state and lookup, fragments.go), only
// to find the same fragments as the last respondent who saw the page in
// the same state. What decides a fresh page's items, given its shell
// (survey row, form, language, section and buttons), is: the order of the
// items (a randomised section has its own per response), which of them
// earlier answers hide, and for an item whose show_if the page's script
// decides, the verdicts of its comparisons on other pages' items (the
// only part of scriptCondition the answers change). Nothing else of the
// answers reaches an unanswered item's HTML: no error, no checked option,
// no typed value. freshState writes those few things as a key; the shell
// keeps, per key, the items' HTML and the list of shown items that the
// page was last written with, and a request with the same key writes the
// page from them without preparing any item. Anything not fresh (an item
// or its "Other" text answered, a problem, a notice, a preview) goes the
// way it went before. TestFreshSectionPage holds pages written from kept
// items to those prepared item by item.
//
// The kept items are the kept fragments (shared, not copied) and hold no
// answer of anyone; like the tails (shellgzip.go) they are bounded
// across all shells (freshLimit) and per process.

// freshLimit bounds the fresh pages' items kept: each is a slice of
// references to kept fragments and the list of shown items, under a
// kilobyte.
const freshLimit = 8192

// freshItems are the items of a fresh page in one state.
type freshItems struct {
	items []template.HTML
	shown string
}

// freshPages are a shell's fresh pages' items, by freshState.
type freshPages struct {
	mu sync.RWMutex
	m  map[string]*freshItems
}

// freshScratch is a request's space for freshState.
type freshScratch struct {
	state []byte
	shown []bool
}

var freshPool = sync.Pool{New: func() any { return new(freshScratch) }}

// freshState appends to dst the key of page si's items given the answers
// a, in the order o: ok is false when the page is not fresh (one of its
// items or an item's "Other" text is answered). See the top of the file.
func freshState(dst []byte, shown []bool, form *survey.Form, o *survey.Order, si int, a survey.Answers) (state []byte, shownOut []bool, ok bool) {
	sec := &form.Instrument.Sections[si]
	for i := range sec.Items {
		it := &sec.Items[i]
		if _, answered := a[it.ID]; answered {
			return dst, shown, false
		}
		if it.Other {
			if _, answered := a[it.ID+survey.OtherSuffix]; answered {
				return dst, shown, false
			}
		}
	}
	shown = form.AppendSectionShown(shown[:0], a, si)
	for _, ii := range o.Items(si) {
		it := &sec.Items[ii]
		dst = binary.AppendUvarint(dst, uint64(ii))
		if shown[ii] {
			dst = append(dst, 's')
		} else {
			dst = append(dst, 'h')
		}
		if c := it.ShowIf; c != nil {
			dst = appendVerdicts(dst, form, c, si, a)
		}
	}
	return dst, shown, true
}

// appendVerdicts appends the verdicts that newScriptCondition puts in c's
// script condition on page si: one per comparison on another page's
// item, in the order it meets them.
func appendVerdicts(dst []byte, form *survey.Form, c *survey.Condition, si int, a survey.Answers) []byte {
	switch {
	case c.All != nil:
		for i := range c.All {
			dst = appendVerdicts(dst, form, &c.All[i], si, a)
		}
	case c.Any != nil:
		for i := range c.Any {
			dst = appendVerdicts(dst, form, &c.Any[i], si, a)
		}
	case c.Not != nil:
		dst = appendVerdicts(dst, form, c.Not, si, a)
	case form.Item(c.Item) != nil && form.SectionOf(c.Item) == si:
	case form.Holds(c, a):
		dst = append(dst, '1')
	default:
		dst = append(dst, '0')
	}
	return dst
}

// freshItems returns the items kept for state, or nil.
func (s *shell) freshItems(state []byte) *freshItems {
	s.fresh.mu.RLock()
	f := s.fresh.m[string(state)]
	s.fresh.mu.RUnlock()
	return f
}

// keepFresh keeps a fresh page's items for state, within sc's bound.
func (s *shell) keepFresh(sc *shellCache, state []byte, items []template.HTML, shown string) {
	if sc.fresh.Load() >= freshLimit {
		return
	}
	s.fresh.mu.Lock()
	defer s.fresh.mu.Unlock()
	if s.fresh.m[string(state)] != nil {
		return
	}
	if s.fresh.m == nil {
		s.fresh.m = map[string]*freshItems{}
	}
	s.fresh.m[string(state)] = &freshItems{items: items, shown: shown}
	sc.fresh.Add(1)
}

// writeFresh writes section si's page from its shell and kept items when
// the page is fresh and both are kept; false when it wrote nothing.
func (h *handler) writeFresh(c *gin.Context, p *page, status, si int, a survey.Answers) bool {
	number, total, first, last := p.order.Nav(a, si)
	key := shellKey{sv: p.sv, form: p.form, lang: p.v.L.Code, section: si, page: p.order.Page(si), first: first, last: last, number: number, total: total}
	s := h.shells.kept(key)
	if s == nil {
		return false
	}
	sp := freshPool.Get().(*freshScratch)
	defer freshPool.Put(sp)
	var ok bool
	sp.state, sp.shown, ok = freshState(sp.state[:0], sp.shown, p.form, p.order, si, a)
	if !ok {
		return false
	}
	f := s.freshItems(sp.state)
	if f == nil {
		return false
	}
	h.shells.write(c, status, s, &shellValues{csrf: h.csrfToken(c, p.sv.ID), shown: f.shown, items: f.items, fresh: true})
	return true
}

// keepFresh keeps the items of plain page sv, written from shell s, when
// the page is fresh.
func (h *handler) keepFresh(s *shell, p *page, si int, a survey.Answers, sv *sectionView) {
	sp := freshPool.Get().(*freshScratch)
	defer freshPool.Put(sp)
	var ok bool
	sp.state, sp.shown, ok = freshState(sp.state[:0], sp.shown, p.form, p.order, si, a)
	if ok {
		s.keepFresh(&h.shells, sp.state, sv.Items, sv.Shown)
	}
}
