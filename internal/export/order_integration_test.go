//go:build integration

package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestOrderColumnsInReadstat reads the order columns of the .sav and .dta
// files back with readstat: every response's pages and places are those
// form.Order gives it, and empty for a response sent through the API.
func TestOrderColumnsInReadstat(t *testing.T) {
	readstat := needTool(t, "readstat", "readstat")
	f := randomForm(t)
	rs := randomResponses()
	dir := t.TempDir()
	for _, name := range []string{"sav", "dta"} {
		var b bytes.Buffer
		if err := export.FormatByName(name).Write(context.Background(), &b, export.Job{Form: f, Info: dataInfo, Scan: scanOf(rs)}); err != nil {
			t.Fatal(err)
		}
		file := "o." + name
		if err := os.WriteFile(filepath.Join(dir, file), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(readstat, file, file+".csv")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("readstat %s: %v\n%s", file, err, out)
		}
		data, err := os.ReadFile(filepath.Join(dir, file+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil || len(recs) != 1+len(rs) {
			t.Fatalf("%s: %d rows, %v", file, len(recs), err)
		}
		checked := 0
		for i, r := range rs {
			want := wantPlaces(f, r)
			for c, col := range recs[0] {
				w, ok := want[col]
				if !ok {
					continue
				}
				got := strings.TrimSuffix(strings.TrimRight(recs[i+1][c], "0"), ".") // readstat writes %f
				if got != w {
					t.Errorf("%s %s, response %d: %q, want %q", file, col, i, recs[i+1][c], w)
				}
				checked++
			}
		}
		if checked != 15*len(rs) {
			t.Errorf("%s: %d order cells checked, want %d", file, checked, 15*len(rs))
		}
	}
}

// TestOrderColumnsInRAndPSPP runs the generated R script and SPSS syntax
// (by PSPP) on a CSV export of the randomised fixture: both read every
// order column as an integer holding the page or place form.Order gives,
// and missing for a response sent through the API.
func TestOrderColumnsInRAndPSPP(t *testing.T) {
	f := randomForm(t)
	rs := randomResponses()
	info := export.SyntaxInfo{Survey: &survey.Survey{ID: "7k2m9qx4ab", Title: "Randomised"}, Base: "rnd", Generated: at("2026-01-14T10:00:00Z")}
	var names []string
	for _, c := range export.Columns(f) {
		if c.Kind == export.OrderColumn {
			names = append(names, c.Name)
		}
	}
	// want[i] is response i's order cells, in column order, "" when
	// missing.
	want := make([][]string, len(rs))
	for i, r := range rs {
		places := wantPlaces(f, r)
		for _, n := range names {
			want[i] = append(want[i], places[n])
		}
	}
	csvText := writeCSV(t, f, export.Options{}, rs)

	t.Run("R", func(t *testing.T) {
		rscript := needTool(t, "Rscript", "r-base-core")
		dir := t.TempDir()
		var script bytes.Buffer
		if err := export.WriteR(&script, f, info); err != nil {
			t.Fatal(err)
		}
		// One line per response, the cells joined by commas.
		check := "source(\"rnd.R\")\ncols <- c(\"" + strings.Join(names, `", "`) + "\")\n" +
			"for (i in seq_len(nrow(dyad))) cat(paste(vapply(cols, function(n) { x <- dyad[[n]][i]; if (is.na(x)) \"\" else if (is.integer(x)) as.character(x) else \"not-integer\" }, \"\"), collapse = \",\"), \"\\n\", sep = \"\")\n"
		for name, data := range map[string][]byte{info.CSVName(): []byte(csvText), "rnd.R": script.Bytes(), "check.R": []byte(check)} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(rscript, "--vanilla", "check.R")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("Rscript: %v\n%s", err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != len(rs) {
			t.Fatalf("R printed %d lines:\n%s", len(lines), out)
		}
		for i, l := range lines {
			if w := strings.Join(want[i], ","); l != w {
				t.Errorf("R, response %d: %s, want %s", i, l, w)
			}
		}
	})
	t.Run("PSPP", func(t *testing.T) {
		pspp := needTool(t, "pspp", "pspp")
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, info.SPSSCSVName()), []byte(writeCSV(t, f, export.Options{LineBreaks: export.LineBreaksSpace}, rs)), 0o644); err != nil {
			t.Fatal(err)
		}
		var sps bytes.Buffer
		if err := export.WriteSPSS(&sps, f, info); err != nil {
			t.Fatal(err)
		}
		sps.WriteString("SAVE TRANSLATE /OUTFILE='back.csv' /TYPE=CSV /FIELDNAMES /CELLS=VALUES /REPLACE.\n")
		_, recs := runPSPP(t, pspp, dir, sps.Bytes())
		col := map[string]int{}
		for i, n := range recs[0] {
			col[n] = i
		}
		for i := range rs {
			for k, n := range names {
				got := strings.TrimSpace(recs[i+1][col[n]])
				if got != want[i][k] {
					t.Errorf("PSPP %s, response %d: %q, want %q", n, i, got, want[i][k])
				}
			}
		}
	})
}
