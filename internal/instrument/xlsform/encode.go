package xlsform

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/xuri/excelize/v2"
)

// surveyColumns are the columns Encode writes on the survey sheet; the
// last two are Dyad's own, which XLSForm tools ignore as unknown columns.
var surveyColumns = []string{"type", "name", "label", "hint", "required", "relevant", "constraint", "appearance", colSubscale, colReverse, colCombine}

// Dyad's columns: the subscale of a likert item and its reversal, and in
// the choices sheet whether a choice is a missing-data code, which
// XLSForm has no column for.
const (
	colSubscale = "dyad_subscale"
	colReverse  = "dyad_reverse"
	colMissing  = "dyad_missing"
	// colCombine holds, on each item of a subscale that has one, the
	// subscale's combine (survey.Subscale.Combine).
	colCombine = "dyad_combine"
)

// Encode writes an instrument as an XLSForm workbook: each section a
// group (its description a note first), a likert item a select_one of its
// scale's list with appearance likert, choice items select_one and
// select_multiple of a list of their own, integer items with their range
// as a constraint, text items with a string-length constraint for
// max_length and appearance multiline, show_if as relevant. Choice names
// are the option values, so the codes survive. Decode reads the result
// back into an equivalent instrument.
func Encode(in *survey.Instrument) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "survey"); err != nil {
		return nil, err
	}
	for _, name := range []string{"choices", "settings"} {
		if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
	}
	var rows [][]any
	header := make([]any, len(surveyColumns))
	for i, c := range surveyColumns {
		header[i] = c
	}
	rows = append(rows, header)
	row := func(cells map[string]string) {
		r := make([]any, len(surveyColumns))
		for i, c := range surveyColumns {
			r[i] = cells[c]
		}
		rows = append(rows, r)
	}
	types := map[string]string{}
	for _, sec := range in.Sections {
		for _, it := range sec.Items {
			types[it.ID] = it.Type
		}
	}
	choices := [][]any{{"list_name", "name", "label", colMissing}}
	addList := func(name string, opts []survey.Option) {
		for _, o := range opts {
			missing := ""
			if o.Missing {
				missing = "yes"
			}
			choices = append(choices, []any{name, strconv.FormatInt(o.Value, 10), o.Label, missing})
		}
	}
	for _, s := range in.Scales {
		addList(s.ID, s.Options)
	}
	lists := map[string]bool{}
	for _, s := range in.Scales {
		lists[s.ID] = true
	}
	combine := map[string]string{}
	for _, s := range in.Subscales {
		combine[s.ID] = s.Combine
	}
	for _, sec := range in.Sections {
		row(map[string]string{"type": "begin group", "name": sec.ID, "label": sec.Title})
		if sec.Description != "" {
			row(map[string]string{"type": "note", "name": sec.ID + "_intro", "label": sec.Description})
		}
		for _, it := range sec.Items {
			c := map[string]string{"name": it.ID, "label": it.Text, "hint": it.Help}
			if it.Required {
				c["required"] = "yes"
			}
			switch it.Type {
			case survey.Likert:
				c["type"], c["appearance"] = "select_one "+it.Scale, "likert"
				c[colSubscale] = it.Subscale
				c[colCombine] = combine[it.Subscale]
				if it.Reverse {
					c[colReverse] = "yes"
				}
			case survey.SingleChoice, survey.MultipleChoice:
				list := it.ID
				for n := 2; lists[list]; n++ {
					list = fmt.Sprintf("%s_%d", it.ID, n)
				}
				lists[list] = true
				opts := it.Options
				if it.Other {
					opts = append(append([]survey.Option{}, opts...), survey.Option{Value: it.OtherValue(), Label: it.OtherText()})
				}
				addList(list, opts)
				c["type"] = "select_one " + list
				if it.Type == survey.MultipleChoice {
					c["type"] = "select_multiple " + list
					c["constraint"] = exclusiveConstraint(&it)
				}
			case survey.Integer:
				c["type"] = "integer"
				var parts []string
				if it.Min != nil {
					parts = append(parts, fmt.Sprintf(". >= %d", *it.Min))
				}
				if it.Max != nil {
					parts = append(parts, fmt.Sprintf(". <= %d", *it.Max))
				}
				c["constraint"] = strings.Join(parts, " and ")
			case survey.Text:
				c["type"] = "text"
				if it.Multiline {
					c["appearance"] = "multiline"
				}
				if it.MaxLength > 0 {
					c["constraint"] = fmt.Sprintf("string-length(.) <= %d", it.MaxLength)
				}
			default:
				if !encodeNewType(c, &it) {
					return nil, fmt.Errorf("item %q: type %q has no XLSForm type", it.ID, it.Type)
				}
			}
			if sc := it.ShowIf; sc != nil {
				var parts []string
				for _, v := range sc.Values() {
					if types[sc.Item] == survey.MultipleChoice {
						parts = append(parts, fmt.Sprintf("selected(${%s}, '%d')", sc.Item, v))
					} else {
						parts = append(parts, fmt.Sprintf("${%s} = '%d'", sc.Item, v))
					}
				}
				c["relevant"] = strings.Join(parts, " or ")
			}
			row(c)
			if it.Other {
				row(otherQuestion(&it))
			}
		}
		row(map[string]string{"type": "end group"})
	}
	for name, data := range map[string][][]any{
		"survey":   rows,
		"choices":  choices,
		"settings": {{"form_title", "form_id", "version"}, {in.Title, in.Key, strconv.Itoa(in.Version)}},
	} {
		for i := range data {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(name, cell, &data[i]); err != nil {
				return nil, err
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
