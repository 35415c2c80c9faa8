package survey

// Randomised order: the order in which one response is shown the form.
//
// An instrument may ask for its sections (randomize: sections) and the
// items of any section (randomize: items on the section) to be shown in an
// order of each response's own, to spread order effects over the sample.
// The rules, decided here and nowhere else:
//
//   - Units. Sections are moved as wholes. Within a section, an item whose
//     show_if refers to an item of the same section is a follow-up: it
//     moves with that item (its parent) and is shown right after it,
//     follow-ups in document order, so that a question revealed by an
//     answer always appears where the answer was given. A unit is an item
//     with the follow-ups that hang from it, directly or through another
//     follow-up.
//   - Fixed. A unit whose head is marked fixed (fixed: true on the item or
//     section) keeps its place: the same number of units come before it in
//     every order. The others are shuffled among the places that are left,
//     each of their orders equally likely (Fisher–Yates).
//   - Seed. The order is a function of the response id alone: the
//     SHA-256 of "dyad order v1", a NUL and the id seeds a ChaCha8 stream
//     (C2SP chacha8rand), and the shuffles draw from it, the sections
//     first, then each randomised section in document order, each draw
//     uniform by rejection. A response id has 74 random bits (NewUUID; the
//     hash takes the id whole, time and all), so orders are
//     independent between responses, and the same on every page, save,
//     resume and Back of one response, with nothing stored: the export
//     computes the order it records from the same id, years later, on
//     another machine, without any server key (a key would make the record
//     depend on a file that may be rotated or lost). The order is not a
//     secret: the respondent sees it. Changing any of this changes the
//     recorded order of every stored response; TestOrderGolden holds it.
//   - Answers. Answers are keyed by item id, so the order never changes
//     what is stored, what it means, or any score.
//
// Validation (validateOrder) keeps what the order rules need: fixed only
// where something is randomised, never on a follow-up (it moves with its
// parent), and with randomised sections a show_if may refer to another
// section's item only when that section comes earlier in every order.

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"sync"
)

// orderSeedInfo separates the order's seed from any other hash of a
// response id.
const orderSeedInfo = "dyad order v1"

// Order is the order in which the web form shows one response the
// sections of a form and the items of each section. The zero Order is
// not usable; get one from Form.Order. It is read-only.
type Order struct {
	form *Form
	// sections lists the section indexes in the order shown (page order);
	// page is its inverse.
	sections, page []int
	// items[si] lists the indexes into Sections[si].Items in the order
	// shown; position[si] is its inverse.
	items, position [][]int
}

// orderPlan is what a form's orders are drawn from, built once by
// NewForm.
type orderPlan struct {
	sections *units   // nil: sections in document order
	items    []*units // per section; nil: items in document order
	identity *Order   // the document's order
	drawn    *drawnOrders
}

// drawnOrders keeps the orders drawn lately, by response id. Every page
// of a response asks for its order, the GET and the POST of each page
// alike, and drawing it (a SHA-256, a ChaCha8 stream, the shuffles and a
// score of small slices) was a tenth of the web journey's allocations.
// The order is a function of the id alone and an Order is read-only, so
// a kept one is the same value a new draw would give; the map only saves
// the work. It is bounded (drawnLimit, oldest out first): a response is
// answered in minutes, and one that comes back after its order was
// dropped has it drawn again, the same.
type drawnOrders struct {
	mu   sync.Mutex
	m    map[string]*Order
	ids  []string // the kept ids in the order kept, a ring once full
	next int      // the oldest id's place, once full
}

// drawnLimit bounds the orders kept per form: an order is about a
// kilobyte for a form of ten sections, so at most a few megabytes, and
// enough for the responses in progress on one server at once.
const drawnLimit = 4096

func (d *drawnOrders) get(id string) *Order {
	d.mu.Lock()
	o := d.m[id]
	d.mu.Unlock()
	return o
}

func (d *drawnOrders) put(id string, o *Order) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.m[id]; ok {
		return // drawn by another request meanwhile: the same order
	}
	if d.m == nil {
		d.m = map[string]*Order{}
	}
	if len(d.ids) < drawnLimit {
		d.ids = append(d.ids, id)
	} else {
		delete(d.m, d.ids[d.next])
		d.ids[d.next], d.next = id, (d.next+1)%drawnLimit
	}
	d.m[id] = o
}

// units are the things shuffled in one list: each a run of members (item
// or section indexes) that move together, and whether it is fixed.
type units struct {
	members [][]int
	fixed   []bool
	free    []int // indexes of the units that are not fixed
}

func newUnits() *units { return &units{} }

func (u *units) add(members []int, fixed bool) {
	if !fixed {
		u.free = append(u.free, len(u.members))
	}
	u.members = append(u.members, members)
	u.fixed = append(u.fixed, fixed)
}

// planOrder builds the form's orderPlan (see the top of the file).
func (f *Form) planOrder() {
	in := f.Instrument
	p := &f.orders
	if in.Randomize == RandomizeSections {
		p.sections = newUnits()
		for si := range in.Sections {
			p.sections.add([]int{si}, in.Sections[si].Fixed)
		}
	}
	p.items = make([]*units, len(in.Sections))
	for si := range in.Sections {
		sec := &in.Sections[si]
		if sec.Randomize != RandomizeItems {
			continue
		}
		u := newUnits()
		head := map[string]int{} // item id -> its unit
		for ii := range sec.Items {
			it := &sec.Items[ii]
			if c := it.ShowIf; c != nil {
				if h, ok := head[c.Item]; ok { // a follow-up: into its parent's unit
					u.members[h] = append(u.members[h], ii)
					head[it.ID] = h
					continue
				}
			}
			head[it.ID] = len(u.members)
			u.add([]int{ii}, it.Fixed)
		}
		p.items[si] = u
	}
	p.drawn = &drawnOrders{}
	p.identity = f.newOrder()
	for si := range in.Sections {
		p.identity.sections = append(p.identity.sections, si)
		for ii := range in.Sections[si].Items {
			p.identity.items[si] = append(p.identity.items[si], ii)
		}
	}
	p.identity.invert()
}

func (f *Form) newOrder() *Order {
	n := len(f.Instrument.Sections)
	return &Order{form: f, page: make([]int, n), items: make([][]int, n), position: make([][]int, n)}
}

// Randomized reports whether the instrument randomises anything.
func (f *Form) Randomized() bool {
	if f.orders.sections != nil {
		return true
	}
	for _, u := range f.orders.items {
		if u != nil {
			return true
		}
	}
	return false
}

// SectionsRandomized reports whether the sections are shown in an order
// of each response's own.
func (f *Form) SectionsRandomized() bool { return f.orders.sections != nil }

// ItemsRandomized reports whether section si's items are shown in an
// order of each response's own.
func (f *Form) ItemsRandomized(si int) bool { return f.orders.items[si] != nil }

// DocumentOrder returns the order of the instrument as written.
func (f *Form) DocumentOrder() *Order { return f.orders.identity }

// Order returns the order in which the response with the given id is
// shown the form: the document's order when nothing is randomised (the
// same value every time, without allocating), else the order drawn from
// the id (see the top of the file).
func (f *Form) Order(responseID string) *Order {
	if !f.Randomized() {
		return f.orders.identity
	}
	if o := f.orders.drawn.get(responseID); o != nil {
		return o
	}
	o := f.drawOrder(responseID)
	f.orders.drawn.put(responseID, o)
	return o
}

// drawOrder draws the order of the response with the given id (see the
// top of the file).
func (f *Form) drawOrder(responseID string) *Order {
	seed := sha256.Sum256([]byte(orderSeedInfo + "\x00" + responseID))
	rng := rand.NewChaCha8(seed)
	o := f.newOrder()
	in := f.Instrument
	if u := f.orders.sections; u != nil {
		for _, m := range u.shuffle(rng) {
			o.sections = append(o.sections, m...)
		}
	} else {
		o.sections = f.orders.identity.sections
	}
	for si := range in.Sections {
		if u := f.orders.items[si]; u != nil {
			for _, m := range u.shuffle(rng) {
				o.items[si] = append(o.items[si], m...)
			}
		} else {
			o.items[si] = f.orders.identity.items[si]
		}
	}
	o.invert()
	return o
}

// shuffle returns the units' members in a random order in which every
// fixed unit keeps its index and the others take the remaining indexes,
// every arrangement of them equally likely.
func (u *units) shuffle(rng *rand.ChaCha8) [][]int {
	out := make([][]int, len(u.members))
	copy(out, u.members)
	free := u.free
	// Fisher–Yates over the free places: place free[i] takes a unit
	// drawn from the free units not placed yet.
	perm := make([]int, len(free))
	copy(perm, free)
	for i := len(perm) - 1; i > 0; i-- {
		j := uniform(rng, uint64(i+1))
		perm[i], perm[j] = perm[j], perm[i]
	}
	for k, place := range free {
		out[place] = u.members[perm[k]]
	}
	return out
}

// uniform returns a number in [0, n), every one equally likely: draws
// below 2^64 mod n are rejected, so the ones kept are a whole number of
// runs of n. Written here, not taken from math/rand/v2's Shuffle or
// IntN, whose algorithms Go does not promise to keep across releases:
// the export recomputes stored responses' orders (see the top of the
// file).
func uniform(rng *rand.ChaCha8, n uint64) int {
	threshold := -n % n // 2^64 mod n
	for {
		if x := rng.Uint64(); x >= threshold {
			return int(x % n)
		}
	}
}

// invert fills page and position from sections and items.
func (o *Order) invert() {
	for p, si := range o.sections {
		o.page[si] = p
	}
	for si, list := range o.items {
		pos := make([]int, len(list))
		for p, ii := range list {
			pos[ii] = p
		}
		o.position[si] = pos
	}
}

// Sections returns the section indexes in the order shown. The slice must
// not be modified.
func (o *Order) Sections() []int { return o.sections }

// Page returns where section si is shown: 0 for the first page.
func (o *Order) Page(si int) int { return o.page[si] }

// Items returns the indexes into section si's items in the order shown.
// The slice must not be modified.
func (o *Order) Items(si int) []int { return o.items[si] }

// Position returns where item ii of section si is shown on its page: 0
// for the first.
func (o *Order) Position(si, ii int) int { return o.position[si][ii] }

// NextSection returns the section shown after section si in this order,
// stepping over sections whose items are all hidden (Form.SectionShown);
// -1 when there is none.
func (o *Order) NextSection(a Answers, si int) int {
	for p := o.page[si] + 1; p < len(o.sections); p++ {
		if n := o.sections[p]; o.form.SectionShown(a, n) {
			return n
		}
	}
	return -1
}

// PrevSection: see NextSection.
func (o *Order) PrevSection(a Answers, si int) int {
	for p := o.page[si] - 1; p >= 0; p-- {
		if n := o.sections[p]; o.form.SectionShown(a, n) {
			return n
		}
	}
	return -1
}

// ResumeSection returns the section a returning respondent continues at:
// in this order, the first shown section that has a shown required item
// unanswered or that comes after the last page with any answer. A
// response answered throughout resumes at its last shown section, where
// it is submitted.
func (o *Order) ResumeSection(a Answers) int {
	f := o.form
	shown := f.shownList(a)
	last := -1 // last page with an answer
	for id := range a {
		if f.items[id] != nil && o.page[f.section[id]] > last {
			last = o.page[f.section[id]]
		}
	}
	final := o.sections[0]
	for p, si := range o.sections {
		if !f.SectionShown(a, si) {
			continue
		}
		missing := false
		for _, it := range f.Instrument.Sections[si].Items {
			if _, ok := a[it.ID]; !ok && it.Required && shown[f.index[it.ID]] {
				missing = true
			}
		}
		if missing || p > last {
			return si
		}
		final = si
	}
	return final
}

// validateOrder checks the rules of randomised order (see the top of the
// file) on an instrument whose other rules were checked by validate.
func (in *Instrument) validateOrder(p *Problems) {
	if in.Randomize != "" && in.Randomize != RandomizeSections {
		p.Add("randomize", "must be sections (or left out), got %q", in.Randomize)
	}
	sectionsRandom := in.Randomize == RandomizeSections
	sectionOf := map[string]int{}
	for si := range in.Sections {
		for _, it := range in.Sections[si].Items {
			if _, dup := sectionOf[it.ID]; !dup {
				sectionOf[it.ID] = si
			}
		}
	}
	// Where a section may be shown: its own place when it stays there,
	// else any place a moving section may take.
	firstFree, lastFree := -1, -1
	for si := range in.Sections {
		if sectionsRandom && !in.Sections[si].Fixed {
			if firstFree < 0 {
				firstFree = si
			}
			lastFree = si
		}
	}
	earliest := func(si int) int {
		if sectionsRandom && !in.Sections[si].Fixed {
			return firstFree
		}
		return si
	}
	latest := func(si int) int {
		if sectionsRandom && !in.Sections[si].Fixed {
			return lastFree
		}
		return si
	}
	for si := range in.Sections {
		sec := &in.Sections[si]
		spath := fmt.Sprintf("sections[%d]", si)
		if sec.Randomize != "" && sec.Randomize != RandomizeItems {
			p.Add(spath+".randomize", "must be items (or left out), got %q", sec.Randomize)
		}
		if sec.Fixed && !sectionsRandom {
			p.Add(spath+".fixed", "only applies when the instrument has randomize: sections")
		}
		itemsRandom := sec.Randomize == RandomizeItems
		for ii := range sec.Items {
			it := &sec.Items[ii]
			path := fmt.Sprintf("%s.items[%d]", spath, ii)
			c := it.ShowIf
			ref, known := -1, false
			if c != nil {
				ref, known = sectionOf[c.Item]
			}
			if it.Fixed {
				switch {
				case !itemsRandom:
					p.Add(path+".fixed", "only applies in a section with randomize: items")
				case known && ref == si:
					p.Add(path+".fixed", "a follow-up (show_if on %q, in the same section) is always shown right after that item and moves with it; mark %q fixed instead", c.Item, c.Item)
				}
			}
			if known && ref < si && sectionsRandom && latest(ref) >= earliest(si) {
				p.Add(path+".show_if.item", "%q is in section %q, which does not come before section %q in every order of the randomised sections; with randomize: sections, show_if may refer to an item of the same section or of a fixed section placed before every section that moves",
					c.Item, in.Sections[ref].ID, sec.ID)
			}
		}
	}
}

// Nav tells what a page's heading and buttons need at once: PagePosition,
// and whether PrevSection and NextSection find no page (first, last). It
// decides the shown items once, where the three ask for them once per
// section they look at: a section page asked it of every later section.
func (o *Order) Nav(a Answers, si int) (number, total int, first, last bool) {
	f := o.form
	shown := f.shownList(a)
	number, total = o.pagePosition(a, si, shown)
	sectionShown := func(n int) bool {
		for _, it := range f.Instrument.Sections[n].Items {
			if shown[f.index[it.ID]] {
				return true
			}
		}
		return false
	}
	first, last = true, true
	for p := o.page[si] - 1; p >= 0 && first; p-- {
		first = !sectionShown(o.sections[p])
	}
	for p := o.page[si] + 1; p < len(o.sections) && last; p++ {
		last = !sectionShown(o.sections[p])
	}
	return number, total, first, last
}
