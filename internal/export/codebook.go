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
	for _, c := range Columns(f) {
		if err := writeRecord(codebookRow(f, &c)); err != nil {
			return err
		}
	}
	return b.flush()
}

func codebookRow(f *survey.Form, c *Column) []string {
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
		}
		if it.Reverse {
			row[7] = "yes"
			if lo, hi, ok := f.ScaleRange(it.ID); ok {
				row[10] = "reverse-keyed: counts as " + strconv.FormatInt(lo+hi, 10) + " − value in " + ScorePrefix + it.Subscale + "; the value here is as answered"
			}
		}
		row[8] = it.Subscale
		row[9] = f.DescribeShown(it.ID)
		if codes := c.MissingCodes(); codes != nil {
			row[11] = valueLabels(codes) + codebookMissing
		}
	case OptionColumn:
		row[6] = "1=Selected; 0=Not selected"
		row[9] = f.DescribeShown(it.ID)
		row[10] = "option " + strconv.FormatInt(c.Option.Value, 10) + " (" + oneLine(c.Option.Label) + ") of " + it.ID + "; all of " + it.ID + "'s columns are empty when it was not answered or not shown"
		if c.Option.Missing {
			row[11] = "option " + strconv.FormatInt(c.Option.Value, 10) + " is a missing code: 1 here means the respondent chose it; it counts as no substantive answer in the statistics"
		}
	case ScoreColumn:
		row[8] = c.Subscale.ID
		row[10] = f.DescribeScoring(c.Subscale.ID)
	}
	return row
}

// codebookMissing follows the list of an item's missing codes: what the
// export does with them.
const codebookMissing = " (missing codes: kept here as answered; never scored or reversed and left out of every statistic; NA in the R script, with the code in the column <variable>__na; user-missing in SPSS; extended missing .a, .b, … in Stata)"

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
	case ScoreColumn:
		if c.Subscale.Scoring == survey.ScoreSum {
			return "score_sum"
		}
		return "score_mean"
	}
	return c.Item.Type
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
