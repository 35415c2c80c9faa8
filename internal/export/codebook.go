package export

import (
	"io"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// CodebookHeader is the codebook's header: one row follows per column of
// the wide layout, in the same order.
var CodebookHeader = []string{
	"variable",      // the CSV column name
	"short_name",    // the name in SPSS and Stata (differs only when the CSV name is longer than 32 characters or reserved)
	"section",       // section id
	"section_title", // section title
	"question",      // question text (option columns: question: option)
	"type",          // see codebookType
	"values",        // value labels "1=Strongly disagree; 2=…", a range, or what the text is
	"reverse_keyed", // "yes" for reverse-keyed items
	"subscale",      // the subscale an item counts towards
	"show_if",       // the condition in words, empty when always shown
	"computation",   // how a score or derived column is computed
	"missing_codes", // the values that are missing-data codes, "9=Not applicable" (see codebookMissing)
}

// WriteCodebook writes the codebook CSV for the form.
func WriteCodebook(out io.Writer, f *survey.Form, opt Options) error {
	b := newCSVBuf(out, Options{ExcelSafe: opt.ExcelSafe})
	if opt.BOM {
		b.b = append(b.b, 0xEF, 0xBB, 0xBF)
	}
	writeRecord := func(fields []string) error {
		for i, s := range fields {
			if i > 0 {
				b.comma()
			}
			b.text(s)
		}
		return b.endRecord()
	}
	if err := writeRecord(CodebookHeader); err != nil {
		return err
	}
	q := opt.Quality
	if q == nil {
		q = f.Quality(survey.DefaultSpeederFraction, 0)
	}
	for _, c := range Columns(f) {
		if err := writeRecord(codebookRow(f, &c, q)); err != nil {
			return err
		}
	}
	return b.flush()
}

func codebookRow(f *survey.Form, c *Column, q *survey.Quality) []string {
	row := make([]string, len(CodebookHeader))
	row[0], row[1], row[4], row[5] = c.Name, c.Short, c.Label, codebookType(c)
	if c.Section != nil {
		row[2], row[3] = c.Section.ID, oneLine(c.Section.Title)
	}
	it := c.Item
	switch c.Kind {
	case MetaColumn:
		switch c.Name {
		case colStatus:
			row[6] = "complete; in_progress"
		case colStartedAt, colSubmittedAt:
			row[6] = "RFC 3339 UTC, to the second: 2026-01-14T09:30:00Z"
			if c.Name == colSubmittedAt {
				row[10] = "empty for a response in progress"
			}
		case colDuration:
			row[10] = "submitted_at − started_at in whole seconds (truncated); empty for a response in progress"
		case colLanguage:
			row[6] = "BCP 47 language tag: en, de, fr, es, ar, ..."
			row[10] = "the interface language of the respondent pages, as of the last page saved; empty for a response sent through the API"
		}
	case ItemColumn:
		switch it.Type {
		case survey.Likert, survey.SingleChoice:
			row[6] = valueLabels(c.Options)
		case survey.Integer:
			row[6] = integerRange(it)
		case survey.Text:
			row[6] = "free text, at most " + strconv.Itoa(it.TextLimit()) + " characters"
			if f.IsOtherItem(it.ID) {
				parent := strings.TrimSuffix(it.ID, survey.OtherSuffix)
				row[10] = "the text of \"" + oneLine(f.Item(parent).OtherText()) + "\" (option " + strconv.FormatInt(f.Item(parent).OtherValue(), 10) + " of " + parent + "); empty unless that option was chosen"
			}
		default:
			row[6], row[10] = newTypeValues(it)
		}
		if it.Type == survey.SingleChoice || it.Type == survey.MultipleChoice {
			if ex := exclusiveOptions(it); ex != "" {
				row[10] = ex
			}
		}
		if it.Reverse {
			row[7] = "yes"
			if lo, hi, ok := f.ScaleRange(it.ID); ok {
				row[10] = "reverse-keyed: counts as " + strconv.FormatInt(lo+hi, 10) + " − value in " + ScorePrefix + it.Subscale + "; the value here is as answered"
			}
		}
		row[8] = it.Subscale
		row[9] = f.DescribeShown(it.ID)
		if a := it.Attention; a != nil {
			note := "attention check: the answer asked for is " + strconv.FormatInt(a.Expect, 10) + "; any other answer, or none, sets dq_attention"
			if row[10] != "" {
				note = row[10] + "; " + note
			}
			row[10] = note
		}
		if codes := c.MissingCodes(); codes != nil {
			row[11] = valueLabels(codes) + codebookMissing + stataCodebook(c) + ")"
		}
	case OptionColumn:
		row[6] = "1=Selected; 0=Not selected"
		row[9] = f.DescribeShown(it.ID)
		row[10] = "option " + strconv.FormatInt(c.Option.Value, 10) + " (" + oneLine(c.Option.Label) + ") of " + it.ID + "; all of " + it.ID + "'s columns are empty when it was not answered or not shown"
		if c.Option.Exclusive {
			row[10] += "; exclusive: never selected together with another option"
		}
		if c.Option.Other {
			row[10] += "; \"Other, please specify\": the text is in " + it.ID + survey.OtherSuffix
		}
		if c.Option.Missing {
			row[11] = "option " + strconv.FormatInt(c.Option.Value, 10) + " is a missing code: 1 here means the respondent chose it; it counts as no substantive answer in the statistics"
		}
	case ScoreColumn:
		row[8] = c.Subscale.ID
		row[10] = f.DescribeScoring(c.Subscale.ID)
	case OrderColumn:
		codebookOrder(row, c)
	case PageColumn:
		row[10] = codebookQuality(c, q)
	case FlagColumn:
		row[6] = valueLabels(c.Options)
		row[10] = codebookQuality(c, q)
	}
	return row
}

// codebookMissing follows the list of an item's missing codes: what the
// export does with them.
const codebookMissing = " (missing codes: kept here as answered; never scored or reversed and left out of every statistic; NA in the R script, with the code in the column <variable>__na; user-missing in SPSS (.sps and .sav); extended missing values in Stata (.do and .dta), labelled with the code's label: "

// stataCodebook maps each missing code of a column to its extended
// missing value, so the code can be recovered from a Stata file.
func stataCodebook(c *Column) string {
	ext := stataExtended(c)
	var parts []string
	for _, o := range c.MissingCodes() {
		if e, ok := ext[o.Value]; ok {
			parts = append(parts, strconv.FormatInt(o.Value, 10)+"="+e)
		} else {
			parts = append(parts, strconv.FormatInt(o.Value, 10)+" kept as a number")
		}
	}
	return strings.Join(parts, ", ")
}

// codebookType names what a column holds.
func codebookType(c *Column) string {
	switch c.Kind {
	case MetaColumn:
		switch {
		case c.Time:
			return "datetime"
		case c.Numeric:
			return "integer"
		}
		return "string"
	case OptionColumn:
		return "multiple_choice_option"
	case OrderColumn:
		return "position"
	case ScoreColumn:
		if c.Subscale.Scoring == survey.ScoreSum {
			return "score_sum"
		}
		return "score_mean"
	case PageColumn:
		return "seconds"
	case FlagColumn:
		return "flag"
	}
	return c.Item.Type
}

// newTypeValues describes the values of an item of survey/itemtypes.go
// and how they are exported.
func newTypeValues(it *survey.Item) (values, note string) {
	switch it.Type {
	case survey.DateItem:
		values = "ISO date (2024-05-31)"
		if it.MinText != "" && it.MaxText != "" {
			values = "ISO date from " + it.MinText + " to " + it.MaxText
		}
		return values, "a date: Date in R, SDATE10 in SPSS, %td in Stata, a date cell in the workbook"
	case survey.Number:
		values = "number with at most " + strconv.Itoa(it.Decimals) + " decimal places"
		if it.MinText != "" && it.MaxText != "" {
			values = "number from " + it.MinText + " to " + it.MaxText + ", at most " + strconv.Itoa(it.Decimals) + " decimal places"
		}
		if it.Unit != "" {
			values += ", in " + oneLine(it.Unit)
		}
		return values, "written exactly as answered (decimal text, never rounded through binary floating point)"
	case survey.Slider:
		lo, hi := it.MinLabel, it.MaxLabel
		if lo == "" {
			lo = "0"
		}
		if hi == "" {
			hi = "100"
		}
		return "integer from 0 (" + oneLine(lo) + ") to 100 (" + oneLine(hi) + ")", "visual analogue scale; empty when the respondent did not move the slider"
	case survey.Consent:
		return valueLabels(ConsentOptions), "required: every submitted response has 1"
	}
	return "", ""
}

// exclusiveOptions names a single-choice column's exclusive and Other
// options for its note.
func exclusiveOptions(it *survey.Item) string {
	if it.Other && it.Type == survey.SingleChoice {
		return "option " + strconv.FormatInt(it.OtherValue(), 10) + " is \"" + oneLine(it.OtherText()) + "\": the text is in " + it.ID + survey.OtherSuffix
	}
	return ""
}

// valueLabels writes options as "1=Strongly disagree; 2=Disagree".
func valueLabels(opts []survey.Option) string {
	var b strings.Builder
	for i, o := range opts {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(strconv.FormatInt(o.Value, 10))
		b.WriteByte('=')
		b.WriteString(oneLine(o.Label))
	}
	return b.String()
}

func integerRange(it *survey.Item) string {
	switch {
	case it.Min != nil && it.Max != nil:
		return "integer from " + strconv.FormatInt(*it.Min, 10) + " to " + strconv.FormatInt(*it.Max, 10)
	case it.Min != nil:
		return "integer, at least " + strconv.FormatInt(*it.Min, 10)
	case it.Max != nil:
		return "integer, at most " + strconv.FormatInt(*it.Max, 10)
	}
	return "integer"
}
