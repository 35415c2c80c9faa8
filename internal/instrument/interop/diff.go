package interop

import (
	"fmt"
	"slices"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Diff lists how two instruments differ in what a questionnaire asks and
// scores: the sections (ids, titles, descriptions) and, item by item, id,
// type, text, help, required, options with their values and labels (a
// likert item's through its scale, whatever the scale's id), range,
// multiline, max_length, show_if, subscale and reversal. It leaves out
// what the foreign formats do not carry, the instrument's own texts and
// the subscales' titles and scoring; nil means equivalent. The
// round-trip tests of the exporters hold their output to it.
func Diff(a, b *survey.Instrument) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if len(a.Sections) != len(b.Sections) {
		add("%d sections against %d", len(a.Sections), len(b.Sections))
		return out
	}
	for si := range a.Sections {
		sa, sb := &a.Sections[si], &b.Sections[si]
		path := fmt.Sprintf("sections[%d]", si)
		if sa.ID != sb.ID || sa.Title != sb.Title || sa.Description != sb.Description {
			add("%s: %q %q %q against %q %q %q", path, sa.ID, sa.Title, sa.Description, sb.ID, sb.Title, sb.Description)
		}
		if len(sa.Items) != len(sb.Items) {
			add("%s: %d items against %d", path, len(sa.Items), len(sb.Items))
			continue
		}
		for ii := range sa.Items {
			ia, ib := &sa.Items[ii], &sb.Items[ii]
			p := fmt.Sprintf("%s.items[%d] (%s)", path, ii, ia.ID)
			if ia.ID != ib.ID || ia.Type != ib.Type || ia.Text != ib.Text || ia.Help != ib.Help || ia.Required != ib.Required {
				add("%s: %s %s %q %q %v against %s %s %q %q %v", p, ia.ID, ia.Type, ia.Text, ia.Help, ia.Required,
					ib.ID, ib.Type, ib.Text, ib.Help, ib.Required)
			}
			if !slices.Equal(OptionsOf(a, ia), OptionsOf(b, ib)) {
				add("%s: options %v against %v", p, OptionsOf(a, ia), OptionsOf(b, ib))
			}
			if !sameInt(ia.Min, ib.Min) || !sameInt(ia.Max, ib.Max) || ia.Multiline != ib.Multiline || ia.MaxLength != ib.MaxLength {
				add("%s: range, multiline or max_length differ", p)
			}
			if ia.Subscale != ib.Subscale || ia.Reverse != ib.Reverse {
				add("%s: subscale %q reverse %v against %q %v", p, ia.Subscale, ia.Reverse, ib.Subscale, ib.Reverse)
			}
			switch ca, cb := ia.ShowIf, ib.ShowIf; {
			case ca == nil && cb == nil:
			case ca == nil || cb == nil || ca.Item != cb.Item || !slices.Equal(SortedValues(ca), SortedValues(cb)):
				add("%s: show_if %v against %v", p, ca, cb)
			}
		}
	}
	return out
}

func sameInt(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// DiffDesign lists how two instruments differ in what Diff leaves out
// of the form's design: the randomised order (randomize on the
// instrument and its sections, fixed on sections and items), attention
// checks and a consent item's decline text. An exporter that carries
// them holds its round trip to DiffDesign too; one that cannot carry a
// feature states the loss in its test.
func DiffDesign(a, b *survey.Instrument) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if a.Randomize != b.Randomize {
		add("randomize %q against %q", a.Randomize, b.Randomize)
	}
	if len(a.Sections) != len(b.Sections) {
		add("%d sections against %d", len(a.Sections), len(b.Sections))
		return out
	}
	for si := range a.Sections {
		sa, sb := &a.Sections[si], &b.Sections[si]
		path := fmt.Sprintf("sections[%d]", si)
		if sa.Randomize != sb.Randomize || sa.Fixed != sb.Fixed {
			add("%s: randomize %q fixed %v against %q %v", path, sa.Randomize, sa.Fixed, sb.Randomize, sb.Fixed)
		}
		if len(sa.Items) != len(sb.Items) {
			add("%s: %d items against %d", path, len(sa.Items), len(sb.Items))
			continue
		}
		for ii := range sa.Items {
			ia, ib := &sa.Items[ii], &sb.Items[ii]
			p := fmt.Sprintf("%s.items[%d] (%s)", path, ii, ia.ID)
			if ia.Fixed != ib.Fixed {
				add("%s: fixed %v against %v", p, ia.Fixed, ib.Fixed)
			}
			if (ia.Attention == nil) != (ib.Attention == nil) || ia.Attention != nil && ia.Attention.Expect != ib.Attention.Expect {
				add("%s: attention %v against %v", p, ia.Attention, ib.Attention)
			}
			if ia.Decline != ib.Decline {
				add("%s: decline %q against %q", p, ia.Decline, ib.Decline)
			}
		}
	}
	return out
}
