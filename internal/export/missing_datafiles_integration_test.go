//go:build integration

package export_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// Missing-data codes declared in the native files, read back by PSPP,
// R's haven and readstat: in the .sav as user-missing values (two codes:
// discrete; four above the scale with a hidden item's Not shown code: a
// range and one value; four around the scale: three discrete), in the
// .dta as extended missing values (.a, .b, ... in option order, with the
// Not shown code after them) labelled with the codes' labels.

const missingData = `key: missing-data
version: 1
title: Missing data
sections:
  - id: s
    title: S
    items:
      - {id: gate, type: single_choice, text: Gate, options: [{value: 1, label: "Yes"}, {value: 0, label: "No"}]}
      - {id: two, type: single_choice, text: Two, options: [{value: 1, label: A}, {value: 2, label: B}, {value: 8, label: "Don't know", missing: true}, {value: 9, label: Refused, missing: true}]}
      - {id: above, type: single_choice, text: Above, show_if: {item: gate, equals: 1}, options: [{value: 1, label: A}, {value: 2, label: B}, {value: 96, label: m1, missing: true}, {value: 97, label: m2, missing: true}, {value: 98, label: m3, missing: true}, {value: 99, label: m4, missing: true}]}
      - {id: around, type: single_choice, text: Around, options: [{value: -1, label: m1, missing: true}, {value: 1, label: A}, {value: 2, label: B}, {value: 7, label: m2, missing: true}, {value: 8, label: m3, missing: true}, {value: 9, label: m4, missing: true}]}
      - {id: hid, type: single_choice, text: Hid, show_if: {item: gate, equals: 1}, options: [{value: 1, label: A}, {value: 2, label: B}, {value: 9, label: Not applicable, missing: true}]}
`

func missingDataFiles(t *testing.T, dir string) {
	t.Helper()
	in, err := instrument.Parse([]byte(missingData), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	rs := []*survey.Response{
		{ID: "r1", InstrumentVersion: 1, Status: survey.ResponseComplete, StartedAt: at("2026-01-02T10:00:00Z"), SubmittedAt: ptr(at("2026-01-02T10:05:00Z")),
			Answers: survey.Answers{"gate": survey.IntVal(1), "two": survey.IntVal(8), "above": survey.IntVal(97), "around": survey.IntVal(9), "hid": survey.IntVal(9)}},
		{ID: "r2", InstrumentVersion: 1, Status: survey.ResponseComplete, StartedAt: at("2026-01-02T10:00:00Z"), SubmittedAt: ptr(at("2026-01-02T10:05:00Z")),
			Answers: survey.Answers{"gate": survey.IntVal(0), "two": survey.IntVal(1), "around": survey.IntVal(-1)}},
		{ID: "r3", InstrumentVersion: 1, Status: survey.ResponseComplete, StartedAt: at("2026-01-02T10:00:00Z"), SubmittedAt: ptr(at("2026-01-02T10:05:00Z")),
			Answers: survey.Answers{"gate": survey.IntVal(1), "two": survey.IntVal(9), "above": survey.IntVal(2), "around": survey.IntVal(7), "hid": survey.IntVal(2)}},
	}
	for _, format := range []string{"sav", "dta"} {
		var b bytes.Buffer
		if err := export.FormatByName(format).Write(t.Context(), &b, export.Job{Form: f, Info: dataInfo, Scan: scanOf(rs)}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "m."+format), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMissingCodesSAVInPSPP(t *testing.T) {
	pspp := needTool(t, "pspp", "pspp")
	dir := t.TempDir()
	missingDataFiles(t, dir)
	// MISSING() is true for user-missing and system-missing values alike;
	// VALUE() reads a user-missing value as the number it is.
	log, recs := runPSPP(t, pspp, dir, []byte(`GET FILE='m.sav'.
DISPLAY DICTIONARY.
COMPUTE mtwo = MISSING(two).
COMPUTE mabove = MISSING(above).
COMPUTE maround = MISSING(around).
COMPUTE mhid = MISSING(hid).
COMPUTE vhid = VALUE(hid).
FORMATS mtwo mabove maround mhid vhid (F3.0).
SAVE TRANSLATE /OUTFILE='back.csv' /TYPE=CSV /FIELDNAMES /CELLS=VALUES /REPLACE
  /KEEP=response_id two above around hid mtwo mabove maround mhid vhid.
`))
	want := [][]string{
		{"response_id", "two", "above", "around", "hid", "mtwo", "mabove", "maround", "mhid", "vhid"},
		{"r1", "8", "97", "9", "9", "1", "1", "0", "1", "9"}, // around's fourth code (9) is not declared: SPSS takes three
		{"r2", "1", "-99", "-1", "-99", "0", "1", "1", "1", "-99"},
		{"r3", "9", "2", "7", "2", "1", "0", "1", "0", "2"},
	}
	for i := range recs {
		for k := range recs[i] {
			recs[i][k] = strings.TrimSpace(recs[i][k])
		}
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("PSPP read\n%q\nwant\n%q", recs, want)
	}
	for _, w := range []string{"Don't know", "Refused", "Not shown", "Not applicable"} {
		if !bytes.Contains(log, []byte(w)) {
			t.Errorf("DISPLAY DICTIONARY lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("PSPP output:\n%s", log)
	}
}

func TestMissingCodesInHaven(t *testing.T) {
	rscript := needTool(t, "Rscript", "r-base-core")
	if out, err := exec.Command(rscript, "--vanilla", "-e", "library(haven)").CombinedOutput(); err != nil {
		if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
			t.Fatalf("R's haven is missing under CI: %s", out)
		}
		t.Skipf("R's haven is missing: %s", bytes.TrimSpace(out))
	}
	dir := t.TempDir()
	missingDataFiles(t, dir)
	check := `library(haven)
s <- read_sav("m.sav", user_na = TRUE)
for (v in c("two", "above", "around", "hid")) {
  x <- s[[v]]
  r <- attr(x, "na_range"); if (is.null(r)) r <- "" else r <- paste(format(r, scientific = TRUE, digits = 3), collapse = ":")
  cat("sav", v, paste(attr(x, "na_values"), collapse = ","), r, paste(is.na(x), collapse = ","), paste(as.numeric(x), collapse = ","), "\n")
}
d <- read_dta("m.dta")
for (v in c("two", "above", "around", "hid")) {
  x <- d[[v]]
  l <- attr(x, "labels")
  tags <- ifelse(is.na(l), paste0(".", na_tag(l)), as.character(l))
  cat("dta", v, paste(ifelse(is.na(na_tag(x)), as.character(zap_labels(x)), paste0(".", na_tag(x))), collapse = ","),
    paste(names(l), tags, sep = "=", collapse = "|"), "\n")
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
	want := []string{
		// user_na = TRUE: declared codes read as NA by is.na, their values kept.
		"sav two 8,9  TRUE,FALSE,TRUE 8,1,9",
		"sav above -99 9.6e+01:9.9e+01 TRUE,TRUE,FALSE 97,-99,2", // the codes as a range, Not shown the one value
		"sav around -1,7,8  FALSE,TRUE,TRUE 9,-1,7",
		"sav hid -99,9  TRUE,TRUE,FALSE 9,-99,2",
		// .dta: codes are .a, .b, ... in option order; Not shown follows them.
		"dta two .a,1,.b A=1|B=2|Don't know=.a|Refused=.b",
		"dta above .b,.e,2 A=1|B=2|m1=.a|m2=.b|m3=.c|m4=.d|Not shown=.e",
		"dta around .d,.a,.b A=1|B=2|m1=.a|m2=.b|m3=.c|m4=.d",
		"dta hid .a,.b,2 A=1|B=2|Not applicable=.a|Not shown=.b",
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i := range got {
		got[i] = strings.TrimSpace(got[i])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("haven read\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMissingCodesInReadstat(t *testing.T) {
	readstat := needTool(t, "readstat", "readstat")
	dir := t.TempDir()
	missingDataFiles(t, dir)
	for _, f := range []string{"m.sav", "m.dta"} {
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
			t.Fatal(err)
		}
		var got [][]string
		for _, r := range recs {
			got = append(got, r[7:12])
		}
		// readstat writes SPSS's user-missing values as their numbers and
		// Stata's extended missing values as empty, like .
		want := [][]string{{"gate", "two", "above", "around", "hid"}}
		if f == "m.sav" {
			want = append(want, []string{"1.000000", "8.000000", "97.000000", "9.000000", "9.000000"},
				[]string{"0.000000", "1.000000", "-99.000000", "-1.000000", "-99.000000"},
				[]string{"1.000000", "9.000000", "2.000000", "7.000000", "2.000000"})
		} else {
			want = append(want, []string{"1", "", "", "", ""}, []string{"0", "1", "", "", ""}, []string{"1", "", "2", "", "2"})
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: readstat read\n%q\nwant\n%q", f, got, want)
		}
	}
}
