// Package xlsform reads XLSForms: the spreadsheet (.xlsx) in which
// KoboToolbox, ODK and SurveyCTO forms are written, a "survey" sheet of
// questions, a "choices" sheet of answer lists and a "settings" sheet
// (https://xlsform.org).
//
// What maps (docs/interop.md has the whole table): top-level groups
// become sections (questions outside any group one section of their
// own), notes their descriptions; name becomes the item id. select_one
// becomes a single-choice item, or a likert item on a scale shared by
// the questions with the same choices when its appearance is likert;
// select_multiple a multiple-choice item; text a text item (multiline
// with that appearance); integer an integer item whose range is taken
// from a constraint such as ". >= 0 and . <= 120"; range an integer item
// from its start to its end. Choice names that are whole numbers are the
// option values, else the choices are numbered 1, 2, ... in order (with
// a warning). required yes is required. relevant becomes show_if when it
// tests one earlier question (see relevant.go); a group's relevant
// applies to each of its questions. decimal, date and time questions
// become free text with a warning; calculations, media, locations and
// the like are left out with a warning, the metadata fields (start, end,
// deviceid, ...) without one. The labels are those of the default
// language (settings), else of the first label column; the labels and
// hints of each other language ("label::German (de)") become the
// instrument's translation into it when they are complete, else that
// language is left out with a warning naming a text it lacks.
package xlsform

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/xuri/excelize/v2"
)

// MediaType is the Content-Type of an .xlsx workbook.
const MediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Bounds on what a workbook may unpack to: an upload is at most 1 MiB,
// and a form of survey.MaxItems questions is far below these.
const (
	unzipLimit    = 64 << 20
	unzipXMLLimit = 16 << 20
	maxRows       = 10 * survey.MaxItems
)

// Sniff tells an .xlsx workbook: a zip archive with the workbook part.
func Sniff(data []byte) bool {
	return bytes.HasPrefix(data, []byte("PK\x03\x04")) && bytes.Contains(data, []byte("xl/workbook.xml"))
}

// sheet is one sheet read into rows of cells by column name.
type sheet struct {
	name   string
	header []string // lower case, trimmed
	rows   []sheetRow
}

type sheetRow struct {
	line  int
	cells []string
}

// get returns the cell of column col ("" when absent).
func (s *sheet) get(r sheetRow, col string) string {
	for i, h := range s.header {
		if h == col && i < len(r.cells) {
			return strings.TrimSpace(r.cells[i])
		}
	}
	return ""
}

func (s *sheet) at(r sheetRow, col string) string {
	return fmt.Sprintf("%s row %d %q", s.name, r.line, col)
}

func (s *sheet) has(col string) bool {
	for _, h := range s.header {
		if h == col {
			return true
		}
	}
	return false
}

// Decode reads an XLSForm into an instrument with the warnings of what
// it could not map. Errors are *survey.Error: EMalformed for a file that
// is not a workbook or has no survey sheet, EInvalid with one detail per
// problem (located by sheet, row and column) otherwise.
func Decode(data []byte) (*interop.Result, error) {
	if len(data) > survey.MaxDocumentBytes {
		return nil, &survey.Error{Code: survey.ETooLarge, Message: "the XLSForm is too large",
			Details: []survey.Detail{{Message: fmt.Sprintf("the file is %d bytes; at most %d are allowed", len(data), survey.MaxDocumentBytes)}}}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: unzipLimit, UnzipXMLSizeLimit: unzipXMLLimit})
	if err != nil {
		return nil, interop.Malformed("XLSForm (.xlsx workbook)", "", err)
	}
	defer f.Close()
	sheets := map[string]*sheet{}
	for _, name := range f.GetSheetList() {
		key := strings.ToLower(strings.TrimSpace(name))
		if key != "survey" && key != "choices" && key != "settings" {
			continue
		}
		s, err := readSheet(f, name)
		if err != nil {
			return nil, err
		}
		sheets[key] = s
	}
	if sheets["survey"] == nil {
		return nil, interop.Malformed("XLSForm", "", fmt.Errorf("the workbook has no sheet named survey"))
	}
	newBuilder := func(force string) *builder {
		return &builder{survey: sheets["survey"], choices: sheets["choices"], settings: sheets["settings"],
			fields: map[string]*interop.Field{}, byID: map[string]*interop.Field{}, force: force}
	}
	b := newBuilder("")
	res, err := b.build()
	if err != nil {
		return res, err
	}
	for _, l := range b.others {
		b.translate(res, l, newBuilder(l))
	}
	return res, nil
}

// translate adds the labels and hints of language column l as the
// instrument's translation into that language: the form read again
// with those columns (ob), its texts paired with the instrument's by
// text id. A language whose code cannot be told, or that lacks a text
// the instrument has, is left out with a warning.
func (b *builder) translate(res *interop.Result, l string, ob *builder) {
	at := b.survey.name + " row 1"
	code := langTag(l)
	if code == "" {
		b.warnLater(res, at, "the labels in %s are left out: the column does not say its language code, as in label::German (de)", l)
		return
	}
	other, err := ob.build()
	if err != nil || other == nil {
		b.warnLater(res, at, "the labels in %s are left out: the form read in them is not the same form", l)
		return
	}
	texts := map[string]string{}
	other.Instrument.EachText(func(id string, s *string, _ int) { texts[id] = *s })
	tr := survey.Translation{}
	var missing []string
	for _, s := range res.Instrument.SourceTexts() {
		t := strings.TrimSpace(texts[s.ID])
		if t == "" {
			missing = append(missing, s.ID)
			continue
		}
		tr[s.ID] = texts[s.ID]
	}
	if len(missing) > 0 {
		b.warnLater(res, at, "the labels in %s are left out: %d texts have none in it (the first: %s)", l, len(missing), missing[0])
		return
	}
	in, err := res.Instrument.WithTranslation(code, tr)
	if err != nil {
		b.warnLater(res, at, "the labels in %s are left out: %v", l, err)
		return
	}
	res.Instrument = in
}

// warnLater adds a warning to a finished result.
func (b *builder) warnLater(res *interop.Result, at, format string, args ...any) {
	res.Warnings = append(res.Warnings, survey.Detail{Path: at, Message: fmt.Sprintf(format, args...)})
}

// langTag is the language code of a label column's language: "de" of
// "german (de)", or the language itself when it is a code ("de").
func langTag(l string) string {
	if m := langCode.FindStringSubmatch(l); m != nil {
		return m[1]
	}
	if survey.IsLanguageTag(l) && len(l) <= 3 {
		return l
	}
	return ""
}

func readSheet(f *excelize.File, name string) (*sheet, error) {
	rows, err := f.Rows(name)
	if err != nil {
		return nil, interop.Malformed("XLSForm", name, err)
	}
	defer rows.Close()
	s := &sheet{name: name}
	line := 0
	for rows.Next() {
		line++
		if line > maxRows {
			return nil, &survey.Error{Code: survey.EInvalid, Message: "the file cannot become a valid instrument",
				Details: []survey.Detail{{Path: fmt.Sprintf("%s row %d", name, line), Message: fmt.Sprintf("a sheet of more than %d rows is beyond Dyad's limits", maxRows)}}}
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, interop.Malformed("XLSForm", fmt.Sprintf("%s row %d", name, line), err)
		}
		if s.header == nil {
			if len(cells) == 0 {
				continue // blank rows above the header
			}
			for _, c := range cells {
				s.header = append(s.header, strings.ToLower(strings.TrimSpace(c)))
			}
			continue
		}
		empty := true
		for _, c := range cells {
			empty = empty && strings.TrimSpace(c) == ""
		}
		if !empty {
			s.rows = append(s.rows, sheetRow{line: line, cells: cells})
		}
	}
	if err := rows.Error(); err != nil {
		return nil, interop.Malformed("XLSForm", name, err)
	}
	return s, nil
}

type builder struct {
	survey, choices, settings *sheet
	rep                       interop.Report
	ids, sectionIDs           interop.IDs
	scales                    interop.SharedScales
	in                        survey.Instrument
	p                         survey.Problems
	fields                    map[string]*interop.Field // by XLSForm name
	byID                      map[string]*interop.Field // by item id
	lists                     map[string][]choice
	label, hint               string            // the columns of the labels and hints used
	requiredMessage           string            // the column of the required messages used (a consent's decline)
	pending                   string            // notes waiting for the next section
	subscales                 []string          // of the dyad_subscale column, in order of first use
	combine                   map[string]string // of the dyad_combine column, by subscale
	places                    [][]string

	// force, when set, is the language column to read (a translation's:
	// Decode's second reading); others the label languages besides the
	// one read, which Decode reads as translations.
	force  string
	others []string
}

type choice struct {
	name, label string
	missing     bool // the dyad_missing column: a missing-data code
}

func (b *builder) build() (*interop.Result, error) {
	b.settingsSheet()
	b.languages()
	b.choiceLists()
	// groups is the stack of open groups: their relevant, as a
	// condition (nil: none), and whether it could be read.
	type group struct {
		relevant string
		row      sheetRow
	}
	var groups []group
	loose := false
	s := b.survey
	for _, r := range s.rows {
		typ := strings.Join(strings.Fields(strings.ToLower(s.get(r, "type"))), " ")
		switch typ {
		case "begin group", "begin_group", "begin repeat", "begin_repeat":
			if strings.Contains(typ, "repeat") {
				b.rep.Warn(s.at(r, "type"), "a repeat is asked once: Dyad has no repeating groups")
			}
			if len(groups) == 0 {
				loose = false
				b.section(s.get(r, "name"), s.get(r, b.label), fmt.Sprintf("%s row %d", s.name, r.line))
				sec := &b.in.Sections[len(b.in.Sections)-1]
				sec.Randomize, sec.Fixed = s.get(r, colRandomize), yes(s.get(r, colFixed))
			} else if l := s.get(r, b.label); l != "" {
				b.rep.Warn(s.at(r, b.label), "the heading of a group within a group (%q) is not shown: Dyad's sections do not nest", l)
			}
			groups = append(groups, group{relevant: s.get(r, "relevant"), row: r})
			continue
		case "end group", "end_group", "end repeat", "end_repeat":
			if len(groups) == 0 {
				b.p.Add(s.at(r, "type"), "%s without a begin", typ)
				continue
			}
			groups = groups[:len(groups)-1]
			continue
		}
		if typ == "" {
			if s.get(r, "name") != "" || s.get(r, b.label) != "" {
				b.p.Add(s.at(r, "type"), "is required")
			}
			continue
		}
		if metadata[typ] {
			continue
		}
		if typ == "note" && len(groups) == 0 && !loose {
			// A note before the first question of a page: the next
			// section's description.
			b.pending = join(b.pending, s.get(r, b.label))
			continue
		}
		if len(groups) == 0 && !loose {
			loose = true
			b.section(fmt.Sprintf("questions_%d", len(b.in.Sections)+1), b.in.Title, fmt.Sprintf("%s row %d", s.name, r.line))
		}
		relevant := s.get(r, "relevant")
		var from []sheetRow
		for _, g := range groups {
			if g.relevant != "" {
				from = append(from, g.row)
			}
		}
		b.question(r, typ, relevant, from)
	}
	if len(groups) > 0 {
		b.p.Add(s.at(groups[len(groups)-1].row, "type"), "the group is not ended")
	}
	if len(b.p) > 0 {
		return nil, interop.Invalid(b.p)
	}
	kept := b.in.Sections[:0]
	for i, sec := range b.in.Sections {
		if len(sec.Items) == 0 {
			b.rep.Warn(b.places[i][0], "group %q has no question Dyad can ask, so it is left out", sec.ID)
			continue
		}
		si := len(kept)
		b.rep.Locate(fmt.Sprintf("sections[%d]", si), b.places[i][0])
		for ii, at := range b.places[i][1:] {
			b.rep.Locate(fmt.Sprintf("sections[%d].items[%d]", si, ii), at)
		}
		kept = append(kept, sec)
	}
	b.in.Sections = kept
	b.in.Scales = b.scales.Scales
	for _, sub := range b.subscales {
		b.in.Subscales = append(b.in.Subscales, survey.Subscale{ID: sub, Title: interop.Title(sub), Combine: b.combine[sub]})
	}
	return b.rep.Finish(&b.in)
}

func (b *builder) settingsSheet() {
	b.in.Version = 1
	var title, id, version string
	if st := b.settings; st != nil && len(st.rows) > 0 {
		r := st.rows[0]
		title, id, version = st.get(r, "form_title"), st.get(r, "form_id"), st.get(r, "version")
		b.in.Randomize = st.get(r, colRandomize)
		if version != "" {
			if n, err := strconv.Atoi(version); err == nil && n >= 1 {
				b.in.Version = n
			} else {
				b.rep.Warn(st.at(r, "version"), "version %q is not a positive whole number; the instrument is version 1", version)
			}
		}
	}
	b.in.Key = interop.Key(id, "")
	if b.in.Key == "" {
		b.in.Key = interop.Key(title, "xlsform")
	}
	b.in.Title = title
	if b.in.Title == "" {
		b.in.Title = interop.Title(strings.ReplaceAll(b.in.Key, "-", " "))
	}
}

var langCode = regexp.MustCompile(`\(([A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)\)\s*$`)

// languages picks the label and hint columns: those of the default
// language, else the plain ones, else the first language's.
func (b *builder) languages() {
	def := ""
	if st := b.settings; st != nil && len(st.rows) > 0 {
		def = strings.ToLower(st.get(st.rows[0], "default_language"))
	}
	var langs []string
	for _, h := range b.survey.header {
		if l, ok := cutLang(h, "label"); ok {
			langs = append(langs, l)
		}
	}
	lang := ""
	switch {
	case b.force != "":
		lang = b.force
	case def != "" && contains(langs, def):
		lang = def
	case b.survey.has("label"):
	case len(langs) > 0:
		lang = langs[0]
	}
	b.label, b.hint, b.requiredMessage = "label", "hint", colRequiredMessage
	if lang != "" {
		b.label, b.hint, b.requiredMessage = "label::"+lang, "hint::"+lang, colRequiredMessage+"::"+lang
		if !b.survey.has(b.label) {
			b.label, b.hint, b.requiredMessage = "label:"+lang, "hint:"+lang, colRequiredMessage+":"+lang
		}
		if m := langCode.FindStringSubmatch(lang); m != nil {
			b.in.Language = m[1]
		} else if len(lang) == 2 {
			b.in.Language = lang
		}
	}
	if b.force != "" {
		return
	}
	for _, l := range langs {
		if l != lang {
			b.others = append(b.others, l)
		}
	}
	if lang != "" && b.survey.has("label") {
		b.rep.Warn(b.survey.name+" row 1", "the labels of the column without a language are left out: the instrument's are those of %s", lang)
	}
}

// cutLang splits "label::English (en)" or "label:english" into the
// language; ok false for another column.
func cutLang(h, col string) (string, bool) {
	if l, ok := strings.CutPrefix(h, col+"::"); ok {
		return l, true
	}
	if l, ok := strings.CutPrefix(h, col+":"); ok {
		return l, true
	}
	return "", false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// choiceLists reads the choices sheet.
func (b *builder) choiceLists() {
	b.lists = map[string][]choice{}
	c := b.choices
	if c == nil {
		return
	}
	listCol := "list_name"
	if !c.has(listCol) {
		listCol = "list name"
	}
	label := b.label
	if !c.has(label) {
		label = "label"
	}
	for _, r := range c.rows {
		list, name := c.get(r, listCol), c.get(r, "name")
		if list == "" || name == "" {
			b.p.Add(fmt.Sprintf("%s row %d", c.name, r.line), "a choice needs a list name and a name")
			continue
		}
		l := c.get(r, label)
		if l == "" {
			l = name
		}
		b.lists[list] = append(b.lists[list], choice{name: name, label: l, missing: yes(c.get(r, colMissing))})
	}
}

func (b *builder) section(name, title, place string) {
	id := b.sectionIDs.Fresh(name, "section")
	title = strings.TrimSpace(title)
	if title == "" {
		title = interop.Title(name)
	}
	if title == "" {
		title = fmt.Sprintf("Part %d", len(b.in.Sections)+1)
	}
	b.in.Sections = append(b.in.Sections, survey.Section{ID: id, Title: title, Description: b.pending})
	b.pending = ""
	b.places = append(b.places, []string{place})
}

// metadata are the types that record how a form was filled in, not
// questions: left out without a word.
var metadata = map[string]bool{
	"start": true, "end": true, "today": true, "deviceid": true, "subscriberid": true, "simserial": true,
	"phonenumber": true, "username": true, "email": true, "audit": true, "start-geopoint": true,
	"background-audio": true, "imei": true,
}

// question adds the item of one survey row, or a warning why it has
// none. relevant is its own; groups are the rows of the open groups
// that have one.
func (b *builder) question(r sheetRow, typ, relevant string, groups []sheetRow) {
	s := b.survey
	sec := &b.in.Sections[len(b.in.Sections)-1]
	name := s.get(r, "name")
	if typ == "note" {
		if t := s.get(r, b.label); t != "" {
			if len(sec.Items) > 0 {
				b.rep.Warn(s.at(r, "type"), "a note between questions is shown in the section's description, at the top of the page")
			}
			sec.Description = join(sec.Description, t)
		}
		return
	}
	if name == "" {
		b.p.Add(s.at(r, "name"), "is required")
		return
	}
	if b.fields[name] != nil {
		b.p.Add(s.at(r, "name"), "%q is the name of an earlier question", name)
		return
	}
	f := &interop.Field{Name: "${" + name + "}"}
	b.fields[name] = f
	it := survey.Item{Text: s.get(r, b.label), Help: s.get(r, b.hint), Required: yes(s.get(r, "required"))}
	appearance := strings.ToLower(s.get(r, "appearance"))
	base, _, _ := strings.Cut(typ, " ")
	switch {
	case base == "select_one" || base == "select_multiple" || strings.HasPrefix(typ, "select one") ||
		strings.HasPrefix(typ, "select multiple") || strings.HasPrefix(typ, "select all that apply"):
		multiple := base == "select_multiple" || strings.HasPrefix(typ, "select multiple") || strings.HasPrefix(typ, "select all")
		list := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(typ, "select_one"), "select_multiple"), "select one"), "select multiple"), "select all that apply"))
		list = strings.TrimSpace(strings.TrimPrefix(list, "from "))
		if l, ok := strings.CutSuffix(list, " or_other"); ok {
			list = strings.TrimSpace(l)
			b.rep.Warn(s.at(r, "type"), "the \"other\" answer with its text is not offered")
		}
		opts, codes, ok := b.options(r, list)
		if !ok {
			return
		}
		f.Codes, f.Options = codes, opts
		switch {
		case multiple:
			it.Type, it.Options = survey.MultipleChoice, opts
		case strings.Contains(appearance, "likert"):
			it.Type, it.Scale = survey.Likert, b.scales.ScaleFor(opts, list)
		default:
			it.Type, it.Options = survey.SingleChoice, opts
		}
	case typ == "text":
		it.Type, it.Multiline = survey.Text, strings.Contains(appearance, "multiline")
	case typ == "integer":
		it.Type = survey.Integer
		it.Min, it.Max = b.constraint(r)
		f.Min, f.Max = it.Min, it.Max
	case typ == "range":
		it.Type = survey.Integer
		it.Min, it.Max = b.rangeParams(r)
		f.Min, f.Max = it.Min, it.Max
	case typ == "acknowledge":
		// Encode's consent item: its decline is the required message.
		it.Type, it.Required, it.Decline = survey.Consent, false, s.get(r, b.requiredMessage)
	case typ == "decimal" || typ == "date" || typ == "time" || typ == "datetime":
		it.Type = survey.Text
		b.rep.Warn(s.at(r, "type"), "a %s question has no Dyad counterpart; the answer is free text", typ)
	case strings.HasPrefix(typ, "select_one_from_file") || strings.HasPrefix(typ, "select_multiple_from_file") ||
		strings.HasPrefix(typ, "select_one_external"):
		b.rep.Warn(s.at(r, "type"), "choices from an outside file are not in the workbook; the question is left out")
		return
	default:
		b.rep.Warn(s.at(r, "type"), "a %s question has no Dyad counterpart and is left out", typ)
		return
	}
	if c := s.get(r, "constraint"); c != "" && typ != "integer" {
		if m := maxLength.FindStringSubmatch(c); m != nil && it.Type == survey.Text {
			if n, err := strconv.Atoi(m[1]); err == nil && n > 0 && n <= survey.MaxTextLength {
				it.MaxLength = n
			}
		} else {
			b.rep.Warn(s.at(r, "constraint"), "the constraint %q is not checked", c)
		}
	}
	if it.Type == survey.Likert {
		if sub := interop.Sanitize(s.get(r, colSubscale)); sub != "" {
			it.Subscale = sub
			b.addSubscale(sub)
			if c := strings.TrimSpace(s.get(r, colCombine)); c != "" {
				if b.combine == nil {
					b.combine = map[string]string{}
				}
				b.combine[sub] = c
			}
		}
		it.Reverse = yes(s.get(r, colReverse))
	}
	if strings.TrimSpace(it.Text) == "" && typ != "" {
		it.Text = interop.Title(name)
		b.rep.Warn(s.at(r, b.label), "the question has no label; its name stands in")
	}
	it.Fixed = yes(s.get(r, colFixed))
	if a := strings.TrimSpace(s.get(r, colAttention)); a != "" {
		// The instrument's rules check the value against the item.
		if v, err := strconv.ParseInt(a, 10, 64); err == nil {
			it.Attention = &survey.Attention{Expect: v}
		} else {
			b.p.Add(s.at(r, colAttention), "must be a whole number, got %q", a)
		}
	}
	it.ID = b.ids.ID(name, "item")
	f.ID, f.Type = it.ID, it.Type
	b.byID[it.ID] = f
	// The question is shown when its groups' relevant and its own hold:
	// all of them. One that does not map is left out (and reported), so
	// the question is asked more often, never less.
	var conds []survey.Condition
	for _, g := range groups {
		if c := b.relevant(s.at(g, "relevant"), s.get(g, "relevant"), name); c != nil {
			conds = append(conds, *c)
		}
	}
	if relevant != "" {
		if c := b.relevant(s.at(r, "relevant"), relevant, name); c != nil {
			conds = append(conds, *c)
		}
	}
	switch len(conds) {
	case 0:
	case 1:
		it.ShowIf = &conds[0]
	default:
		it.ShowIf = &survey.Condition{All: conds}
	}
	sec.Items = append(sec.Items, it)
	b.places[len(b.places)-1] = append(b.places[len(b.places)-1], fmt.Sprintf("%s row %d", s.name, r.line))
}

// options reads a choice list. Names that are whole numbers within
// Dyad's bounds are the values; otherwise the choices are numbered.
func (b *builder) options(r sheetRow, list string) ([]survey.Option, map[string]int64, bool) {
	cs := b.lists[list]
	if len(cs) == 0 {
		b.p.Add(b.survey.at(r, "type"), "the choice list %q is not in the choices sheet", list)
		return nil, nil, false
	}
	numeric := true
	for _, c := range cs {
		v, err := strconv.ParseInt(c.name, 10, 64)
		numeric = numeric && err == nil && v >= -survey.MaxOptionValue && v <= survey.MaxOptionValue
	}
	if !numeric && !b.warnedList(list) {
		b.rep.Warn(b.survey.at(r, "type"), "the names of choice list %q are not whole numbers of at most 4 digits; the choices are numbered 1 to %d in order", list, len(cs))
	}
	opts := make([]survey.Option, len(cs))
	codes := make(map[string]int64, len(cs))
	for i, c := range cs {
		v := int64(i + 1)
		if numeric {
			v, _ = strconv.ParseInt(c.name, 10, 64)
		}
		opts[i] = survey.Option{Value: v, Label: c.label, Missing: c.missing}
		codes[c.name] = v
	}
	return opts, codes, true
}

// warnedList tells whether the numbering of list was reported already,
// marking it reported.
func (b *builder) warnedList(list string) bool {
	key := "\x00numbered:" + list
	if _, ok := b.fields[key]; ok {
		return true
	}
	b.fields[key] = &interop.Field{}
	return false
}

var (
	bound     = regexp.MustCompile(`^\.\s*(<=|>=|<|>)\s*(-?\d+)$`)
	maxLength = regexp.MustCompile(`^string-length\(\s*\.\s*\)\s*<=\s*(\d+)$`)
	and       = regexp.MustCompile(`\s+and\s+`)
)

// constraint reads an integer question's range from a constraint made of
// bounds joined by and, such as ". >= 0 and . <= 120"; another
// constraint is a warning.
func (b *builder) constraint(r sheetRow) (lo, hi *int64) {
	c := b.survey.get(r, "constraint")
	if c == "" {
		return nil, nil
	}
	for _, part := range and.Split(strings.TrimSpace(c), -1) {
		m := bound.FindStringSubmatch(strings.Trim(strings.TrimSpace(part), "()"))
		var v int64
		var err error
		if m != nil {
			v, err = strconv.ParseInt(m[2], 10, 64)
		}
		if m == nil || err != nil || v < -survey.MaxIntegerBound || v > survey.MaxIntegerBound {
			b.rep.Warn(b.survey.at(r, "constraint"), "only a range such as \". >= 0 and . <= 120\" is checked; %q is not", c)
			return nil, nil
		}
		switch m[1] {
		case ">=":
			lo = &v
		case ">":
			v++
			lo = &v
		case "<=":
			hi = &v
		case "<":
			v--
			hi = &v
		}
	}
	return lo, hi
}

// rangeParams reads a range question's start and end ("start=0 end=10").
func (b *builder) rangeParams(r sheetRow) (lo, hi *int64) {
	lo, hi = ptr(int64(1)), ptr(int64(10)) // XLSForm's defaults
	for _, p := range strings.Fields(b.survey.get(r, "parameters")) {
		k, v, _ := strings.Cut(p, "=")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < -survey.MaxIntegerBound || n > survey.MaxIntegerBound {
			if k == "start" || k == "end" {
				b.rep.Warn(b.survey.at(r, "parameters"), "%s=%s is not a whole number; XLSForm's default is used", k, v)
			}
			continue
		}
		switch k {
		case "start":
			lo = ptr(n)
		case "end":
			hi = ptr(n)
		case "step":
			if n != 1 {
				b.rep.Warn(b.survey.at(r, "parameters"), "step=%d is not enforced: every whole number in the range is accepted", n)
			}
		}
	}
	return lo, hi
}

func yes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "true()", "1":
		return true
	}
	return false
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

func ptr[T any](v T) *T { return &v }

func (b *builder) addSubscale(id string) {
	for _, s := range b.subscales {
		if s == id {
			return
		}
	}
	b.subscales = append(b.subscales, id)
}
