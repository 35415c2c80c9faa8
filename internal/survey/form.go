package survey

import "slices"

// Form is a valid instrument indexed for answering: items in document
// order, each with its options resolved. Published instrument versions
// never change, so one Form per version can be built once and shared by
// every request; it is read-only after NewForm.
type Form struct {
	Instrument *Instrument
	order      []*Item
	items      map[string]*Item
	index      map[string]int // item id -> position in order
	section    map[string]int
	sectionAt  []int               // section index per item of order
	refs       [][]int             // per item of order: the items its and its section's show_if refer to
	sharedRefs bool                // some item's conditions refer to more than one item (chainShown)
	options    map[string][]Option // likert (from the scale) and choice items
	paths      []string            // "answers.<id>" per item of order, for Check's problems
	orders     orderPlan           // randomised order (order.go)
	// Lang is the language of the form's texts.
	Lang string
	// langs are the form in each of the instrument's other languages,
	// built with the form (In); own is the form in the instrument's own
	// language (f itself for that one).
	langs map[string]*Form
	own   *Form
}

// NewForm validates the instrument and indexes it. It checks the rules a
// stored version was accepted under, not the admission limits of
// limits.go, so versions stored before a limit existed keep working.
func NewForm(in *Instrument) (*Form, error) {
	if err := in.validateStored(); err != nil {
		return nil, err
	}
	f := newForm(in)
	f.Lang, f.own = in.DefaultLanguage(), f
	for l := range in.Translations {
		lf := newForm(in.Localized(l))
		lf.Lang, lf.own = l, f
		if f.langs == nil {
			f.langs = map[string]*Form{}
		}
		f.langs[l] = lf
	}
	return f, nil
}

// In returns the form with its texts in lang (the same items, values and
// rules), or f itself when the instrument has no translation into lang.
func (f *Form) In(lang string) *Form {
	if lf := f.langs[lang]; lf != nil {
		return lf
	}
	return f
}

// newForm indexes a valid instrument. Whatever a form is built with
// belongs here, not in NewForm: each language's form is built by it too,
// and must answer every question the default one does.
func newForm(in *Instrument) *Form {
	f := &Form{
		Instrument: in,
		items:      map[string]*Item{},
		index:      map[string]int{},
		section:    map[string]int{},
		options:    map[string][]Option{},
	}
	scales := map[string][]Option{}
	for _, s := range in.Scales {
		scales[s.ID] = s.Options
	}
	for si := range in.Sections {
		for ii := range in.Sections[si].Items {
			it := &in.Sections[si].Items[ii]
			f.index[it.ID] = len(f.order)
			f.order = append(f.order, it)
			f.paths = append(f.paths, "answers."+it.ID)
			f.items[it.ID] = it
			f.section[it.ID] = si
			f.sectionAt = append(f.sectionAt, si)
			switch it.Type {
			case Likert:
				f.options[it.ID] = scales[it.Scale]
			case SingleChoice, MultipleChoice:
				f.options[it.ID] = it.Options
				if it.Other {
					// The option after the item's own, and its companion
					// text item right after the item (itemtypes.go).
					opts := append(append(make([]Option, 0, len(it.Options)+1), it.Options...),
						Option{Value: it.OtherValue(), Label: it.OtherText(), Other: true})
					f.options[it.ID] = opts
					o := otherItem(it)
					f.index[o.ID] = len(f.order)
					f.order = append(f.order, o)
					f.paths = append(f.paths, "answers."+o.ID)
					f.items[o.ID] = o
					f.section[o.ID] = si
					f.sectionAt = append(f.sectionAt, si)
				}
			}
		}
	}
	f.refs = make([][]int, len(f.order))
	for i, it := range f.order {
		var ids []string
		if c := in.Sections[f.sectionAt[i]].ShowIf; c != nil {
			ids = c.Items()
		}
		if it.ShowIf != nil {
			ids = append(ids, it.ShowIf.Items()...)
		}
		for _, id := range ids {
			if ref, ok := f.index[id]; ok && !slices.Contains(f.refs[i], ref) {
				f.refs[i] = append(f.refs[i], ref)
			}
		}
		f.sharedRefs = f.sharedRefs || len(f.refs[i]) > 1
	}
	f.planOrder()
	return f
}

// Items returns the items in document order. The slice must not be
// modified.
func (f *Form) Items() []*Item { return f.order }

// Item returns the item with the given id, or nil.
func (f *Form) Item(id string) *Item { return f.items[id] }

// Options returns the options of a likert or choice item.
func (f *Form) Options(id string) []Option { return f.options[id] }

// IsMissingCode reports whether v is one of the item's missing-data codes
// (an option marked missing). Such an answer is stored and exported as
// given, but scoring and statistics treat the item as unanswered.
func (f *Form) IsMissingCode(id string, v int64) bool {
	return isMissingCode(f.options[id], v)
}

func isMissingCode(opts []Option, v int64) bool {
	for _, o := range opts {
		if o.Missing && o.Value == v {
			return true
		}
	}
	return false
}

// SectionOf returns the index of the section holding the item.
func (f *Form) SectionOf(id string) int { return f.section[id] }
