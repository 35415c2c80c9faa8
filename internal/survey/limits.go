package survey

import (
	"fmt"
	"unicode/utf8"
)

// Admission limits of the instrument format.
//
// An instrument is a small hand-written document: the longest clinical
// questionnaires in use have a few hundred items (the MMPI-2 has 567), a
// response scale rarely has more than 11 points (0 to 10), a visual
// analogue scale 101 (0 to 100), and the longest option lists are
// countries or languages (about 250). The limits below are an order of
// magnitude beyond that, so no real instrument meets them, while every
// structure an upload can make Dyad build (parse trees, forms, statistics,
// charts, export columns) stays bounded by a figure known in advance.
//
// Option values are bounded to ±MaxOptionValue. Four digits hold every
// scale and the coding schemes a choice list carries (ISO country numbers,
// four-digit occupation codes, missing-value codes such as -999 or 9999),
// and with at most MaxItems items a summed score stays below 10^7, exact in
// a float64 and far from int overflow. Integer items' min and max are
// bounded to ±MaxIntegerBound (a billion: years, counts, amounts in whole
// currency units), which keeps max − min and reversal arithmetic far from
// int64 overflow.
//
// Texts may hold any Unicode text except control characters: C0 controls
// other than tab, line feed and carriage return, DEL, C1 controls
// (U+0080–U+009F, usually Windows-1252 text decoded as Latin-1), and the
// Unicode line and paragraph separators U+2028 and U+2029. None has a
// legitimate use in a question; NUL truncates strings in C-based readers
// (R, PSPP), ESC drives terminals, and U+2028/U+2029 are line breaks that
// most tools do not treat as such, so a label that looks like one line in
// one program spans two in another. A line break is written as a line
// break.
//
// These are admission rules: Validate applies them when an instrument
// enters Dyad (dyad validate, POST and PUT of instruments). NewForm does
// not, so a version stored under older rules keeps serving its surveys;
// the code that reads a form (statistics, charts) is bounded on its own,
// by counts, never by value ranges.
const (
	// MaxSections bounds the sections (pages) of an instrument.
	MaxSections = 200
	// MaxItems bounds the items of an instrument, over all sections.
	MaxItems = 1000
	// MaxScales bounds the scales of an instrument.
	MaxScales = 100
	// MaxSubscales bounds the subscales of an instrument.
	MaxSubscales = 100
	// MaxOptions bounds the options of one scale or choice item, and the
	// values of a show_if "in" list.
	MaxOptions = 300
	// MaxOptionValue bounds option values: each lies in
	// [-MaxOptionValue, MaxOptionValue].
	MaxOptionValue = 9999
	// MaxIntegerBound bounds an integer item's min and max: each lies in
	// [-MaxIntegerBound, MaxIntegerBound].
	MaxIntegerBound = 1_000_000_000
	// MaxEstimatedMinutes bounds estimated_minutes.
	MaxEstimatedMinutes = 1000
	// MaxTitleLength bounds titles (instrument, section, subscale) and
	// option labels, in characters.
	MaxTitleLength = 500
	// MaxItemTextLength bounds an item's text and help, in characters.
	MaxItemTextLength = 5000
	// MaxLongTextLength bounds descriptions, the introduction and the
	// consent statement, in characters.
	MaxLongTextLength = 50000
	// MaxDocumentBytes bounds an instrument file: the API's body limit.
	MaxDocumentBytes = 1 << 20
	// MaxDocumentDepth bounds the nesting of an instrument file's
	// objects and lists. The format itself nests at most 21 deep
	// (instrument, sections, section, items, item, show_if, then two
	// levels, a list and its condition, for each of the
	// MaxConditionDepth-1 levels of all or any, and an in list).
	MaxDocumentDepth = 32
)

// An instrument error, like every error, carries at most MaxDetails
// details and one counting the rest (errors.go): a document with thousands
// of mistakes is told about the first ones and how many more there are,
// rather than answered with an error larger than itself.

// CheckInstrumentText returns a problem message when s is not acceptable
// instrument text (see the overview above), or "" when it is. It is the
// one definition of that rule: Validate applies it to every text of an
// instrument.
func CheckInstrumentText(s string) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return fmt.Sprintf("must be UTF-8 text, found the invalid byte 0x%02X at byte %d", s[i], i)
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return fmt.Sprintf("must not contain control characters, found U+%04X at byte %d", r, i)
		case r == 0x2028 || r == 0x2029:
			return fmt.Sprintf("must not contain the line separator U+%04X (at byte %d); write a line break instead", r, i)
		}
		i += size
	}
	return ""
}

// checkLimits reports the counts over the admission limits. A document
// over them is refused for its size alone: its other rules are not
// checked, so neither the work nor the error grows with what it holds.
func (in *Instrument) checkLimits(p *Problems) {
	count := func(path, what string, n, limit int) {
		if n > limit {
			p.Add(path, "at most %d %s are allowed, got %d", limit, what, n)
		}
	}
	count("sections", "sections", len(in.Sections), MaxSections)
	count("scales", "scales", len(in.Scales), MaxScales)
	count("subscales", "subscales", len(in.Subscales), MaxSubscales)
	for i, s := range in.Scales {
		count(fmt.Sprintf("scales[%d].options", i), "options", len(s.Options), MaxOptions)
	}
	items := 0
	for si, sec := range in.Sections {
		items += len(sec.Items)
		for ii, it := range sec.Items {
			path := fmt.Sprintf("sections[%d].items[%d]", si, ii)
			count(path+".options", "options", len(it.Options), MaxOptions)
			checkConditionSize(p, path+".show_if", it.ShowIf)
		}
		checkConditionSize(p, fmt.Sprintf("sections[%d].show_if", si), sec.ShowIf)
	}
	count("sections", "items in all sections together", items, MaxItems)
}

// checkConditionSize reports a show_if over the limits of its depth, its
// size or the values of an in list.
func checkConditionSize(p *Problems, path string, c *Condition) {
	if c == nil {
		return
	}
	before := p.Count()
	if checkConditionLimits(p, path, c); p.Count() > before {
		return // not walked further: it may be very deep
	}
	var walk func(path string, c *Condition)
	walk = func(path string, c *Condition) {
		if len(c.In) > MaxOptions {
			p.Add(path+".in", "at most %d values are allowed, got %d", MaxOptions, len(c.In))
		}
		for i := range c.All {
			walk(fmt.Sprintf("%s.all[%d]", path, i), &c.All[i])
		}
		for i := range c.Any {
			walk(fmt.Sprintf("%s.any[%d]", path, i), &c.Any[i])
		}
		if c.Not != nil {
			walk(path+".not", c.Not)
		}
	}
	walk(path, c)
}

// checkContent reports texts with control characters or over their length
// limit, and numbers outside their range.
func (in *Instrument) checkContent(p *Problems) {
	checkText(p, "title", in.Title, MaxTitleLength)
	checkText(p, "description", in.Description, MaxLongTextLength)
	checkText(p, "introduction", in.Introduction, MaxLongTextLength)
	checkText(p, "consent", in.Consent, MaxLongTextLength)
	if in.EstimatedMinutes > MaxEstimatedMinutes {
		p.Add("estimated_minutes", "must be at most %d, got %d", MaxEstimatedMinutes, in.EstimatedMinutes)
	}
	for i, s := range in.Scales {
		checkOptionContent(p, fmt.Sprintf("scales[%d].options", i), s.Options)
	}
	for i, s := range in.Subscales {
		path := fmt.Sprintf("subscales[%d]", i)
		checkText(p, path+".title", s.Title, MaxTitleLength)
		checkText(p, path+".description", s.Description, MaxLongTextLength)
	}
	for si, sec := range in.Sections {
		spath := fmt.Sprintf("sections[%d]", si)
		checkText(p, spath+".title", sec.Title, MaxTitleLength)
		checkText(p, spath+".description", sec.Description, MaxLongTextLength)
		for ii, it := range sec.Items {
			path := fmt.Sprintf("%s.items[%d]", spath, ii)
			checkText(p, path+".text", it.Text, MaxItemTextLength)
			checkText(p, path+".help", it.Help, MaxItemTextLength)
			checkOptionContent(p, path+".options", it.Options)
			checkBound(p, path+".min", it.Min)
			checkBound(p, path+".max", it.Max)
			// The texts of itemtypes.go's fields.
			checkText(p, path+".unit", it.Unit, MaxTitleLength)
			checkText(p, path+".min_label", it.MinLabel, MaxTitleLength)
			checkText(p, path+".max_label", it.MaxLabel, MaxTitleLength)
			checkText(p, path+".other_label", it.OtherLabel, MaxTitleLength)
			checkText(p, path+".decline", it.Decline, MaxItemTextLength)
		}
	}
}

func checkOptionContent(p *Problems, path string, opts []Option) {
	for i, o := range opts {
		if o.Value < -MaxOptionValue || o.Value > MaxOptionValue {
			p.Add(fmt.Sprintf("%s[%d].value", path, i), "must be between %d and %d, got %d", -MaxOptionValue, MaxOptionValue, o.Value)
		}
		checkText(p, fmt.Sprintf("%s[%d].label", path, i), o.Label, MaxTitleLength)
	}
}

func checkBound(p *Problems, path string, v *int64) {
	if v != nil && (*v < -MaxIntegerBound || *v > MaxIntegerBound) {
		p.Add(path, "must be between %d and %d, got %d", -MaxIntegerBound, MaxIntegerBound, *v)
	}
}

func checkText(p *Problems, path, s string, limit int) {
	if msg := CheckInstrumentText(s); msg != "" {
		p.Add(path, "%s", msg)
	} else if n := utf8.RuneCountInString(s); n > limit {
		p.Add(path, "must be at most %d characters, got %d", limit, n)
	}
}
