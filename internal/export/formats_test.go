package export

import (
	"bytes"
	"context"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestFormatRegistry holds the registry's table: names and paths are
// unique, every row has a media type, a file name and a writer, the
// options a format takes are known options, and the zip's entries are
// named by the same rule as the files downloaded alone.
func TestFormatRegistry(t *testing.T) {
	names, paths := map[string]bool{}, map[string]bool{}
	known := map[string]bool{}
	for _, o := range CSVOptions {
		known[o] = true
	}
	for _, f := range Formats {
		if names[f.Name] || paths[f.Path] || f.Name == "" || f.Path == "" || f.MediaType == "" || f.write == nil || f.suffix == nil {
			t.Errorf("format %+v: duplicate or incomplete", f)
		}
		names[f.Name], paths[f.Path] = true, true
		if FormatByName(f.Name) != f {
			t.Errorf("FormatByName(%q) is another row", f.Name)
		}
		for _, o := range f.Options {
			if !known[o] {
				t.Errorf("%s takes unknown option %q", f.Name, o)
			}
		}
		if f.Responses && len(f.Options) == 0 && f.Fixed == "" {
			t.Errorf("%s takes no options and does not say why", f.Name)
		}
	}
	want := []string{
		FormatByName("csv").FileName("b", Options{}),
		FormatByName("codebook").FileName("b", Options{}),
		FormatByName("r").FileName("b", Options{}),
		FormatByName("spss").FileName("b", Options{}),
		FormatByName("stata").FileName("b", Options{}),
		FormatByName("csv").FileName("b", Options{LineBreaks: LineBreaksSpace}),
	}
	if got := BundleFiles("b"); !equal(got, want) {
		t.Errorf("zip entries %q, want %q", got, want)
	}
	info := SyntaxInfo{Base: "b", Survey: &survey.Survey{ID: "abc", Title: "T"}}
	if info.CSVName() != want[0] || info.SPSSCSVName() != want[5] {
		t.Errorf("the syntax files read %q and %q, the files are %q and %q", info.CSVName(), info.SPSSCSVName(), want[0], want[5])
	}
	if FormatByName("sas7bdat") != nil {
		t.Error("an unknown format was found")
	}
	// A syntax format writes without responses.
	var buf bytes.Buffer
	if err := FormatByName("r").Write(context.Background(), &buf, Job{Form: registryForm(t), Info: info}); err != nil || buf.Len() == 0 {
		t.Errorf("r: %v, %d bytes", err, buf.Len())
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func registryForm(t *testing.T) *survey.Form {
	t.Helper()
	f, err := survey.NewForm(&survey.Instrument{Key: "reg", Version: 1, Title: "Registry", Sections: []survey.Section{
		{ID: "a", Title: "A", Items: []survey.Item{{ID: "q1", Type: survey.Text, Text: "Q1"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}
