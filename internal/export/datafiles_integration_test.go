//go:build integration

package export_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
)

// The .sav and .dta files read back by independent readers: GNU PSPP (the
// free SPSS), R's haven (which reads both through the ReadStat library)
// and the readstat command. Each checks values, variable and value
// labels, missing values, the times and free text (non-ASCII, emoji,
// line breaks, a text of several kilobytes). Outside CI they skip when
// the tool is missing; under CI (CI=true) they fail, since scripts/test.sh
// installs them (Debian: pspp, r-cran-haven, readstat).

// needTool returns the path of a command, or skips (fails under CI).
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
			t.Fatalf("%s is missing under CI (scripts/test.sh installs Debian's %s)", name, pkg)
		}
		t.Skipf("%s is missing: apt-get install %s (scripts/test.sh does)", name, pkg)
	}
	return p
}

// writeDataFiles writes d.sav, d.dta and (short texts only, so its text
// column is a str#) s.dta into dir.
func writeDataFiles(t *testing.T, dir string) {
	t.Helper()
	files := map[string][]byte{
		"d.sav": writeFormat(t, "sav", export.Options{}, dataResponses()),
		"d.dta": writeFormat(t, "dta", export.Options{}, dataResponses()),
		"s.dta": writeFormat(t, "dta", export.Options{}, testResponses()),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// wantTexts are the free texts of dataResponses, as written.
func wantTexts() []string {
	return append(append([]string{"=1+1, \"quoted\"\r\nnext", ""}, awkwardTextsAll...), longText)
}

func TestSAVInPSPP(t *testing.T) {
	pspp := needTool(t, "pspp", "pspp")
	dir := t.TempDir()
	writeDataFiles(t, dir)
	log, recs := runPSPP(t, pspp, dir, []byte(`GET FILE='d.sav'.
DISPLAY DICTIONARY.
LIST.
SAVE TRANSLATE /OUTFILE='back.csv' /TYPE=CSV /FIELDNAMES /CELLS=VALUES /REPLACE.
`))
	var shorts []string
	for _, c := range export.Columns(testForm(t)) {
		shorts = append(shorts, c.Short)
	}
	if !reflect.DeepEqual(recs[0], shorts) {
		t.Fatalf("PSPP variables\n got %q\nwant %q", recs[0], shorts)
	}
	wantRows := [][]string{
		{"r1", "3", "complete", "01/02/2026 10:00:00", "01/02/2026 10:02:05", "124", "de", "1", "0", "1", "3", "2", "-3", "=1+1, \"quoted\"\nnext", "2.5", " ", " ", "0", "0", " "},
		// The multiple-choice item was hidden by its condition (to = 0):
		// the user-missing code, not system-missing.
		{"r2", "3", "in_progress", "01/03/2026 00:00:00", " ", " ", "", "0", "-99", "-99", "1", " ", " ", "", " ", " ", " ", " ", " ", " "},
	}
	for i, w := range wantRows {
		if !reflect.DeepEqual(recs[1+i], w) {
			t.Errorf("row %d\n got %q\nwant %q", i+1, recs[1+i], w)
		}
	}
	if len(recs) != 1+len(dataResponses()) {
		t.Fatalf("%d cases, want %d", len(recs)-1, len(dataResponses()))
	}
	for i, want := range wantTexts()[2:] {
		// SPSS pads strings with blanks, so trailing spaces do not survive;
		// Go's CSV reader reads CRLF inside a quoted field as LF.
		want = strings.TrimRight(want, " ")
		if got := recs[3+i][13]; got != want {
			t.Errorf("text %d: PSPP read %q, want %q", i, got, want)
		}
	}
	// The dictionary: labels, value labels, measurement levels, formats.
	for _, want := range []string{"Line one line two", "Agree, fully", "Neither \"yes\" nor 'no'", "Selected",
		"Ordinal", "Nominal", "Scale", "DATETIME20.0", "F8.2", "Not shown", "User-missing value"} {
		if !bytes.Contains(log, []byte(want)) {
			t.Errorf("DISPLAY DICTIONARY does not show %q", want)
		}
	}
	if t.Failed() {
		t.Logf("PSPP output:\n%s", log)
	}
}

func TestDataFilesInHaven(t *testing.T) {
	rscript := needTool(t, "Rscript", "r-base-core")
	dir := t.TempDir()
	if out, err := exec.Command(rscript, "--vanilla", "-e", "library(haven)").CombinedOutput(); err != nil {
		if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
			t.Fatalf("R's haven is missing under CI (scripts/test.sh installs r-cran-haven): %s", out)
		}
		t.Skipf("R's haven is missing: apt-get install r-cran-haven (%s)", bytes.TrimSpace(out))
	}
	writeDataFiles(t, dir)
	check := `library(haven)
for (f in c("d.sav", "d.dta", "s.dta")) {
  d <- if (grepl("sav$", f)) read_sav(f) else read_dta(f)
  out <- function(key, ...) cat(f, key, ..., "\n")
  out("NROW", nrow(d))
  out("NAMES", paste(names(d), collapse = ","))
  out("LABEL_Q1", attr(d$q1, "label"))
  out("LABEL_SUBMITTED", attr(d$submitted_at, "label"))
  l <- attr(d$q2, "labels"); out("LABELS_Q2", paste(names(l), l, sep = "=", collapse = "|"))
  l <- attr(d$to_v, "labels"); out("LABELS_TO", paste(names(l), l, sep = "=", collapse = "|"))
  l <- attr(d$a_very_long_multiple_choice__m2, "labels"); out("LABELS_MC", paste(names(l), l, sep = "=", collapse = "|"))
  out("STARTED", format(d$started_at[1], "%Y-%m-%d %H:%M:%S", tz = "UTC"))
  out("SUBMITTED", format(d$submitted_at[1], "%Y-%m-%d %H:%M:%S", tz = "UTC"))
  out("MISSING", is.na(d$submitted_at[2]), is.na(d$duration_s[2]), is.na(d$q2[2]), is.na(d$score_main[2]), is.na(d$a_very_long_multiple_choice__m2[2]))
  out("VALUES", d$instrument_version[1], d$duration_s[1], zap_labels(d$to_v[1]), zap_labels(d$q1[1]), zap_labels(d$q2[1]), d$n[1], d$score_main[1])
  out("MC", zap_labels(d$a_very_long_multiple_choice_i__1[1]), zap_labels(d$a_very_long_multiple_choice__m2[1]))
  # Not shown (hidden by its condition) versus not answered (shown).
  if (grepl("sav$", f)) {
    u <- read_sav(f, user_na = TRUE)
    l <- attr(u$a_very_long_multiple_choice__m2, "labels")
    out("NOTSHOWN", zap_labels(zap_missing(u$a_very_long_multiple_choice__m2[2])), u$a_very_long_multiple_choice__m2[2] == -99,
      names(l)[l == -99], is.na(u$n[2]), paste(attr(u$a_very_long_multiple_choice__m2, "na_values"), collapse = ","))
  } else {
    l <- attr(d$a_very_long_multiple_choice__m2, "labels")
    out("NOTSHOWN", na_tag(d$a_very_long_multiple_choice__m2[2]), na_tag(d$n[2]), names(l)[is.na(l)])
  }
  out("STATUS", d$status[1], d$status[2])
  for (i in seq_len(nrow(d))) out("TEXT", paste0("x", paste(as.character(charToRaw(enc2utf8(d$t[i]))), collapse = "")))
}
`
	if err := os.WriteFile(filepath.Join(dir, "check.R"), []byte(check), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(rscript, "--vanilla", "check.R")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Rscript: %v\n%s", err, out)
	}
	got := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		file, rest, _ := strings.Cut(sc.Text(), " ")
		key, val, _ := strings.Cut(rest, " ")
		got[file+" "+key] = append(got[file+" "+key], strings.TrimSuffix(val, " "))
	}
	for _, f := range []string{"d.sav", "d.dta", "s.dta"} {
		n := len(dataResponses())
		if f == "s.dta" {
			n = 2
		}
		want := map[string]string{
			"NROW":            strconv.Itoa(n),
			"NAMES":           "response_id,instrument_version,status,started_at,submitted_at,duration_s,language,to_v,a_very_long_multiple_choice_i__1,a_very_long_multiple_choice__m2,q1,q2,n,t,score_main,duration_s1_s,dq_speeder,dq_straightline,dq_attention,dq_any",
			"LABEL_Q1":        "Line one line two",
			"LABEL_SUBMITTED": "Time the response was submitted (UTC)",
			"LABELS_Q2":       `Disagree=1|Neither "yes" nor 'no'=2|Agree, fully=3|Not applicable=NA`, // 9 is .a in the .dta
			"LABELS_TO":       "No=0|Yes=1",
			"LABELS_MC":       "Not selected=0|Selected=1|Not shown=NA",
			"STARTED":         "2026-01-02 10:00:00",
			"SUBMITTED":       "2026-01-02 10:02:05",
			"MISSING":         "TRUE TRUE TRUE TRUE TRUE",
			"VALUES":          "3 124 1 3 2 -3 2.5",
			"MC":              "0 1",
			"STATUS":          "complete in_progress",
			"NOTSHOWN":        "a NA Not shown",
		}
		if f == "d.sav" {
			want["LABELS_TO"] = "Yes=1|No=0" // SPSS keeps the instrument's order
			want["LABELS_Q2"] = `Disagree=1|Neither "yes" nor 'no'=2|Agree, fully=3|Not applicable=9`
			// user_na = TRUE keeps -99 (declared missing); by default it is NA.
			want["NOTSHOWN"] = "NA TRUE Not shown TRUE -99"
			want["LABELS_MC"] = "Not selected=0|Selected=1|Not shown=-99"
		}
		for k, v := range want {
			if g := got[f+" "+k]; len(g) != 1 || g[0] != v {
				t.Errorf("%s %s: got %q, want %q", f, k, g, v)
			}
		}
		texts := got[f+" TEXT"]
		wt := wantTexts()[:n]
		if len(texts) != len(wt) {
			t.Fatalf("%s: %d texts, want %d", f, len(texts), len(wt))
		}
		for i, h := range texts {
			b, _ := hex.DecodeString(strings.TrimPrefix(h, "x"))
			w := wt[i]
			if f == "d.sav" {
				w = strings.TrimRight(w, " ") // SPSS strings are blank-padded
			}
			if string(b) != w {
				t.Errorf("%s row %d: haven read %q, want %q", f, i+1, b, w)
			}
		}
	}
	if t.Failed() {
		t.Logf("R output:\n%.4000s", out)
	}
}

func TestDataFilesInReadstat(t *testing.T) {
	readstat := needTool(t, "readstat", "readstat")
	dir := t.TempDir()
	writeDataFiles(t, dir)
	for _, f := range []string{"d.sav", "d.dta", "s.dta"} {
		cmd := exec.Command(readstat, f, f+".csv")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("readstat %s: %v\n%s", f, err, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, f+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		n := len(dataResponses())
		if f == "s.dta" {
			n = 2
		}
		if len(recs) != 1+n || len(recs[0]) != 20 {
			t.Fatalf("%s: %d rows of %d columns", f, len(recs), len(recs[0]))
		}
		// readstat writes numbers as %f; missing as empty.
		num := func(s string) string {
			i := strings.IndexByte(s, '.')
			if i < 0 || strings.ContainsAny(s, "\n ") {
				return s
			}
			if strings.Trim(s[i+1:], "0") == "" {
				return s[:i]
			}
			return strings.TrimRight(s, "0")
		}
		var row1, row2 []string
		for k := range recs[1] {
			row1 = append(row1, num(recs[1][k]))
			row2 = append(row2, num(recs[2][k]))
		}
		// Times: seconds since 1582-10-14 (SPSS), milliseconds since 1960
		// (Stata).
		started, submitted, started2 := "13986727200", "13986727325", "13986777600"
		if strings.HasSuffix(f, ".dta") {
			started, submitted, started2 = "2082967200000", "2082967325000", "2083017600000"
		}
		want1 := []string{"r1", "3", "complete", started, submitted, "124", "de", "1", "0", "1", "3", "2", "-3", "=1+1, \"quoted\"\nnext", "2.5", "", "", "0", "0", ""}
		want2 := []string{"r2", "3", "in_progress", started2, "", "", "", "0", "", "", "1", "", "", "", "", "", "", "", "", ""}
		if f == "d.sav" {
			// readstat writes SPSS's user-missing code as the number, and
			// Stata's .a as empty, like .
			want2[8], want2[9] = "-99", "-99"
		}
		if !reflect.DeepEqual(row1, want1) || !reflect.DeepEqual(row2, want2) {
			t.Errorf("%s:\n got %q\n     %q\nwant %q\n     %q", f, row1, row2, want1, want2)
		}
		for i, w := range wantTexts()[2:n] {
			w = strings.ReplaceAll(w, "\r\n", "\n")
			if f == "d.sav" {
				w = strings.TrimRight(w, " ")
			}
			if got := recs[3+i][13]; got != w {
				t.Errorf("%s text %d: readstat read %q, want %q", f, i, got, w)
			}
		}
	}
}
