package export

import (
	"github.com/dyad-survey/dyad/internal/survey"
)

// Order columns: where each randomised part was shown.
//
// An instrument that randomises its order (survey.Form.Order) gets, after
// the scores, one column {section}__page per section when the sections
// are randomised (the page number the section was shown on, 1 for the
// first) and one column {item}__pos per item of each section whose items
// are randomised (the item's place on its page, 1 for the first). The
// names cannot clash with an item's or an option's column: item ids never
// contain "__", and option columns end in a number.
//
// The order is not stored: it is a function of the response id, the same
// one the web form used when it showed the pages (order.go in
// internal/survey), so the export computes it again. A place counts every
// item of the page in the order drawn, a follow-up that was not shown
// included (whether an item was shown is its own column's business). A
// response sent through the API was rendered by its client, in an order
// Dyad does not know: its order cells are empty. Such a response is told
// by its language, which only the respondent pages set
// (survey.Response.Language).

// orderPlace is what an order column records: the page of section
// Section when Item is -1, else the place of item Item of that section.
type orderPlace struct{ section, item int }

// Suffixes of the order columns.
const (
	PageSuffix     = "__page"
	PositionSuffix = "__pos"
)

// orderColumns returns the form's order columns; none when nothing is
// randomised.
func orderColumns(f *survey.Form) []Column {
	in := f.Instrument
	var cols []Column
	if f.SectionsRandomized() {
		for si := range in.Sections {
			sec := &in.Sections[si]
			cols = append(cols, Column{Name: sec.ID + PageSuffix, Kind: OrderColumn,
				Label:   "Page on which section " + sec.ID + " (" + oneLine(sec.Title) + ") was shown",
				Numeric: true, Integer: true, Section: sec, place: orderPlace{si, -1}})
		}
	}
	for si := range in.Sections {
		if !f.ItemsRandomized(si) {
			continue
		}
		sec := &in.Sections[si]
		for ii := range sec.Items {
			it := &sec.Items[ii]
			cols = append(cols, Column{Name: it.ID + PositionSuffix, Kind: OrderColumn,
				Label:   "Place of item " + it.ID + " on its page: " + oneLine(it.Text),
				Numeric: true, Integer: true, Section: sec, place: orderPlace{si, ii}})
		}
	}
	return cols
}

// orderCache keeps the order of the response being written, computed at
// its first order column.
type orderCache struct {
	id  string
	ord *survey.Order
}

// place returns what column c records for response r, 1-based, and false
// when the order is not known (a response sent through the API).
func (oc *orderCache) place(f *survey.Form, c *Column, r *survey.Response) (int64, bool) {
	if r.Language == "" {
		return 0, false
	}
	if oc.ord == nil || oc.id != r.ID {
		oc.id, oc.ord = r.ID, f.Order(r.ID)
	}
	if c.place.item < 0 {
		return int64(oc.ord.Page(c.place.section)) + 1, true
	}
	return int64(oc.ord.Position(c.place.section, c.place.item)) + 1, true
}

// codebookOrder fills the codebook row of an order column.
func codebookOrder(row []string, c *Column) {
	row[6] = "integer from 1"
	if c.place.item < 0 {
		row[10] = "sections shown in an order of each response's own (randomize: sections); the page number this section had, 1 = first" + orderNote
		return
	}
	row[10] = "items of section " + c.Section.ID + " shown in an order of each response's own (randomize: items); this item's place on the page, 1 = first, counting every item of the section, a follow-up that was not shown included" + orderNote
}

// orderNote ends the codebook's computation of every order column.
const orderNote = "; the order is drawn from the response id (the same on every page, save, resume and Back) and never changes answers or scores; empty for a response sent through the API, whose client chose the order"
