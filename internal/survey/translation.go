package survey

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Translations of an instrument.
//
// A version is written in its default language (Instrument.Language) and
// may declare more (Instrument.Languages, the default among them). Every
// other declared language has a Translation: an overlay from text ids to
// texts, next to the structure rather than inside it. The overlay keeps
// the structs (Item, Option, Section) free of per-language fields, so an
// item type or a text field added later needs no translation field of its
// own; it needs one line in the tables below, and then the validator, the
// respondent pages (Localized), the translator's table and its import all
// know it. Those tables are the ONE list of respondent-facing texts.
//
// A text id names the text by the ids the researcher chose, not by
// position, so a translation survives reordering sections or items:
//
//	title, introduction, consent
//	scales.<scale id>.options.<value>
//	sections.<section id>.title, sections.<section id>.description
//	items.<item id>.text, items.<item id>.help, items.<item id>.options.<value>
//
// The same ids are the rows of the translator's table (internal/translation)
// and the paths of the validator's problems (translations.de.items.q1.text).
//
// The rule for changing a published version: its default-language texts,
// its structure, values and scoring never change (a change there is a new
// version, since it may change what an answer means); its translations may
// be added or corrected (SetTranslation), because a translation renders
// the same questions to other readers and every response records the
// language it was answered in. A text left empty in the default language
// (an item without help) has no translation.

// MaxLanguages bounds the languages of an instrument.
const MaxLanguages = 30

// MaxTranslationBytes bounds the text of all of a version's translations
// together. A document is at most MaxDocumentBytes, but translations are
// added one request at a time to a stored version (SetTranslation), so
// without this bound thirty requests could grow one definition, read
// whole into memory with a form per language, thirty-fold. Four times a
// whole document leaves room for several languages of the largest
// instrument.
const MaxTranslationBytes = 4 * MaxDocumentBytes

// Translation is one language's texts of an instrument: text id -> text.
type Translation map[string]string

// textField is one respondent-facing text field of T: its name in the
// text id, where it is, and its length limit (the same as the source's).
type textField[T any] struct {
	name  string
	field func(*T) *string
	limit int
}

// The respondent-facing texts, per element. A new text field is one line
// here; options (of scales and choice items) are walked by EachText.
var (
	instrumentTexts = []textField[Instrument]{
		{"title", func(in *Instrument) *string { return &in.Title }, MaxTitleLength},
		{"introduction", func(in *Instrument) *string { return &in.Introduction }, MaxLongTextLength},
		{"consent", func(in *Instrument) *string { return &in.Consent }, MaxLongTextLength},
	}
	sectionTexts = []textField[Section]{
		{"title", func(s *Section) *string { return &s.Title }, MaxTitleLength},
		{"description", func(s *Section) *string { return &s.Description }, MaxLongTextLength},
	}
	itemTexts = []textField[Item]{
		{"text", func(it *Item) *string { return &it.Text }, MaxItemTextLength},
		{"help", func(it *Item) *string { return &it.Help }, MaxItemTextLength},
		// The texts of itemtypes.go's fields.
		{"unit", func(it *Item) *string { return &it.Unit }, MaxTitleLength},
		{"min_label", func(it *Item) *string { return &it.MinLabel }, MaxTitleLength},
		{"max_label", func(it *Item) *string { return &it.MaxLabel }, MaxTitleLength},
		{"other_label", func(it *Item) *string { return &it.OtherLabel }, MaxTitleLength},
		{"decline", func(it *Item) *string { return &it.Decline }, MaxItemTextLength},
	}
	// optionLimit bounds an option's label, as checkOptionContent does.
	optionLimit = MaxTitleLength
)

// EachText calls fn for every respondent-facing text of the instrument in
// document order (instrument, scales, then sections and their items), with
// its text id, a pointer to the text (so a caller may replace it) and its
// length limit. Empty texts are passed too; callers skip what they need
// to.
func (in *Instrument) EachText(fn func(id string, text *string, limit int)) {
	for _, f := range instrumentTexts {
		fn(f.name, f.field(in), f.limit)
	}
	for si := range in.Scales {
		sc := &in.Scales[si]
		eachOption(sc.Options, "scales."+sc.ID+".options.", fn)
	}
	for si := range in.Sections {
		sec := &in.Sections[si]
		for _, f := range sectionTexts {
			fn("sections."+sec.ID+"."+f.name, f.field(sec), f.limit)
		}
		for ii := range sec.Items {
			it := &sec.Items[ii]
			for _, f := range itemTexts {
				fn("items."+it.ID+"."+f.name, f.field(it), f.limit)
			}
			eachOption(it.Options, "items."+it.ID+".options.", fn)
		}
	}
}

func eachOption(opts []Option, prefix string, fn func(string, *string, int)) {
	for i := range opts {
		fn(prefix+strconv.FormatInt(opts[i].Value, 10), &opts[i].Label, optionLimit)
	}
}

// SourceText is one text of the default language, for a translator.
type SourceText struct {
	ID   string
	Text string
}

// SourceTexts lists the non-empty texts of the default language, in
// document order: what every translation must translate.
func (in *Instrument) SourceTexts() []SourceText {
	var out []SourceText
	in.EachText(func(id string, s *string, _ int) {
		if strings.TrimSpace(*s) != "" {
			out = append(out, SourceText{ID: id, Text: *s})
		}
	})
	return out
}

// DefaultLanguage is the language of the instrument's own texts: its
// language field, "en" when it has none.
func (in *Instrument) DefaultLanguage() string {
	if in.Language != "" {
		return in.Language
	}
	return "en"
}

// AllLanguages lists the languages the version is offered in, the default
// first, then the others as declared.
func (in *Instrument) AllLanguages() []string {
	def := in.DefaultLanguage()
	out := []string{def}
	for _, l := range in.Languages {
		if l != def && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// HasLanguage reports whether lang is one of the version's languages.
func (in *Instrument) HasLanguage(lang string) bool {
	return slices.Contains(in.AllLanguages(), lang)
}

// Localized returns the instrument with its texts in lang: a copy with
// every translated text replaced, or in itself when lang is the default
// or has no translation. The copy shares nothing that Localized writes.
func (in *Instrument) Localized(lang string) *Instrument {
	tr, ok := in.Translations[lang]
	if !ok || lang == in.DefaultLanguage() {
		return in
	}
	out := *in
	out.Scales = slices.Clone(in.Scales)
	for i := range out.Scales {
		out.Scales[i].Options = slices.Clone(out.Scales[i].Options)
	}
	out.Sections = slices.Clone(in.Sections)
	for si := range out.Sections {
		sec := &out.Sections[si]
		sec.Items = slices.Clone(sec.Items)
		for ii := range sec.Items {
			if sec.Items[ii].Options != nil {
				sec.Items[ii].Options = slices.Clone(sec.Items[ii].Options)
			}
		}
	}
	out.EachText(func(id string, s *string, _ int) {
		if t := tr[id]; strings.TrimSpace(t) != "" && strings.TrimSpace(*s) != "" {
			*s = t
		}
	})
	return &out
}

// validateLanguages checks languages and translations: the languages
// well-formed and distinct, the default among them, a translation for
// every other language and for no language outside them, and each
// translation complete and without extra texts (checkTranslation).
func (in *Instrument) validateLanguages(p *Problems) {
	if len(in.Languages) > MaxLanguages {
		p.Add("languages", "at most %d languages are allowed, got %d", MaxLanguages, len(in.Languages))
		return
	}
	seen := map[string]bool{}
	for i, l := range in.Languages {
		path := fmt.Sprintf("languages[%d]", i)
		switch {
		case !langPattern.MatchString(l):
			p.Add(path, "must be a BCP 47 language tag such as en or en-GB, got %q", l)
		case seen[l]:
			p.Add(path, "%q is listed twice", l)
		}
		seen[l] = true
	}
	def := in.DefaultLanguage()
	if len(in.Languages) > 0 && !seen[def] {
		if in.Language == "" {
			p.Add("language", "is required when languages is set: the language of the instrument's own texts, one of %s", strings.Join(in.Languages, ", "))
		} else {
			p.Add("languages", "must include %q, the instrument's language (the default)", def)
		}
	}
	if len(in.Translations) > MaxLanguages {
		p.Add("translations", "at most %d languages are allowed, got %d", MaxLanguages, len(in.Translations))
		return
	}
	for _, l := range in.Languages {
		if l != def && langPattern.MatchString(l) && in.Translations[l] == nil {
			p.Add("translations."+l, "is required: languages lists %s, so every text needs its %s translation", l, l)
		}
	}
	langs := make([]string, 0, len(in.Translations))
	size := 0
	for l, tr := range in.Translations {
		langs = append(langs, l)
		for id, t := range tr {
			size += len(id) + len(t)
		}
	}
	if size > MaxTranslationBytes {
		p.Add("translations", "the translations hold %d bytes of text; at most %d are allowed in all languages together", size, MaxTranslationBytes)
		return
	}
	slices.Sort(langs)
	var source []SourceText
	for _, l := range langs {
		path := "translations." + l
		switch {
		case l == def:
			p.Add(path, "%s is the instrument's own language: its texts are the instrument's fields, not a translation", l)
			continue
		case !seen[l]:
			p.Add(path, "%s is not one of the languages (%s): add it to languages or remove the translation", l, strings.Join(in.AllLanguages(), ", "))
			continue
		}
		if source == nil {
			source = in.SourceTexts()
		}
		checkTranslation(p, path, source, in.Translations[l])
	}
}

// checkTranslation lists every text of source that tr lacks and every
// text of tr that source does not have, each at its path under prefix;
// and the translated texts that break the limits of their sources.
func checkTranslation(p *Problems, prefix string, source []SourceText, tr Translation) {
	limits := textLimits()
	known := make(map[string]bool, len(source))
	for _, s := range source {
		known[s.ID] = true
		t, ok := tr[s.ID]
		if !ok || strings.TrimSpace(t) == "" {
			p.Add(prefix+"."+s.ID, "is missing: translate %q", clip(s.Text, 80))
			continue
		}
		if msg := CheckInstrumentText(t); msg != "" {
			p.Add(prefix+"."+s.ID, "%s", msg)
		} else if lim, n := limits[kindOf(s.ID)], utf8.RuneCountInString(t); n > lim {
			p.Add(prefix+"."+s.ID, "must be at most %d characters, got %d", lim, n)
		}
	}
	extra := make([]string, 0)
	for id := range tr {
		if !known[id] {
			extra = append(extra, id)
		}
	}
	slices.Sort(extra)
	for _, id := range extra {
		p.Add(prefix+"."+id, "is not a text of the instrument (no such id, or its text in the default language is empty): remove it")
	}
}

// kindOf is the last part of a text id's element and field ("text",
// "title", "options"), which decides its length limit.
func kindOf(id string) string {
	parts := strings.Split(id, ".")
	if len(parts) >= 2 && parts[len(parts)-2] == "options" {
		return "options"
	}
	if len(parts) == 1 {
		return "instrument." + parts[0]
	}
	return parts[0] + "." + parts[len(parts)-1]
}

// textLimits maps kindOf's names to the limits of the tables above.
func textLimits() map[string]int {
	m := map[string]int{"options": optionLimit}
	for _, f := range instrumentTexts {
		m["instrument."+f.name] = f.limit
	}
	for _, f := range sectionTexts {
		m["sections."+f.name] = f.limit
	}
	for _, f := range itemTexts {
		m["items."+f.name] = f.limit
	}
	return m
}

// WithTranslation returns a copy of the instrument with tr as its lang
// translation, lang added to its languages; the copy is validated, so a
// translation that misses or adds texts is refused with every problem.
// It is the rule that lets a published version gain a language: nothing
// but the overlay changes.
func (in *Instrument) WithTranslation(lang string, tr Translation) (*Instrument, error) {
	var p Problems
	switch {
	case !langPattern.MatchString(lang):
		p.Add("language", "must be a BCP 47 language tag such as en or en-GB, got %q", lang)
	case lang == in.DefaultLanguage():
		p.Add("language", "%s is the instrument's own language: its texts change only with a new version", lang)
	}
	if err := p.Err(EInvalid, "the translation is not valid"); err != nil {
		return nil, err
	}
	out := *in
	out.Translations = make(map[string]Translation, len(in.Translations)+1)
	for l, t := range in.Translations {
		out.Translations[l] = t
	}
	out.Translations[lang] = tr
	if !slices.Contains(in.Languages, lang) {
		out.Languages = append(slices.Clone(in.AllLanguages()), lang)
	}
	p = nil
	out.validateLanguages(&p)
	if err := p.Err(EInvalid, "the translation is not valid"); err != nil {
		return nil, err
	}
	return &out, nil
}

// IsLanguageTag reports whether s has the shape of a BCP 47 language tag
// such as en, de or pt-BR, the one rule for languages everywhere.
func IsLanguageTag(s string) bool { return langPattern.MatchString(s) }

// PublicTexts are the survey's title and welcome text for respondents
// reading form (its version's form in some language, Form.In): the
// instrument's title and introduction in that language where the survey
// shows the instrument's own (CreateSurvey's default), else the ones the
// researcher gave the survey, which have one language.
func (sv *Survey) PublicTexts(form *Form) (title, description string) {
	title, description = sv.PublicTitle, sv.PublicDescription
	own := form.own
	if own == nil || own == form {
		return title, description
	}
	if title == own.Instrument.Title {
		title = form.Instrument.Title
	}
	if description == own.Instrument.Introduction {
		description = form.Instrument.Introduction
	}
	return title, description
}
