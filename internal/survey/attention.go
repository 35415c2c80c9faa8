package survey

import (
	"fmt"
	"strconv"
	"strings"
)

// reservedPrefixes start the export's data-quality columns: dq_speeder,
// dq_straightline, dq_attention, dq_any and duration_{section}_s.
var reservedPrefixes = []string{"dq_", "duration_"}

// checkReservedPrefixes refuses item ids that start with a reserved
// prefix. An admission rule (Validate, not validateStored): a version
// stored before the data-quality columns existed keeps working.
func (in *Instrument) checkReservedPrefixes(p *Problems) {
	for si := range in.Sections {
		for ii, it := range in.Sections[si].Items {
			if pre := reservedPrefix(it.ID); pre != "" {
				p.Add(fmt.Sprintf("sections[%d].items[%d].id", si, ii), "%q starts with %q, which is reserved for export columns", it.ID, pre)
			}
		}
	}
}

// reservedPrefix returns the reserved prefix id starts with, or "".
func reservedPrefix(id string) string {
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(id, p) {
			return p
		}
	}
	return ""
}

// validateAttention checks an attention check's declaration: allowed for
// the item's type, and the answer it expects one the item can take (a
// substantive option, not a missing code; a value in the integer range).
func (it *Item) validateAttention(p *Problems, path string, scales map[string]*Scale) {
	a := it.Attention
	if a == nil {
		return
	}
	path += ".attention"
	var opts []Option
	switch it.Type {
	case Likert:
		s := scales[it.Scale]
		if s == nil {
			return // the unknown scale is reported on its own
		}
		opts = s.Options
	case SingleChoice:
		opts = it.Options
	case Integer:
		if it.Min != nil && a.Expect < *it.Min || it.Max != nil && a.Expect > *it.Max {
			p.Add(path+".expect", "%d is outside the item's range %s", a.Expect, rangeText(it.Min, it.Max))
		}
		return
	default:
		p.Add(path, "is not allowed for a %s item (only likert, single_choice and integer items can be attention checks)", it.Type)
		return
	}
	for _, o := range opts {
		if o.Value == a.Expect {
			if o.Missing {
				p.Add(path+".expect", "%d is a missing-data code (%q); an attention check expects a substantive answer", a.Expect, o.Label)
			}
			return
		}
	}
	p.Add(path+".expect", "%d is not one of the item's values %s", a.Expect, intList(substantiveValues(opts)))
}

func rangeText(lo, hi *int64) string {
	s := "("
	if lo != nil {
		s += strconv.FormatInt(*lo, 10)
	}
	s += " to "
	if hi != nil {
		s += strconv.FormatInt(*hi, 10)
	}
	return s + ")"
}
