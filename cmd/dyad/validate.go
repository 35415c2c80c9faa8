package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: dyad validate FILE...\n\nChecks instrument files and prints every problem with its path, with the\ntranslation files next to each (NAME.LANG.yaml beside NAME.yaml). Dyad's own\n.yaml, .yml and .json, and the formats it imports (docs/interop.md):\nREDCap data dictionaries (.csv), FHIR Questionnaires (.json), XLSForms\n(.xlsx), LimeSurvey survey structures (.lss); for these it also prints, as warnings, what could not be mapped. Exit status 1 if any\nfile has a problem.")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	failed, checked := false, 0
	for _, name := range fs.Args() {
		if instrument.DecoderForFile(name) == nil {
			fmt.Fprintf(stderr, "%s: skipped (not an instrument file: %s)\n", name, instrumentExtensions())
			continue
		}
		checked++
		dir, base := filepath.Split(name)
		fsys := os.DirFS(filepath.Clean(dir + "."))
		target := name
		if instrument.IsTranslationFile(fsys, base) {
			// A translation is checked against its instrument, with the
			// instrument's other translations.
			target = instrumentOf(fsys, dir, base)
		}
		res, err := importFile(target)
		var translations []string
		if err == nil {
			var in *survey.Instrument
			in, translations, err = instrument.AddTranslationFiles(fsys, filepath.Base(target), res.Instrument)
			if err == nil {
				res.Instrument = in
			}
		}
		if err == nil {
			langs := ""
			if len(translations) > 0 {
				langs = "; languages " + strings.Join(res.Instrument.AllLanguages(), ", ")
			}
			if target != name {
				fmt.Fprintf(stdout, "%s: ok (translation of %s version %d%s)\n", name, res.Instrument.Key, res.Instrument.Version, langs)
				continue
			}
			fmt.Fprintf(stdout, "%s: ok (%s version %d%s)\n", name, res.Instrument.Key, res.Instrument.Version, langs)
			printDetails(stdout, name+": warning", res.Warnings)
			continue
		}
		failed = true
		var se *survey.Error
		if !errors.As(err, &se) {
			fmt.Fprintf(stdout, "%s: %v\n", name, err)
			continue
		}
		// A translation file's error names the file before the message.
		fmt.Fprintf(stdout, "%s: %s%s\n", name, strings.TrimSuffix(err.Error(), se.Error()), se.Message)
		printDetails(stdout, name, se.Details)
	}
	if checked == 0 {
		fmt.Fprintln(stderr, "dyad validate: no instrument files given")
		return 2
	}
	if failed {
		return 1
	}
	return 0
}

// importFile reads an instrument file of any format the decoder table
// knows, telling the format by content first and by name second.
func importFile(name string) (*interop.Result, error) {
	data, err := readInstrumentFile(name)
	if err != nil {
		return nil, err
	}
	dec := instrument.Detect("", name, data)
	if dec == nil {
		return nil, fmt.Errorf("not an instrument file: %s", instrumentExtensions())
	}
	return dec.Import(data)
}

// printDetails prints one line per detail, after prefix.
func printDetails(w io.Writer, prefix string, ds []survey.Detail) {
	for _, d := range ds {
		if d.Path == "" {
			fmt.Fprintf(w, "%s: %s\n", prefix, d.Message)
		} else {
			fmt.Fprintf(w, "%s: %s: %s\n", prefix, d.Path, d.Message)
		}
	}
}

// instrumentExtensions lists the file-name extensions of the decoder
// table, for messages.
func instrumentExtensions() string {
	var exts []string
	for _, d := range instrument.Decoders {
		exts = append(exts, d.Extensions...)
	}
	return strings.Join(exts, ", ")
}

// readInstrumentFile reads at most one byte more than an instrument may
// have (survey.MaxDocumentBytes, the API's body limit), so that a huge
// file is refused with the same limit as an upload instead of being read
// whole into memory.
func readInstrumentFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, survey.MaxDocumentBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > survey.MaxDocumentBytes {
		return nil, fmt.Errorf("the file is larger than an instrument may be: at most %d bytes (1 MiB, the API's body limit)", survey.MaxDocumentBytes)
	}
	return data, nil
}

// instrumentOf is the instrument file a translation file translates (the
// first with an instrument's extension: IsTranslationFile found one).
func instrumentOf(fsys fs.FS, dir, name string) string {
	stem, _, _ := instrument.TranslationName(name)
	for _, d := range instrument.Decoders {
		for _, ext := range d.Extensions {
			if _, err := fs.Stat(fsys, stem+ext); err == nil {
				return filepath.Join(dir, stem+ext)
			}
		}
	}
	return filepath.Join(dir, name)
}
