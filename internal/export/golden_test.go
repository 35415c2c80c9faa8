package export_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/survey"
)

// update rewrites the golden files from the writers' output:
//
//	go test ./internal/export -run TestGoldenFiles -update
//
// then read the diff (git diff internal/export/testdata/golden) before
// committing it: it is exactly what a researcher's files change by.
var update = flag.Bool("update", false, "rewrite testdata/golden from the writers' output")

// TestGoldenFiles compares, byte for byte, the generated R script, SPSS
// syntax, Stata do-file and codebook (and the CSV they read) for a fixed
// instrument (testInstrument), dataset (testResponses) and date with
// the files in testdata/golden, so any change to what a researcher
// receives shows up as a diff in review. The other export tests hold the
// rules; this one holds the bytes.
func TestGoldenFiles(t *testing.T) {
	f := testForm(t)
	sv := &survey.Survey{ID: "7k2m9qx4ab", Title: "Unit export"}
	info := export.SyntaxInfo{Survey: sv, Base: export.BaseName(sv, at("2026-01-14T10:00:00Z")), Generated: at("2026-01-14T10:00:00Z")}
	for _, g := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{info.CSVName(), func(b *bytes.Buffer) error {
			return export.WriteCSV(context.Background(), b, f, export.Options{}, scanOf(testResponses()))
		}},
		{info.SPSSCSVName(), func(b *bytes.Buffer) error {
			return export.WriteCSV(context.Background(), b, f, export.Options{LineBreaks: export.LineBreaksSpace}, scanOf(testResponses()))
		}},
		{info.Base + "_codebook.csv", func(b *bytes.Buffer) error { return export.WriteCodebook(b, f, export.Options{}) }},
		{info.Base + ".R", func(b *bytes.Buffer) error { return export.WriteR(b, f, info) }},
		{info.Base + ".sps", func(b *bytes.Buffer) error { return export.WriteSPSS(b, f, info) }},
		{info.Base + ".do", func(b *bytes.Buffer) error { return export.WriteStata(b, f, info) }},
	} {
		t.Run(g.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := g.write(&b); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", g.name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/export -run TestGoldenFiles -update to create it)", err)
			}
			if got := b.Bytes(); !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (go test ./internal/export -run TestGoldenFiles -update rewrites it; review the diff):\n%s",
					g.name, firstDifference(got, want))
			}
		})
	}
}

// firstDifference shows where two outputs part: the line number and both
// lines, enough to find the change without dumping whole files.
func firstDifference(got, want []byte) string {
	gl, wl := bytes.SplitAfter(got, []byte("\n")), bytes.SplitAfter(want, []byte("\n"))
	for i := range max(len(gl), len(wl)) {
		var g, w []byte
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if !bytes.Equal(g, w) {
			return fmt.Sprintf("line %d:\n  got:  %q\n  want: %q", i+1, g, w)
		}
	}
	return "(no difference)"
}
