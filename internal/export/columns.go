package export

import (
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// The wide layout's columns, in order:
//
//  1. response_id, instrument_version, status, started_at, submitted_at,
//     duration_s, language;
//  2. one column per item, in instrument order, named by the item's id,
//     except that a multiple-choice item becomes one 0/1 column per
//     option, named {item}__{value} (a negative value is written with m
//     for the minus sign: q__m1 for −1, since "-" is not allowed in SPSS
//     or Stata names);
//  3. one column per subscale, score_{subscale}, in instrument order;
//  4. when the instrument randomises its order (order.go): with randomised
//     sections one column per section, {section}__page, then one column
//     per item of each section with randomised items, {item}__pos, in
//     instrument order.
//  5. data quality (quality.go): one column per section,
//     duration_{section}_s, the seconds on its page; then the flags
//     dq_speeder, dq_straightline, dq_attention and dq_any.
//
// Item ids are at most 32 characters, so every name except some
// {item}__{value} fits SPSS and Stata. Each column also has a Short name
// for those two: the name itself when it is at most 32 characters and not
// a reserved word there, else a shortened or suffixed name that is unique
// in the file. The codebook lists both.

// Kind tells what a column holds.
type Kind uint8

// Column kinds.
const (
	MetaColumn   Kind = iota + 1 // response metadata
	ItemColumn                   // one item's answer
	OptionColumn                 // one option of a multiple-choice item (0/1)
	ScoreColumn                  // a subscale score
	OrderColumn                  // where a randomised section or item was shown (order.go)
	PageColumn                   // the seconds on one section's page
	FlagColumn                   // a data-quality flag (0/1)
)

// Column is one column of the wide layout.
type Column struct {
	Name  string // the CSV header
	Short string // the variable name in SPSS and Stata (at most 32 characters)
	Kind  Kind
	// Label is a variable label: the question text; for an option column
	// the question and the option; for a score the subscale's title.
	Label string
	// Numeric tells whether every non-empty cell is a number (in codes
	// mode); text, ids, statuses and times are not.
	Numeric bool
	// Integer tells whether every number is an integer that fits in 32
	// bits, so tools can use an integer type.
	Integer bool
	// Time marks started_at and submitted_at (RFC 3339 UTC text).
	Time bool
	// Date marks a date item's column (ISO date text in the CSV, a date
	// in SPSS, Stata and R).
	Date bool

	Item     *survey.Item     // item and option columns
	Option   survey.Option    // option columns
	Options  []survey.Option  // value labels of likert and single-choice columns
	Subscale *survey.Subscale // score columns
	Section  *survey.Section  // item, option, order and duration columns
	// place is what an order column records (order.go).
	place orderPlace
}

// Meta columns, in order.
const (
	colResponseID        = "response_id"
	colInstrumentVersion = "instrument_version"
	colStatus            = "status"
	colStartedAt         = "started_at"
	colSubmittedAt       = "submitted_at"
	colDuration          = "duration_s"
	colLanguage          = "language"
)

var metaNames = []string{colResponseID, colInstrumentVersion, colStatus, colStartedAt, colSubmittedAt, colDuration, colLanguage}

// ScorePrefix starts the name of every score column.
const ScorePrefix = "score_"

// Columns returns the wide layout's columns for the form.
func Columns(f *survey.Form) []Column {
	cols := []Column{
		{Name: colResponseID, Kind: MetaColumn, Label: "Response id (UUID)"},
		{Name: colInstrumentVersion, Kind: MetaColumn, Label: "Instrument version answered", Numeric: true, Integer: true},
		{Name: colStatus, Kind: MetaColumn, Label: "Response status: complete or in_progress"},
		{Name: colStartedAt, Kind: MetaColumn, Label: "Time the response was started (UTC)", Time: true},
		{Name: colSubmittedAt, Kind: MetaColumn, Label: "Time the response was submitted (UTC)", Time: true},
		{Name: colDuration, Kind: MetaColumn, Label: "Seconds from start to submission", Numeric: true},
		{Name: colLanguage, Kind: MetaColumn, Label: "Language of the respondent interface (BCP 47)"},
	}
	in := f.Instrument
	for si := range in.Sections {
		sec := &in.Sections[si]
		for ii := range sec.Items {
			it := &sec.Items[ii]
			switch it.Type {
			case survey.Info:
				continue // text only: no answer, no column
			case survey.MultipleChoice:
				for _, o := range f.Options(it.ID) { // with "Other, please specify"
					cols = append(cols, Column{
						Name: OptionColumnName(it.ID, o.Value), Kind: OptionColumn,
						Label: oneLine(it.Text) + ": " + oneLine(o.Label), Numeric: true, Integer: true,
						Item: it, Option: o, Section: sec,
					})
				}
			default:
				c := Column{Name: it.ID, Kind: ItemColumn, Label: oneLine(it.Text), Item: it, Section: sec}
				switch it.Type {
				case survey.Likert, survey.SingleChoice:
					c.Numeric = true
					c.Options = f.Options(it.ID)
					c.Integer = fitsInt32(c.Options)
				case survey.Integer:
					c.Numeric = true
					c.Integer = it.Min != nil && it.Max != nil && int32ok(*it.Min) && int32ok(*it.Max)
				default:
					newTypeColumn(&c)
				}
				cols = append(cols, c)
			}
			if o := f.OtherItem(it.ID); o != nil {
				// The "Other, please specify" text, right after its item.
				cols = append(cols, Column{Name: o.ID, Kind: ItemColumn, Label: oneLine(o.Text), Item: o, Section: sec})
			}
		}
	}
	for i := range in.Subscales {
		s := &in.Subscales[i]
		cols = append(cols, Column{Name: ScorePrefix + s.ID, Kind: ScoreColumn, Label: oneLine(s.Title), Numeric: true, Subscale: s})
	}
	cols = append(cols, orderColumns(f)...)
	cols = append(cols, qualityColumns(in)...)
	assignShortNames(cols)
	return cols
}

// ConsentOptions label a consent item's one value.
var ConsentOptions = []survey.Option{{Value: 1, Label: "Consent given"}}

// newTypeColumn types the column of an item of survey/itemtypes.go: a
// date is a Date column; a number is numeric (an integer column when it
// takes no decimals and its bounds fit), written exactly as stored; a
// slider (0–100) and a consent (1) are integers.
func newTypeColumn(c *Column) {
	it := c.Item
	switch it.Type {
	case survey.DateItem:
		c.Date = true
	case survey.Number:
		c.Numeric = true
		c.Integer = it.Decimals == 0 && smallDecimal(it.MinText) && smallDecimal(it.MaxText) && it.MinText != "" && it.MaxText != ""
		if it.Unit != "" {
			c.Label += " (" + oneLine(it.Unit) + ")"
		}
	case survey.Slider:
		c.Numeric, c.Integer = true, true
	case survey.Consent:
		c.Numeric, c.Integer, c.Options = true, true, ConsentOptions
	}
}

// numberWidth is the display width of a number item's column: 15 digits,
// a sign, a point and its decimals.
func numberWidth(it *survey.Item) int { return min(40, survey.MaxNumberDigits+2+it.Decimals) }

// declaredBounds are the least and greatest answers an integer column's
// item declares (none when it does not bound them).
func declaredBounds(it *survey.Item) []int64 {
	var out []int64
	switch it.Type {
	case survey.Integer:
		for _, b := range []*int64{it.Min, it.Max} {
			if b != nil {
				out = append(out, *b)
			}
		}
	case survey.Slider:
		out = []int64{0, survey.SliderMax}
	case survey.Consent:
		out = []int64{1}
	case survey.Number:
		for _, s := range []string{it.MinText, it.MaxText} {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// smallDecimal reports whether a canonical whole decimal fits int32ok.
func smallDecimal(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && int32ok(n)
}

// MissingCodes returns the options of an item column that are
// missing-data codes, in option order; nil for other columns.
func (c *Column) MissingCodes() []survey.Option {
	if c.Kind != ItemColumn {
		return nil
	}
	var out []survey.Option
	for _, o := range c.Options {
		if o.Missing {
			out = append(out, o)
		}
	}
	return out
}

// OptionColumnName names the 0/1 column of one option of a
// multiple-choice item.
func OptionColumnName(item string, value int64) string {
	if value < 0 {
		return item + "__m" + strconv.FormatUint(uint64(-value), 10)
	}
	return item + "__" + strconv.FormatInt(value, 10)
}

func fitsInt32(opts []survey.Option) bool {
	for _, o := range opts {
		if !int32ok(o.Value) {
			return false
		}
	}
	return true
}

// int32ok reports whether n fits in 32 bits, and within Stata's range for
// value labels (which stops short of the int32 extremes).
func int32ok(n int64) bool { return n >= -2147483647 && n <= 2147483620 }

// oneLine joins the lines of a text with spaces: labels in syntax files
// are single-line strings.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// MaxShortName is the longest variable name Stata accepts (SPSS takes 64
// bytes).
const MaxShortName = 32

// reservedNames are words SPSS or Stata refuse as variable names (SPSS's
// keywords are case-insensitive; ids are lower case anyway).
var reservedNames = map[string]bool{
	// SPSS
	"all": true, "and": true, "by": true, "eq": true, "ge": true, "gt": true, "le": true,
	"lt": true, "ne": true, "not": true, "or": true, "to": true, "with": true,
	// Stata
	"byte": true, "double": true, "float": true, "if": true, "in": true, "int": true,
	"long": true, "using": true, "strl": true,
}

func reservedName(n string) bool {
	if reservedNames[n] {
		return true
	}
	// Stata reserves str1 … str2045 for string types.
	if strings.HasPrefix(n, "str") && len(n) > 3 {
		if _, err := strconv.Atoi(n[3:]); err == nil {
			return true
		}
	}
	return false
}

// assignShortNames gives every column a Short name: its own name when that
// is valid in SPSS and Stata, else a shortened one. A long option column
// keeps its value and as much of its item id as fits ({ite}__{value}); a
// reserved word gets "_v" appended; a clash with any other name gets _2,
// _3, … The rule is stable: the same instrument always gets the same names.
func assignShortNames(cols []Column) {
	taken := make(map[string]bool, len(cols))
	for _, c := range cols {
		if len(c.Name) <= MaxShortName && !reservedName(c.Name) {
			taken[c.Name] = true
		}
	}
	for i := range cols {
		c := &cols[i]
		if len(c.Name) <= MaxShortName && !reservedName(c.Name) {
			c.Short = c.Name
			continue
		}
		base := c.Name
		if reservedName(base) {
			base += "_v"
		}
		if len(base) > MaxShortName {
			if c.Kind == OptionColumn {
				suffix := c.Name[strings.LastIndex(c.Name, "__"):]
				base = strings.TrimRight(c.Item.ID[:max(1, MaxShortName-len(suffix))], "_") + suffix
			}
			if c.Kind == OrderColumn { // {id}__pos, {id}__page: keep the suffix
				cut := strings.LastIndex(c.Name, "__")
				base = strings.TrimRight(c.Name[:max(1, MaxShortName-(len(c.Name)-cut))], "_") + c.Name[cut:]
			}
			if len(base) > MaxShortName {
				base = base[:MaxShortName]
			}
		}
		name := base
		for n := 2; taken[name]; n++ {
			suffix := "_" + strconv.Itoa(n)
			name = base[:min(len(base), MaxShortName-len(suffix))] + suffix
		}
		taken[name] = true
		c.Short = name
	}
}
