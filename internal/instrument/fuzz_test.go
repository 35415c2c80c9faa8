package instrument_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// FuzzParse feeds arbitrary documents to the parser and validator: it must
// never panic, and every rejection must be a *survey.Error (malformed or
// invalid) whose details name a place. Whatever it accepts must also pass
// NewForm, the index every request uses. Seeds: the shipped instruments and
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	names, _ := fs.Glob(instruments.FS, "*.yaml")
	for _, n := range names {
		b, _ := fs.ReadFile(instruments.FS, n)
		f.Add(b, false)
	}
	f.Add([]byte(minimal), false)
	f.Add([]byte(`{"key":"x1","version":1,"title":"T","sections":[{"id":"s","title":"S","items":[{"id":"q","type":"text","text":"Q"}]}]}`), true)
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		format := instrument.YAML
		if asJSON {
			format = instrument.JSON
		}
		in, err := instrument.Parse(data, format)
		if err != nil {
			var se *survey.Error
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if se.Code != survey.EMalformed && se.Code != survey.EInvalid && se.Code != survey.ETooLarge {
				t.Fatalf("error code %q", se.Code)
			}
			if len(se.Details) == 0 {
				t.Fatal("a rejection without details")
			}
			return
		}
		if _, err := survey.NewForm(in); err != nil {
			t.Fatalf("parsed instrument fails NewForm: %v", err)
		}
	})
}
