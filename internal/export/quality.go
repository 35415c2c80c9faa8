package export

import (
	"math"
	"strconv"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Data-quality columns (survey/quality.go), after the scores in the wide
// layout and in every data file; the long layout has none (like scores).
//
//   - duration_{section}_s: the seconds on the section's page in the web
//     form, from its first view to its save, over every visit, to a tenth
//     of a second (survey/pagetimes.go); empty for a response sent
//     through the API, and for a page never saved (skipped, or not
//     reached yet).
//   - dq_speeder, dq_straightline, dq_attention: 1 when the rule flags
//     the response, 0 when not; dq_any: 1 when any does. Empty for a
//     response in progress; dq_speeder (and so dq_any, when no other flag
//     is set) is also empty without a median time (Options.Quality not
//     given, or no complete response). The codebook states each rule with
//     the fraction and the median used.
//
// Flags never remove a response from an export.

// Flag column names.
const (
	colSpeeder      = "dq_speeder"
	colStraightline = "dq_straightline"
	colAttention    = "dq_attention"
	colAnyFlag      = "dq_any"
)

// DurationColumnName names the page-time column of a section.
func DurationColumnName(section string) string { return "duration_" + section + "_s" }

// flagLabels label the 0/1 cells of a flag column.
var flagLabels = []survey.Option{{Value: 0, Label: "Not flagged"}, {Value: 1, Label: "Flagged"}}

func qualityColumns(in *survey.Instrument) []Column {
	var cols []Column
	for si := range in.Sections {
		sec := &in.Sections[si]
		cols = append(cols, Column{Name: DurationColumnName(sec.ID), Kind: PageColumn,
			Label: "Seconds on page: " + oneLine(sec.Title), Numeric: true, Section: sec})
	}
	for _, f := range []struct{ name, label string }{
		{colSpeeder, "Speeder"},
		{colStraightline, "Straightlining"},
		{colAttention, "Attention check failed"},
		{colAnyFlag, "Any data-quality flag"},
	} {
		cols = append(cols, Column{Name: f.name, Kind: FlagColumn, Label: f.label, Numeric: true, Integer: true, Options: flagLabels})
	}
	return cols
}

// pageSeconds returns a section's page time in seconds, to a tenth.
func pageSeconds(r *survey.Response, section string) (float64, bool) {
	ms, ok := r.PageTimes[section]
	if !ok {
		return 0, false
	}
	return math.Round(float64(ms)/100) / 10, true
}

// flagCells computes one response's flag cells, in column order
// (speeder, straightline, attention, any): -1 for empty. vals are the
// answers by form position (survey.Quality.FlagsByPosition).
func flagCells(q *survey.Quality, r *survey.Response, vals []survey.Value) [4]int8 {
	if r.Status != survey.ResponseComplete {
		return [4]int8{-1, -1, -1, -1}
	}
	f := q.FlagsByPosition(r, vals)
	b := func(v bool) int8 {
		if v {
			return 1
		}
		return 0
	}
	out := [4]int8{b(f.Speeder), b(f.Straightline), b(f.Attention), b(f.Any())}
	if q.Median() <= 0 {
		out[0] = -1
		if out[3] == 0 {
			out[3] = -1
		}
	}
	return out
}

// flagIndex is a flag column's place in flagCells.
func flagIndex(name string) int {
	switch name {
	case colSpeeder:
		return 0
	case colStraightline:
		return 1
	case colAttention:
		return 2
	}
	return 3
}

// codebookQuality is the codebook's notes for a data-quality column.
func codebookQuality(c *Column, q *survey.Quality) string {
	if c.Kind == PageColumn {
		return "seconds on the page of section " + c.Section.ID + " in the web form, from its first view to its save, added over every visit (each visit at most " +
			strconv.Itoa(int(survey.MaxPageVisit.Minutes())) + " minutes), to a tenth of a second; empty for a response sent through the API and for a page not saved"
	}
	speeder, straight, attention := q.Describe()
	switch c.Name {
	case colSpeeder:
		return speeder
	case colStraightline:
		return straight
	case colAttention:
		return attention
	}
	return "1 when any of dq_speeder, dq_straightline and dq_attention is 1; flags never remove a response, and statistics leave flagged responses out only with exclude=dq"
}
