//go:build integration

package export_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestSPSSSyntax runs the generated SPSS syntax in GNU PSPP, the free
// reimplementation of SPSS (Debian: pspp), on an export, then has PSPP
// write the data back as CSV and checks names, values, times and text. It
// skips without pspp; scripts/test.sh installs it where it can. PSPP's
// SPSS dialect is close but not identical, so this proves the syntax
// sound, not that every SPSS version takes it.
func TestSPSSSyntax(t *testing.T) {
	pspp, err := exec.LookPath("pspp")
	if err != nil {
		t.Skip("pspp not installed (apt-get install pspp); the SPSS syntax is checked statically in TestSyntaxNamesEveryColumn")
	}
	f := testForm(t)
	rs := testResponses()
	for i, text := range awkwardTexts {
		rs = append(rs, &survey.Response{ID: "a" + string(rune('0'+i)), InstrumentVersion: 3, Status: survey.ResponseComplete,
			StartedAt: at("2026-01-04T08:00:00Z"), SubmittedAt: ptr(at("2026-01-04T08:10:00Z")),
			Answers: survey.Answers{"to": survey.IntVal(0), "q1": survey.IntVal(2), "t": survey.TextVal(text)}})
	}
	// A respondent who chose the missing code 9 (Not applicable) on q1.
	rs = append(rs, &survey.Response{ID: "na", InstrumentVersion: 3, Status: survey.ResponseComplete,
		StartedAt: at("2026-01-05T08:00:00Z"), SubmittedAt: ptr(at("2026-01-05T08:10:00Z")),
		Answers: survey.Answers{"to": survey.IntVal(0), "q1": survey.IntVal(9), "q2": survey.IntVal(3)}})
	dir := t.TempDir()
	info := export.SyntaxInfo{Survey: &survey.Survey{ID: "7k2m9qx4ab", Title: "Unit export"}, Base: "unit", Generated: at("2026-01-14T10:00:00Z")}
	data := writeCSV(t, f, export.Options{LineBreaks: export.LineBreaksSpace}, rs)
	if err := os.WriteFile(filepath.Join(dir, info.SPSSCSVName()), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	var sps bytes.Buffer
	if err := export.WriteSPSS(&sps, f, info); err != nil {
		t.Fatal(err)
	}
	sps.WriteString("SAVE TRANSLATE /OUTFILE='back.csv' /TYPE=CSV /FIELDNAMES /CELLS=VALUES /REPLACE.\n")
	// The missing code stays in the data, declared user-missing: q1's
	// mean leaves it out ((3 + 1 + 2 × 10) / 12 = 2, not 35/13), and
	// the dictionary lists it.
	sps.WriteString("DESCRIPTIVES VARIABLES=q1 /STATISTICS=MEAN.\nDISPLAY DICTIONARY /VARIABLES=q1.\n")
	log, recs := runPSPP(t, pspp, dir, sps.Bytes())
	var shorts []string
	for _, c := range export.Columns(f) {
		shorts = append(shorts, c.Short)
	}
	if !reflect.DeepEqual(recs[0], shorts) {
		t.Fatalf("PSPP variables\n got %q\nwant %q", recs[0], shorts)
	}
	wantRows := [][]string{
		{"r1", "3", "complete", "01/02/2026 10:00:00", "01/02/2026 10:02:05", "124", "de", "1", "0", "1", "3", "2", "-3", "=1+1, \"quoted\" next", "2.5", " ", " ", "0", "0", " "},
		{"r2", "3", "in_progress", "01/03/2026 00:00:00", " ", " ", "", "0", " ", " ", "1", " ", " ", "", " ", " ", " ", " ", " ", " "},
	}
	for i, w := range wantRows {
		if !reflect.DeepEqual(recs[1+i], w) {
			t.Errorf("row %d\n got %q\nwant %q", i+1, recs[1+i], w)
		}
	}
	if na := recs[len(recs)-1]; na[0] != "na" || na[10] != "9" { // q1, after the language column
		t.Errorf("the missing code did not survive as the answer: %q", na)
	}
	if !regexp.MustCompile(`\|Line one line two\s*\|\s*12\|\s*2\.00\|`).Match(log) {
		t.Errorf("DESCRIPTIVES of q1 should count 12 valid values with mean 2.00 (9 user-missing):\n%s", log)
	}
	if !regexp.MustCompile(`\|\s*9\[a\]\|Not applicable\s*\|`).Match(log) || !bytes.Contains(log, []byte("a. User-missing value")) {
		t.Errorf("the dictionary does not list 9 as q1's missing value:\n%s", log)
	}
	for i, text := range awkwardTexts {
		// SPSS strings are blank-padded, so trailing spaces do not survive;
		// line breaks are spaces in the SPSS variant of the CSV.
		want := strings.TrimRight(strings.ReplaceAll(text, "\n", " "), " ")
		if got := recs[3+i][13]; got != want {
			t.Errorf("text %d: PSPP read %q, want %q", i, got, want)
		}
	}
}

// runPSPP runs the syntax in dir with PSPP (in a UTF-8 locale, with any
// extra command-line arguments), fails the test on an error or a warning
// in PSPP's output, and returns that output and the rows of back.csv, which
// the syntax must write with SAVE TRANSLATE.
func runPSPP(t *testing.T, pspp, dir string, sps []byte, args ...string) (log []byte, recs [][]string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "run.sps"), sps, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pspp, append(append([]string{"-o", "out.txt"}, args...), "run.sps")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pspp: %v\n%s", err, out)
	}
	log, _ = os.ReadFile(filepath.Join(dir, "out.txt"))
	if bytes.Contains(bytes.ToLower(log), []byte("error")) || bytes.Contains(bytes.ToLower(log), []byte("warning")) {
		t.Errorf("pspp reported problems:\n%s", log)
	}
	back, err := os.ReadFile(filepath.Join(dir, "back.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(bytes.NewReader(back)).ReadAll()
	if err != nil {
		t.Fatalf("PSPP's CSV: %v\n%s", err, back)
	}
	return log, recs
}
