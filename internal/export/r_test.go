//go:build integration

package export_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/survey"
)

// awkwardTexts are free-text answers that break naive CSV handling.
var awkwardTexts = []string{
	`He said "hi", then left`,
	"commas, everywhere, ,",
	"line one\nline two\n\nline four",
	"emoji 😀👩‍⚕️ and ünïcödé",
	"right-to-left: مرحبا بالعالم שלום",
	"=SUM(A1:A3)",
	"+1 -1 @x",
	" leading and trailing spaces ",
	"NA",
	`back\slash and 'single' quotes`,
}

// TestRScript runs the generated R script on an export and checks the
// labelled data frame it builds: column types, exact text, value and
// variable labels, times. It needs Rscript (Debian: r-base-core) and skips
// without it; scripts/test.sh installs it where it can.
func TestRScript(t *testing.T) {
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		t.Skip("Rscript not installed (apt-get install r-base-core); the R script is checked statically in TestSyntaxNamesEveryColumn")
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
	info := export.SyntaxInfo{Survey: &survey.Survey{ID: "7k2m9qx4ab", Title: "Unit export"}, Base: "unit-export_20260114", Generated: at("2026-01-14T10:00:00Z")}
	csvText := writeCSV(t, f, export.Options{}, rs)
	if err := os.WriteFile(filepath.Join(dir, info.CSVName()), []byte(csvText), 0o644); err != nil {
		t.Fatal(err)
	}
	var script bytes.Buffer
	if err := export.WriteR(&script, f, info); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "unit.R"), script.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	check := `source("unit.R")
cat("NROW", nrow(dyad), "\n")
cat("CLASSES", paste(names(dyad), vapply(dyad, function(x) class(x)[1], ""), sep = "=", collapse = ";"), "\n")
for (i in seq_len(nrow(dyad) - 1L)) cat("TEXT", if (is.na(dyad$t[i])) "NA" else paste(as.character(charToRaw(enc2utf8(dyad$t[i]))), collapse = ""), "\n")
l <- attr(dyad$q2, "labels")
cat("LABELS_Q2", paste(names(l), l, sep = "=", collapse = "|"), "\n")
cat("LABEL_Q2", attr(dyad$q2, "label"), "\n")
cat("LABEL_Q1", attr(dyad$q1, "label"), "\n")
cat("STARTED", format(dyad$started_at[1], "%Y-%m-%d %H:%M:%S", tz = "UTC"), "\n")
cat("SUBMITTED_NA", is.na(dyad$submitted_at[2]), "\n")
cat("FACTOR", as.character(dyad_factor(dyad$q1))[1:2], "\n")
cat("SCORE", dyad$score_main[1], "\n")
cat("MC", dyad[["a_very_long_multiple_choice_idx__m2"]][1:2], "\n")
na <- nrow(dyad)
cat("NA_Q1", dyad$q1[na], dyad$q1__na[na], dyad$q1__na[1], "\n")
cat("NA_Q2", dyad$q2[na], dyad$q2__na[na], "\n")
cat("NA_VALUES", attr(dyad$q1, "na_values"), "\n")
l <- attr(dyad$q1__na, "labels")
cat("NA_LABELS", paste(names(l), l, sep = "=", collapse = "|"), "\n")
cat("NA_LABEL", attr(dyad$q1__na, "label"), "\n")
cat("NA_MEAN_Q1", mean(dyad$q1, na.rm = TRUE), "\n")
cat("NA_SCORE", dyad$score_main[na], "\n")
cat("NA_SUBSET", dyad[dyad$status == "complete", "q1__na"][dyad[dyad$status == "complete", "response_id"] == "na"], "\n")
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
	for sc.Scan() {
		key, rest, _ := strings.Cut(sc.Text(), " ")
		got[key] = append(got[key], strings.TrimSuffix(rest, " "))
	}
	want := map[string]string{
		"NROW":         "13",
		"CLASSES":      "response_id=character;instrument_version=integer;status=character;started_at=POSIXct;submitted_at=POSIXct;duration_s=numeric;language=character;to=integer;a_very_long_multiple_choice_idx__1=integer;a_very_long_multiple_choice_idx__m2=integer;q1=integer;q1__na=integer;q2=integer;q2__na=integer;n=integer;t=character;score_main=numeric;duration_s1_s=numeric;dq_speeder=integer;dq_straightline=integer;dq_attention=integer;dq_any=integer",
		"LABELS_Q2":    `Disagree=1|Neither "yes" nor 'no'=2|Agree, fully=3`,
		"LABEL_Q2":     "Reversed $cost `tick`",
		"LABEL_Q1":     "Line one line two",
		"STARTED":      "2026-01-02 10:00:00",
		"SUBMITTED_NA": "TRUE",
		"FACTOR":       "Agree, fully Disagree",
		"SCORE":        "2.5",
		"MC":           "1 NA",
		// The missing code is NA in q1 and kept in q1__na; the item's
		// labels are the substantive ones (LABELS_Q2), the companion's the
		// codes; q1's mean leaves it out: (3 + 1 + 2 × 10) / 12 = 2; no
		// score, since main needs both items.
		"NA_Q1":      "NA 9 NA",
		"NA_Q2":      "3 NA",
		"NA_VALUES":  "9",
		"NA_LABELS":  "Not applicable=9",
		"NA_LABEL":   "Line one line two: missing code given",
		"NA_MEAN_Q1": "2",
		"NA_SCORE":   "NA",
		"NA_SUBSET":  "9",
	}
	for k, v := range want {
		if len(got[k]) != 1 || got[k][0] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	// Free text comes back byte for byte; R reads the CRLF inside the
	// first response's quoted text as LF, as every CSV reader here does.
	wantTexts := []string{"=1+1, \"quoted\"\nnext", ""}
	wantTexts = append(wantTexts, awkwardTexts...)
	if len(got["TEXT"]) != len(wantTexts) {
		t.Fatalf("%d texts, want %d\n%s", len(got["TEXT"]), len(wantTexts), out)
	}
	for i, h := range got["TEXT"] {
		w := wantTexts[i]
		if w == "" {
			if h != "NA" {
				t.Errorf("row %d: unanswered text reads as %q, want NA", i+1, h)
			}
			continue
		}
		b, _ := hex.DecodeString(h)
		if string(b) != w {
			t.Errorf("row %d: R read %q, want %q", i+1, b, w)
		}
	}
	if t.Failed() {
		t.Logf("R output:\n%s", out)
	}
}
