package survey

import (
	"slices"
	"time"
)

// Item types.
const (
	Likert         = "likert"
	SingleChoice   = "single_choice"
	MultipleChoice = "multiple_choice"
	Integer        = "integer"
	Text           = "text"
	// The types of itemtypes.go.
	DateItem = "date"
	Number   = "number"
	Slider   = "slider"
	Info     = "info"
	Consent  = "consent"
)

// Scoring rules of a subscale.
const (
	ScoreMean = "mean"
	ScoreSum  = "sum"
)

// CombineRescale is the one value of Subscale.Combine: items on scales
// with different values are mapped onto the first item's scale.
const CombineRescale = "rescale"

// Values of Instrument.Randomize and Section.Randomize (order.go).
const (
	RandomizeSections = "sections"
	RandomizeItems    = "items"
)

// Lifecycle states of an instrument version.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusRetired   = "retired"
)

// DefaultTextMaxLength caps free-text answers when an item sets no
// max_length, so no single answer can grow a response without bound.
const DefaultTextMaxLength = 5000

// Instrument is one version of a questionnaire: the definition a researcher
// writes (see api/instrument.schema.json). Its JSON form is the instrument
// format itself, so the API returns a definition in the shape it accepts.
type Instrument struct {
	Key              string     `json:"key"`
	Version          int        `json:"version"`
	Title            string     `json:"title"`
	Description      string     `json:"description,omitempty"`
	Language         string     `json:"language,omitempty"`
	Introduction     string     `json:"introduction,omitempty"`
	Consent          string     `json:"consent,omitempty"`
	EstimatedMinutes int        `json:"estimated_minutes,omitempty"`
	Scales           []Scale    `json:"scales,omitempty"`
	Subscales        []Subscale `json:"subscales,omitempty"`
	Sections         []Section  `json:"sections"`
	// Randomize is RandomizeSections to show the sections in an order of
	// their own to each response, the Fixed ones staying in place
	// (order.go); "" keeps the document's order.
	Randomize string `json:"randomize,omitempty"`
	// Languages lists every language the version is offered in, its
	// default (Language) among them; empty means Language alone.
	Languages []string `json:"languages,omitempty"`
	// Translations holds the texts of each language but the default, by
	// text id (translation.go).
	Translations map[string]Translation `json:"translations,omitempty"`
}

// Scale is a reusable labelled response scale for Likert items.
type Scale struct {
	ID      string   `json:"id"`
	Options []Option `json:"options"`
}

// Option is one labelled value of a scale or a choice item.
type Option struct {
	Value int64  `json:"value"`
	Label string `json:"label"`
	// Missing marks a missing-data code ("Not applicable", "Don't know",
	// "Prefer not to say"): a respondent may choose it and it is stored
	// and exported as the answer, but it is never scored, never reversed,
	// left out of the scale's range and of every statistic, and declared
	// missing in the R, SPSS and Stata syntax.
	Missing bool `json:"missing,omitempty"`
	// Exclusive marks an option of a multiple-choice item that stands
	// alone ("None of these"): selecting it with another option is
	// refused, and the form's script clears the others.
	Exclusive bool `json:"exclusive,omitempty"`
	// Other marks the "Other, please specify" option that NewForm adds to
	// an item with Other set (never written in a file: see Item.Other).
	Other bool `json:"-"`
}

// Substantive reports whether the option is a point of the scale proper,
// not a missing-data code.
func (o Option) Substantive() bool { return !o.Missing }

// Subscale groups Likert items into one score.
type Subscale struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Scoring     string `json:"scoring,omitempty"`
	// MinAnswered is the least number of answered items for a score; 0
	// means every item of the subscale.
	MinAnswered int `json:"min_answered,omitempty"`
	// Combine says how to score items on different scales; "" (the
	// default) refuses such a subscale, CombineRescale maps each item's
	// scored value linearly onto the scale of the subscale's first item.
	Combine string `json:"combine,omitempty"`
}

// Section is one page of the questionnaire.
type Section struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Items       []Item `json:"items"`
	// Randomize is RandomizeItems to show the section's items in an order
	// of their own to each response (order.go); "" keeps the document's.
	Randomize string `json:"randomize,omitempty"`
	// Fixed keeps the section in its place when the instrument's sections
	// are randomised.
	Fixed bool `json:"fixed,omitempty"`
	// ShowIf skips the whole section unless it holds: its page is not
	// shown and its items are hidden (not asked, not required, refused
	// when answered). It may refer only to items of earlier sections.
	ShowIf *Condition `json:"show_if,omitempty"`
}

// Item is one question. Which fields apply depends on Type; Validate
// rejects fields that do not belong to the type.
type Item struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Text      string     `json:"text"`
	Help      string     `json:"help,omitempty"`
	Required  bool       `json:"required,omitempty"`
	Scale     string     `json:"scale,omitempty"`
	Subscale  string     `json:"subscale,omitempty"`
	Reverse   bool       `json:"reverse,omitempty"`
	Options   []Option   `json:"options,omitempty"`
	Min       *int64     `json:"min,omitempty"`
	Max       *int64     `json:"max,omitempty"`
	Multiline bool       `json:"multiline,omitempty"`
	MaxLength int        `json:"max_length,omitempty"`
	ShowIf    *Condition `json:"show_if,omitempty"`
	// Fixed keeps the item in its place when its section's items are
	// randomised.
	Fixed bool `json:"fixed,omitempty"`

	// The fields of the types of itemtypes.go.

	// MinText and MaxText bound a date item (ISO dates, 2006-01-02) or a
	// number item (decimal text, canonical). They are min and max in the
	// format, as Min and Max are for an integer item; Item's JSON methods
	// write and read them there.
	MinText string `json:"-"`
	MaxText string `json:"-"`
	// Decimals is how many digits a number item takes after the decimal
	// point (0 to MaxDecimals).
	Decimals int `json:"decimals,omitempty"`
	// Unit is shown after a number item's box and exported in its label.
	Unit string `json:"unit,omitempty"`
	// MinLabel and MaxLabel anchor the ends of a slider (0 and 100).
	MinLabel string `json:"min_label,omitempty"`
	MaxLabel string `json:"max_label,omitempty"`
	// Decline is what a consent item tells a respondent who does not tick
	// it; empty for the interface's standard words.
	Decline string `json:"decline,omitempty"`
	// Other adds an "Other, please specify" option to a choice item, with
	// a text box whose answer is the companion item <id>_other (see
	// Form.OtherItem); OtherLabel words the option.
	Other      bool   `json:"other,omitempty"`
	OtherLabel string `json:"other_label,omitempty"`
	// Attention makes the item an attention check (quality.go): likert,
	// single_choice and integer items only.
	Attention *Attention `json:"attention,omitempty"`
}

// Attention declares an attention check: an item whose instructions ask
// for one answer ("Please choose Agree"). A respondent who answers it
// otherwise, or leaves it unanswered, is flagged (dq_attention), never
// excluded without the researcher asking.
type Attention struct {
	// Expect is the answer asked for: a substantive value of the item's
	// scale or options, or a value in the integer item's range.
	Expect int64 `json:"expect"`
}

// Condition decides whether an item or a section is shown (show_if). It is
// either a comparison on an earlier item (Item set, with one comparison, or
// a lower and an upper bound together) or a combination of conditions
// (exactly one of All, Any and Not). The rule that decides it is shown.go's
// holds; Validate checks its shape, references and operands.
//
// A comparison on an item that is not answered, or not shown, is false,
// except Answered false, which is true then; Not inverts whatever its
// condition gives. Equals, In and NotEquals on a multiple-choice item ask
// whether the value is among (or, for NotEquals, not among) the chosen
// options. Lt, Lte, Gt and Gte compare a single value in the order of the
// numbers; an answer that is a missing-data code meets none of them.
type Condition struct {
	Item   string  `json:"item,omitempty"`
	Equals *int64  `json:"equals,omitempty"`
	In     []int64 `json:"in,omitempty"`
	// NotEquals holds when the answer is not this value.
	NotEquals *int64 `json:"not_equals,omitempty"`
	// Lt, Lte, Gt and Gte hold when the answer is <, <=, > or >= the value.
	Lt  *int64 `json:"lt,omitempty"`
	Lte *int64 `json:"lte,omitempty"`
	Gt  *int64 `json:"gt,omitempty"`
	Gte *int64 `json:"gte,omitempty"`
	// Answered holds, when true, if the item is shown and answered; when
	// false, if it is not (hidden or left empty).
	Answered *bool `json:"answered,omitempty"`
	// All holds when every condition in it holds, Any when at least one
	// does, Not when its condition does not.
	All []Condition `json:"all,omitempty"`
	Any []Condition `json:"any,omitempty"`
	Not *Condition  `json:"not,omitempty"`
}

// IsLeaf reports whether the condition is a comparison on one item rather
// than a combination.
func (c *Condition) IsLeaf() bool { return c.All == nil && c.Any == nil && c.Not == nil }

// Walk calls fn for the condition and every condition under it, parents
// first, in document order.
func (c *Condition) Walk(fn func(*Condition)) {
	if c == nil {
		return
	}
	fn(c)
	for i := range c.All {
		c.All[i].Walk(fn)
	}
	for i := range c.Any {
		c.Any[i].Walk(fn)
	}
	c.Not.Walk(fn)
}

// Items lists the ids of the items the condition refers to, each once,
// in order of first mention.
func (c *Condition) Items() []string {
	var ids []string
	c.Walk(func(n *Condition) {
		if n.Item != "" && !slices.Contains(ids, n.Item) {
			ids = append(ids, n.Item)
		}
	})
	return ids
}

// IsSimple reports whether the condition is one of the two forms of the
// first instrument format, {item, equals} or {item, in}, which every
// importer and exporter understands.
func (c *Condition) IsSimple() bool {
	return c.IsLeaf() && c.Item != "" && (c.Equals != nil) != (c.In != nil) &&
		c.NotEquals == nil && c.Lt == nil && c.Lte == nil && c.Gt == nil && c.Gte == nil && c.Answered == nil
}

// Values lists the values of Equals or In: those an {item, equals} or
// {item, in} condition accepts.
func (c *Condition) Values() []int64 {
	if c.Equals != nil {
		return []int64{*c.Equals}
	}
	return c.In
}

// InstrumentVersion is a stored instrument with its lifecycle state.
type InstrumentVersion struct {
	Instrument
	Status      string
	CreatedAt   time.Time
	PublishedAt *time.Time
	RetiredAt   *time.Time
}

// InstrumentSummary is one row of the instrument list.
type InstrumentSummary struct {
	Key     string
	Version int
	Title   string
	Status  string
	Surveys int
}
