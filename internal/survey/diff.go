package survey

// What changed between two versions of an instrument, for a researcher
// deciding whether data from both can be pooled: items added, removed and
// changed (by id, the key of the data), and, called out apart, every
// change that alters a score (an item's scale, subscale, reversal or
// option values; a scale's values; a subscale's scoring rule).
//
// Items are compared field by field through their JSON form, so a field
// added to Item later is compared without this file knowing it; the
// fields that decide scores are named in scoringFields.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// InstrumentDiff is what changed from one version to another.
type InstrumentDiff struct {
	Key      string
	From, To int
	// Added and Removed are the items only in To or only in From, in
	// their version's order; Changed are the items in both whose
	// definition differs, in To's order.
	Added, Removed, Changed []ItemChange
	// Scoring states each change that alters a score, in words.
	Scoring []string
	// Other names the instrument's other fields that changed (title,
	// introduction, consent, sections, ...).
	Other []string
}

// ItemChange is one item of a diff.
type ItemChange struct {
	ID, Text string
	// Section is the id of the item's section (in To, for a changed item).
	Section string
	// Fields are the item's fields that changed (JSON names), for a
	// changed item.
	Fields []string
	// Scoring is set when the change alters how the item is scored.
	Scoring bool
}

// scoringFields are the item fields that decide its score.
var scoringFields = map[string]bool{"type": true, "scale": true, "subscale": true, "reverse": true, "options": true}

// DiffVersionParams reads the two versions a diff compares, from and to
// as a query gives them, adding a problem for each that is not a version
// number.
func DiffVersionParams(p *Problems, from, to string) (int, int) {
	read := func(path, s string) int {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			p.Add(path, "must be a version number (1, 2, ...), got %q", s)
			return 0
		}
		return n
	}
	return read("from", from), read("to", to)
}

// DiffVersions compares two stored versions of one instrument
// (ENotFound for a version that does not exist).
func (s *Service) DiffVersions(ctx context.Context, key string, from, to int) (*InstrumentDiff, error) {
	a, err := s.store.FindInstrument(ctx, key, from)
	if err != nil {
		return nil, err
	}
	b, err := s.store.FindInstrument(ctx, key, to)
	if err != nil {
		return nil, err
	}
	return DiffInstruments(&a.Instrument, &b.Instrument), nil
}

// DiffInstruments compares version a with version b.
func DiffInstruments(a, b *Instrument) *InstrumentDiff {
	d := &InstrumentDiff{Key: b.Key, From: a.Version, To: b.Version}
	type placed struct {
		it      *Item
		section string
	}
	index := func(in *Instrument) (map[string]placed, []string) {
		m, order := map[string]placed{}, []string{}
		for si := range in.Sections {
			for ii := range in.Sections[si].Items {
				it := &in.Sections[si].Items[ii]
				m[it.ID] = placed{it, in.Sections[si].ID}
				order = append(order, it.ID)
			}
		}
		return m, order
	}
	ai, aorder := index(a)
	bi, border := index(b)
	for _, id := range aorder {
		if _, ok := bi[id]; !ok {
			p := ai[id]
			d.Removed = append(d.Removed, ItemChange{ID: id, Text: p.it.Text, Section: p.section, Scoring: p.it.Subscale != ""})
			if p.it.Subscale != "" {
				d.Scoring = append(d.Scoring, fmt.Sprintf("item %s is removed from subscale %s", id, p.it.Subscale))
			}
		}
	}
	for _, id := range border {
		p := bi[id]
		old, ok := ai[id]
		if !ok {
			d.Added = append(d.Added, ItemChange{ID: id, Text: p.it.Text, Section: p.section, Scoring: p.it.Subscale != ""})
			if p.it.Subscale != "" {
				d.Scoring = append(d.Scoring, fmt.Sprintf("item %s is added to subscale %s", id, p.it.Subscale))
			}
			continue
		}
		fields := changedFields(old.it, p.it)
		if old.section != p.section {
			fields = append(fields, "section")
		}
		if len(fields) == 0 {
			continue
		}
		ch := ItemChange{ID: id, Text: p.it.Text, Section: p.section, Fields: fields}
		for _, f := range fields {
			if scoringFields[f] && (old.it.Subscale != "" || p.it.Subscale != "" || f == "scale" || f == "options") {
				ch.Scoring = true
				d.Scoring = append(d.Scoring, fmt.Sprintf("item %s: %s changed", id, f))
			}
		}
		d.Changed = append(d.Changed, ch)
	}
	d.Scoring = append(d.Scoring, diffScales(a, b)...)
	d.Scoring = append(d.Scoring, diffSubscales(a, b)...)
	for _, f := range changedFields(instrumentHead(a), instrumentHead(b)) {
		if f != "version" {
			d.Other = append(d.Other, f)
		}
	}
	if !slices.EqualFunc(a.Sections, b.Sections, func(x, y Section) bool {
		return x.ID == y.ID && x.Title == y.Title && x.Description == y.Description
	}) {
		d.Other = append(d.Other, "sections")
	}
	return d
}

// instrumentHead is the instrument without its scales, subscales and
// sections, which the diff compares on their own.
func instrumentHead(in *Instrument) *Instrument {
	h := *in
	h.Scales, h.Subscales, h.Sections = nil, nil, nil
	return &h
}

// diffScales states the scales whose values changed: labels alone do not
// change a score, values and missing codes do.
func diffScales(a, b *Instrument) []string {
	var out []string
	old := map[string]Scale{}
	for _, sc := range a.Scales {
		old[sc.ID] = sc
	}
	for _, sc := range b.Scales {
		o, ok := old[sc.ID]
		if !ok {
			continue
		}
		same := slices.EqualFunc(o.Options, sc.Options, func(x, y Option) bool { return x.Value == y.Value && x.Missing == y.Missing })
		if !same {
			out = append(out, fmt.Sprintf("scale %s: its values changed", sc.ID))
		}
	}
	return out
}

// diffSubscales states the subscales added, removed, or scored otherwise.
func diffSubscales(a, b *Instrument) []string {
	var out []string
	old := map[string]Subscale{}
	for _, s := range a.Subscales {
		old[s.ID] = s
	}
	seen := map[string]bool{}
	for _, s := range b.Subscales {
		seen[s.ID] = true
		o, ok := old[s.ID]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("subscale %s is added", s.ID))
		case o.Scoring != s.Scoring || o.MinAnswered != s.MinAnswered || o.Combine != s.Combine:
			out = append(out, fmt.Sprintf("subscale %s: its scoring rule changed", s.ID))
		}
	}
	for _, s := range a.Subscales {
		if !seen[s.ID] {
			out = append(out, fmt.Sprintf("subscale %s is removed", s.ID))
		}
	}
	return out
}

// changedFields returns the JSON fields whose values differ between a
// and b (both of one type), sorted.
func changedFields(a, b any) []string {
	am, bm := jsonFields(a), jsonFields(b)
	var out []string
	for k, v := range am {
		if w, ok := bm[k]; !ok || !bytes.Equal(v, w) {
			out = append(out, k)
		}
	}
	for k := range bm {
		if _, ok := am[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func jsonFields(v any) map[string]json.RawMessage {
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m
}
