//go:build integration

package export_test

// The syntax files (R, SPSS, Stata) read a real export of nasty stored
// data: this test runs Rscript and PSPP, so it carries the integration
// tag with the other R and PSPP tests (r_test.go, spss_test.go).

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/export/exporttest"
	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
	_ "github.com/mattn/go-sqlite3" // the connection that plants old rows
)

// nastyTexts are free-text answers as a database may hold them from
// before answers were checked for control characters: NUL, vertical tab,
// form feed, DEL and C1 controls, with quotes, line breaks, non-ASCII,
// emoji, right-to-left text and the comment and quote sequences of the
// three syntax languages.
var nastyTexts = []string{
	"NUL\x00inside",
	"\x00leading NUL and trailing\x00",
	"vertical\vtab and form\ffeed",
	"é\v and more é",
	`quotes "double" 'single' "" and "'`,
	"CRLF\r\nline two",
	"emoji 😀👩‍⚕️ flag 🇫🇷",
	"RTL: مرحبا \u200fשלום\u200e",
	"DEL\x7f C1\u0085 line sep\u2028para sep\u2029end",
	`backslash\ and \n literal \x00 \u00e9`,
	"=cmd|' /C calc'!A0",
	"comma, \"quote\"\nnewline",
	"*/ /* // /// end",
	"`$x' \"' `\" $(y) ${z}",
	"tab\tinside",
}

// nastyLabels stands for an instrument stored before instrument texts
// were checked: the labels of testInstrument get NUL, \v, comment closers
// and quote sequences. The form is mutated after NewForm, as the store
// hands out stored instruments.
func nastyForm(t testing.TB) *survey.Form {
	t.Helper()
	f := testForm(t)
	in := f.Instrument
	for si := range in.Sections {
		for ii := range in.Sections[si].Items {
			it := &in.Sections[si].Items[ii]
			switch it.ID {
			case "q1":
				it.Text = "NUL\x00 in the question, é\v and */ here"
			case "t":
				it.Text = "Free text with \x1b escape, C1\u0085 and /* opener"
			case "to":
				it.Options[0].Label = "Yes */"
				it.Options[1].Label = "No /* never closed"
			case "n":
				it.Text = strings.Repeat("long label é\v ", 10) + "*/ end ///"
			}
		}
	}
	in.Scales[0].Options[0].Label = "é\v"
	in.Scales[0].Options[1].Label = "NUL\x00label"
	in.Scales[0].Options[2].Label = "closes */ opens /* quote \"' backtick-quote `\" dollar $x"
	in.Subscales[0].Title = "Score \"' \x00 `x'"
	return f
}

// nastyTitle is the survey's title: it goes into the header comment of
// every syntax file.
const nastyTitle = "Nasty */ survey /* \x00 é\v ///"

// nastyStore makes a real database with a survey of testInstrument and n
// complete responses whose texts cycle through nastyTexts, written
// straight into the responses table (as an older Dyad stored them, before
// answers were checked), and returns a scan over them as the export reads
// it.
func nastyStore(t *testing.T, n int) (*survey.Survey, export.ScanFunc) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dyad.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := survey.NewService(st)
	in := testForm(t).Instrument
	if _, err := svc.CreateInstrument(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, in.Key, in.Version); err != nil {
		t.Fatal(err)
	}
	sv, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: in.Key, InstrumentVersion: in.Version, Title: "Nasty", Access: survey.AccessOpen})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	for i := range n {
		a := survey.Answers{"to": survey.IntVal(int64(i % 2)), "q1": survey.IntVal(int64(1 + i%3)), "q2": survey.IntVal(2),
			"n": survey.IntVal(int64(i%21 - 10)), "t": survey.TextVal(nastyTexts[i%len(nastyTexts)])}
		canonical := a.Canonical()
		digest := sha256.Sum256(canonical)
		began := start.Add(time.Duration(i) * time.Minute)
		if _, err := db.ExecContext(ctx, `INSERT INTO responses
			(id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			fmt.Sprintf("00000000-0000-4000-8000-%012d", i), sv.ID, in.Key, in.Version, survey.ResponseComplete,
			string(canonical), digest[:], exporttest.StoredTime(began), exporttest.StoredTime(began.Add(90*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	sv.Title = nastyTitle
	return sv, func(ctx context.Context, fn func(*survey.Response) error) error {
		return st.ScanResponses(ctx, survey.ExportFilter{SurveyID: sv.ID, RawAnswers: true}, fn)
	}
}

// writeNasty writes the CSV export of the nasty store with opt.
func writeNasty(t *testing.T, f *survey.Form, opt export.Options, scan export.ScanFunc) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := export.WriteCSV(context.Background(), &b, f, opt, scan); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestHardening11SyntaxFilesReadNastyData runs the generated R script in
// Rscript and the SPSS syntax in PSPP on a real export of 50 stored
// responses with control characters, quotes, CRLF, emoji and RTL text in
// their answers, under an instrument whose labels hold NUL, \v, comment
// closers and quote sequences; and checks the Stata do-file statically
// (no Stata here). R must read every row with the exact texts (NUL
// removed: R strings cannot hold it), PSPP every row, and no label may
// break a script.
func TestHardening11SyntaxFilesReadNastyData(t *testing.T) {
	const n = 50
	f := nastyForm(t)
	sv, scan := nastyStore(t, n)
	info := export.SyntaxInfo{Survey: sv, Base: "nasty_20260114", Generated: at("2026-01-14T10:00:00Z")}
	render := func(write func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}

	t.Run("Stata", func(t *testing.T) {
		do := string(render(func(b *bytes.Buffer) error { return export.WriteStata(b, f, info) }))
		checkStataStatic(t, do)
	})

	t.Run("R", func(t *testing.T) {
		rscript, err := exec.LookPath("Rscript")
		if err != nil {
			t.Skip("Rscript not installed (apt-get install r-base-core)")
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, info.CSVName()), writeNasty(t, f, export.Options{}, scan), 0o644); err != nil {
			t.Fatal(err)
		}
		script := render(func(b *bytes.Buffer) error { return export.WriteR(b, f, info) })
		if err := os.WriteFile(filepath.Join(dir, "nasty.R"), script, 0o644); err != nil {
			t.Fatal(err)
		}
		check := `source("nasty.R")
hexof <- function(s) if (is.na(s)) "NA" else paste(as.character(charToRaw(enc2utf8(s))), collapse = "")
cat("NROW", nrow(dyad), "\n")
for (i in seq_len(nrow(dyad))) cat("TEXT", hexof(dyad$t[i]), "\n")
cat("LABEL_Q1", hexof(attr(dyad$q1, "label")), "\n")
cat("LABEL_N", hexof(attr(dyad$n, "label")), "\n")
for (l in names(attr(dyad$q1, "labels"))) cat("VALUE_Q1", hexof(l), "\n")
cat("LABEL_SCORE", hexof(attr(dyad$score_main, "label")), "\n")
`
		if err := os.WriteFile(filepath.Join(dir, "check.R"), []byte(check), 0o644); err != nil {
			t.Fatal(err)
		}
		// The script must not depend on the locale: run it in UTF-8 and in
		// the plain C (ASCII) locale.
		for _, locale := range []string{"C.UTF-8", "C"} {
			cmd := exec.Command(rscript, "--vanilla", "check.R")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "LANG="+locale, "LC_ALL="+locale)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: Rscript: %v\n%s", locale, err, out)
			}
			got := map[string][]string{}
			sc := bufio.NewScanner(bytes.NewReader(out))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				key, rest, _ := strings.Cut(sc.Text(), " ")
				got[key] = append(got[key], strings.TrimSuffix(rest, " "))
			}
			if strings.Contains(string(out), "Warning") {
				t.Errorf("%s: R warned:\n%s", locale, out)
			}
			if g := got["NROW"]; len(g) != 1 || g[0] != fmt.Sprint(n) {
				t.Fatalf("%s: R read %q rows, want %d\n%s", locale, g, n, out)
			}
			for i, h := range got["TEXT"] {
				// R strings cannot hold NUL: it is the one character lost. A
				// CRLF inside a quoted cell reads as LF, as in TestRScript.
				want := strings.ReplaceAll(strings.ReplaceAll(nastyTexts[i%len(nastyTexts)], "\x00", ""), "\r\n", "\n")
				if b, _ := hex.DecodeString(h); string(b) != want {
					t.Errorf("%s: row %d: R read %q, want %q", locale, i+1, b, want)
				}
			}
			unhex := func(key string) []string {
				var out []string
				for _, h := range got[key] {
					b, _ := hex.DecodeString(h)
					out = append(out, string(b))
				}
				return out
			}
			for key, want := range map[string][]string{
				"LABEL_Q1":    {"NUL in the question, é\v and */ here"},
				"LABEL_N":     {strings.Repeat("long label é\v ", 10) + "*/ end ///"},
				"VALUE_Q1":    {"é\v", "NULlabel", "closes */ opens /* quote \"' backtick-quote `\" dollar $x"},
				"LABEL_SCORE": {"Score \"'  `x'"},
			} {
				if g := unhex(key); strings.Join(g, "|") != strings.Join(want, "|") {
					t.Errorf("%s: %s: R read %q, want %q", locale, key, g, want)
				}
			}
		}
	})

	t.Run("SPSS", func(t *testing.T) {
		pspp, err := exec.LookPath("pspp")
		if err != nil {
			t.Skip("pspp not installed (apt-get install pspp)")
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, info.SPSSCSVName()), writeNasty(t, f, export.Options{LineBreaks: export.LineBreaksSpace}, scan), 0o644); err != nil {
			t.Fatal(err)
		}
		sps := render(func(b *bytes.Buffer) error { return export.WriteSPSS(b, f, info) })
		sps = append(sps, "SAVE TRANSLATE /OUTFILE='back.csv' /TYPE=CSV /FIELDNAMES /CELLS=VALUES /REPLACE.\n"+
			"DISPLAY DICTIONARY.\n"...)
		log, recs := runPSPP(t, pspp, dir, sps, "-O", "width=2000") // wide: labels on one line
		if len(recs) != n+1 {
			t.Fatalf("PSPP read %d rows, want %d\n%s", len(recs)-1, n, log)
		}
		for i, rec := range recs[1:] {
			want := spssText(nastyTexts[i%len(nastyTexts)])
			if got := rec[13]; got != want {
				t.Errorf("row %d: PSPP read %q, want %q", i+1, got, want)
			}
		}
		// The labels reach PSPP's dictionary whole (controls as spaces, NUL
		// removed), each in a cell of the table DISPLAY DICTIONARY draws.
		for _, want := range []string{"NUL in the question, é  and */ here", "closes */ opens /* quote \"' backtick-quote `\" dollar $x",
			strings.Repeat("long label é  ", 10) + "*/ end ///", "Score \"'  `x'", "NULlabel"} {
			if !regexp.MustCompile(`\|` + regexp.QuoteMeta(want) + ` *\|`).Match(log) {
				t.Errorf("PSPP's dictionary lacks the label %q:\n%s", want, log)
			}
		}
	})
}

// spssText is what PSPP reads of a nasty text from the CSV exported with
// line_breaks=space: NUL dropped, each line break (CRLF, LF, CR) one
// space, and trailing spaces gone (SPSS pads strings with blanks); every
// other character exact.
func spssText(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	return strings.TrimRight(s, " ")
}

// checkStataStatic checks a do-file without Stata: every label and note
// is in compound double quotes that its text cannot close, nothing in the
// file can open or close a /* */ comment or continue a comment line with
// ///, and no control character is left.
func checkStataStatic(t *testing.T, do string) {
	t.Helper()
	for i, r := range do {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) {
			t.Errorf("do-file holds control character %U at byte %d", r, i)
		}
	}
	if strings.Contains(do, "/*") || strings.Contains(do, "*/") {
		t.Errorf("do-file holds a /* */ comment marker:\n%s", do)
	}
	compound := regexp.MustCompile("^`\"(.*)\"'$")
	labels := 0
	for _, line := range strings.Split(do, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "*"):
			if strings.Contains(trimmed, "//") {
				t.Errorf("comment line holds //: %q", line)
			}
		case strings.HasPrefix(trimmed, "label variable "):
			labels++
			rest := strings.SplitN(trimmed, " ", 4)[3]
			checkCompound(t, compound, rest, line)
		case regexp.MustCompile(`^-?\d+ `).MatchString(trimmed): // a value label in label define
			labels++
			rest := strings.TrimSuffix(strings.TrimSuffix(trimmed, " ///"), ", replace")
			checkCompound(t, compound, rest[strings.Index(rest, " ")+1:], line)
		case strings.HasPrefix(trimmed, "notes "):
			labels++
			if strings.Contains(trimmed, " //") || strings.HasSuffix(trimmed, "///") {
				t.Errorf("note can start a comment: %q", line)
			}
		case strings.HasPrefix(trimmed, "local "):
			checkCompound(t, compound, strings.SplitN(trimmed, " ", 3)[2], line)
		}
	}
	if labels < 10 {
		t.Errorf("found only %d labels in the do-file:\n%s", labels, do)
	}
}

func checkCompound(t *testing.T, compound *regexp.Regexp, s, line string) {
	t.Helper()
	m := compound.FindStringSubmatch(s)
	if m == nil {
		t.Errorf("string not in compound quotes: %q", line)
		return
	}
	inner := m[1]
	if strings.Contains(inner, "\"'") {
		t.Errorf("string closes its compound quotes early: %q", line)
	}
	for i := 0; i < len(inner); i++ {
		if (inner[i] == '`' || inner[i] == '$') && (i == 0 || inner[i-1] != '\\') {
			t.Errorf("unescaped macro character in %q", line)
		}
	}
}
