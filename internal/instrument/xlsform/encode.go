package xlsform

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// surveyColumns are the columns Encode writes on the survey sheet; the
// last two are Dyad's own, which XLSForm tools ignore as unknown columns.
var surveyColumns = []string{"type", "name", "label", "hint", "required", "relevant", "constraint", "appearance", colSubscale, colReverse, colCombine,
	colRequiredMessage, colRandomize, colFixed, colAttention}

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
	// colRandomize ("items" on a group's begin row; "sections" in the
	// settings sheet), colFixed ("yes" on a group or a question) and
	// colAttention (the answer an attention check asks for) carry the
	// randomised order (survey/order.go) and attention checks
	// (survey/quality.go), which XLSForm has no column for.
	colRandomize = "dyad_randomize"
	colFixed     = "dyad_fixed"
	colAttention = "dyad_attention"
	// colRequiredMessage is XLSForm's own message for a required
	// question left unanswered: a consent item's decline text.
	colRequiredMessage = "required_message"
)

// yesIf is "yes" for true, "" for false: a flag column's cell.
func yesIf(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// Encode writes an instrument as an XLSForm workbook: each section a
// group (its description a note first), a likert item a select_one of its
// scale's list with appearance likert, choice items select_one and
// select_multiple of a list of their own, integer items with their range
// as a constraint, text items with a string-length constraint for
// max_length and appearance multiline, show_if as relevant. Choice names
// are the option values, so the codes survive. Decode reads the result
// back into an equivalent instrument.
//
// An instrument with translations gets a label and a hint column per
// language, XLSForm's way ("label::German (de)"), the default language
// named in the settings sheet; one without keeps the plain columns.
func Encode(in *survey.Instrument) ([]byte, error) {
	langs := newColumns(in)
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
	columns := langs.survey()
	var rows [][]any
	header := make([]any, len(columns))
	for i, c := range columns {
		header[i] = c
	}
	rows = append(rows, header)
	row := func(cells map[string]string) {
		langs.spread(cells)
		r := make([]any, len(columns))
		for i, c := range columns {
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
	choices := [][]any{append(append([]any{"list_name", "name"}, langs.labels()...), colMissing)}
	// addList writes a list's choices; label gives an option's label in
	// a language (its index in langs).
	addList := func(name string, opts []survey.Option, label func(l, i int) string) {
		for i, o := range opts {
			missing := ""
			if o.Missing {
				missing = "yes"
			}
			r := []any{name, strconv.FormatInt(o.Value, 10)}
			for l := range langs.codes {
				r = append(r, label(l, i))
			}
			choices = append(choices, append(r, missing))
		}
	}
	for si, s := range in.Scales {
		addList(s.ID, s.Options, func(l, i int) string { return langs.in[l].Scales[si].Options[i].Label })
	}
	lists := map[string]bool{}
	for _, s := range in.Scales {
		lists[s.ID] = true
	}
	combine := map[string]string{}
	for _, s := range in.Subscales {
		combine[s.ID] = s.Combine
	}
	byID := interop.ItemsByID(in)
	relevant := func(c *survey.Condition, path string) (string, error) {
		r, err := interop.Expr(c, byID, relevantSyntax)
		if err != nil {
			return "", interop.Unsupported("XLSForm relevant", path, err)
		}
		return r, nil
	}
	for si, sec := range in.Sections {
		langs.at(si, -1)
		group := map[string]string{"type": "begin group", "name": sec.ID, "label": sec.Title, colRandomize: sec.Randomize, colFixed: yesIf(sec.Fixed)}
		if sec.ShowIf != nil {
			// A section's condition is its group's relevant.
			r, err := relevant(sec.ShowIf, fmt.Sprintf("sections[%d].show_if", si))
			if err != nil {
				return nil, err
			}
			group["relevant"] = r
		}
		row(group)
		if sec.Description != "" {
			langs.at(si, -2)
			row(map[string]string{"type": "note", "name": sec.ID + "_intro", "label": sec.Description})
		}
		for ii, it := range sec.Items {
			langs.at(si, ii)
			c := map[string]string{"name": it.ID, "label": it.Text, "hint": it.Help, colFixed: yesIf(it.Fixed), colRequiredMessage: it.Decline}
			if it.Attention != nil {
				c[colAttention] = strconv.FormatInt(it.Attention.Expect, 10)
			}
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
				addList(list, opts, func(l, i int) string {
					lit := &langs.in[l].Sections[si].Items[ii]
					if i == len(lit.Options) { // the "Other, please specify" option
						return lit.OtherText()
					}
					return lit.Options[i].Label
				})
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
				r, err := relevant(sc, fmt.Sprintf("sections[%d].items[%d].show_if", si, ii))
				if err != nil {
					return nil, err
				}
				c["relevant"] = r
			}
			row(c)
			if it.Other {
				row(otherQuestion(&it))
			}
		}
		langs.at(-1, -1)
		row(map[string]string{"type": "end group"})
	}
	settings := [][]any{{"form_title", "form_id", "version"}, {in.Title, in.Key, strconv.Itoa(in.Version)}}
	if in.Randomize != "" {
		settings[0] = append(settings[0], colRandomize)
		settings[1] = append(settings[1], in.Randomize)
	}
	if len(langs.codes) > 1 {
		settings[0] = append(settings[0], "default_language")
		settings[1] = append(settings[1], langs.names[0])
	}
	for name, data := range map[string][][]any{
		"survey":   rows,
		"choices":  choices,
		"settings": settings,
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

// columns are the languages of the label and hint columns: the plain
// columns for an instrument of one language, else one per language,
// named "German (de)" (XLSForm's convention, which Decode reads back).
type columns struct {
	codes, names []string
	in           []*survey.Instrument // the instrument in each language
	si, ii       int                  // the row being written (at)
}

func newColumns(in *survey.Instrument) *columns {
	c := &columns{}
	for _, l := range in.AllLanguages() {
		name := display.English.Languages().Name(language.Make(l))
		if name == "" {
			name = l
		}
		c.codes = append(c.codes, l)
		c.names = append(c.names, fmt.Sprintf("%s (%s)", name, l))
		c.in = append(c.in, in.Localized(l))
	}
	return c
}

func (c *columns) multi() bool { return len(c.codes) > 1 }

// labels are the label columns.
func (c *columns) labels() []any {
	if !c.multi() {
		return []any{"label"}
	}
	out := make([]any, len(c.names))
	for i, n := range c.names {
		out[i] = "label::" + n
	}
	return out
}

// survey is the survey sheet's columns: surveyColumns with label and
// hint once per language.
func (c *columns) survey() []string {
	if !c.multi() {
		return surveyColumns
	}
	var out []string
	for _, col := range surveyColumns {
		if col != "label" && col != "hint" && col != colRequiredMessage {
			out = append(out, col)
			continue
		}
		for _, n := range c.names {
			out = append(out, col+"::"+n)
		}
	}
	return out
}

// at says which row the next cells are: section si's group (ii -1),
// its description (ii -2), its item ii; si -1 for a row without texts.
func (c *columns) at(si, ii int) { c.si, c.ii = si, ii }

// spread fills a row's label and hint in each language from the row's
// element in that language's instrument.
func (c *columns) spread(cells map[string]string) {
	if !c.multi() {
		return
	}
	label, hint, msg := cells["label"], cells["hint"], cells[colRequiredMessage]
	for l, n := range c.names {
		if c.si >= 0 {
			sec := &c.in[l].Sections[c.si]
			switch c.ii {
			case -1:
				label = sec.Title
			case -2:
				label = sec.Description
			default:
				label, hint, msg = sec.Items[c.ii].Text, sec.Items[c.ii].Help, sec.Items[c.ii].Decline
			}
		}
		cells["label::"+n], cells["hint::"+n], cells[colRequiredMessage+"::"+n] = label, hint, msg
	}
}

// relevantSyntax writes conditions as relevant expressions: a list of
// values as one comparison per value joined by or (selected() for a
// multiple-choice item), the other comparisons with XPath's operators,
// answered as a comparison with the empty string, not as not().
var relevantSyntax = interop.Syntax{And: " and ", Or: " or ", Not: func(s string) string { return "not(" + s + ")" }, Leaf: relevantOf}

func relevantOf(c *survey.Condition, ref *survey.Item) (string, error) {
	multi := ref.Type == survey.MultipleChoice
	var parts []string
	for _, v := range c.Values() {
		if multi {
			parts = append(parts, fmt.Sprintf("selected(${%s}, '%d')", c.Item, v))
		} else {
			parts = append(parts, fmt.Sprintf("${%s} = '%d'", c.Item, v))
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, " or "), nil
	}
	if c.Answered != nil {
		if *c.Answered {
			return fmt.Sprintf("${%s} != ''", c.Item), nil
		}
		return fmt.Sprintf("${%s} = ''", c.Item), nil
	}
	if c.NotEquals != nil {
		if multi {
			// Answered, and the option not among the chosen: not() alone
			// would also hold for no answer.
			return fmt.Sprintf("${%s} != '' and not(selected(${%s}, '%d'))", c.Item, c.Item, *c.NotEquals), nil
		}
		return fmt.Sprintf("${%s} != '%d'", c.Item, *c.NotEquals), nil
	}
	if multi {
		return "", fmt.Errorf("a select_multiple question has no order")
	}
	for _, cmp := range []struct {
		v  *int64
		op string
	}{{c.Gt, ">"}, {c.Gte, ">="}, {c.Lt, "<"}, {c.Lte, "<="}} {
		if cmp.v != nil {
			parts = append(parts, fmt.Sprintf("${%s} %s %d", c.Item, cmp.op, *cmp.v))
		}
	}
	return strings.Join(parts, " and "), nil
}
