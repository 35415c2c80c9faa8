package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// cmdTranslate is the translator's round trip on files, as the API's
// translations routes do on stored versions: without --table it writes
// the instrument's table for --lang (CSV: id, source, target); with
// --table it reads the filled table and writes the translation file
// NAME.LANG.yaml next to the instrument (or --out), which `dyad serve`
// and `dyad validate` then read with it.
func cmdTranslate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("translate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "", "the language, a BCP 47 tag such as de or pt-BR (required)")
	table := fs.String("table", "", "a filled translator's table (CSV) to read into a translation file")
	out := fs.String("out", "", "where to write: the table (default standard output) or the translation file (default NAME.LANG.yaml next to the instrument)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: dyad translate --lang LANG [--table FILLED.csv] [--out FILE] INSTRUMENT\n\nWithout --table, writes the translator's table of INSTRUMENT for LANG: a CSV\nof id, source and target, the target empty (or the translation the\ninstrument has). With --table, reads the filled table and writes the\ntranslation file, after listing every missing, extra or stale row (exit\nstatus 1, nothing written, if there is any).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 || !survey.IsLanguageTag(*lang) {
		fs.Usage()
		return 2
	}
	name := fs.Arg(0)
	res, err := importFile(name)
	if err == nil {
		res.Instrument, _, err = instrument.AddTranslationFiles(os.DirFS(filepath.Dir(name)), filepath.Base(name), res.Instrument)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	in := res.Instrument
	if *lang == in.DefaultLanguage() {
		fmt.Fprintf(stderr, "dyad translate: %s is the language %s is written in\n", *lang, name)
		return 2
	}
	if *table == "" {
		var buf bytes.Buffer
		if err := instrument.WriteTable(&buf, in, *lang); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return writeOut(*out, buf.Bytes(), stdout, stderr)
	}
	f, err := os.Open(*table)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer f.Close()
	tr, rep, err := instrument.ReadTable(f, in)
	if rep != nil {
		fmt.Fprintf(stdout, "%s: %d translated, %d missing, %d extra, %d stale\n", *table, rep.Translated, len(rep.Missing), len(rep.Extra), len(rep.Stale))
	}
	if err == nil {
		in, err = in.WithTranslation(*lang, tr)
	}
	if err != nil {
		var se *survey.Error
		if errors.As(err, &se) {
			fmt.Fprintf(stdout, "%s: %s\n", *table, se.Message)
			printDetails(stdout, *table, se.Details)
		} else {
			fmt.Fprintf(stdout, "%s: %v\n", *table, err)
		}
		return 1
	}
	var buf bytes.Buffer
	if err := instrument.WriteTranslationFile(&buf, in, *lang); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *out == "" {
		*out = strings.TrimSuffix(name, filepath.Ext(name)) + "." + *lang + ".yaml"
	}
	if code := writeOut(*out, buf.Bytes(), stdout, stderr); code != 0 {
		return code
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return 0
}

// writeOut writes data to the file path, or to stdout when path is "".
func writeOut(path string, data []byte, stdout, stderr io.Writer) int {
	var err error
	if path == "" {
		_, err = stdout.Write(data)
	} else {
		err = os.WriteFile(path, data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
