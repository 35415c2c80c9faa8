// Package limesurvey reads LimeSurvey survey structure files (.lss): the
// XML export of a survey, tables of groups, questions, subquestions and
// answers with their texts per language, in the layout of LimeSurvey 2
// and 3 (texts in each row) or of LimeSurvey 4 and later (texts in
// *_l10ns tables).
//
// What maps (docs/interop.md has the whole table): groups become
// sections in their order, questions items in theirs, the question code
// the item id. List questions (L, !, O) become single-choice items, yes/no
// (Y) and gender (G) too, 5-point choice (5) a likert item; multiple
// choice (M, P) a multiple-choice item whose options are its
// subquestions; array questions (F, H, A, B, C, E, and the first scale
// of 1) one likert item per subquestion on a scale shared by every array
// with the same answers, the item id the question code and the
// subquestion code joined by "_" as LimeSurvey names its columns;
// numerical input (N) and multiple numerical (K) integer items; short,
// long and huge text (S, T, U) and multiple short text (Q) text items;
// boilerplate (X) its section's description. Answer codes that are whole
// numbers are the option values, else the options are numbered 1, 2, ...
// in order (with a warning). mandatory Y is required. relevance and a
// group's grelevance become show_if when they test one earlier question
// (see relevance.go). Dates become free text with a warning; ranking,
// files, equations and matrices of numbers or texts are left out with a
// warning. The texts are those of the survey's base language; other
// languages are left out with a warning, Dyad instruments having one.
package limesurvey

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

// MediaType is the Content-Type of an .lss file: XML.
const MediaType = "application/xml"

// Sniff tells a LimeSurvey survey structure by its document type.
func Sniff(data []byte) bool {
	head := data[:min(len(data), 4096)]
	return bytes.Contains(head, []byte("<document>")) && bytes.Contains(head, []byte("<LimeSurveyDocType>Survey</LimeSurveyDocType>"))
}

// The document: named tables of rows of named fields.
type document struct {
	XMLName   xml.Name `xml:"document"`
	DocType   string   `xml:"LimeSurveyDocType"`
	Languages []string `xml:"languages>language"`
	Tables    []table  `xml:",any"`
}

type table struct {
	XMLName xml.Name
	Rows    []xmlRow `xml:"rows>row"`
}

type xmlRow struct {
	Fields []xmlField `xml:",any"`
}

type xmlField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// row is one row by field name.
type row map[string]string

func (d *document) table(name string) []row {
	var out []row
	for _, t := range d.Tables {
		if t.XMLName.Local != name {
			continue
		}
		for _, r := range t.Rows {
			m := row{}
			for _, f := range r.Fields {
				m[f.XMLName.Local] = strings.TrimSpace(f.Value)
			}
			out = append(out, m)
		}
	}
	return out
}

func num(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// Decode reads a survey structure into an instrument with the warnings
// of what it could not map. Errors are *survey.Error: EMalformed for a
// file that is not XML or not a LimeSurvey survey, EInvalid with one
// detail per problem (located by question code: `question "Q01"`)
// otherwise.
func Decode(data []byte) (*interop.Result, error) {
	if len(data) > survey.MaxDocumentBytes {
		return nil, &survey.Error{Code: survey.ETooLarge, Message: "the survey structure is too large",
			Details: []survey.Detail{{Message: fmt.Sprintf("the file is %d bytes; at most %d are allowed", len(data), survey.MaxDocumentBytes)}}}
	}
	var d document
	dec := xml.NewDecoder(bytes.NewReader(data))
	// encoding/xml expands no external entities and has no DTD
	// processing, so an entity bomb or an outside file is not read.
	if err := dec.Decode(&d); err != nil {
		return nil, interop.Malformed("LimeSurvey survey structure (.lss)", "", err)
	}
	if d.DocType != "Survey" {
		return nil, interop.Malformed("LimeSurvey survey structure (.lss)", "LimeSurveyDocType",
			fmt.Errorf("is %q, not Survey", d.DocType))
	}
	b := &builder{d: &d, fields: map[string]*interop.Field{}, multi: map[string]*interop.Field{}}
	return b.build()
}

// question is one question or subquestion with its texts in the base
// language.
type question struct {
	qid, parent, gid string
	typ, code        string
	text, help       string
	other, mandatory string
	order, scale     int
	relevance        string
}

type answer struct {
	code, text string
	order      int
	scale      int
}

type builder struct {
	d          *document
	lang       string
	rep        interop.Report
	ids        interop.IDs
	sectionIDs interop.IDs
	scales     interop.SharedScales
	in         survey.Instrument
	p          survey.Problems
	// fields by LimeSurvey name (question code, or code_subcode for an
	// array's rows); multi by the code of a multiple-choice question.
	fields map[string]*interop.Field
	multi  map[string]*interop.Field
	places [][]string
}

func (b *builder) build() (*interop.Result, error) {
	d := b.d
	b.lang = ""
	settings := d.table("surveys")
	if len(settings) > 0 {
		b.lang = settings[0]["language"]
	}
	if b.lang == "" && len(d.Languages) > 0 {
		b.lang = d.Languages[0]
	}
	if len(d.Languages) > 1 {
		var others []string
		for _, l := range d.Languages {
			if l != b.lang {
				others = append(others, l)
			}
		}
		b.rep.Warn("languages", "the texts in %s are left out: a Dyad instrument has one language, here %s", strings.Join(others, ", "), b.lang)
	}
	b.in.Version = 1
	b.in.Language = b.lang
	sid := ""
	if len(settings) > 0 {
		sid = settings[0]["sid"]
	}
	for _, r := range d.table("surveys_languagesettings") {
		if r["surveyls_language"] == b.lang || b.in.Title == "" {
			b.in.Title = plain(r["surveyls_title"])
			b.in.Description = plain(r["surveyls_description"])
			b.in.Introduction = plain(r["surveyls_welcometext"])
		}
	}
	b.in.Key = interop.Key(b.in.Title, "")
	if b.in.Key == "" {
		b.in.Key = interop.Key("limesurvey "+sid, "limesurvey")
	}
	if b.in.Title == "" {
		b.in.Title = "LimeSurvey survey " + sid
	}

	groups := b.groups()
	questions, subs := b.questions()
	answers := b.answers()
	if len(questions) == 0 {
		b.p.Add("questions", "the survey has no questions")
		return nil, interop.Invalid(b.p)
	}
	for _, g := range groups {
		b.in.Sections = append(b.in.Sections, survey.Section{ID: b.sectionIDs.Fresh(g.name, "group"), Title: g.name, Description: g.description})
		if b.in.Sections[len(b.in.Sections)-1].Title == "" {
			b.in.Sections[len(b.in.Sections)-1].Title = fmt.Sprintf("Part %d", len(b.in.Sections))
		}
		b.places = append(b.places, []string{fmt.Sprintf("group %q", g.name)})
		for _, q := range questions {
			if q.gid == g.gid {
				b.question(q, subs[q.qid], answers[q.qid], g.relevance)
			}
		}
	}
	if len(b.p) > 0 {
		return nil, interop.Invalid(b.p)
	}
	kept := b.in.Sections[:0]
	for i, sec := range b.in.Sections {
		if len(sec.Items) == 0 {
			b.rep.Warn(b.places[i][0], "the group has no question Dyad can ask, so it is left out")
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
	return b.rep.Finish(&b.in)
}

type group struct {
	gid, name, description, relevance string
	order                             int
}

// groups reads the groups in their order, with their texts in the base
// language (in the row itself, or in group_l10ns).
func (b *builder) groups() []group {
	byID := map[string]*group{}
	var out []*group
	for _, r := range b.d.table("groups") {
		if l := r["language"]; l != "" && l != b.lang {
			continue
		}
		g := &group{gid: r["gid"], name: plain(r["group_name"]), description: plain(r["description"]),
			relevance: r["grelevance"], order: num(r["group_order"])}
		if byID[g.gid] == nil {
			byID[g.gid] = g
			out = append(out, g)
		}
	}
	for _, r := range b.d.table("group_l10ns") {
		if g := byID[r["gid"]]; g != nil && r["language"] == b.lang {
			g.name, g.description = plain(r["group_name"]), plain(r["description"])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].order < out[j].order })
	res := make([]group, len(out))
	for i, g := range out {
		res[i] = *g
	}
	return res
}

// questions reads the questions in their order and, by parent qid, the
// subquestions in theirs.
func (b *builder) questions() ([]*question, map[string][]*question) {
	byID := map[string]*question{}
	var qs []*question
	subs := map[string][]*question{}
	for _, t := range []string{"questions", "subquestions"} {
		for _, r := range b.d.table(t) {
			if l := r["language"]; l != "" && l != b.lang {
				continue
			}
			q := &question{qid: r["qid"], parent: r["parent_qid"], gid: r["gid"], typ: r["type"], code: r["title"],
				text: plain(r["question"]), help: plain(r["help"]), other: r["other"], mandatory: r["mandatory"],
				order: num(r["question_order"]), scale: num(r["scale_id"]), relevance: r["relevance"]}
			if byID[q.qid] != nil {
				continue
			}
			byID[q.qid] = q
			if q.parent != "" && q.parent != "0" {
				subs[q.parent] = append(subs[q.parent], q)
			} else {
				qs = append(qs, q)
			}
		}
	}
	for _, r := range b.d.table("question_l10ns") {
		if q := byID[r["qid"]]; q != nil && r["language"] == b.lang {
			q.text, q.help = plain(r["question"]), plain(r["help"])
		}
	}
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].order < qs[j].order })
	for _, list := range subs {
		sort.SliceStable(list, func(i, j int) bool { return list[i].order < list[j].order })
	}
	return qs, subs
}

// answers reads the answer options by qid, in their order.
func (b *builder) answers() map[string][]answer {
	out := map[string][]answer{}
	texts := map[string]string{}
	for _, r := range b.d.table("answer_l10ns") {
		if r["language"] == b.lang {
			texts[r["aid"]] = plain(r["answer"])
		}
	}
	for _, r := range b.d.table("answers") {
		if l := r["language"]; l != "" && l != b.lang {
			continue
		}
		a := answer{code: r["code"], text: plain(r["answer"]), order: num(r["sortorder"]), scale: num(r["scale_id"])}
		if t, ok := texts[r["aid"]]; ok {
			a.text = t
		}
		out[r["qid"]] = append(out[r["qid"]], a)
	}
	for _, list := range out {
		sort.SliceStable(list, func(i, j int) bool { return list[i].order < list[j].order })
	}
	return out
}

// Fixed answer sets of LimeSurvey's question types.
var (
	fivePoint = []answer{{code: "1", text: "1"}, {code: "2", text: "2"}, {code: "3", text: "3"}, {code: "4", text: "4"}, {code: "5", text: "5"}}
	tenPoint  = func() []answer {
		var a []answer
		for i := 1; i <= 10; i++ {
			a = append(a, answer{code: strconv.Itoa(i), text: strconv.Itoa(i)})
		}
		return a
	}()
	yesUncertainNo       = []answer{{code: "Y", text: "Yes"}, {code: "U", text: "Uncertain"}, {code: "N", text: "No"}}
	increaseSameDecrease = []answer{{code: "I", text: "Increase"}, {code: "S", text: "Same"}, {code: "D", text: "Decrease"}}
)

// question adds the items of one question (several for an array) to the
// current section, or a warning why it has none.
func (b *builder) question(q *question, subs []*question, answers []answer, grelevance string) {
	sec := &b.in.Sections[len(b.in.Sections)-1]
	at := fmt.Sprintf("question %q", q.code)
	if q.code == "" {
		b.p.Add(fmt.Sprintf("question qid %s", q.qid), "the question has no code")
		return
	}
	if q.other == "Y" {
		b.rep.Warn(at, "the \"other\" answer with its text is not offered")
	}
	base := survey.Item{Text: q.text, Help: q.help, Required: q.mandatory == "Y"}
	if q.mandatory == "S" {
		b.rep.Warn(at, "a soft mandatory question is optional in Dyad")
	}
	var its []survey.Item
	var fields []*interop.Field
	one := func(it survey.Item, f *interop.Field) {
		its, fields = append(its, it), append(fields, f)
	}
	field := func(name string) *interop.Field { return &interop.Field{Name: name} }
	switch q.typ {
	case "X":
		sec.Description = join(sec.Description, q.text)
		if len(sec.Items) > 0 {
			b.rep.Warn(at, "the text is shown in the section's description, at the top of the page")
		}
		return
	case "L", "!", "O":
		if q.typ == "O" {
			b.rep.Warn(at, "the comment box of a list with comment is not offered")
		}
		opts, codes := b.options(at, answers, 0)
		if opts == nil {
			return
		}
		it, f := base, field(q.code)
		it.Type, it.Options = survey.SingleChoice, opts
		f.Codes, f.Options = codes, opts
		one(it, f)
	case "Y", "G":
		set := []answer{{code: "Y", text: "Yes"}, {code: "N", text: "No"}}
		if q.typ == "G" {
			set = []answer{{code: "F", text: "Female"}, {code: "M", text: "Male"}}
		}
		opts, codes := numbered(set)
		it, f := base, field(q.code)
		it.Type, it.Options = survey.SingleChoice, opts
		f.Codes, f.Options = codes, opts
		one(it, f)
	case "5":
		opts, codes := numbered(fivePoint)
		it, f := base, field(q.code)
		it.Type, it.Scale = survey.Likert, b.scales.ScaleFor(opts, "five_point")
		f.Codes, f.Options = codes, opts
		one(it, f)
	case "M", "P":
		if q.typ == "P" {
			b.rep.Warn(at, "the comment boxes of a multiple choice with comments are not offered")
		}
		var set []answer
		for _, s := range subs {
			if s.scale == 0 {
				set = append(set, answer{code: s.code, text: s.text})
			}
		}
		opts, codes := b.options(at, set, 0)
		if opts == nil {
			return
		}
		it, f := base, field(q.code)
		it.Type, it.Options = survey.MultipleChoice, opts
		f.Codes, f.Options = codes, opts
		b.multi[q.code] = f
		one(it, f)
	case "F", "H", "A", "B", "C", "E", "1":
		var set []answer
		hint := q.code
		switch q.typ {
		case "A":
			set, hint = fivePoint, "five_point"
		case "B":
			set, hint = tenPoint, "ten_point"
		case "C":
			set, hint = yesUncertainNo, "yes_uncertain_no"
		case "E":
			set, hint = increaseSameDecrease, "increase_same_decrease"
		default:
			set = answers
			if q.typ == "1" {
				b.rep.Warn(at, "a dual-scale array keeps its first scale only")
			}
			if q.typ == "H" {
				b.rep.Warn(at, "an array by column is asked row by row")
			}
		}
		var opts []survey.Option
		var codes map[string]int64
		if hint == q.code {
			opts, codes = b.options(at, set, 0)
		} else {
			opts, codes = numbered(set) // a fixed set, in LimeSurvey's order
		}
		if opts == nil {
			return
		}
		scale := b.scales.ScaleFor(opts, hint)
		for _, s := range subs {
			if s.scale != 0 {
				continue
			}
			// Each row asks its own text, under the array's question.
			it, f := base, field(q.code+"_"+s.code)
			it.Text, it.Help = s.text, join(q.text, q.help)
			if it.Text == "" {
				it.Text, it.Help = q.text, q.help
			}
			it.Type, it.Scale = survey.Likert, scale
			f.Codes, f.Options = codes, opts
			one(it, f)
		}
	case "N", "K":
		if q.typ == "N" {
			it, f := base, field(q.code)
			it.Type = survey.Integer
			f.Type = survey.Integer
			one(it, f)
		} else {
			for _, s := range subs {
				it, f := base, field(q.code+"_"+s.code)
				it.Text, it.Help = s.text, join(q.text, q.help)
				it.Type = survey.Integer
				one(it, f)
			}
		}
		b.rep.Warn(at, "numbers are asked as whole numbers")
	case "S", "T", "U":
		it := base
		it.Type, it.Multiline = survey.Text, q.typ != "S"
		one(it, field(q.code))
	case "Q":
		for _, s := range subs {
			it := base
			it.Text, it.Help = s.text, join(q.text, q.help)
			it.Type = survey.Text
			one(it, field(q.code+"_"+s.code))
		}
	case "D":
		it := base
		it.Type = survey.Text
		one(it, field(q.code))
		b.rep.Warn(at, "a date question has no Dyad counterpart; the answer is free text")
	default:
		b.rep.Warn(at, "a question of type %s (%s) has no Dyad counterpart and is left out", q.typ, typeName(q.typ))
		return
	}
	if len(its) == 0 {
		b.rep.Warn(at, "the question has no rows to ask")
		return
	}
	rel := strings.TrimSpace(q.relevance)
	grel := strings.TrimSpace(grelevance)
	if rel == "1" {
		rel = ""
	}
	if grel == "1" {
		grel = ""
	}
	if strings.Contains(q.text, "{") && strings.Contains(q.text, "}") {
		b.rep.Warn(at, "the text's {…} expressions are shown as written: Dyad does not fill in earlier answers")
	}
	for i := range its {
		it, f := &its[i], fields[i]
		if b.fields[f.Name] != nil {
			b.p.Add(at, "the code %q is used twice", f.Name)
			return
		}
		it.ID = b.ids.ID(f.Name, "item")
		if strings.TrimSpace(it.Text) == "" {
			it.Text = f.Name
			b.rep.Warn(at, "%s has no text; its code stands in", f.Name)
		}
		// Shown when its group's relevance and its own hold; one that does
		// not map is left out (and reported): asked more often, never less.
		var conds []survey.Condition
		if grel != "" {
			if c := b.relevance(at+" group relevance", grel, f.Name); c != nil {
				conds = append(conds, *c)
			}
		}
		if rel != "" {
			if c := b.relevance(at+" relevance", rel, f.Name); c != nil {
				conds = append(conds, *c)
			}
		}
		switch len(conds) {
		case 1:
			it.ShowIf = &conds[0]
		case 2:
			it.ShowIf = &survey.Condition{All: conds}
		}
		f.ID = it.ID
		if f.Type == "" {
			f.Type = it.Type
		}
		b.fields[f.Name] = f
		sec.Items = append(sec.Items, *it)
		b.places[len(b.places)-1] = append(b.places[len(b.places)-1], at)
	}
}

// options makes options of answers: their codes as values when every
// code is a whole number within Dyad's bounds, else 1, 2, ... in order
// (with a warning).
func (b *builder) options(at string, answers []answer, scale int) ([]survey.Option, map[string]int64) {
	var set []answer
	for _, a := range answers {
		if a.scale == scale {
			set = append(set, a)
		}
	}
	if len(set) == 0 {
		b.p.Add(at, "the question has no answer options")
		return nil, nil
	}
	numeric := true
	for _, a := range set {
		v, err := strconv.ParseInt(a.code, 10, 64)
		numeric = numeric && err == nil && v >= -survey.MaxOptionValue && v <= survey.MaxOptionValue
	}
	if !numeric {
		opts, codes := numbered(set)
		b.rep.Warn(at, "the answer codes are not whole numbers of at most 4 digits; the options are numbered 1 to %d in order", len(set))
		return opts, codes
	}
	opts := make([]survey.Option, len(set))
	codes := map[string]int64{}
	for i, a := range set {
		v, _ := strconv.ParseInt(a.code, 10, 64)
		opts[i] = survey.Option{Value: v, Label: label(a)}
		codes[a.code] = v
	}
	return opts, codes
}

// numbered makes options 1, 2, ... of a fixed answer set.
func numbered(set []answer) ([]survey.Option, map[string]int64) {
	opts := make([]survey.Option, len(set))
	codes := map[string]int64{}
	for i, a := range set {
		opts[i] = survey.Option{Value: int64(i + 1), Label: label(a)}
		codes[a.code] = int64(i + 1)
	}
	return opts, codes
}

func label(a answer) string {
	if strings.TrimSpace(a.text) == "" {
		return a.code
	}
	return a.text
}

func typeName(t string) string {
	switch t {
	case "R":
		return "ranking"
	case "|":
		return "file upload"
	case "*":
		return "equation"
	case ":":
		return "array of numbers"
	case ";":
		return "array of texts"
	case "I":
		return "language switch"
	}
	return "unknown"
}

// plain removes the HTML of LimeSurvey's texts and keeps the text, with
// paragraphs and line breaks as line breaks.
func plain(s string) string {
	if !strings.Contains(s, "<") && !strings.Contains(s, "&") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	in := false
	var tag strings.Builder
	for _, r := range s {
		switch {
		case r == '<':
			in = true
			tag.Reset()
		case r == '>' && in:
			in = false
			t := strings.ToLower(strings.Fields(tag.String() + " x")[0])
			if t == "br" || t == "br/" || t == "/p" || t == "p" || t == "/div" || t == "/li" {
				b.WriteByte('\n')
			}
		case in:
			tag.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	out := strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'").Replace(b.String())
	lines := strings.Split(out, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
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
