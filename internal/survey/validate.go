package survey

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	keyPattern  = regexp.MustCompile(`^[a-z][a-z0-9-]{1,63}$`)
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	langPattern = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// reservedColumns are the export's own column names: an item with one of
// these ids would produce two CSV columns of the same name.
var reservedColumns = map[string]bool{
	"response_id": true, "instrument_version": true, "status": true,
	"started_at": true, "submitted_at": true, "duration_s": true,
}

// MaxTextLength bounds max_length: longer answers belong in an upload, not
// a survey form.
const MaxTextLength = 100000

// Validate checks every rule of the instrument format, the admission
// limits of limits.go included, and returns an *Error with code EInvalid
// listing each problem with its path (at most the first 50), or nil.
func (in *Instrument) Validate() error {
	var p Problems
	if in.checkLimits(&p); len(p) == 0 {
		in.validate(&p, true)
		in.checkContent(&p)
		in.checkReservedPrefixes(&p)
	}
	return p.Err(EInvalid, "the instrument is not valid")
}

// validateStored checks the structural rules a stored version was accepted
// under, leaving out the admission limits (see limits.go): a version
// stored before a limit existed keeps working.
func (in *Instrument) validateStored() error {
	var p Problems
	in.validate(&p, false)
	return p.Err(EInvalid, "the instrument is not valid")
}

// NotAllowed is the message for a field that does not belong to an item's
// type; the parser uses it too, so both report the same words.
func NotAllowed(typ string) string {
	return fmt.Sprintf("not allowed for an item of type %s", typ)
}

// validate checks the structural rules; admission adds those that
// versions stored before them need not meet (see conditionScope.stored).
func (in *Instrument) validate(p *Problems, admission bool) {
	switch {
	case in.Key == "":
		p.Add("key", "is required")
	case !keyPattern.MatchString(in.Key):
		p.Add("key", "must match ^[a-z][a-z0-9-]{1,63}$, got %q", in.Key)
	}
	if in.Version < 1 {
		p.Add("version", "must be a positive integer, got %d", in.Version)
	}
	if strings.TrimSpace(in.Title) == "" {
		p.Add("title", "is required")
	}
	if in.Language != "" && !langPattern.MatchString(in.Language) {
		p.Add("language", "must be a BCP 47 language tag such as en or en-GB, got %q", in.Language)
	}
	if in.EstimatedMinutes < 0 {
		p.Add("estimated_minutes", "must not be negative, got %d", in.EstimatedMinutes)
	}

	scales := map[string]*Scale{}
	for i := range in.Scales {
		s := &in.Scales[i]
		path := fmt.Sprintf("scales[%d]", i)
		checkID(p, path+".id", s.ID)
		if scales[s.ID] != nil {
			p.Add(path+".id", "duplicate scale id %q", s.ID)
		} else if s.ID != "" {
			scales[s.ID] = s
		}
		if n := substantive(s.Options); len(s.Options) >= 2 && n < 2 {
			p.Add(path+".options", "a scale needs at least 2 options that are not missing codes, got %d", n)
		} else if len(s.Options) < 2 {
			p.Add(path+".options", "a scale needs at least 2 options, got %d", len(s.Options))
		}
		checkOptions(p, path+".options", s.Options)
		for oi, o := range s.Options {
			if o.Exclusive {
				p.Add(fmt.Sprintf("%s.options[%d].exclusive", path, oi), "only an option of a multiple_choice item can be exclusive")
			}
		}
	}

	subscales := map[string]int{} // id -> index
	for i, s := range in.Subscales {
		path := fmt.Sprintf("subscales[%d]", i)
		checkID(p, path+".id", s.ID)
		if _, dup := subscales[s.ID]; dup {
			p.Add(path+".id", "duplicate subscale id %q", s.ID)
		} else {
			subscales[s.ID] = i
		}
		if strings.TrimSpace(s.Title) == "" {
			p.Add(path+".title", "is required")
		}
		if s.Scoring != "" && s.Scoring != ScoreMean && s.Scoring != ScoreSum {
			p.Add(path+".scoring", "must be mean or sum, got %q", s.Scoring)
		}
		if s.MinAnswered < 0 {
			p.Add(path+".min_answered", "must not be negative, got %d", s.MinAnswered)
		}
		if s.Combine != "" && s.Combine != CombineRescale {
			p.Add(path+".combine", "must be rescale (or left out), got %q", s.Combine)
		}
	}

	if len(in.Sections) == 0 {
		p.Add("sections", "at least one section is required")
	}
	sectionIDs := map[string]bool{}
	items := map[string]seenItem{} // items seen so far, in document order
	// Every item id, so that a show_if naming a later item is told apart
	// from an unknown one without a scan per condition.
	allItems := map[string]bool{}
	otherIDs := map[string]bool{} // items with an "Other, please specify" option
	for _, sec := range in.Sections {
		for _, it := range sec.Items {
			allItems[it.ID] = true
			if it.Other {
				otherIDs[it.ID] = true
			}
		}
	}
	subscaleItems := map[string]int{}
	// The first item of each subscale, to compare the others' scales with.
	subscaleFirst := map[string]seenItem{}
	for si := range in.Sections {
		sec := &in.Sections[si]
		spath := fmt.Sprintf("sections[%d]", si)
		checkID(p, spath+".id", sec.ID)
		if sectionIDs[sec.ID] {
			p.Add(spath+".id", "duplicate section id %q", sec.ID)
		}
		sectionIDs[sec.ID] = true
		if strings.TrimSpace(sec.Title) == "" {
			p.Add(spath+".title", "is required")
		}
		if len(sec.Items) == 0 {
			p.Add(spath+".items", "a section needs at least one item")
		}
		if sec.ShowIf != nil {
			own := make(map[string]bool, len(sec.Items))
			for _, it := range sec.Items {
				own[it.ID] = true
			}
			scope := conditionScope{earlier: items, all: allItems, scales: scales, section: own, stored: !admission}
			scope.check(p, spath+".show_if", sec.ShowIf)
		}
		for ii := range sec.Items {
			it := &sec.Items[ii]
			path := fmt.Sprintf("%s.items[%d]", spath, ii)
			checkID(p, path+".id", it.ID)
			switch {
			case reservedColumns[it.ID] || strings.HasPrefix(it.ID, "score_"):
				p.Add(path+".id", "%q is reserved for an export column", it.ID)
			case strings.Contains(it.ID, "__"):
				p.Add(path+".id", "%q must not contain \"__\", which separates multiple-choice export columns", it.ID)
			}
			if prev, dup := items[it.ID]; dup {
				p.Add(path+".id", "duplicate item id %q (first at %s)", it.ID, prev.path)
			}
			if strings.TrimSpace(it.Text) == "" {
				p.Add(path+".text", "is required")
			}
			if parent, ok := strings.CutSuffix(it.ID, OtherSuffix); ok && otherIDs[parent] {
				p.Add(path+".id", "%q is the id of the answer to item %q's \"Other, please specify\" option", it.ID, parent)
			}
			it.validateType(p, path, scales, subscales)
			it.validateAttention(p, path, scales)
			if it.Subscale != "" {
				subscaleItems[it.Subscale]++
				if first, ok := subscaleFirst[it.Subscale]; !ok {
					subscaleFirst[it.Subscale] = seenItem{it, path}
				} else if i, ok := subscales[it.Subscale]; !ok || in.Subscales[i].Combine != CombineRescale {
					checkSameScale(p, path, it, first.item, first.path, scales)
				}
			}
			if it.ShowIf != nil {
				scope := conditionScope{earlier: items, all: allItems, scales: scales, self: it.ID, stored: !admission}
				scope.check(p, path+".show_if", it.ShowIf)
			}
			if it.ID != "" {
				if _, dup := items[it.ID]; !dup {
					items[it.ID] = seenItem{it, path}
				}
			}
		}
	}

	for i, s := range in.Subscales {
		n := subscaleItems[s.ID]
		path := fmt.Sprintf("subscales[%d]", i)
		if n == 0 {
			p.Add(path, "subscale %q has no items", s.ID)
		} else if s.MinAnswered > n {
			p.Add(path+".min_answered", "is %d but subscale %q has only %d items", s.MinAnswered, s.ID, n)
		}
	}
	in.validateOrder(p)
	in.validateLanguages(p)
}

func (it *Item) validateType(p *Problems, path string, scales map[string]*Scale, subscales map[string]int) {
	notAllowed := func(field string, present bool) {
		if present {
			p.Add(path+"."+field, "%s", NotAllowed(it.Type))
		}
	}
	switch it.Type {
	case Likert, SingleChoice, MultipleChoice, Integer, Text, DateItem, Number, Slider, Info, Consent:
	default:
		p.Add(path+".type", "must be one of likert, single_choice, multiple_choice, integer, text, date, number, slider, info, consent, got %q", it.Type)
		return
	}
	it.validateNewType(p, path)
	if it.Type == Likert {
		switch {
		case it.Scale == "":
			p.Add(path+".scale", "is required for a likert item")
		case scales[it.Scale] == nil:
			p.Add(path+".scale", "unknown scale %q", it.Scale)
		}
		if it.Subscale != "" {
			if _, ok := subscales[it.Subscale]; !ok {
				p.Add(path+".subscale", "unknown subscale %q", it.Subscale)
			}
		}
	} else {
		notAllowed("scale", it.Scale != "")
		notAllowed("subscale", it.Subscale != "")
		notAllowed("reverse", it.Reverse)
	}
	choice := it.Type == SingleChoice || it.Type == MultipleChoice
	if choice {
		least := 2
		if it.Type == MultipleChoice {
			least = 1 // a lone checkbox ("I have read ...") is a fair item
		}
		if len(it.Options) < least {
			p.Add(path+".options", "a %s item needs at least %d options, got %d", it.Type, least, len(it.Options))
		}
		if len(it.Options) >= least && substantive(it.Options) == 0 {
			p.Add(path+".options", "every option is a missing code; at least one must be a substantive answer")
		}
		checkOptions(p, path+".options", it.Options)
	} else {
		notAllowed("options", it.Options != nil)
	}
	if it.Type == Integer {
		if it.Min != nil && it.Max != nil && *it.Min > *it.Max {
			p.Add(path+".min", "min %d is greater than max %d", *it.Min, *it.Max)
		}
	} else {
		notAllowed("min", it.Min != nil)
		notAllowed("max", it.Max != nil)
	}
	if it.Type == Text {
		if it.MaxLength < 0 || it.MaxLength > MaxTextLength {
			p.Add(path+".max_length", "must be between 1 and %d (leave it out for the default of %d), got %d", MaxTextLength, DefaultTextMaxLength, it.MaxLength)
		}
	} else {
		notAllowed("multiline", it.Multiline)
		notAllowed("max_length", it.MaxLength != 0)
	}
}

// substantive counts the options that are not missing-data codes.
func substantive(opts []Option) int {
	n := 0
	for _, o := range opts {
		if !o.Missing {
			n++
		}
	}
	return n
}

// checkSameScale refuses a subscale whose items answer on scales with
// different substantive values: averaging a 0–2 item with a 1–5 item
// gives a number on neither scale, and reversal would mean different
// things per item. Scales that differ only in labels or in missing codes
// are the same scale for scoring.
func checkSameScale(p *Problems, path string, it, first *Item, firstPath string, scales map[string]*Scale) {
	if it.Scale == first.Scale {
		return
	}
	a, b := scales[it.Scale], scales[first.Scale]
	if a == nil || b == nil {
		return // an unknown scale is reported on its own
	}
	va, vb := substantiveValues(a.Options), substantiveValues(b.Options)
	if slices.Equal(va, vb) {
		return
	}
	p.Add(path+".scale", "subscale %q mixes scales: this item's scale %q has the values %s but %s is on scale %q with %s; a subscale's items must share their substantive values (use one scale, a separate subscale per scale, or combine: rescale on the subscale)",
		it.Subscale, it.Scale, intList(va), firstPath, first.Scale, intList(vb))
}

func substantiveValues(opts []Option) []int64 {
	var v []int64
	for _, o := range opts {
		if !o.Missing {
			v = append(v, o.Value)
		}
	}
	slices.Sort(v)
	return v
}

func intList(v []int64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(s, ", ")
}

func checkID(p *Problems, path, id string) {
	if id == "" {
		p.Add(path, "is required")
	} else if !idPattern.MatchString(id) {
		p.Add(path, "must match ^[a-z][a-z0-9_]{0,31}$, got %q", id)
	}
}

func checkOptions(p *Problems, path string, opts []Option) {
	seen := map[int64]bool{}
	for i, o := range opts {
		if seen[o.Value] {
			p.Add(fmt.Sprintf("%s[%d].value", path, i), "duplicate value %d", o.Value)
		}
		seen[o.Value] = true
		if strings.TrimSpace(o.Label) == "" {
			p.Add(fmt.Sprintf("%s[%d].label", path, i), "is required")
		}
	}
}

func hasValue(opts []Option, v int64) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}
