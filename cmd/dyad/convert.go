package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// cmdConvert reads an instrument file of any format Dyad reads and
// writes it in another: Dyad's YAML or JSON, a REDCap data dictionary or
// a FHIR Questionnaire. What the source had that could not be mapped is
// printed on stderr as warnings; a file that cannot become a valid
// instrument is not converted (exit status 1, every problem printed).
func cmdConvert(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var names []string
	for _, e := range instrument.Encoders {
		names = append(names, e.Name)
	}
	to := fs.String("to", "yaml", "the format to write: "+strings.Join(names, ", "))
	out := fs.String("out", "", "the file to write (default: standard output)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: dyad convert [--to %s] [--out FILE] FILE\n\n", strings.Join(names, "|"))
		fmt.Fprintln(stderr, "Reads an instrument file (Dyad's .yaml/.json, a REDCap data dictionary .csv, a\nFHIR Questionnaire .json, an XLSForm .xlsx, a LimeSurvey .lss; see docs/interop.md) and writes it in another format.\nWarnings name what could not be mapped.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	enc := instrument.EncoderFor(*to)
	if enc == nil {
		fmt.Fprintf(stderr, "dyad convert: unknown format %q; choose one of %s\n", *to, strings.Join(names, ", "))
		return 2
	}
	name := fs.Arg(0)
	res, err := importFile(name)
	if err != nil {
		var se *survey.Error
		if errors.As(err, &se) {
			fmt.Fprintf(stderr, "%s: %s\n", name, se.Message)
			printDetails(stderr, name, se.Details)
		} else {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
		}
		return 1
	}
	printDetails(stderr, name+": warning", res.Warnings)
	data, err := enc.Encode(res.Instrument)
	if err != nil {
		fmt.Fprintf(stderr, "dyad convert: %v\n", err)
		return 1
	}
	if *out == "" {
		_, err = stdout.Write(data)
	} else {
		err = os.WriteFile(*out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "dyad convert: %v\n", err)
		return 1
	}
	return 0
}
