package export

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Syntax files: an R script, an SPSS syntax file and a Stata do-file that
// read the wide CSV export (values=codes) with the right types and apply
// the variable and value labels. Each names every column of the CSV and
// checks, where the tool allows, that the file has exactly these columns.
//
// Each tool's limits are met here rather than left to the user:
//
//   - R: names are used as they are (check.names = FALSE); strings are
//     written in ASCII with \u escapes, so the script reads the same in
//     any locale. The CSV is read as bytes, NULs removed and the rest
//     declared UTF-8, then parsed by read.csv(text = ...): read.csv on
//     the file itself cuts a text short at a NUL (with a mere warning)
//     and, in a locale that is not UTF-8, stops at the first character
//     the locale lacks, dropping the rows after it.
//   - SPSS: its text import reads one case per line, so it cannot read a
//     line break inside a quoted value; the .sps therefore reads the
//     variant of the CSV exported with line_breaks=space (in the zip
//     bundle, {base}_spss.csv). Strings are quoted with ' and embedded '
//     doubled, long ones split with +; variable labels are cut at 255
//     bytes and value labels at 120 bytes (SPSS's limits).
//   - Stata: variable names are at most 32 characters (the Short names of
//     Columns); variable labels are cut at 80 bytes, and the whole text
//     goes into a note; value labels need integers, so an item whose
//     values do not fit Stata's range keeps its values without labels.
//     Strings use compound quotes, with $ and ` escaped against macro
//     expansion.
//
// Texts from the instrument and the survey (titles, questions, option
// labels) reach these files as code: one stray character must not break
// a script. Answers are checked for control characters when they arrive
// (survey.ForbiddenInText), and instrument texts when an instrument is
// created, but databases written before those checks may hold any text.
// So, in the SPSS syntax, the do-file and the header comments of all
// three, every text is made plain by syntaxText before it is quoted:
// invalid UTF-8 becomes U+FFFD, NUL is removed (a NUL in the title made
// PSPP take the whole .sps for UTF-16), and every other control character,
// and the line and paragraph separators, becomes a space. The quoting
// then applies: SPSS apostrophes; Stata compound quotes, with the
// character pairs that open or close a comment (/* */ //) split by a
// space, since a comment can swallow the lines after it. In R, rString
// escapes every character that is not printable ASCII, so labels keep
// their control characters; only NUL, which R strings cannot hold, is
// left out.

// SyntaxInfo says which export a syntax file reads.
type SyntaxInfo struct {
	Survey *survey.Survey
	// Base is the exports' file name without extension (BaseName); the
	// scripts read Base+".csv" (SPSS: Base+"_spss.csv").
	Base      string
	Generated time.Time
	// Quality is Options.Quality, for the formats that take a SyntaxInfo
	// (.sav, .dta, the zip).
	Quality *survey.Quality
}

// CSVName is the name of the CSV the R script and the do-file read.
func (s SyntaxInfo) CSVName() string { return s.Base + csvSuffix(Options{}) }

// SPSSCSVName is the name of the CSV the SPSS syntax reads: the export
// with line_breaks=space.
func (s SyntaxInfo) SPSSCSVName() string {
	return s.Base + csvSuffix(Options{LineBreaks: LineBreaksSpace})
}

func (s SyntaxInfo) header(f *survey.Form, comment string) string {
	in := f.Instrument
	var b strings.Builder
	title := syntaxText(s.Survey.Title)
	if comment == "*" {
		title = splitComments(title) // SPSS has /* */ comments too
	}
	fmt.Fprintf(&b, "%s Dyad export: %s\n", comment, title)
	fmt.Fprintf(&b, "%s Survey %s, instrument %s version %d; generated %s.\n", comment, s.Survey.ID, in.Key, in.Version,
		s.Generated.UTC().Format("2006-01-02 15:04 UTC"))
	return b.String()
}

// ---------------------------------------------------------------- R ----

// WriteR writes an R script that reads the CSV into a data frame `dyad`.
func WriteR(out io.Writer, f *survey.Form, info SyntaxInfo) error {
	w := bufio.NewWriter(out)
	cols := Columns(f)
	w.WriteString(info.header(f, "#"))
	w.WriteString(`#
# Reads the wide CSV export (values=codes) into the data frame ` + "`dyad`" + `, with
# the right column types, and attaches variable labels (attribute "label")
# and value labels (attribute "labels", a named vector label = code): the
# convention of the haven and labelled packages, so RStudio's viewer shows
# them and haven::zap_labels() or labelled::to_factor() understand them.
# Base R only. dyad_factor(x) turns a labelled column into a factor.
#
# Empty cells are NA: an item not answered, or not shown. Item columns hold
# the values as answered, reverse-keyed items included; the score_* columns
# are Dyad's scores (see the codebook for each rule).
#
# Missing-data codes (options marked missing, such as 9 = "Not applicable")
# are NA in their item's column, so no mean or model counts them; the code
# each respondent gave is kept in a companion column <item>__na, placed
# right after the item, labelled with the codes (NA where the answer was
# substantive or absent). A column rather than an attribute, because it
# stays with its rows through subsetting, sorting and merging, while an
# attribute holding one value per row is dropped by dyad[rows, ]. The
# item's "na_values" attribute lists its codes (haven's name for them).
# Item ids never contain "__", so these names cannot collide with an item.

`)
	fmt.Fprintf(w, "csv_file <- %s  # change if you renamed the file\n\n", rString(info.CSVName()))
	w.WriteString(`# The CSV is UTF-8, with or without a byte-order mark. It is read as bytes
# and declared UTF-8, so that it reads the same in any locale (read.csv on
# the file converts it to the locale's encoding, and stops at the first
# character the locale lacks). R strings cannot hold a NUL character;
# Dyad refuses them in answers, but older data may hold some: they are
# removed, with a message saying how many.
dyad_bytes <- readBin(csv_file, "raw", n = file.info(csv_file)$size)
dyad_nul <- dyad_bytes == as.raw(0L)
if (any(dyad_nul)) {
  message(sum(dyad_nul), " NUL character(s) removed from ", csv_file, ": R strings cannot hold them")
  dyad_bytes <- dyad_bytes[!dyad_nul]
}
if (length(dyad_bytes) >= 3L && identical(dyad_bytes[1:3], as.raw(c(0xef, 0xbb, 0xbf)))) {
  dyad_bytes <- dyad_bytes[-(1:3)]
}
dyad_text <- rawToChar(dyad_bytes)
Encoding(dyad_text) <- "UTF-8"
`)
	w.WriteString("dyad <- utils::read.csv(\n  text = dyad_text, encoding = \"UTF-8\", na.strings = \"\", check.names = FALSE,\n")
	w.WriteString("  stringsAsFactors = FALSE, strip.white = FALSE, quote = \"\\\"\", comment.char = \"\",\n  colClasses = c(\n")
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		fmt.Fprintf(w, "    %s = %s%s\n", rString(c.Name), rString(rClass(&c)), sep)
	}
	w.WriteString("  )\n)\n\n")
	w.WriteString("dyad_columns <- c(\n")
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		fmt.Fprintf(w, "  %s%s\n", rString(c.Name), sep)
	}
	w.WriteString(")\nif (!identical(names(dyad), dyad_columns)) {\n  stop(\"the columns of \", csv_file, \" are not those of this export; download the script and the CSV together\")\n}\n\n")
	w.WriteString("for (v in c(\"started_at\", \"submitted_at\")) {\n  dyad[[v]] <- as.POSIXct(dyad[[v]], format = \"%Y-%m-%dT%H:%M:%SZ\", tz = \"UTC\")\n}\n\n")
	for _, c := range cols {
		if c.Date {
			fmt.Fprintf(w, "dyad[[%[1]s]] <- as.Date(dyad[[%[1]s]], format = \"%%Y-%%m-%%d\")\n", rString(c.Name))
		}
	}
	writeRMissing(w, cols)
	w.WriteString(`dyad_label <- function(x, label, labels = NULL) {
  attr(x, "label") <- label
  if (!is.null(labels)) attr(x, "labels") <- labels
  x
}

dyad_factor <- function(x) {
  labels <- attr(x, "labels")
  factor(x, levels = unname(labels), labels = names(labels))
}

`)
	var order []string // the columns with the companions after their items
	for _, c := range cols {
		suffix := ""
		if c.Integer {
			suffix = "L"
		}
		order = append(order, c.Name)
		codes := c.MissingCodes()
		labels := columnValueLabels(&c)
		if codes != nil {
			labels = substantiveOptions(labels)
		}
		fmt.Fprintf(w, "dyad[[%s]] <- dyad_label(dyad[[%s]], %s", rString(c.Name), rString(c.Name), rString(c.Label))
		if labels != nil {
			w.WriteString(", ")
			writeRLabels(w, labels, suffix)
		}
		w.WriteString(")\n")
		if codes != nil {
			name := c.Name + rMissingSuffix
			order = append(order, name)
			w.WriteString("attr(dyad[[" + rString(c.Name) + "]], \"na_values\") <- ")
			writeRValues(w, codes, suffix)
			w.WriteString("\n")
			fmt.Fprintf(w, "dyad[[%s]] <- dyad_label(dyad[[%s]], %s, ", rString(name), rString(name), rString(c.Label+": missing code given"))
			writeRLabels(w, codes, suffix)
			w.WriteString(")\n")
		}
	}
	if len(order) > len(cols) {
		w.WriteString("\n# Each <item>__na column right after its item.\ndyad <- dyad[c(\n")
		for i, n := range order {
			sep := ","
			if i == len(order)-1 {
				sep = ""
			}
			fmt.Fprintf(w, "  %s%s\n", rString(n), sep)
		}
		w.WriteString(")]\n")
	}
	w.WriteString("\nrm(v, dyad_columns, dyad_bytes, dyad_nul, dyad_text)\n")
	return w.Flush()
}

// rMissingSuffix names the companion column that keeps an item's missing
// code in the R data frame.
const rMissingSuffix = "__na"

// writeRMissing moves each item's missing codes from its column to the
// companion column <item>__na, leaving NA in the item's column.
func writeRMissing(w *bufio.Writer, cols []Column) {
	for _, c := range cols {
		codes := c.MissingCodes()
		if codes == nil {
			continue
		}
		suffix := ""
		if c.Integer {
			suffix = "L"
		}
		name := rString(c.Name)
		fmt.Fprintf(w, "# %s: missing codes ", name)
		for i, o := range codes {
			if i > 0 {
				w.WriteString(", ")
			}
			fmt.Fprintf(w, "%d", o.Value)
		}
		w.WriteString(" become NA; the code given is kept in " + rString(c.Name+rMissingSuffix) + ".\n")
		w.WriteString("dyad_na <- dyad[[" + name + "]] %in% ")
		writeRValues(w, codes, suffix)
		w.WriteString("\n")
		// A copy with the other values set to NA keeps the column's type
		// (ifelse would give a logical column when no one chose a code).
		fmt.Fprintf(w, "dyad[[%[1]s]] <- dyad[[%[2]s]]\ndyad[[%[1]s]][!dyad_na] <- NA\n", rString(c.Name+rMissingSuffix), name)
		fmt.Fprintf(w, "dyad[[%s]][dyad_na] <- NA\n", name)
	}
	if slices.ContainsFunc(cols, func(c Column) bool { return c.MissingCodes() != nil }) {
		w.WriteString("rm(dyad_na)\n\n")
	}
}

// writeRValues writes c(9L, 99L).
func writeRValues(w *bufio.Writer, opts []survey.Option, suffix string) {
	w.WriteString("c(")
	for i, o := range opts {
		if i > 0 {
			w.WriteString(", ")
		}
		fmt.Fprintf(w, "%d%s", o.Value, suffix)
	}
	w.WriteString(")")
}

// writeRLabels writes value labels as a named vector.
func writeRLabels(w *bufio.Writer, labels []survey.Option, suffix string) {
	// structure(), not c("label" = value): R turns the names of a call's
	// arguments into symbols in the native encoding, which in a locale
	// that is not UTF-8 mangles "é" (with a warning).
	w.WriteString("structure(")
	writeRValues(w, labels, suffix)
	w.WriteString(", names = c(")
	for i, o := range labels {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteString(rString(o.Label))
	}
	w.WriteString("))")
}

// substantiveOptions returns the options that are not missing codes.
func substantiveOptions(opts []survey.Option) []survey.Option {
	var out []survey.Option
	for _, o := range opts {
		if !o.Missing {
			out = append(out, o)
		}
	}
	return out
}

func rClass(c *Column) string {
	switch {
	case c.Integer:
		return "integer"
	case c.Numeric:
		return "numeric"
	}
	return "character"
}

// columnValueLabels returns the value labels of a column: its options, or
// 0/1 for an option column.
func columnValueLabels(c *Column) []survey.Option {
	switch c.Kind {
	case OptionColumn:
		return []survey.Option{{Value: 0, Label: "Not selected"}, {Value: 1, Label: "Selected"}}
	case ItemColumn, FlagColumn:
		return c.Options
	}
	return nil
}

// rString quotes s as an R string literal in ASCII: non-ASCII characters
// become \u{…} or \U{…} escapes, so the script does not depend on the
// locale it is run in. Control characters are \u escapes too, never \x:
// R refuses a literal that mixes \x and \u escapes ("é\v" would break
// the script). NUL is left out: R strings cannot hold it, and "\u{0}" is
// an error. Invalid UTF-8 becomes U+FFFD (what range yields).
func rString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == 0:
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u{%04x}`, r)
		case r < 0x80:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u{%04x}`, r)
		default:
			fmt.Fprintf(&b, `\U{%x}`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ------------------------------------------------------------- SPSS ----

// SPSS limits, in bytes.
const (
	spssVarLabelMax   = 255
	spssValueLabelMax = 120
	spssStringMax     = 32767
)

// WriteSPSS writes SPSS syntax that reads the CSV exported with
// line_breaks=space.
func WriteSPSS(out io.Writer, f *survey.Form, info SyntaxInfo) error {
	w := bufio.NewWriter(out)
	cols := Columns(f)
	w.WriteString("* Encoding: UTF-8.\n")
	w.WriteString(info.header(f, "*"))
	fmt.Fprintf(w, `*
* Reads %s: the wide CSV export (values=codes) with
* line_breaks=space, because SPSS reads one case per line and cannot read a
* line break inside a value; every other character of free text is exact.
* Then it applies variable and value labels and measurement levels, and
* turns started_at and submitted_at into SPSS date-times.
* Run it with the data file in SPSS's working directory, or change the
* FILE path below. Names longer than 32 characters are shortened: the
* codebook's short_name column lists every name.
* Empty cells are system-missing: an item not answered or not shown. Item
* columns hold the values as answered; the score_ columns are Dyad's scores.
* Missing-data codes (options marked missing, such as 9 = Not applicable)
* keep their value and label and are declared user-missing (MISSING VALUES).
.
`, info.SPSSCSVName())
	w.WriteString("GET DATA\n  /TYPE=TXT\n  /FILE=")
	w.WriteString(spssString(info.SPSSCSVName()))
	w.WriteString("\n  /ENCODING='UTF8'\n  /ARRANGEMENT=DELIMITED\n  /DELCASE=LINE\n  /FIRSTCASE=2\n  /DELIMITERS=\",\"\n  /QUALIFIER='\"'\n  /VARIABLES=\n")
	for _, c := range cols {
		name := c.Short
		fmt.Fprintf(w, "    %s %s\n", name, spssInputFormat(&c))
	}
	w.WriteString(".\n\n")

	w.WriteString("VARIABLE LABELS\n")
	for i, c := range cols {
		sep := ""
		if i < len(cols)-1 {
			sep = "\n  /"
		}
		fmt.Fprintf(w, "  %s %s%s", c.Short, spssString(truncateBytes(c.Label, spssVarLabelMax)), sep)
		if i == len(cols)-1 {
			w.WriteString(".\n\n")
		}
	}
	first := true
	for _, c := range cols {
		labels := columnValueLabels(&c)
		if labels == nil {
			continue
		}
		if first {
			w.WriteString("VALUE LABELS\n  ")
			first = false
		} else {
			w.WriteString("\n  /")
		}
		w.WriteString(c.Short)
		for _, o := range labels {
			fmt.Fprintf(w, "\n    %d %s", o.Value, spssString(truncateBytes(oneLine(o.Label), spssValueLabelMax)))
		}
	}
	if !first {
		w.WriteString(".\n\n")
	}
	writeSPSSMissing(w, cols)
	levels := map[string][]string{}
	for _, c := range cols {
		switch {
		case c.Kind == OptionColumn || c.Kind == FlagColumn || (c.Kind == ItemColumn && c.Item.Type == survey.SingleChoice) || c.Name == colStatus || c.Name == colResponseID || c.Name == colLanguage:
			levels["NOMINAL"] = append(levels["NOMINAL"], c.Short)
		case c.Kind == ItemColumn && c.Item.Type == survey.Likert:
			levels["ORDINAL"] = append(levels["ORDINAL"], c.Short)
		case c.Numeric || c.Date:
			levels["SCALE"] = append(levels["SCALE"], c.Short)
		}
	}
	w.WriteString("VARIABLE LEVEL")
	sep := "\n  "
	for _, lv := range []string{"NOMINAL", "ORDINAL", "SCALE"} {
		if len(levels[lv]) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s%s (%s)", sep, wrapNames(levels[lv], "    "), lv)
		sep = "\n  /"
	}
	w.WriteString(".\n\n")
	var scores []string
	for _, c := range cols {
		if c.Kind == ScoreColumn {
			scores = append(scores, c.Short)
		}
	}
	if len(scores) > 0 {
		fmt.Fprintf(w, "FORMATS %s (F8.3).\n\n", wrapNames(scores, "    "))
	}
	for _, c := range cols {
		if c.Kind == ItemColumn && c.Item.Type == survey.Number {
			// As answered: the item's decimals (read by F20.0, which takes
			// the point as written).
			fmt.Fprintf(w, "FORMATS %s (F%d.%d).\n", c.Short, numberWidth(c.Item), c.Item.Decimals)
		}
	}

	// Date-times: read as text (SPSS has no input format for RFC 3339),
	// then computed into SPSS date-times under the same names and order.
	w.WriteString("* started_at and submitted_at as SPSS date-times (UTC).\n")
	w.WriteString("NUMERIC dyad_t1 dyad_t2 (DATETIME20).\n")
	for i, name := range []string{colStartedAt, colSubmittedAt} {
		v := fmt.Sprintf("dyad_t%d", i+1)
		fmt.Fprintf(w, "IF (%[2]s <> '') %[1]s = DATE.MDY(NUMBER(SUBSTR(%[2]s, 6, 2), F2.0), NUMBER(SUBSTR(%[2]s, 9, 2), F2.0), NUMBER(SUBSTR(%[2]s, 1, 4), F4.0))\n", v, name)
		fmt.Fprintf(w, "  + TIME.HMS(NUMBER(SUBSTR(%[1]s, 12, 2), F2.0), NUMBER(SUBSTR(%[1]s, 15, 2), F2.0), NUMBER(SUBSTR(%[1]s, 18, 2), F2.0)).\n", name)
	}
	w.WriteString("EXECUTE.\n")
	fmt.Fprintf(w, "DELETE VARIABLES %s %s.\n", colStartedAt, colSubmittedAt)
	fmt.Fprintf(w, "RENAME VARIABLES (dyad_t1 dyad_t2 = %s %s).\n", colStartedAt, colSubmittedAt)
	fmt.Fprintf(w, "VARIABLE LABELS %s %s\n  /%s %s.\n", colStartedAt, spssString(cols[3].Label), colSubmittedAt, spssString(cols[4].Label))
	fmt.Fprintf(w, "VARIABLE LEVEL %s %s (SCALE).\n", colStartedAt, colSubmittedAt)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Short
	}
	fmt.Fprintf(w, "ADD FILES /FILE=* /KEEP=%s.\nEXECUTE.\n", wrapNames(names, "    "))
	return w.Flush()
}

// writeSPSSMissing declares each item's missing codes user-missing. SPSS
// takes at most three discrete values per variable, or a range and one
// value: more codes are declared as the range from the lowest code up
// (or from LO to the highest) when no substantive value lies in it, and
// otherwise the first three are, with a comment naming the rest.
func writeSPSSMissing(w *bufio.Writer, cols []Column) {
	first := true
	for _, c := range cols {
		codes := c.MissingCodes()
		if codes == nil {
			continue
		}
		if first {
			w.WriteString("MISSING VALUES\n  ")
			first = false
		} else {
			w.WriteString("\n  /")
		}
		vals := make([]int64, len(codes))
		for i, o := range codes {
			vals[i] = o.Value
		}
		slices.Sort(vals)
		lo, hi := vals[0], vals[len(vals)-1]
		sub := substantiveOptions(c.Options)
		below := !slices.ContainsFunc(sub, func(o survey.Option) bool { return o.Value <= hi })
		above := !slices.ContainsFunc(sub, func(o survey.Option) bool { return o.Value >= lo })
		switch {
		case len(vals) <= 3:
			fmt.Fprintf(w, "%s (%s)", c.Short, joinInts(vals, ", "))
		case above:
			fmt.Fprintf(w, "%s (%d THRU HI)", c.Short, lo)
		case below:
			fmt.Fprintf(w, "%s (LO THRU %d)", c.Short, hi)
		default:
			fmt.Fprintf(w, "%s (%s)", c.Short, joinInts(vals[:3], ", "))
			defer fmt.Fprintf(w, "* %s: SPSS declares at most three missing values; %s are not declared.\n", c.Short, joinInts(vals[3:], ", "))
		}
	}
	if !first {
		w.WriteString(".\n\n")
	}
}

func joinInts(v []int64, sep string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(s, sep)
}

func spssInputFormat(c *Column) string {
	switch {
	case c.Time:
		return "A20"
	case c.Date:
		return "SDATE10" // 2024-05-31: year, month, day, any separator
	case c.Kind == ScoreColumn:
		return "F40.0" // read every digit; FORMATS sets the display
	case c.Numeric:
		return "F20.0"
	case c.Kind == ItemColumn && c.Item.Type == survey.Text:
		// Characters can take 4 bytes in UTF-8.
		return "A" + strconv.Itoa(min(spssStringMax, 4*c.Item.TextLimit()))
	case c.Name == colResponseID:
		return "A36"
	case c.Name == colStatus:
		return "A11"
	case c.Name == colLanguage:
		return "A35" // BCP 47 tags are at most 35 characters in practice (RFC 5646 4.4.1)
	}
	return "A255"
}

// spssString quotes s for SPSS syntax: made plain (syntaxText), in
// apostrophes, embedded ones doubled, and split with + into pieces of at
// most about 60 bytes so no syntax line gets long.
func spssString(s string) string {
	s = syntaxText(s)
	const piece = 60
	var parts []string
	for len(s) > piece {
		cut := piece
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	parts = append(parts, s)
	for i, p := range parts {
		parts[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}
	return strings.Join(parts, "\n    + ")
}

// wrapNames joins names with spaces, about eight to a line.
func wrapNames(names []string, indent string) string {
	var b strings.Builder
	for i, n := range names {
		switch {
		case i == 0:
		case i%8 == 0:
			b.WriteString("\n" + indent)
		default:
			b.WriteByte(' ')
		}
		b.WriteString(n)
	}
	return b.String()
}

// truncateBytes cuts s to at most n bytes at a character boundary.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ------------------------------------------------------------ Stata ----

const stataVarLabelMax = 80

// WriteStata writes a Stata do-file that reads the CSV.
func WriteStata(out io.Writer, f *survey.Form, info SyntaxInfo) error {
	w := bufio.NewWriter(out)
	cols := Columns(f)
	w.WriteString(info.header(f, "*"))
	w.WriteString(`*
* Reads the wide CSV export (values=codes) with the right types, applies
* variable and value labels, and turns started_at and submitted_at into
* Stata date-times (%tc, UTC). Needs Stata 16 or later. Run it from the
* folder that holds the CSV, or change csv_file below.
* Names longer than 32 characters are shortened (the codebook's short_name
* column lists every name); variable labels are cut at 80 characters and
* the whole question is kept in the variable's notes.
* Empty cells are missing (.): an item not answered or not shown. Item
* columns hold the values as answered; the score_ columns are Dyad's scores.
* Missing-data codes (options marked missing, such as 9 = Not applicable)
* become extended missing values, .a for an item's first code, .b for its
* second and so on, labelled with the code's label: every command leaves
* them out, and tabulate, missing still counts them.

version 16
`)
	fmt.Fprintf(w, "local csv_file %s\n\n", stataString(info.CSVName()))
	var strCols, numCols []int
	for i, c := range cols {
		if c.Numeric {
			numCols = append(numCols, i+1)
		} else {
			strCols = append(strCols, i+1)
		}
	}
	w.WriteString("import delimited using `\"`csv_file'\"', clear varnames(nonames) rowrange(2) ///\n")
	w.WriteString("    delimiters(\",\") bindquotes(strict) maxquotedrows(unlimited) encoding(\"utf-8\") ///\n")
	fmt.Fprintf(w, "    stringcols(%s) ///\n    numericcols(%s)\n\n", numlist(strCols), numlist(numCols))
	fmt.Fprintf(w, "if c(k) != %d {\n    display as error \"`csv_file' has \" c(k) \" columns; this export has %d\"\n    exit 459\n}\n\n", len(cols), len(cols))
	w.WriteString("rename (")
	for i := range cols {
		if i > 0 && i%10 == 0 {
			w.WriteString(" ///\n    ")
		} else if i > 0 {
			w.WriteString(" ")
		}
		fmt.Fprintf(w, "v%d", i+1)
	}
	w.WriteString(") ///\n    (")
	for i, c := range cols {
		if i > 0 && i%8 == 0 {
			w.WriteString(" ///\n    ")
		} else if i > 0 {
			w.WriteString(" ")
		}
		w.WriteString(c.Short)
	}
	w.WriteString(")\n\n")

	w.WriteString("* started_at and submitted_at as Stata date-times (UTC).\n")
	for _, name := range []string{colStartedAt, colSubmittedAt} {
		fmt.Fprintf(w, "generate double dyad_t = clock(subinstr(subinstr(%[1]s, \"T\", \" \", 1), \"Z\", \"\", 1), \"YMDhms\")\n", name)
		fmt.Fprintf(w, "format dyad_t %%tc\norder dyad_t, after(%[1]s)\ndrop %[1]s\nrename dyad_t %[1]s\n", name)
	}
	for _, c := range cols {
		if c.Date {
			fmt.Fprintf(w, "* %[1]s as a Stata date (%%td).\ngenerate double dyad_d = date(%[1]s, \"YMD\")\n", c.Short)
			fmt.Fprintf(w, "format dyad_d %%td\norder dyad_d, after(%[1]s)\ndrop %[1]s\nrename dyad_d %[1]s\n", c.Short)
		}
	}
	w.WriteString("\n")

	for _, c := range cols {
		// Cut after making it plain, which can lengthen it.
		label := stataPlain(c.Label)
		fmt.Fprintf(w, "label variable %s %s\n", c.Short, stataString(truncateBytes(label, stataVarLabelMax)))
		if len(label) > stataVarLabelMax {
			fmt.Fprintf(w, "notes %s: %s\n", c.Short, stataNote(label))
		}
	}
	w.WriteString("\n")
	for _, c := range cols {
		labels := columnValueLabels(&c)
		if labels == nil {
			continue
		}
		ext := stataExtended(&c)
		for _, o := range labels {
			if e, ok := ext[o.Value]; ok {
				fmt.Fprintf(w, "replace %s = %s if %s == %d\n", c.Short, e, c.Short, o.Value)
			}
		}
		if !c.Integer {
			fmt.Fprintf(w, "* %s: values outside Stata's range for value labels; see the codebook.\n", c.Short)
			continue
		}
		fmt.Fprintf(w, "label define %s", c.Short)
		for _, o := range labels {
			if e, ok := ext[o.Value]; ok {
				fmt.Fprintf(w, " ///\n    %s %s", e, stataString(o.Label))
				continue
			}
			fmt.Fprintf(w, " ///\n    %d %s", o.Value, stataString(o.Label))
		}
		fmt.Fprintf(w, ", replace\nlabel values %[1]s %[1]s\n", c.Short)
	}
	w.WriteString("\ncompress\n")
	return w.Flush()
}

// stataExtended maps an item column's missing codes, in option order, to
// Stata's extended missing values .a to .z; codes past the 26th keep
// their value.
func stataExtended(c *Column) map[int64]string {
	idx := stataExtendedIndex(c)
	if idx == nil {
		return nil
	}
	m := make(map[int64]string, len(idx))
	for v, k := range idx {
		m[v] = "." + string(rune('a'+k))
	}
	return m
}

// stataExtendedIndex is stataExtended as indexes, 0 for .a: the one rule
// the do-file and the .dta share.
func stataExtendedIndex(c *Column) map[int64]int {
	codes := c.MissingCodes()
	if codes == nil {
		return nil
	}
	m := make(map[int64]int, len(codes))
	for i, o := range codes {
		if i < 26 {
			m[o.Value] = i
		}
	}
	return m
}

// numlist writes column numbers as a Stata numlist with ranges: 1 3/5 8.
func numlist(ns []int) string {
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, strconv.Itoa(ns[i])+"/"+strconv.Itoa(ns[j]))
		} else {
			parts = append(parts, strconv.Itoa(ns[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, " ")
}

// stataString quotes s in compound double quotes, which may hold plain
// double quotes. Stata expands macros inside them, so $ and ` are escaped
// with a backslash; the one sequence compound quotes cannot hold, "' (it
// would close them), gets a space between its two characters.
func stataString(s string) string {
	return "`\"" + stataEscape(s) + "\"'"
}

func stataEscape(s string) string {
	s = stataPlain(s)
	s = strings.ReplaceAll(s, "$", `\$`)
	s = strings.ReplaceAll(s, "`", "\\`")
	return strings.ReplaceAll(s, `"'`, `" '`)
}

// stataPlain is syntaxText with splitComments: a text that can go
// anywhere in a do-file. It changes nothing in a text it has made.
func stataPlain(s string) string { return splitComments(syntaxText(s)) }

// splitComments splits with a space every pair of characters that Stata
// (or SPSS) could read as a comment: /* and */ (a block comment, which
// runs across lines), and // (a line comment, /// joining the next line to
// it). A label that opened a block comment would comment out the commands
// after it. // is split only after a blank or at the start, where Stata
// takes it for a comment, so URLs (https://) keep their form.
func splitComments(s string) string {
	if !strings.Contains(s, "/*") && !strings.Contains(s, "*/") && !strings.Contains(s, "//") {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i > 0 && len(b) > 0 {
			prev := b[len(b)-1]
			split := (prev == '/' && c == '*') || (prev == '*' && c == '/')
			if prev == '/' && c == '/' {
				before := byte(' ')
				if len(b) > 1 {
					before = b[len(b)-2]
				}
				split = before == ' '
			}
			if split {
				b = append(b, ' ')
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// syntaxText makes a text plain for a syntax file (see the overview at the
// top): one line, valid UTF-8, NUL removed, every other control character
// and line or paragraph separator a space. A text with none of these is
// returned as it is.
func syntaxText(s string) string {
	clean := utf8.ValidString(s)
	for i := 0; clean && i < len(s); i++ {
		c := s[i]
		clean = c >= 0x20 && c != 0x7f && c != 0xc2 && c != 0xe2
	}
	if clean {
		return s
	}
	s = oneLine(strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Map(func(r rune) rune {
		switch {
		case r == 0:
			return -1
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == '\u2028', r == '\u2029':
			return ' '
		}
		return r
	}, s)
}

// stataNote writes a note's text, which runs to the end of the line.
func stataNote(s string) string {
	return stataEscape(s)
}
