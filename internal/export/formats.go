package export

// The format registry: one table of the export formats, read by every
// caller that offers them (the API's download routes, the dashboard's
// downloads, which are the API's handlers, and `dyad export`).
//
// Each format says once what every caller needs: its name (`dyad export
// --format`), the last segment of its download path, its media type, its
// file-name rule and its writer, and which options and filters it takes.
// A new format (Parquet, say) is one row here; the callers list the table.
//
// The file-name rule is the one thing callers most easily drift on, so it
// is a function of the row: a survey's base name (BaseName) plus a suffix
// that depends on the options that change the file's content (the long
// layout, labels, SPSS line breaks), plus the extension.

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument/fhir"
	"github.com/dyad-survey/dyad/internal/instrument/redcap"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Option names, as the API's query parameters spell them (`dyad export`
// spells line_breaks and excel_safe with a hyphen).
const (
	OptLayout     = "layout"
	OptValues     = "values"
	OptLineBreaks = "line_breaks"
	OptBOM        = "bom"
	OptExcelSafe  = "excel_safe"
)

// CSVOptions lists the options of Options, in the order they are
// documented.
var CSVOptions = []string{OptLayout, OptValues, OptLineBreaks, OptBOM, OptExcelSafe}

// OptionValues lists the allowed values of the options that take one of
// a few words; the first is the default.
var OptionValues = map[string][]string{
	OptLayout:     {LayoutWide, LayoutLong},
	OptValues:     {ValuesCodes, ValuesLabels},
	OptLineBreaks: {LineBreaksKeep, LineBreaksSpace},
}

// ParseTime reads a since or until bound: an RFC 3339 time, or a date
// meaning 00:00 UTC that day.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02", s)
}

// Job is what a writer needs: the form, the survey's names and date, the
// options, and the responses (for formats that read them).
type Job struct {
	Form    *survey.Form
	Info    SyntaxInfo
	Options Options
	Scan    ScanFunc
}

// info is the job's SyntaxInfo with the options' data-quality rules.
func (j Job) info() SyntaxInfo {
	info := j.Info
	if info.Quality == nil {
		info.Quality = j.Options.Quality
	}
	return info
}

// Format is one export format. The zero Format is not a format; use
// Formats, FormatByName or FormatByPath.
type Format struct {
	// Name is the format's name for `dyad export --format`.
	Name string
	// Path is the last segment of the download's path under
	// /surveys/{id}/ (API) and /admin/surveys/{id}/ (dashboard).
	Path string
	// MediaType is the Content-Type of the download.
	MediaType string
	// Responses tells whether the format holds responses: it needs a
	// response scanner and takes the status and time filters.
	Responses bool
	// Options lists the options of Options that change the file.
	Options []string
	// Fixed, for a format with responses that takes no options, says why
	// (for the error that refuses them).
	Fixed string

	suffix func(opt Options) string // the file name after the base name
	write  func(ctx context.Context, w io.Writer, j Job) error
}

// FileName is the format's file-name rule: the name of the file made for
// a survey's base name (BaseName) with the given options. The API's
// Content-Disposition and `dyad export` both give this name.
func (f *Format) FileName(base string, opt Options) string {
	if opt.Lang != "" {
		base += "_" + opt.Lang
	}
	return base + f.suffix(opt)
}

// OptLang is the option that chooses the labels' language; every format
// takes it.
const OptLang = "lang"

// InLanguage is the form whose labels an export in lang writes: form in
// lang, which must be one of the instrument's languages (EInvalid naming
// OptLang otherwise); form itself for "" or the instrument's own language.
// Codes, variable names and the answers are the same in every language.
func InLanguage(form *survey.Form, lang string) (*survey.Form, error) {
	in := form.Instrument
	if lang == "" || lang == in.DefaultLanguage() {
		return form, nil
	}
	if !in.HasLanguage(lang) {
		var p survey.Problems
		p.Add(OptLang, "must be one of the instrument's languages (%s), got %q", strings.Join(in.AllLanguages(), ", "), lang)
		return nil, p.Err(survey.EInvalid, "the export query is not valid")
	}
	return form.In(lang), nil
}

// Write writes the file.
func (f *Format) Write(ctx context.Context, w io.Writer, j Job) error { return f.write(ctx, w, j) }

// Takes tells whether the format's file depends on the named option.
func (f *Format) Takes(option string) bool {
	for _, o := range f.Options {
		if o == option {
			return true
		}
	}
	return false
}

// Media types.
const (
	csvType    = "text/csv; charset=utf-8; header=present"
	syntaxType = "text/plain; charset=utf-8"
	zipType    = "application/zip"
	savType    = "application/x-spss-sav"
	dtaType    = "application/x-stata-dta"
	xlsxType   = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// csvSuffix is the CSV's file-name rule: a suffix for each option that
// changes the file from the default (wide, codes, exact text).
func csvSuffix(opt Options) string {
	s := ""
	if opt.Layout == LayoutLong {
		s += "_long"
	}
	if opt.Values == ValuesLabels {
		s += "_labels"
	}
	if opt.LineBreaks == LineBreaksSpace {
		s += "_spss"
	}
	return s + ".csv"
}

// The suffixes of the files that take no options (the zip bundle names
// its files by the same rules: BundleFiles).
const (
	codebookSuffix = "_codebook.csv"
	rSuffix        = ".R"
	spssSuffix     = ".sps"
	stataSuffix    = ".do"
)

func fixed(s string) func(Options) string { return func(Options) string { return s } }

// Formats is the registry, in the order the formats are listed.
var Formats = []*Format{
	{Name: "csv", Path: "export.csv", MediaType: csvType, Responses: true, Options: CSVOptions,
		suffix: csvSuffix,
		write: func(ctx context.Context, w io.Writer, j Job) error {
			return WriteCSV(ctx, w, j.Form, j.Options, j.Scan)
		}},
	{Name: "codebook", Path: "codebook.csv", MediaType: csvType, Options: []string{OptBOM, OptExcelSafe},
		suffix: fixed(codebookSuffix),
		write: func(_ context.Context, w io.Writer, j Job) error {
			return WriteCodebook(w, j.Form, Options{BOM: j.Options.BOM, ExcelSafe: j.Options.ExcelSafe, Quality: j.Options.Quality})
		}},
	{Name: "r", Path: "export.R", MediaType: syntaxType, suffix: fixed(rSuffix),
		write: func(_ context.Context, w io.Writer, j Job) error { return WriteR(w, j.Form, j.Info) }},
	{Name: "spss", Path: "export.sps", MediaType: syntaxType, suffix: fixed(spssSuffix),
		write: func(_ context.Context, w io.Writer, j Job) error { return WriteSPSS(w, j.Form, j.Info) }},
	{Name: "stata", Path: "export.do", MediaType: syntaxType, suffix: fixed(stataSuffix),
		write: func(_ context.Context, w io.Writer, j Job) error { return WriteStata(w, j.Form, j.Info) }},
	{Name: "zip", Path: "export.zip", MediaType: zipType, Responses: true,
		Fixed:  "its CSV is always wide, with codes and exact text, which the syntax files read",
		suffix: fixed(".zip"),
		write: func(ctx context.Context, w io.Writer, j Job) error {
			return WriteBundle(ctx, w, j.Form, j.info(), j.Scan)
		}},
	// The responses for the tools of other formats (docs/interop.md): REDCap's
	// data import, for the dictionary `dyad convert --to redcap` writes, and
	// FHIR QuestionnaireResponses for the Questionnaire of --to fhir.
	{Name: "redcap", Path: "export-redcap.csv", MediaType: csvType, Responses: true,
		Fixed:  "REDCap's import reads one layout: codes, one 0/1 column per checkbox choice",
		suffix: fixed("_redcap.csv"),
		write: func(ctx context.Context, w io.Writer, j Job) error {
			return redcap.WriteRecords(ctx, w, j.Form, j.Scan)
		}},
	{Name: "fhir", Path: "export.ndjson", MediaType: "application/fhir+ndjson", Responses: true,
		Fixed:  "a QuestionnaireResponse has one shape",
		suffix: fixed("_fhir.ndjson"),
		write: func(ctx context.Context, w io.Writer, j Job) error {
			return fhir.WriteResponses(ctx, w, j.Form, j.Scan)
		}},
	{Name: "sav", Path: "export.sav", MediaType: savType, Responses: true,
		Fixed:  "an SPSS file holds codes with their value labels, and its strings keep line breaks",
		suffix: fixed(".sav"),
		write: func(ctx context.Context, w io.Writer, j Job) error {
			return WriteSAV(ctx, w, j.Form, j.info(), j.Scan)
		}},
	{Name: "dta", Path: "export.dta", MediaType: dtaType, Responses: true,
		Fixed:  "a Stata file holds codes with their value labels, and its strings keep line breaks",
		suffix: fixed(".dta"),
		write: func(ctx context.Context, w io.Writer, j Job) error {
			return WriteDTA(ctx, w, j.Form, j.info(), j.Scan)
		}},
	{Name: "xlsx", Path: "export.xlsx", MediaType: xlsxType, Responses: true, Options: []string{OptValues},
		Fixed:  "a workbook stores numbers as numbers and text exactly, with no formulas",
		suffix: xlsxSuffix,
		write: func(ctx context.Context, w io.Writer, j Job) error {
			return WriteXLSX(ctx, w, j.Form, j.Options, j.Scan)
		}},
}

// FormatByName returns the format with the given Name; nil if none.
func FormatByName(name string) *Format {
	for _, f := range Formats {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// FormatNames lists the formats' names, for usage and error messages.
func FormatNames() []string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = f.Name
	}
	return names
}
