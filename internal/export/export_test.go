package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// testInstrument covers every column rule: a reserved item id, an id so
// long that its option columns exceed 32 characters, a negative option
// value, a multiple-choice item behind show_if, reverse keying and labels
// with quotes.
var testInstrument = fixtures.Instrument("unit-export.yaml")

func testForm(t testing.TB) *survey.Form {
	t.Helper()
	in, err := instrument.Parse([]byte(testInstrument), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

func testResponses() []*survey.Response {
	return []*survey.Response{
		{ID: "r1", InstrumentVersion: 3, Status: survey.ResponseComplete, StartedAt: at("2026-01-02T10:00:00.9Z"), SubmittedAt: ptr(at("2026-01-02T10:02:05.1Z")), Language: "de",
			Answers: survey.Answers{"to": survey.IntVal(1), "a_very_long_multiple_choice_idx": survey.ListVal(-2), "q1": survey.IntVal(3), "q2": survey.IntVal(2),
				"n": survey.IntVal(-3), "t": survey.TextVal("=1+1, \"quoted\"\r\nnext")}},
		{ID: "r2", InstrumentVersion: 3, Status: survey.ResponseInProgress, StartedAt: at("2026-01-03T00:00:00Z"),
			Answers: survey.Answers{"to": survey.IntVal(0), "q1": survey.IntVal(1)}},
	}
}

func scanOf(rs []*survey.Response) export.ScanFunc {
	return func(ctx context.Context, fn func(*survey.Response) error) error {
		for _, r := range rs {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}

func writeCSV(t *testing.T, f *survey.Form, opt export.Options, rs []*survey.Response) string {
	t.Helper()
	var b bytes.Buffer
	if err := export.WriteCSV(context.Background(), &b, f, opt, scanOf(rs)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func parseCSV(t *testing.T, s string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(s))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v\n%s", err, s)
	}
	return recs
}

func TestColumns(t *testing.T) {
	f := testForm(t)
	var names, shorts []string
	for _, c := range export.Columns(f) {
		names = append(names, c.Name)
		shorts = append(shorts, c.Short)
	}
	wantNames := []string{"response_id", "instrument_version", "status", "started_at", "submitted_at", "duration_s", "language",
		"to", "a_very_long_multiple_choice_idx__1", "a_very_long_multiple_choice_idx__m2", "q1", "q2", "n", "t", "score_main",
		"duration_s1_s", "dq_speeder", "dq_straightline", "dq_attention", "dq_any"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("names\n got %q\nwant %q", names, wantNames)
	}
	wantShorts := []string{"response_id", "instrument_version", "status", "started_at", "submitted_at", "duration_s", "language",
		"to_v", "a_very_long_multiple_choice_i__1", "a_very_long_multiple_choice__m2", "q1", "q2", "n", "t", "score_main",
		"duration_s1_s", "dq_speeder", "dq_straightline", "dq_attention", "dq_any"}
	if !reflect.DeepEqual(shorts, wantShorts) {
		t.Errorf("short names\n got %q\nwant %q", shorts, wantShorts)
	}
	for _, s := range shorts {
		if len(s) > export.MaxShortName {
			t.Errorf("short name %q is over %d characters", s, export.MaxShortName)
		}
	}
}

func TestWideCSV(t *testing.T) {
	f := testForm(t)
	out := writeCSV(t, f, export.Options{}, testResponses())
	if !strings.HasSuffix(out, "\r\n") || !strings.Contains(out, "dq_any\r\n") {
		t.Errorf("records must end with CRLF:\n%q", out)
	}
	if !strings.Contains(out, `"=1+1, ""quoted""`+"\r\nnext\"") {
		t.Errorf("text is not written byte for byte:\n%q", out)
	}
	recs := parseCSV(t, out)
	want := [][]string{
		{"r1", "3", "complete", "2026-01-02T10:00:00Z", "2026-01-02T10:02:05Z", "124", "de", "1", "0", "1", "3", "2", "-3", "=1+1, \"quoted\"\nnext", "2.5", "", "", "0", "0", ""}, // q2 reversed: 1+3−2 = 2; no median given: dq_speeder (and dq_any) empty
		{"r2", "3", "in_progress", "2026-01-03T00:00:00Z", "", "", "", "0", "", "", "1", "", "", "", "", "", "", "", "", ""},
	}
	if !reflect.DeepEqual(recs[1:], want) {
		t.Errorf("rows\n got %q\nwant %q", recs[1:], want)
	}

	labels := parseCSV(t, writeCSV(t, f, export.Options{Values: export.ValuesLabels}, testResponses()))
	if got := labels[1][7:12]; !reflect.DeepEqual(got, []string{"Yes", "0", "1", "Agree, fully", "Neither \"yes\" nor 'no'"}) {
		t.Errorf("labels: %q", got)
	}
	if labels[2][7] != "No" || labels[2][10] != "Disagree" {
		t.Errorf("labels row 2: %q", labels[2])
	}
}

func TestExcelSafe(t *testing.T) {
	f := testForm(t)
	for text, want := range map[string]string{
		"=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "-x": "'-x", "@me": "'@me", "\tx": "'\tx", "\rx": "'\rx",
		"plain": "plain", "a=b": "a=b", " =x": "' =x", // leading space: see TestHardeningExcelSafeInvisiblePrefixes
	} {
		rs := []*survey.Response{{ID: "r", InstrumentVersion: 3, Status: survey.ResponseComplete, StartedAt: at("2026-01-02T10:00:00Z"),
			Answers: survey.Answers{"n": survey.IntVal(-3), "t": survey.TextVal(text)}}}
		safe := parseCSV(t, writeCSV(t, f, export.Options{ExcelSafe: true}, rs))
		if got := safe[1][13]; got != want {
			t.Errorf("excel_safe %q: got %q, want %q", text, got, want)
		}
		if got := safe[1][12]; got != "-3" {
			t.Errorf("excel_safe changed a number: %q", got)
		}
		exact := parseCSV(t, writeCSV(t, f, export.Options{}, rs))
		if got := exact[1][13]; got != text {
			t.Errorf("default export changed %q to %q", text, got)
		}
	}
}

func TestLineBreaksSpaceAndBOM(t *testing.T) {
	f := testForm(t)
	out := writeCSV(t, f, export.Options{LineBreaks: export.LineBreaksSpace, BOM: true}, testResponses())
	if !strings.HasPrefix(out, "\xEF\xBB\xBFresponse_id,") {
		t.Fatalf("no byte-order mark: %q", out[:20])
	}
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("%d lines, want 3 (header and two rows)", n)
	}
	recs := parseCSV(t, strings.TrimPrefix(out, "\xEF\xBB\xBF"))
	if got := recs[1][13]; got != "=1+1, \"quoted\" next" {
		t.Errorf("got %q", got)
	}
}

func TestLongCSV(t *testing.T) {
	f := testForm(t)
	recs := parseCSV(t, writeCSV(t, f, export.Options{Layout: export.LayoutLong}, testResponses()))
	if !reflect.DeepEqual(recs[0], []string{"response_id", "instrument_version", "status", "started_at", "submitted_at", "duration_s", "language", "item_id", "value"}) {
		t.Fatalf("header %q", recs[0])
	}
	var got [][]string
	for _, r := range recs[1:] {
		got = append(got, []string{r[0], r[7], r[8]})
	}
	want := [][]string{
		{"r1", "to", "1"}, {"r1", "a_very_long_multiple_choice_idx", "-2"}, {"r1", "q1", "3"}, {"r1", "q2", "2"},
		{"r1", "n", "-3"}, {"r1", "t", "=1+1, \"quoted\"\nnext"},
		{"r2", "to", "0"}, {"r2", "q1", "1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("long rows\n got %q\nwant %q", got, want)
	}
	labels := parseCSV(t, writeCSV(t, f, export.Options{Layout: export.LayoutLong, Values: export.ValuesLabels}, testResponses()))
	if labels[2][8] != "Minus two" || labels[1][8] != "Yes" {
		t.Errorf("long labels: %q %q", labels[1], labels[2])
	}
}

func TestZeroResponses(t *testing.T) {
	f := testForm(t)
	for _, layout := range []string{export.LayoutWide, export.LayoutLong} {
		recs := parseCSV(t, writeCSV(t, f, export.Options{Layout: layout}, nil))
		if len(recs) != 1 || !reflect.DeepEqual(recs[0], export.Header(f, layout)) {
			t.Errorf("%s: %q", layout, recs)
		}
	}
}

func TestWriteErrorsStop(t *testing.T) {
	f := testForm(t)
	var many []*survey.Response
	for range 5000 {
		many = append(many, testResponses()...)
	}
	boom := errors.New("disk full")
	err := export.WriteCSV(context.Background(), failingWriter{boom}, f, export.Options{}, scanOf(many))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the writer's", err)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestBaseName(t *testing.T) {
	day := at("2026-01-14T23:59:00Z")
	for title, want := range map[string]string{
		"AI and the Therapeutic Relationship": "ai-and-the-therapeutic-relationship_20260114",
		"Étude: ärztliche Sicht (2026)!":      "etude-arztliche-sicht-2026_20260114",
		"日本語":                                 "survey-7k2m9qx4ab_20260114",
	} {
		if got := export.BaseName(&survey.Survey{ID: "7k2m9qx4ab", Title: title}, day); got != want {
			t.Errorf("BaseName(%q) = %q, want %q", title, got, want)
		}
	}
}

func TestCodebook(t *testing.T) {
	f := testForm(t)
	var b bytes.Buffer
	if err := export.WriteCodebook(&b, f, export.Options{}); err != nil {
		t.Fatal(err)
	}
	recs := parseCSV(t, b.String())
	if !reflect.DeepEqual(recs[0], export.CodebookHeader) {
		t.Fatalf("header %q", recs[0])
	}
	cols := export.Columns(f)
	if len(recs)-1 != len(cols) {
		t.Fatalf("%d rows for %d columns", len(recs)-1, len(cols))
	}
	byName := map[string][]string{}
	for i, r := range recs[1:] {
		if r[0] != cols[i].Name {
			t.Errorf("row %d is %s, want %s", i+1, r[0], cols[i].Name)
		}
		byName[r[0]] = r
	}
	q2 := byName["q2"]
	// 9 is a missing code: listed among the values and in missing_codes,
	// and left out of the reversal (1 + 3, not 1 + 9).
	if q2[6] != "1=Disagree; 2=Neither \"yes\" nor 'no'; 3=Agree, fully; 9=Not applicable" || q2[7] != "yes" || q2[8] != "main" ||
		!strings.Contains(q2[10], "4 − value") || !strings.HasPrefix(q2[11], "9=Not applicable (missing codes:") {
		t.Errorf("q2: %q", q2)
	}
	if mc := byName["a_very_long_multiple_choice_idx__m2"]; mc[1] != "a_very_long_multiple_choice__m2" || mc[9] != "shown if to = 1 (Yes)" || mc[6] != "1=Selected; 0=Not selected" {
		t.Errorf("option column: %q", mc)
	}
	if q1 := byName["q1"]; q1[4] != "Line one line two" {
		t.Errorf("question text: %q", q1[4])
	}
	if s := byName["score_main"]; s[5] != "score_mean" || !strings.Contains(s[10], "mean of the answered items of q1, q2 (reversed: 4 − value)") {
		t.Errorf("score: %q", s)
	}
}

// TestSyntaxNamesEveryColumn checks that the R script, the SPSS syntax and
// the Stata do-file each name every column of the CSV, in order.
func TestSyntaxNamesEveryColumn(t *testing.T) {
	f := testForm(t)
	info := export.SyntaxInfo{Survey: &survey.Survey{ID: "7k2m9qx4ab", Title: "Unit export"}, Base: "unit-export_20260114", Generated: at("2026-01-14T10:00:00Z")}
	cols := export.Columns(f)
	render := func(write func(io.Writer, *survey.Form, export.SyntaxInfo) error) string {
		var b bytes.Buffer
		if err := write(&b, f, info); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}

	r := render(export.WriteR)
	classes := regexp.MustCompile(`(?m)^    "([^"]+)" = "(integer|numeric|character)",?$`).FindAllStringSubmatch(r, -1)
	if len(classes) != len(cols) {
		t.Fatalf("R colClasses names %d columns, the CSV has %d", len(classes), len(cols))
	}
	for i, m := range classes {
		if m[1] != cols[i].Name {
			t.Errorf("R column %d is %s, want %s", i+1, m[1], cols[i].Name)
		}
	}
	if !strings.Contains(r, `csv_file <- "unit-export_20260114.csv"`) || !strings.Contains(r, `structure(c(1L, 2L, 3L), names = c("Disagree", "Neither \"yes\" nor 'no'", "Agree, fully"))`) {
		t.Errorf("R script:\n%s", r)
	}

	sps := render(export.WriteSPSS)
	vars := sps[strings.Index(sps, "/VARIABLES=")+len("/VARIABLES="):]
	vars = vars[:strings.Index(vars, "\n.\n")]
	fields := strings.Fields(vars)
	if len(fields) != 2*len(cols) {
		t.Fatalf("SPSS /VARIABLES has %d entries for %d columns", len(fields)/2, len(cols))
	}
	for i, c := range cols {
		if fields[2*i] != c.Short {
			t.Errorf("SPSS variable %d is %s, want %s", i+1, fields[2*i], c.Short)
		}
	}
	for _, want := range []string{"/FILE='unit-export_20260114_spss.csv'", `2 'Neither "yes" nor ''no'''`, "q2 (ORDINAL)"} {
		if !strings.Contains(sps, want) {
			t.Errorf("SPSS syntax lacks %q", want)
		}
	}

	do := render(export.WriteStata)
	m := regexp.MustCompile(`(?s)rename \(([^)]*)\) ///\s*\(([^)]*)\)`).FindStringSubmatch(do)
	if m == nil {
		t.Fatalf("no rename in the do-file:\n%s", do)
	}
	clean := func(s string) []string { return strings.Fields(strings.ReplaceAll(s, "///", "")) }
	from, to := clean(m[1]), clean(m[2])
	if len(from) != len(cols) || len(to) != len(cols) {
		t.Fatalf("Stata renames %d/%d variables for %d columns", len(from), len(to), len(cols))
	}
	for i, c := range cols {
		if to[i] != c.Short {
			t.Errorf("Stata variable %d is %s, want %s", i+1, to[i], c.Short)
		}
	}
	for _, want := range []string{"stringcols(1 3/5 7 14)", "label define q2", "`\"Neither \"yes\" nor 'no'\"'", "Reversed \\$cost \\`tick\\`", "if c(k) != 20"} {
		if !strings.Contains(do, want) {
			t.Errorf("do-file lacks %q", want)
		}
	}
}

// TestRawAnswersSameAsMap: the writer reads AnswersJSON (the stored
// encoding, as ScanResponses gives it with RawAnswers) into the very same
// cells as the Answers map.
func TestRawAnswersSameAsMap(t *testing.T) {
	f := testForm(t)
	for _, opt := range []export.Options{{}, {Values: export.ValuesLabels}, {Layout: export.LayoutLong}} {
		var raw []*survey.Response
		for _, r := range testResponses() {
			c := *r
			c.AnswersJSON = r.Answers.Canonical()
			c.Answers = nil
			raw = append(raw, &c)
		}
		// Not the stored shape (a fraction): the writer falls back to
		// encoding/json.
		odd := *testResponses()[1]
		odd.AnswersJSON = []byte(`{"q1": 1.0, "to": 0}`)
		odd.Answers = nil
		raw = append(raw, &odd)
		want := writeCSV(t, f, opt, append(testResponses(), testResponses()[1]))
		if got := writeCSV(t, f, opt, raw); got != want {
			t.Errorf("%+v: from AnswersJSON\n%s\nfrom Answers\n%s", opt, got, want)
		}
	}
}
