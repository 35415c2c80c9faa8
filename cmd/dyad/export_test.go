package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export/exporttest"
)

func TestExportCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "dyad.db")
	sv, err := exporttest.Fill(ctx, db, 25, 7)
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return "" }
	exportRun := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, append([]string{"export"}, args...), getenv, &out, &errOut)
		return code, out.String(), errOut.String()
	}

	t.Run("CSVToStdout", func(t *testing.T) {
		code, out, errOut := exportRun("--db", db, "--survey", sv.ID)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 26 || recs[0][0] != "response_id" || recs[0][len(recs[0])-1] != "dq_any" {
			t.Fatalf("%d records, header %q", len(recs), recs[0])
		}
		// The speeder rule's median is known (the responses exported):
		// every complete row has its dq_speeder, 0 or 1.
		speeder := len(recs[0]) - 4
		for _, r := range recs[1:] {
			if r[2] == "complete" && r[speeder] != "0" && r[speeder] != "1" {
				t.Fatalf("dq_speeder %q in %q", r[speeder], r)
			}
		}
	})
	t.Run("LabelsInGerman", func(t *testing.T) {
		// The study ships in German too: its codebook in German.
		code, out, errOut := exportRun("--db", db, "--survey", sv.ID, "--format", "codebook", "--lang", "de")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(out, "Stimme voll und ganz zu") || strings.Contains(out, "Strongly agree") {
			t.Errorf("the codebook is not German:\n%.400s", out)
		}
		if code, _, errOut := exportRun("--db", db, "--survey", sv.ID, "--format", "codebook", "--lang", "fr"); code == 0 || !strings.Contains(errOut, "en, de") {
			t.Errorf("--lang fr: exit %d, %s", code, errOut)
		}
	})
	t.Run("FileIsAtomic", func(t *testing.T) {
		out := filepath.Join(dir, "long.csv")
		code, _, errOut := exportRun("--db", db, "--survey", sv.ID, "--out", out, "--layout", "long", "--values", "labels", "--bom")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(errOut, "25 responses written") {
			t.Errorf("stderr: %s", errOut)
		}
		b, err := os.ReadFile(out)
		if err != nil || !bytes.HasPrefix(b, []byte("\xEF\xBB\xBFresponse_id,instrument_version,status,started_at,submitted_at,duration_s,language,item_id,value\r\n")) {
			t.Fatalf("long export: %v %q", err, b[:min(len(b), 120)])
		}
		if !bytes.Contains(b, []byte(",ai_use,Yes\r\n")) && !bytes.Contains(b, []byte(",ai_use,No\r\n")) {
			t.Error("labels missing from the long export")
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("temporary file left behind: %s", e.Name())
			}
		}
	})
	t.Run("Zip", func(t *testing.T) {
		out := filepath.Join(dir, "bundle.zip")
		if code, _, errOut := exportRun("--db", db, "--survey", sv.ID, "--format", "zip", "--out", out, "--since", "2026-01-05"); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		zr, err := zip.OpenReader(out)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		var names []string
		for _, f := range zr.File {
			names = append(names, filepath.Ext(f.Name))
		}
		if strings.Join(names, " ") != ".csv .csv .R .sps .do .csv" {
			t.Errorf("zip entries %q", names)
		}
	})
	t.Run("Syntax", func(t *testing.T) {
		for format, want := range map[string]string{"r": "read.csv", "spss": "GET DATA", "stata": "import delimited", "codebook": "variable,short_name"} {
			code, out, errOut := exportRun("--db", db, "--survey", sv.ID, "--format", format)
			if code != 0 || !strings.Contains(out, want) {
				t.Errorf("--format %s: exit %d, %s; output lacks %q", format, code, errOut, want)
			}
		}
	})
	t.Run("DataFiles", func(t *testing.T) {
		for format, magic := range map[string]string{"sav": "$FL2", "dta": "<stata_dta>", "xlsx": "PK\x03\x04"} {
			out := filepath.Join(dir, "data."+format)
			code, _, errOut := exportRun("--db", db, "--survey", sv.ID, "--format", format, "--out", out)
			if code != 0 || !strings.Contains(errOut, "."+format+")") {
				t.Fatalf("--format %s: exit %d, %s", format, code, errOut)
			}
			b, err := os.ReadFile(out)
			if err != nil || !strings.HasPrefix(string(b), magic) {
				t.Errorf("--format %s: %v, starts %q", format, err, b[:min(len(b), 12)])
			}
		}
	})
	t.Run("Errors", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"--db", db}, 2, "--survey is required"},
			{[]string{"--db", db, "--survey", sv.ID, "--layout", "tall", "--status", "done"}, 2, "--layout must be wide or long"},
			{[]string{"--db", db, "--survey", sv.ID, "--since", "2026-02-01", "--until", "2026-01-01"}, 2, "--until must be after --since"},
			{[]string{"--db", db, "--survey", sv.ID, "--format", "sas7bdat"}, 2, "--format must be"},
			{[]string{"--db", db, "--survey", sv.ID, "--format", "sav", "--values", "labels"}, 2, "--values is not accepted by --format sav"},
			{[]string{"--db", db, "--survey", sv.ID, "--format", "xlsx", "--bom"}, 2, "--bom is not accepted by --format xlsx"},
			{[]string{"--db", db, "--survey", sv.ID, "--format", "zip", "--layout", "long"}, 2, "--layout is not accepted by --format zip"},
			{[]string{"--db", filepath.Join(dir, "missing.db"), "--survey", sv.ID}, 1, "missing.db"},
			{[]string{"--db", db, "--survey", "nosuchsurv"}, 1, "not found"},
		} {
			code, _, errOut := exportRun(tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("%q: exit %d, %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
			t.Error("an export created the missing database")
		}
	})
}
