//go:build integration

package export_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
)

// The new item types read back by R (the generated script and haven),
// PSPP (the generated syntax and the .sav) and readstat: a date is a date
// in each, a decimal keeps exactly the digits answered, a slider and a
// consent are integers, the Other text is text.

// runR runs an R program in dir and returns its output lines by their
// first word.
func runR(t *testing.T, dir, program string) map[string]string {
	t.Helper()
	rscript := needTool(t, "Rscript", "r-base-core")
	if err := os.WriteFile(filepath.Join(dir, "check.R"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(rscript, "--vanilla", "check.R")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Rscript: %v\n%s", err, out)
	}
	got := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		key, rest, _ := strings.Cut(sc.Text(), " ")
		got[key] = strings.TrimSuffix(rest, " ")
	}
	return got
}

func TestItemTypesRScript(t *testing.T) {
	dir := t.TempDir()
	f := typesForm(t)
	if err := os.WriteFile(filepath.Join(dir, dataInfo.CSVName()), []byte(writeCSV(t, f, export.Options{}, typesResponses())), 0o644); err != nil {
		t.Fatal(err)
	}
	var script bytes.Buffer
	if err := export.WriteR(&script, f, dataInfo); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "types.R"), script.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got := runR(t, dir, `source("types.R")
cat("CLASSES", vapply(dyad[c("agree", "visit", "weight", "pain", "place", "place_other", "aids__4", "aids_other")], function(x) class(x)[1], ""), "\n")
cat("VISIT", format(dyad$visit), "\n")
cat("DAYS", as.integer(dyad$visit[2] - as.Date("1970-01-01")), "\n")
cat("WEIGHT", sprintf("%.15g", dyad$weight), "\n")
cat("SUM", sprintf("%.1f", dyad$weight[1] + dyad$weight[3]), "\n")
cat("PAIN", mean(dyad$pain, na.rm = TRUE), "\n")
cat("OTHER", dyad$place_other[1], "\n")
l <- attr(dyad$place, "labels"); cat("LABELS_PLACE", paste(names(l), l, sep = "=", collapse = "|"), "\n")
l <- attr(dyad$agree, "labels"); cat("LABELS_AGREE", paste(names(l), l, sep = "=", collapse = "|"), "\n")
cat("LABEL_WEIGHT", attr(dyad$weight, "label"), "\n")
cat("INTRO", "intro" %in% names(dyad), "\n")
`)
	want := map[string]string{
		"CLASSES":      "integer Date numeric integer integer character integer character",
		"VISIT":        "2024-05-31 1969-12-31 2030-12-31",
		"DAYS":         "-1",
		"WEIGHT":       "72.5 30 0.3",
		"SUM":          "72.8",
		"PAIN":         "18.5",
		"OTHER":        "Pharmacy ü",
		"LABELS_PLACE": "Clinic=1|Home=2|Other, please specify=3",
		"LABELS_AGREE": "Consent given=1",
		"LABEL_WEIGHT": "Your weight (kg)",
		"INTRO":        "FALSE",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
}

func TestItemTypesSPSSSyntax(t *testing.T) {
	pspp := needTool(t, "pspp", "pspp")
	dir := t.TempDir()
	f := typesForm(t)
	data := writeCSV(t, f, export.Options{LineBreaks: export.LineBreaksSpace}, typesResponses())
	if err := os.WriteFile(filepath.Join(dir, dataInfo.SPSSCSVName()), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	var sps bytes.Buffer
	if err := export.WriteSPSS(&sps, f, dataInfo); err != nil {
		t.Fatal(err)
	}
	sps.WriteString("SAVE TRANSLATE /OUTFILE='back.csv' /TYPE=CSV /FIELDNAMES /CELLS=VALUES /REPLACE.\n")
	sps.WriteString("DISPLAY DICTIONARY /VARIABLES=visit weight pain.\n")
	log, recs := runPSPP(t, pspp, dir, sps.Bytes())
	want := [][]string{
		// PSPP writes dates to CSV as mm/dd/yyyy: read as dates, not text.
		{"1", "05/31/2024", "72.5", "37", "3", "Pharmacy ü", "1", "0", "0", "1", "Glasses"},
		{"1", "12/31/1969", "30", "0", "1", "", "0", "0", "1", "0", ""},
		{"1", "12/31/2030", "0.3", " ", " ", "", " ", " ", " ", " ", ""},
	}
	for i, w := range want {
		got := recs[1+i][7 : len(recs[1+i])-6] // between the meta and the data-quality columns
		for k := range got {
			got[k] = strings.TrimSpace(got[k])
			if w[k] == " " {
				w[k] = ""
			}
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("row %d\n got %q\nwant %q", i+1, got, w)
		}
	}
	for _, w := range []string{"SDATE10", "F18.1"} {
		if !bytes.Contains(log, []byte(w)) {
			t.Errorf("the dictionary does not show %s:\n%s", w, log)
		}
	}
}

func TestItemTypesDataFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"sav", "dta"} {
		if err := os.WriteFile(filepath.Join(dir, "t."+name), writeTypes(t, name, export.Options{}), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := runR(t, dir, `library(haven)
for (f in c("t.sav", "t.dta")) {
  d <- if (grepl("sav$", f)) read_sav(f) else read_dta(f)
  key <- sub(".", "_", f, fixed = TRUE)
  cat(paste0(key, "_VISIT"), class(d$visit)[1], format(d$visit), "\n")
  cat(paste0(key, "_WEIGHT"), sprintf("%.15g", d$weight), "\n")
  cat(paste0(key, "_INTS"), zap_labels(d$pain), zap_labels(d$agree), "\n")
  cat(paste0(key, "_OTHER"), d$place_other[1], d$aids_other[1], "\n")
  cat(paste0(key, "_NAMES"), paste(names(d)[-(1:7)], collapse = ","), "\n")
}
`)
	for _, k := range []string{"t_sav", "t_dta"} {
		want := map[string]string{
			"_VISIT":  "Date 2024-05-31 1969-12-31 2030-12-31",
			"_WEIGHT": "72.5 30 0.3",
			"_INTS":   "37 0 NA 1 1 1",
			"_OTHER":  "Pharmacy ü Glasses",
			"_NAMES":  "agree,visit,weight,pain,place,place_other,aids__1,aids__2,aids__3,aids__4,aids_other,duration_about_s,duration_care_s,dq_speeder,dq_straightline,dq_attention,dq_any",
		}
		for sfx, v := range want {
			if got[k+sfx] != v {
				t.Errorf("%s%s: got %q, want %q", k, sfx, got[k+sfx], v)
			}
		}
	}
	readstat := needTool(t, "readstat", "readstat")
	for _, f := range []string{"t.sav", "t.dta"} {
		cmd := exec.Command(readstat, f, f+".csv")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("readstat %s: %v\n%s", f, err, out)
		}
		b, _ := os.ReadFile(filepath.Join(dir, f+".csv"))
		recs := parseCSV(t, string(b))
		// Dates: seconds since 1582-10-14 (SPSS), days since 1960 (Stata).
		wantVisit := map[string]string{"t.sav": "13936492800", "t.dta": "23527"}[f]
		if v := strings.TrimSuffix(strings.TrimRight(recs[1][8], "0"), "."); v != wantVisit {
			t.Errorf("%s: visit %q, want %s", f, recs[1][8], wantVisit)
		}
		if w := strings.TrimRight(recs[1][9], "0"); w != "72.5" {
			t.Errorf("%s: weight %q", f, recs[1][9])
		}
	}
}
