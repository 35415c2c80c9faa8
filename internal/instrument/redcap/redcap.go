// Package redcap reads and writes REDCap data dictionaries: the CSV file
// of 18 columns, one row per field, that REDCap imports and exports as
// the definition of a project's instruments.
//
// What maps (docs/interop.md has the whole table): each form becomes a
// section, and a section header inside a form starts another; radio,
// dropdown, yesno and truefalse fields become single-choice items,
// checkbox fields multiple-choice items, fields of a matrix group likert
// items on a scale shared by every group with the same choices, text
// fields text items (integer ones integer items with their range), notes
// multi-line text, a slider an integer item from its minimum to its
// maximum (0 to 100 by default), a descriptive field text of its
// section's description. Branching logic becomes a show_if when it is one
// earlier field tested against values (see logic.go); anything else is a
// warning and the item is shown to everyone. Calculated, file, signature
// and SQL fields have no Dyad counterpart and are left out with a
// warning, as is the first field, REDCap's record identifier.
//
// Four annotations in the "Field Annotation" column carry what a
// dictionary has no column for, so that a Dyad instrument comes back the
// same after a trip through REDCap: @CHARLIMIT=n (REDCap's own action
// tag) for a text item's max_length, @DYAD-SUBSCALE=id, @DYAD-REVERSE
// and @DYAD-COMBINE=rescale (the subscale's combine) for scoring, and @DYAD-MISSING=9,99 for the choices that are
// missing-data codes (REDCap's own missing data codes are a project
// setting, not a field's), which REDCap keeps and ignores. The randomised
// order and attention checks travel the same way (designNotes in
// encode_itemtypes.go); a consent item's decline text has no place and
// is lost.
package redcap

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

// MediaType is the Content-Type of a data dictionary.
const MediaType = "text/csv"

// Columns are the dictionary's 18 columns, in order, as REDCap names
// them in the file it exports from its web pages.
var Columns = [18]string{
	"Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
	"Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
	"Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
	"Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
	"Matrix Ranking?", "Field Annotation",
}

// apiColumns are the same columns as REDCap's API names them.
var apiColumns = [18]string{
	"field_name", "form_name", "section_header", "field_type", "field_label",
	"select_choices_or_calculations", "field_note", "text_validation_type_or_show_slider_number",
	"text_validation_min", "text_validation_max", "identifier", "branching_logic",
	"required_field", "custom_alignment", "question_number", "matrix_group_name",
	"matrix_ranking", "field_annotation",
}

// Column indexes.
const (
	colName = iota
	colForm
	colSection
	colType
	colLabel
	colChoices
	colNote
	colValidation
	colMin
	colMax
	colIdentifier
	colBranching
	colRequired
	colAlignment
	colQuestionNumber
	colMatrix
	colRanking
	colAnnotation
)

var bom = []byte("\xef\xbb\xbf")

// Sniff tells a data dictionary by its first header cell.
func Sniff(data []byte) bool {
	data = bytes.TrimPrefix(data, bom)
	first, _, _ := bytes.Cut(data, []byte(","))
	first = bytes.Trim(bytes.TrimSpace(first), `"`)
	return string(first) == Columns[0] || string(first) == apiColumns[0]
}

// row is one field of the dictionary with its line for messages.
type row struct {
	line  int
	cells [18]string
}

func (r *row) at(col int) string {
	return fmt.Sprintf("row %d %q", r.line, Columns[col])
}

// Decode reads a data dictionary into an instrument, with the warnings
// of what it could not map. Errors are *survey.Error: EMalformed for a
// file that is not CSV or not a dictionary, EInvalid with one detail per
// problem (located by row and column) otherwise.
func Decode(data []byte) (*interop.Result, error) {
	rows, err := readRows(data)
	if err != nil {
		return nil, err
	}
	b := &builder{rows: rows, fields: map[string]*interop.Field{}}
	return b.build()
}

func readRows(data []byte) ([]*row, error) {
	if len(data) > survey.MaxDocumentBytes {
		return nil, &survey.Error{Code: survey.ETooLarge, Message: "the data dictionary is too large",
			Details: []survey.Detail{{Message: fmt.Sprintf("the file is %d bytes; at most %d are allowed", len(data), survey.MaxDocumentBytes)}}}
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, bom)))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var rows []*row
	header := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			at := ""
			if errors.As(err, &pe) {
				at, err = fmt.Sprintf("row %d", pe.StartLine), pe.Err
			}
			return nil, interop.Malformed("CSV file", at, err)
		}
		line, _ := cr.FieldPos(0)
		if header {
			header = false
			if len(rec) < 1 || (strings.TrimSpace(rec[0]) != Columns[0] && strings.TrimSpace(rec[0]) != apiColumns[0]) {
				return nil, interop.Malformed("REDCap data dictionary", "row 1",
					fmt.Errorf("the first column must be %q, the header of a data dictionary", Columns[0]))
			}
			if len(rec) != len(Columns) {
				return nil, interop.Malformed("REDCap data dictionary", "row 1",
					fmt.Errorf("a data dictionary has %d columns, this header has %d", len(Columns), len(rec)))
			}
			continue
		}
		if len(rows) >= survey.MaxItems*2 {
			return nil, &survey.Error{Code: survey.EInvalid, Message: "the file cannot become a valid instrument",
				Details: []survey.Detail{{Path: fmt.Sprintf("row %d", line), Message: fmt.Sprintf("a dictionary of more than %d fields is beyond Dyad's limit of %d items", 2*survey.MaxItems, survey.MaxItems)}}}
		}
		r := &row{line: line}
		empty := true
		for i := 0; i < len(rec) && i < len(r.cells); i++ {
			r.cells[i] = strings.TrimSpace(rec[i])
			empty = empty && r.cells[i] == ""
		}
		if len(rec) > len(Columns) {
			for _, extra := range rec[len(Columns):] {
				if strings.TrimSpace(extra) != "" {
					return nil, interop.Malformed("REDCap data dictionary", fmt.Sprintf("row %d", line),
						fmt.Errorf("the row has %d cells, a data dictionary %d", len(rec), len(Columns)))
				}
			}
		}
		if !empty {
			rows = append(rows, r)
		}
	}
	return rows, nil
}

type builder struct {
	rows   []*row
	rep    interop.Report
	ids    interop.IDs
	scales interop.SharedScales
	fields map[string]*interop.Field // by REDCap name
	in     survey.Instrument
	// sectionIDs are apart from item ids: Dyad keeps them apart too.
	sectionIDs interop.IDs
	// lines holds, for each section, the row it starts at and then the
	// row of each of its items.
	lines [][]int
	// subscales in order of first use.
	subscales []string
	// combine holds a subscale's @DYAD-COMBINE (survey.Subscale.Combine).
	combine map[string]string
}

func (b *builder) build() (*interop.Result, error) {
	var p survey.Problems
	if len(b.rows) == 0 {
		p.Add("", "the data dictionary has no fields")
		return nil, interop.Invalid(p)
	}
	first := b.rows[0]
	b.in.Key = interop.Key(first.cells[colForm], "redcap-instrument")
	b.in.Version = 1
	b.in.Title = interop.Title(first.cells[colForm])
	if b.in.Title == "" {
		b.in.Title = "REDCap instrument"
	}
	b.rep.Warn(first.at(colName), "field %q is the record identifier of the REDCap project; Dyad numbers responses itself, so it is left out", first.cells[colName])
	b.fields[first.cells[colName]] = &interop.Field{Name: "[" + first.cells[colName] + "]"}

	var sec *survey.Section
	lastForm, parts := "", 0
	for _, r := range b.rows[1:] {
		c := &r.cells
		if c[colName] == "" {
			p.Add(r.at(colName), "is required")
			continue
		}
		if c[colForm] == "" {
			p.Add(r.at(colForm), "is required")
			continue
		}
		newForm := c[colForm] != lastForm
		if newForm || c[colSection] != "" && sec != nil && len(sec.Items) > 0 {
			// A form starts a section, and so does a section header
			// inside a form once the section has items: a page each.
			if newForm {
				parts = 0
			}
			parts++
			name := c[colForm]
			if parts > 1 {
				name = fmt.Sprintf("%s_%d", c[colForm], parts)
			}
			b.in.Sections = append(b.in.Sections, survey.Section{ID: b.sectionIDs.Fresh(name, "section"), Title: interop.Title(c[colForm])})
			b.lines = append(b.lines, []int{r.line})
			sec = &b.in.Sections[len(b.in.Sections)-1]
			lastForm = c[colForm]
		}
		if c[colSection] != "" {
			if len(sec.Items) == 0 && sec.Title == interop.Title(c[colForm]) {
				sec.Title = plain(c[colSection])
			} else {
				sec.Description = join(sec.Description, plain(c[colSection]))
			}
		}
		b.field(r, sec, &p)
	}
	if len(p) > 0 {
		return nil, interop.Invalid(p)
	}
	// A form whose every field was left out has no items: it is no page.
	kept := b.in.Sections[:0]
	for i, s := range b.in.Sections {
		if len(s.Items) == 0 {
			b.rep.Warn(fmt.Sprintf("row %d", b.lines[i][0]), "form %q has no field Dyad can ask, so it is left out", s.ID)
			continue
		}
		si := len(kept)
		b.rep.Locate(fmt.Sprintf("sections[%d]", si), fmt.Sprintf("row %d", b.lines[i][0]))
		for ii, line := range b.lines[i][1:] {
			b.rep.Locate(fmt.Sprintf("sections[%d].items[%d]", si, ii), fmt.Sprintf("row %d", line))
		}
		kept = append(kept, s)
	}
	b.in.Sections = kept
	b.in.Scales = b.scales.Scales
	for _, s := range b.subscales {
		b.in.Subscales = append(b.in.Subscales, survey.Subscale{ID: s, Title: interop.Title(s), Combine: b.combine[s]})
	}
	return b.rep.Finish(&b.in)
}

// field adds the item of one row to sec, or a warning why it has none.
func (b *builder) field(r *row, sec *survey.Section, p *survey.Problems) {
	c := &r.cells
	name := c[colName]
	if _, dup := b.fields[name]; dup {
		p.Add(r.at(colName), "field %q is defined twice", name)
		return
	}
	f := &interop.Field{Name: "[" + name + "]"}
	b.fields[name] = f
	typ := strings.ToLower(c[colType])
	it := survey.Item{Text: plain(c[colLabel]), Help: plain(c[colNote]), Required: strings.EqualFold(c[colRequired], "y")}
	switch typ {
	case "radio", "dropdown", "checkbox":
		opts, codes, ok := b.choices(r, p)
		if !ok {
			return
		}
		markMissing(opts, c[colAnnotation])
		f.Codes = codes
		switch {
		case typ == "checkbox":
			it.Type, it.Options = survey.MultipleChoice, opts
		case c[colMatrix] != "":
			it.Type, it.Scale = survey.Likert, b.scales.ScaleFor(opts, c[colMatrix])
		default:
			it.Type, it.Options = survey.SingleChoice, opts
		}
		f.Options = opts
	case "yesno", "truefalse":
		yes, no := "Yes", "No"
		if typ == "truefalse" {
			yes, no = "True", "False"
		}
		it.Type, it.Options = survey.SingleChoice, []survey.Option{{Value: 1, Label: yes}, {Value: 0, Label: no}}
		f.Codes, f.Options = map[string]int64{"1": 1, "0": 0}, it.Options
	case "text":
		b.text(r, &it, f)
	case "notes":
		it.Type, it.Multiline = survey.Text, true
	case "slider":
		it.Type = survey.Integer
		lo, hi := int64(0), int64(100)
		if v, ok := b.bound(r, colMin, p); ok {
			lo = v
		}
		if v, ok := b.bound(r, colMax, p); ok {
			hi = v
		}
		it.Min, it.Max = &lo, &hi
		f.Min, f.Max = it.Min, it.Max
		if c[colChoices] != "" {
			it.Help = join(it.Help, "("+strings.Join(splitTrim(c[colChoices], "|"), " … ")+")")
			b.rep.Warn(r.at(colChoices), "a slider's labels become the item's help text; Dyad asks for the number")
		}
	case "descriptive":
		sec.Description = join(sec.Description, plain(c[colLabel]))
		if len(sec.Items) > 0 {
			b.rep.Warn(r.at(colLabel), "the descriptive text is shown in the section's description, at the top of the page")
		}
		return
	case "calc", "file", "sql", "signature":
		b.rep.Warn(r.at(colType), "a %s field has no Dyad counterpart and is left out", typ)
		return
	default:
		p.Add(r.at(colType), "unknown field type %q", c[colType])
		return
	}
	if typ != "text" && typ != "slider" && c[colValidation] != "" {
		b.rep.Warn(r.at(colValidation), "validation %q applies to text fields only and is ignored", c[colValidation])
	}
	if strings.EqualFold(c[colIdentifier], "y") {
		b.rep.Warn(r.at(colIdentifier), "field %q is marked as an identifier; Dyad stores it as an ordinary answer (see docs/security.md before asking for identifying data)", name)
	}
	if c[colRanking] != "" && !strings.EqualFold(c[colRanking], "n") {
		b.rep.Warn(r.at(colRanking), "matrix ranking (one answer per column) is not enforced")
	}
	b.annotations(r, &it, sec)
	it.ID = b.ids.ID(name, "item")
	if it.ID != name {
		b.rep.Warn(r.at(colName), "field %q is item %q in Dyad (ids are at most 32 lower-case letters, digits and single underscores)", name, it.ID)
	}
	if c[colBranching] != "" {
		it.ShowIf = b.branching(r, name)
	}
	sec.Items = append(sec.Items, it)
	b.lines[len(b.lines)-1] = append(b.lines[len(b.lines)-1], r.line)
	f.ID, f.Type = it.ID, it.Type
}

// text makes the item of a text field, by its validation.
func (b *builder) text(r *row, it *survey.Item, f *interop.Field) {
	c := &r.cells
	v := strings.ToLower(c[colValidation])
	it.Type = survey.Text
	switch v {
	case "":
	case "integer":
		it.Type = survey.Integer
		var p survey.Problems
		if lo, ok := b.bound(r, colMin, &p); ok {
			it.Min = &lo
		}
		if hi, ok := b.bound(r, colMax, &p); ok {
			it.Max = &hi
		}
		for _, d := range p {
			b.rep.Warn(d.Path, "%s; the bound is left out", d.Message)
		}
		f.Min, f.Max = it.Min, it.Max
		return
	default:
		b.rep.Warn(r.at(colValidation), "validation %q has no Dyad counterpart; the answer is free text", c[colValidation])
	}
	if c[colMin] != "" || c[colMax] != "" {
		b.rep.Warn(r.at(colMin), "the range of a %s field is not checked", v)
	}
}

// bound reads a whole-number bound; a cell that is not one is a problem.
func (b *builder) bound(r *row, col int, p *survey.Problems) (int64, bool) {
	s := r.cells[col]
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < -survey.MaxIntegerBound || v > survey.MaxIntegerBound {
		p.Add(r.at(col), "must be a whole number between %d and %d, got %q", -survey.MaxIntegerBound, survey.MaxIntegerBound, s)
		return 0, false
	}
	return v, true
}

// choices reads "1, Label | 2, Label". Codes that are whole numbers
// within Dyad's bounds are kept; when any is not ("a, Apple"), every
// choice is numbered 1, 2, ... in order instead, with a warning, and the
// branching logic of later rows follows the new numbers.
func (b *builder) choices(r *row, p *survey.Problems) ([]survey.Option, map[string]int64, bool) {
	s := r.cells[colChoices]
	if s == "" {
		p.Add(r.at(colChoices), "a %s field needs choices such as \"1, Yes | 0, No\"", r.cells[colType])
		return nil, nil, false
	}
	parts := splitTrim(s, "|")
	opts := make([]survey.Option, 0, len(parts))
	codes := make(map[string]int64, len(parts))
	raw := make([]string, 0, len(parts))
	numeric := true
	for i, part := range parts {
		code, label, ok := strings.Cut(part, ",")
		code, label = strings.TrimSpace(code), plain(strings.TrimSpace(label))
		if !ok || code == "" {
			p.Add(r.at(colChoices), "choice %d (%q) must be \"code, label\"", i+1, part)
			continue
		}
		if label == "" {
			label = code
		}
		v, err := strconv.ParseInt(code, 10, 64)
		if err != nil || v < -survey.MaxOptionValue || v > survey.MaxOptionValue {
			numeric = false
		}
		raw = append(raw, code)
		opts = append(opts, survey.Option{Value: v, Label: label})
	}
	if len(opts) != len(parts) {
		return nil, nil, false
	}
	if !numeric {
		b.rep.Warn(r.at(colChoices), "choice codes %s are not whole numbers of at most 4 digits; the choices are numbered 1 to %d in order", strings.Join(raw, ", "), len(opts))
	}
	for i := range opts {
		if !numeric {
			opts[i].Value = int64(i + 1)
		}
		codes[raw[i]] = opts[i].Value
	}
	return opts, codes, true
}

// annotations reads the action tags Dyad understands in the "Field
// Annotation" column.
func (b *builder) annotations(r *row, it *survey.Item, sec *survey.Section) {
	combine := ""
	for _, tok := range strings.Fields(r.cells[colAnnotation]) {
		tag, val, _ := strings.Cut(tok, "=")
		val = strings.Trim(val, `"'`)
		switch strings.ToUpper(tag) {
		case "@CHARLIMIT":
			n, err := strconv.Atoi(val)
			if it.Type == survey.Text && err == nil && n > 0 && n <= survey.MaxTextLength {
				it.MaxLength = n
			}
		case "@DYAD-SUBSCALE":
			if it.Type != survey.Likert {
				b.rep.Warn(r.at(colAnnotation), "@DYAD-SUBSCALE applies to matrix (likert) fields only")
				continue
			}
			id := interop.Sanitize(val)
			if id == "" {
				continue
			}
			it.Subscale = id
			found := false
			for _, s := range b.subscales {
				found = found || s == id
			}
			if !found {
				b.subscales = append(b.subscales, id)
			}
		case "@DYAD-REVERSE":
			if it.Type == survey.Likert {
				it.Reverse = true
			}
		case "@DYAD-COMBINE":
			combine = val
		case "@DYAD-FIXED":
			it.Fixed = true
		case "@DYAD-ATTENTION":
			// The instrument's rules check the value against the item.
			if v, err := strconv.ParseInt(val, 10, 64); err == nil {
				it.Attention = &survey.Attention{Expect: v}
			} else {
				b.rep.Warn(r.at(colAnnotation), "@DYAD-ATTENTION=%s is not a whole number; the item is no attention check", val)
			}
		case "@DYAD-SECTION-RANDOMIZE":
			sec.Randomize = val
		case "@DYAD-SECTION-FIXED":
			sec.Fixed = true
		case "@DYAD-RANDOMIZE":
			b.in.Randomize = val
		case "@DYAD-CONSENT":
			// Encode's one-choice checkbox: a consent item, whose text is
			// the choice's label (the same as the field's).
			if it.Type == survey.MultipleChoice && len(it.Options) == 1 && it.Options[0].Value == 1 {
				it.Type, it.Options, it.Required = survey.Consent, nil, false
			} else {
				b.rep.Warn(r.at(colAnnotation), "@DYAD-CONSENT applies to a checkbox field of one choice, 1")
			}
		}
	}
	if combine != "" && it.Subscale != "" {
		if b.combine == nil {
			b.combine = map[string]string{}
		}
		b.combine[it.Subscale] = combine
	}
}

// markMissing marks the options that a @DYAD-MISSING=v1,v2 annotation
// names as missing-data codes. It runs before a likert item's scale is
// chosen, so that a scale with codes is told apart from one without.
func markMissing(opts []survey.Option, annotation string) {
	for _, tok := range strings.Fields(annotation) {
		tag, val, _ := strings.Cut(tok, "=")
		if !strings.EqualFold(tag, "@DYAD-MISSING") {
			continue
		}
		for _, v := range strings.Split(strings.Trim(val, `"'`), ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				continue
			}
			for i := range opts {
				if opts[i].Value == n {
					opts[i].Missing = true
				}
			}
		}
	}
}

// plain removes the HTML that REDCap labels often carry and keeps the
// text.
func plain(s string) string {
	if !strings.Contains(s, "<") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

func splitTrim(s, sep string) []string {
	parts := strings.Split(s, sep)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
