// Package export turns a survey's responses into files for statistics:
// CSV in a wide or a long layout, a codebook, and R, SPSS and Stata syntax
// that read the CSV with the right types and labels, alone or bundled in a
// zip; and the same wide layout as labelled data files, SPSS .sav (sav.go),
// Stata .dta (dta.go) and Excel .xlsx (xlsx.go), from typed cells
// (cells.go). Everything streams from domain rows to an io.Writer, through
// a temporary file where a format's header needs the whole data, so memory
// stays flat whatever the number of responses.
//
// The column rules (names, order, codes, empty cells, scores) are in
// columns.go and documented for users in docs/export.md; every writer here
// derives its columns from Columns, so the CSV, the codebook and the three
// syntax files cannot disagree.
package export

import (
	"context"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Layouts.
const (
	LayoutWide = "wide" // one row per response, one column per item (default)
	LayoutLong = "long" // one row per non-empty item cell of the wide layout
)

// Value modes.
const (
	ValuesCodes  = "codes"  // the numeric option values (default)
	ValuesLabels = "labels" // the option labels
)

// Line-break modes for free text.
const (
	LineBreaksKeep  = "keep"  // exactly as answered (default)
	LineBreaksSpace = "space" // each line break becomes one space, for SPSS
)

// Options shape a CSV export. The zero value is the default export: wide,
// codes, no byte-order mark, text exactly as answered.
type Options struct {
	Layout string // LayoutWide or LayoutLong; "" means wide
	Values string // ValuesCodes or ValuesLabels; "" means codes
	// BOM starts the file with a UTF-8 byte-order mark, which Excel needs
	// to read UTF-8.
	BOM bool
	// ExcelSafe prefixes with an apostrophe the text cells that a
	// spreadsheet could run as formulas: those starting with tab or
	// carriage return, or with =, +, -, @ or their full-width forms after
	// any leading white space or invisible characters (formulaStart).
	// Numeric columns are never changed. Off by default: it alters text,
	// and R, SPSS and Stata need it exact.
	ExcelSafe bool
	// Lang is the language of the labels (item texts, option labels,
	// titles) when it is not the instrument's own: one of the
	// instrument's languages, the Job's Form in it (InLanguage). It names
	// the file (FileName) and changes no codes.
	Lang string
	// LineBreaks is LineBreaksKeep or LineBreaksSpace; "" means keep.
	// LineBreaksSpace also drops NUL characters (the variant is for SPSS,
	// whose strings end at a NUL).
	LineBreaks string
	// Quality is the data-quality rules with the median time of the
	// responses exported (survey.ScanQuality), for the dq_* columns and
	// the codebook (quality.go); nil leaves dq_speeder empty.
	Quality *survey.Quality
}

// ScanFunc feeds responses to fn in export order and stops at fn's first
// error; survey.ResponseScanner.ScanResponses with a filter bound is one.
type ScanFunc func(ctx context.Context, fn func(*survey.Response) error) error

// BaseName returns the file name, without extension, for a survey's
// exports made on the given day: the survey title as a slug and the date,
// such as "burnout-check-ward-3_20260114". Every file of one export (CSV,
// codebook, syntax, zip) shares it, and the syntax files read the CSV by it.
func BaseName(s *survey.Survey, day time.Time) string {
	return slug(s.Title, s.ID) + "_" + day.UTC().Format("20060102")
}

// slug folds a title to lower-case ASCII letters and digits joined by
// single hyphens, at most 60 characters; a title with none becomes
// "survey-{id}".
func slug(title, id string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		r = fold(r)
		switch {
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if s == "" {
		return "survey-" + slugID(id)
	}
	return s
}

func slugID(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold maps common accented Latin letters to their base letter, so that
// "Étude ärztliche" becomes "etude-arztliche" rather than "tude-rztliche".
func fold(r rune) rune {
	if r < 0x80 {
		return r
	}
	for base, set := range map[rune]string{
		'a': "àáâãäåā", 'c': "çćč", 'e': "èéêëēėę", 'i': "ìíîïī", 'n': "ñń",
		'o': "òóôõöøō", 'u': "ùúûüū", 'y': "ýÿ", 's': "śš", 'z': "źżž", 'l': "ł",
	} {
		if strings.ContainsRune(set, r) {
			return base
		}
	}
	return r
}
