package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: dyad validate FILE...\n\nChecks instrument files (.yaml, .yml, .json) and prints every problem\nwith its path. Exit status 1 if any file has a problem.")
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
		dec := instrument.DecoderForFile(name)
		if dec == nil {
			fmt.Fprintf(stderr, "%s: skipped (not a .yaml, .yml or .json file)\n", name)
			continue
		}
		checked++
		data, err := readInstrumentFile(name)
		if err != nil {
			fmt.Fprintf(stdout, "%s: %v\n", name, err)
			failed = true
			continue
		}
		in, err := dec.Decode(data)
		if err == nil {
			fmt.Fprintf(stdout, "%s: ok (%s version %d)\n", name, in.Key, in.Version)
			continue
		}
		failed = true
		var se *survey.Error
		if !errors.As(err, &se) {
			fmt.Fprintf(stdout, "%s: %v\n", name, err)
			continue
		}
		fmt.Fprintf(stdout, "%s: %s\n", name, se.Message)
		for _, d := range se.Details {
			if d.Path == "" {
				fmt.Fprintf(stdout, "%s: %s\n", name, d.Message)
			} else {
				fmt.Fprintf(stdout, "%s: %s: %s\n", name, d.Path, d.Message)
			}
		}
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
