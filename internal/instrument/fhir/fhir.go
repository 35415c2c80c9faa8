// Package fhir reads and writes FHIR R4 Questionnaire resources (JSON),
// the form in which clinical systems and the standard instruments'
// publishers (PHQ-9, GAD-7) exchange questionnaires.
//
// What maps (docs/interop.md has the whole table): top-level groups
// become sections (questions outside any group one section of their
// own), a group's leading display items its description; linkId becomes
// the item id. A choice question whose options all carry an ordinal
// value (the ordinalValue or itemWeight extension, on answerOption or on
// the codes of a contained ValueSet) becomes a likert item on a scale
// shared by the questions with the same options, and is scored; other
// choice questions single-choice items, multiple-choice when they
// repeat. Option values are the ordinal values, else the codes when they
// are whole numbers, else 1, 2, ... in order (with a warning). boolean
// becomes a yes/no choice, integer an integer item with its
// minValue/maxValue, string and text text items with maxLength. A
// display item marked as help becomes its question's help. enableWhen
// becomes show_if when it tests one earlier question, with any
// enableBehavior (see condition.go). Calculated items, attachments and
// references are left out with a warning; decimal, date and time
// questions become free text with a warning.
//
// Two extensions of Dyad's own (ExtSubscale, ExtReverse) carry scoring
// that FHIR has no element for, so that a Dyad instrument comes back the
// same after a trip through FHIR.
package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

// MediaType is the Content-Type of a FHIR resource in JSON.
const MediaType = "application/fhir+json"

// Sniff tells a Questionnaire in JSON by its resourceType.
func Sniff(data []byte) bool {
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(data) == 0 || data[0] != '{' || !bytes.Contains(data, []byte(`"Questionnaire"`)) {
		return false
	}
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	return json.Unmarshal(data, &head) == nil && head.ResourceType == "Questionnaire"
}

// Decode reads a Questionnaire into an instrument with the warnings of
// what it could not map. Errors are *survey.Error: EMalformed for a file
// that is not JSON or not a Questionnaire, EInvalid with one detail per
// problem, at its place in the Questionnaire ("item[0].item[3]"),
// otherwise.
func Decode(data []byte) (*interop.Result, error) {
	if len(data) > survey.MaxDocumentBytes {
		return nil, &survey.Error{Code: survey.ETooLarge, Message: "the Questionnaire is too large",
			Details: []survey.Detail{{Message: fmt.Sprintf("the file is %d bytes; at most %d are allowed", len(data), survey.MaxDocumentBytes)}}}
	}
	var q Questionnaire
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	dec.UseNumber()
	if err := dec.Decode(&q); err != nil {
		return nil, interop.Malformed("FHIR Questionnaire", "", err)
	}
	if q.ResourceType != "Questionnaire" {
		return nil, interop.Malformed("FHIR Questionnaire", "resourceType", fmt.Errorf("is %q, not Questionnaire", q.ResourceType))
	}
	b := &builder{q: &q, byLink: map[string]*question{}, valueSets: map[string]*ValueSet{}}
	return b.build()
}

// question is what the builder remembers of a question for the
// enableWhen of later ones.
type question struct {
	id, typ string
	// codes maps an answer's code (a Coding's code, an integer's or a
	// string's text, "true"/"false") to its Dyad value.
	codes   map[string]int64
	options []survey.Option
	min     *int64
	max     *int64
}

type builder struct {
	q          *Questionnaire
	rep        interop.Report
	ids        interop.IDs
	sectionIDs interop.IDs
	scales     interop.SharedScales
	in         survey.Instrument
	p          survey.Problems
	byLink     map[string]*question
	valueSets  map[string]*ValueSet // by "#id" and by url
	subscales  []string
	langs      []string // the translations' languages, in the file's order
	// places holds, per section, its place and its items' places.
	places [][]string
}

func (b *builder) build() (*interop.Result, error) {
	q := b.q
	for _, raw := range q.Contained {
		var vs ValueSet
		if err := json.Unmarshal(raw, &vs); err != nil || vs.ResourceType != "ValueSet" {
			continue // other contained resources say nothing of the form
		}
		if vs.ID != nil {
			b.valueSets["#"+*vs.ID] = &vs
		}
		if vs.URL != nil {
			b.valueSets[*vs.URL] = &vs
		}
	}
	b.in.Key = instrumentKey(q)
	b.in.Version = 1
	if v := str(q.Version); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 {
			b.in.Version = n
		} else {
			b.rep.Warn("version", "version %q is not a positive whole number; the instrument is version 1", v)
		}
	}
	b.in.Title = strings.TrimSpace(str(q.Title))
	if b.in.Title == "" {
		b.in.Title = strings.TrimSpace(str(q.Name))
	}
	if b.in.Title == "" {
		b.in.Title = interop.Title(b.in.Key)
	}
	b.in.Description = strings.TrimSpace(str(q.Description))
	b.extensions()
	if l := str(q.Language); l != "" {
		b.in.Language = l
	}
	if len(b.langs) > 0 {
		b.in.Languages = append([]string{b.in.DefaultLanguage()}, b.langs...)
	}
	if len(q.Item) == 0 {
		b.p.Add("item", "the Questionnaire has no items")
		return nil, interop.Invalid(b.p)
	}
	loose := false // the last section holds questions outside any group
	for i := range q.Item {
		it := &q.Item[i]
		path := fmt.Sprintf("item[%d]", i)
		if it.Type == "group" {
			loose = false
			b.section(it.LinkID, str(it.Text), path)
			readGroupDesign(&b.in.Sections[len(b.in.Sections)-1], it.Extension)
			b.items(it.Item, path, 1)
			continue
		}
		if !loose {
			loose = true
			b.section(fmt.Sprintf("questions_%d", len(b.in.Sections)+1), b.in.Title, path)
		}
		b.items(q.Item[i:i+1], "", 0)
	}
	if len(b.p) > 0 {
		return nil, interop.Invalid(b.p)
	}
	kept := b.in.Sections[:0]
	for i, s := range b.in.Sections {
		if len(s.Items) == 0 {
			b.rep.Warn(b.places[i][0], "group %q has no question Dyad can ask, so it is left out", s.ID)
			continue
		}
		si := len(kept)
		b.rep.Locate(fmt.Sprintf("sections[%d]", si), b.places[i][0])
		for ii, at := range b.places[i][1:] {
			b.rep.Locate(fmt.Sprintf("sections[%d].items[%d]", si, ii), at)
		}
		kept = append(kept, s)
	}
	b.in.Sections = kept
	b.in.Scales = b.scales.Scales
	for _, s := range b.subscales {
		if !b.defined(s) {
			b.in.Subscales = append(b.in.Subscales, survey.Subscale{ID: s, Title: interop.Title(s)})
		}
	}
	// A definition no item uses is left out with the items it lost.
	used := b.in.Subscales[:0]
	for _, s := range b.in.Subscales {
		for _, u := range b.subscales {
			if u == s.ID {
				used = append(used, s)
				break
			}
		}
	}
	b.in.Subscales = used
	return b.rep.Finish(&b.in)
}

func (b *builder) defined(id string) bool {
	for _, s := range b.in.Subscales {
		if s.ID == id {
			return true
		}
	}
	return false
}

// extensions reads the Questionnaire-level extensions of Dyad's own.
func (b *builder) extensions() {
	for _, e := range b.q.Extension {
		switch e.URL {
		case ExtIntroduction:
			b.in.Introduction = str(e.ValueString)
		case ExtConsent:
			b.in.Consent = str(e.ValueString)
		case ExtEstimatedMinutes:
			if e.ValueInteger != nil && *e.ValueInteger > 0 && *e.ValueInteger <= survey.MaxEstimatedMinutes {
				b.in.EstimatedMinutes = int(*e.ValueInteger)
			}
		case ExtSubscaleDefinition:
			var s survey.Subscale
			for _, f := range e.Extension {
				switch f.URL {
				case "id":
					s.ID = interop.Sanitize(str(f.ValueString))
				case "title":
					s.Title = str(f.ValueString)
				case "description":
					s.Description = str(f.ValueString)
				case "scoring":
					s.Scoring = str(f.ValueString)
				case "combine":
					s.Combine = str(f.ValueString)
				case "minAnswered":
					if f.ValueInteger != nil && *f.ValueInteger > 0 && *f.ValueInteger <= survey.MaxItems {
						s.MinAnswered = int(*f.ValueInteger)
					}
				}
			}
			if s.ID != "" && !b.defined(s.ID) {
				b.in.Subscales = append(b.in.Subscales, s)
			}
		case ExtTranslation:
			b.translation(e)
		case ExtRandomize:
			b.in.Randomize = str(e.ValueString)
		}
	}
}

// translation reads one language's texts (ExtTranslation); the
// instrument's rules then check them against its texts.
func (b *builder) translation(e Extension) {
	var lang string
	tr := survey.Translation{}
	for _, f := range e.Extension {
		switch f.URL {
		case "lang":
			lang = str(f.ValueString)
		case "text":
			var id, content string
			for _, g := range f.Extension {
				switch g.URL {
				case "id":
					id = str(g.ValueString)
				case "content":
					content = str(g.ValueString)
				}
			}
			if id != "" {
				tr[id] = content
			}
		}
	}
	if lang == "" || len(b.in.Translations) >= survey.MaxLanguages {
		return
	}
	if b.in.Translations == nil {
		b.in.Translations = map[string]survey.Translation{}
	}
	b.in.Translations[lang] = tr
	b.langs = append(b.langs, lang)
}

// instrumentKey is the key a Dyad export wrote into url, else the name,
// else the last segment of url, else the id, else the title.
func instrumentKey(q *Questionnaire) string {
	url := str(q.URL)
	if k, ok := strings.CutPrefix(url, urnPrefix); ok {
		return interop.Key(k, "fhir-questionnaire")
	}
	for _, s := range []string{str(q.Name), url[strings.LastIndexAny(url, "/:")+1:], str(q.ID), str(q.Title)} {
		if k := interop.Key(s, ""); k != "" {
			return k
		}
	}
	return "fhir-questionnaire"
}

func (b *builder) section(linkID, title, path string) {
	name := linkID
	if len(linkID) > 32 || interop.Sanitize(linkID) == "" {
		name = fmt.Sprintf("section_%d", len(b.in.Sections)+1) // a UUID says nothing
	}
	id := b.sectionIDs.Fresh(name, "section")
	title = strings.TrimSpace(title)
	if title == "" {
		title = fmt.Sprintf("Part %d", len(b.in.Sections)+1)
	}
	if t, cut := interop.Clip(title, survey.MaxTitleLength); cut {
		b.in.Sections = append(b.in.Sections, survey.Section{ID: id, Title: t, Description: title})
	} else {
		b.in.Sections = append(b.in.Sections, survey.Section{ID: id, Title: title})
	}
	b.places = append(b.places, []string{path})
}

// items adds the questions of a group (or of a question's children) to
// the current section, flattening nested groups.
func (b *builder) items(list []Item, parent string, depth int) {
	sec := &b.in.Sections[len(b.in.Sections)-1]
	if depth > survey.MaxDocumentDepth {
		b.p.Add(parent, "items nest more than %d deep", survey.MaxDocumentDepth)
		return
	}
	for i := range list {
		it := &list[i]
		path := fmt.Sprintf("%s.item[%d]", parent, i)
		if parent == "" {
			path = fmt.Sprintf("item[%d]", b.topIndex(it))
		}
		switch it.Type {
		case "group":
			if t := strings.TrimSpace(str(it.Text)); t != "" {
				b.rep.Warn(path, "the heading of a group within a group (%q) is not shown: Dyad's sections do not nest", clip(t))
			}
			b.items(it.Item, path, depth+1)
			continue
		case "display":
			if t := strings.TrimSpace(str(it.Text)); t != "" {
				if len(sec.Items) > 0 {
					b.rep.Warn(path, "display text between questions is shown in the section's description, at the top of the page")
				}
				sec.Description = join(sec.Description, t)
			}
			continue
		}
		b.question(it, path, sec)
		b.items(children(it), path, depth+1)
	}
}

// topIndex finds the index of a top-level item, for its path.
func (b *builder) topIndex(it *Item) int {
	for i := range b.q.Item {
		if &b.q.Item[i] == it {
			return i
		}
	}
	return 0
}

// children are a question's child items other than its help text.
func children(it *Item) []Item {
	var out []Item
	for _, c := range it.Item {
		if !isHelp(&c) {
			out = append(out, c)
		}
	}
	return out
}

func isHelp(it *Item) bool {
	if it.Type != "display" {
		return false
	}
	for _, e := range it.Extension {
		if e.URL == ExtItemControl && e.ValueCodeableConcept != nil {
			for _, c := range e.ValueCodeableConcept.Coding {
				if code := str(c.Code); code == "help" || code == "flyover" {
					return true
				}
			}
		}
	}
	return false
}

// question adds the item of one question to sec, or a warning why it
// has none.
func (b *builder) question(it *Item, path string, sec *survey.Section) {
	if _, dup := b.byLink[it.LinkID]; dup || it.LinkID == "" {
		b.p.Add(path+".linkId", "linkId %q is empty or not unique", it.LinkID)
		return
	}
	qu := &question{}
	b.byLink[it.LinkID] = qu
	for _, e := range it.Extension {
		if e.URL == ExtCalculated {
			b.rep.Warn(path, "a calculated item has no Dyad counterpart and is left out")
			return
		}
	}
	if it.ReadOnly != nil && *it.ReadOnly {
		b.rep.Warn(path, "a read-only item has no Dyad counterpart and is left out")
		return
	}
	out := survey.Item{Text: strings.TrimSpace(str(it.Text)), Required: it.Required != nil && *it.Required}
	for _, c := range it.Item {
		if isHelp(&c) {
			out.Help = join(out.Help, strings.TrimSpace(str(c.Text)))
		}
	}
	repeats := it.Repeats != nil && *it.Repeats
	switch it.Type {
	case "choice", "open-choice":
		opts, codes, ordinal, ok := b.options(it, path)
		if !ok {
			return
		}
		qu.codes, qu.options = codes, opts
		switch {
		case repeats:
			out.Type, out.Options = survey.MultipleChoice, opts
		case ordinal:
			hint := "scale"
			if vs := str(it.AnswerValueSet); vs != "" {
				hint = vs[strings.LastIndexAny(vs, "#/")+1:]
			}
			out.Type, out.Scale = survey.Likert, b.scales.ScaleFor(opts, hint)
		default:
			out.Type, out.Options = survey.SingleChoice, opts
		}
		if it.Type == "open-choice" {
			b.rep.Warn(path, "an open choice's free-text answer is not offered; the item asks for one of its options")
		}
	case "boolean":
		out.Type, out.Options = survey.SingleChoice, []survey.Option{{Value: 1, Label: "Yes"}, {Value: 0, Label: "No"}}
		qu.codes, qu.options = map[string]int64{"true": 1, "false": 0}, out.Options
		if consent, decline := consentItem(it.Extension); consent {
			// Dyad's consent item (design.go): true is its one answer, 1.
			out.Type, out.Options, out.Required, out.Decline = survey.Consent, nil, false, decline
			qu.codes, qu.options = map[string]int64{"true": 1}, nil
		}
	case "integer":
		out.Type = survey.Integer
		out.Min, out.Max = b.bound(it, ExtMinValue, path), b.bound(it, ExtMaxValue, path)
		qu.min, qu.max = out.Min, out.Max
	case "string", "text":
		out.Type, out.Multiline = survey.Text, it.Type == "text"
		if it.MaxLength != nil && *it.MaxLength > 0 && *it.MaxLength <= survey.MaxTextLength {
			out.MaxLength = *it.MaxLength
		}
	case "decimal", "quantity", "date", "dateTime", "time", "url":
		out.Type = survey.Text
		b.rep.Warn(path, "a %s question has no Dyad counterpart; the answer is free text", it.Type)
	case "attachment", "reference":
		b.rep.Warn(path, "a %s question has no Dyad counterpart and is left out", it.Type)
		return
	default:
		b.p.Add(path+".type", "unknown item type %q", it.Type)
		return
	}
	if repeats && out.Type != survey.MultipleChoice {
		b.rep.Warn(path+".repeats", "a repeating %s question takes one answer in Dyad", it.Type)
	}
	if out.Type == survey.Likert {
		for _, e := range it.Extension {
			switch {
			case e.URL == ExtSubscale && e.ValueString != nil:
				out.Subscale = interop.Sanitize(*e.ValueString)
				b.addSubscale(out.Subscale)
			case e.URL == ExtReverse && e.ValueBoolean != nil:
				out.Reverse = *e.ValueBoolean
			}
		}
	}
	readItemDesign(&out, it.Extension)
	if len(it.LinkID) > 32 || interop.Sanitize(it.LinkID) == "" {
		out.ID = b.ids.Fresh(fmt.Sprintf("q%d", len(b.byLink)), "item")
	} else {
		out.ID = b.ids.ID(it.LinkID, "item")
	}
	if len(it.EnableWhen) > 0 {
		out.ShowIf = b.condition(it, path, it.LinkID)
	}
	qu.id, qu.typ = out.ID, out.Type
	sec.Items = append(sec.Items, out)
	b.places[len(b.places)-1] = append(b.places[len(b.places)-1], path)
}

func (b *builder) addSubscale(id string) {
	if id == "" {
		return
	}
	for _, s := range b.subscales {
		if s == id {
			return
		}
	}
	b.subscales = append(b.subscales, id)
}

// bound reads a minValue or maxValue extension.
func (b *builder) bound(it *Item, url, path string) *int64 {
	for _, e := range it.Extension {
		if e.URL != url {
			continue
		}
		if e.ValueInteger != nil && *e.ValueInteger >= -survey.MaxIntegerBound && *e.ValueInteger <= survey.MaxIntegerBound {
			return ptr(*e.ValueInteger)
		}
		b.rep.Warn(path, "the bound %s is not a whole number within ±%d and is left out", url[strings.LastIndex(url, "/")+1:], survey.MaxIntegerBound)
	}
	return nil
}

// choice is one answer option as read, before values are decided.
type choice struct {
	code, label string
	ordinal     *float64
	missing     bool // ExtMissingCode
}

// isMissingCode reports whether extensions mark a missing-data code.
func isMissingCode(exts []Extension) bool {
	for _, e := range exts {
		if e.URL == ExtMissingCode && e.ValueBoolean != nil && *e.ValueBoolean {
			return true
		}
	}
	return false
}

// options reads a choice question's options, from answerOption or from a
// contained ValueSet, and decides their values (see the package
// comment). ordinal tells whether every option had an ordinal value.
func (b *builder) options(it *Item, path string) ([]survey.Option, map[string]int64, bool, bool) {
	var cs []choice
	switch {
	case len(it.AnswerOption) > 0:
		for _, o := range it.AnswerOption {
			c := choice{ordinal: ordinalOf(o.Extension), missing: isMissingCode(o.Extension)}
			switch {
			case o.ValueCoding != nil:
				c.code, c.label = str(o.ValueCoding.Code), str(o.ValueCoding.Display)
				if c.ordinal == nil {
					c.ordinal = ordinalOf(o.ValueCoding.Extension)
				}
			case o.ValueInteger != nil:
				c.code = strconv.FormatInt(*o.ValueInteger, 10)
			case o.ValueString != nil:
				c.code = *o.ValueString
			case o.ValueDate != nil:
				c.code = *o.ValueDate
			case o.ValueTime != nil:
				c.code = *o.ValueTime
			}
			cs = append(cs, c)
		}
	case it.AnswerValueSet != nil:
		vs := b.valueSets[*it.AnswerValueSet]
		if vs == nil {
			b.p.Add(path+".answerValueSet", "%q is not a ValueSet contained in the Questionnaire; Dyad does not look value sets up on a terminology server", *it.AnswerValueSet)
			return nil, nil, false, false
		}
		var concepts []Concept
		if vs.Expansion != nil && len(vs.Expansion.Contains) > 0 {
			concepts = vs.Expansion.Contains
		} else if vs.Compose != nil {
			for _, inc := range vs.Compose.Include {
				concepts = append(concepts, inc.Concept...)
			}
		}
		for _, c := range concepts {
			cs = append(cs, choice{code: str(c.Code), label: str(c.Display), ordinal: ordinalOf(c.Extension), missing: isMissingCode(c.Extension)})
		}
	}
	if len(cs) == 0 {
		b.p.Add(path+".answerOption", "a choice question needs answer options")
		return nil, nil, false, false
	}
	for i := range cs {
		if strings.TrimSpace(cs[i].label) == "" {
			cs[i].label = cs[i].code
		}
	}
	values, ordinal := valuesOf(cs)
	if values == nil {
		b.rep.Warn(path, "the options have no distinct ordinal values and their codes are not whole numbers of at most 4 digits; they are numbered 1 to %d in order", len(cs))
		values = make([]int64, len(cs))
		for i := range values {
			values[i] = int64(i + 1)
		}
	}
	opts := make([]survey.Option, len(cs))
	codes := make(map[string]int64, len(cs))
	for i, c := range cs {
		opts[i] = survey.Option{Value: values[i], Label: strings.TrimSpace(c.label), Missing: c.missing}
		codes[c.code] = values[i]
	}
	return opts, codes, ordinal, true
}

// valuesOf decides option values: the ordinal values when every option
// has a distinct whole one within bounds, else the codes when they are
// such numbers, else nil.
func valuesOf(cs []choice) ([]int64, bool) {
	try := func(get func(choice) (float64, bool)) []int64 {
		out := make([]int64, len(cs))
		seen := map[int64]bool{}
		for i, c := range cs {
			f, ok := get(c)
			if !ok || f != math.Trunc(f) || math.Abs(f) > survey.MaxOptionValue || seen[int64(f)] {
				return nil
			}
			out[i] = int64(f)
			seen[out[i]] = true
		}
		return out
	}
	if v := try(func(c choice) (float64, bool) {
		if c.ordinal == nil {
			return 0, false
		}
		return *c.ordinal, true
	}); v != nil {
		return v, true
	}
	return try(func(c choice) (float64, bool) {
		n, err := strconv.ParseInt(c.code, 10, 64)
		return float64(n), err == nil
	}), false
}

// ordinalOf reads the ordinal value of an option: the R4 ordinalValue
// extension or its later name, itemWeight.
func ordinalOf(exts []Extension) *float64 {
	for _, e := range exts {
		if e.URL != ExtOrdinalValue && e.URL != ExtItemWeight {
			continue
		}
		switch {
		case e.ValueDecimal != nil:
			if f, err := e.ValueDecimal.Float64(); err == nil {
				return &f
			}
		case e.ValueInteger != nil:
			f := float64(*e.ValueInteger)
			return &f
		}
	}
	return nil
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

func clip(s string) string {
	c, _ := interop.Clip(s, 80)
	return c
}
