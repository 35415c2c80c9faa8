package redcap

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// REDCap fields for the item types of survey/itemtypes.go: a date is a
// text field validated as date_ymd, a number one validated as number (or
// number_Ndp), a slider REDCap's own slider (0 to 100, its end labels in
// the choices column), an info item a descriptive field, a consent a
// checkbox of one choice; an exclusive option is REDCap's @NONEOFTHEABOVE
// action tag, and "Other, please specify" an extra choice with a text
// field shown when it is chosen. Dyad's annotations (@DYAD-UNIT,
// @DYAD-CONSENT) keep what REDCap has no place for.

// encodeNewType fills c for an item of survey/itemtypes.go, with the
// annotations added to notes; ok is false for an unknown type.
func encodeNewType(c map[int]string, it survey.Item, notes []string) ([]string, bool) {
	switch it.Type {
	case survey.DateItem:
		c[colType], c[colValidation], c[colMin], c[colMax] = "text", "date_ymd", it.MinText, it.MaxText
	case survey.Number:
		c[colType], c[colValidation], c[colMin], c[colMax] = "text", "number", it.MinText, it.MaxText
		if it.Decimals >= 1 && it.Decimals <= 4 {
			c[colValidation] = "number_" + strconv.Itoa(it.Decimals) + "dp"
		}
		if it.Unit != "" {
			notes = append(notes, "@DYAD-UNIT="+strings.ReplaceAll(it.Unit, " ", "_"))
		}
	case survey.Slider:
		c[colType], c[colChoices] = "slider", strings.ReplaceAll(it.MinLabel, "|", "/")+" | | "+strings.ReplaceAll(it.MaxLabel, "|", "/")
	case survey.Info:
		c[colType] = "descriptive"
	case survey.Consent:
		c[colType], c[colChoices], c[colRequired] = "checkbox", "1, "+strings.ReplaceAll(it.Text, "|", "/"), "y"
		notes = append(notes, "@DYAD-CONSENT")
	default:
		return notes, false
	}
	return notes, true
}

// otherField is the text field of an item's "Other, please specify",
// shown when that choice is made.
func otherField(it survey.Item, form string) map[int]string {
	v := it.OtherValue()
	logic := fmt.Sprintf("[%s] = '%d'", it.ID, v)
	if it.Type == survey.MultipleChoice {
		logic = fmt.Sprintf("[%s(%d)] = '1'", it.ID, v)
	}
	return map[int]string{colName: it.ID + survey.OtherSuffix, colForm: form, colType: "text",
		colLabel: it.OtherText(), colRequired: "y", colBranching: logic,
		colAnnotation: "@CHARLIMIT=" + strconv.Itoa(survey.OtherMaxLength)}
}

// optionsWithOther are the choices of a choice item: its options, then
// its "Other, please specify" when it has one.
func optionsWithOther(it survey.Item) []survey.Option {
	if !it.Other {
		return it.Options
	}
	return append(append([]survey.Option{}, it.Options...), survey.Option{Value: it.OtherValue(), Label: it.OtherText()})
}

// noneOfTheAbove is the @NONEOFTHEABOVE action tag of a multiple-choice
// item's exclusive options; "" when it has none.
func noneOfTheAbove(it survey.Item) string {
	var vals []string
	for _, o := range it.Options {
		if o.Exclusive {
			vals = append(vals, strconv.FormatInt(o.Value, 10))
		}
	}
	if vals == nil {
		return ""
	}
	return "@NONEOFTHEABOVE=" + strings.Join(vals, ",")
}

// designNotes are the annotations of the randomised order
// (survey/order.go) and of attention checks (survey/quality.go), which
// REDCap has no place for: @DYAD-FIXED and @DYAD-ATTENTION=V on an item,
// and on a section's first item its @DYAD-SECTION-RANDOMIZE=items and
// @DYAD-SECTION-FIXED (a form or section header has no annotation of
// its own), on the instrument's first item @DYAD-RANDOMIZE=sections.
// REDCap shows the fields in document order.
func designNotes(in *survey.Instrument, si, ii int) []string {
	sec, it := &in.Sections[si], &in.Sections[si].Items[ii]
	var notes []string
	if it.Fixed {
		notes = append(notes, "@DYAD-FIXED")
	}
	if it.Attention != nil {
		notes = append(notes, "@DYAD-ATTENTION="+strconv.FormatInt(it.Attention.Expect, 10))
	}
	if ii == 0 {
		if sec.Randomize != "" {
			notes = append(notes, "@DYAD-SECTION-RANDOMIZE="+sec.Randomize)
		}
		if sec.Fixed {
			notes = append(notes, "@DYAD-SECTION-FIXED")
		}
		if si == 0 && in.Randomize != "" {
			notes = append(notes, "@DYAD-RANDOMIZE="+in.Randomize)
		}
	}
	return notes
}
