package instrument

import (
	"fmt"
	"io/fs"
	"sort"

	"github.com/dyad-survey/dyad/internal/survey"
)

// IsInstrumentFile tells instrument files (those a decoder of the table
// in decoders.go reads by their extension) from others that sit beside
// them, such as a README.
func IsInstrumentFile(name string) bool {
	return DecoderForFile(name) != nil
}

// File is one instrument read from a file.
type File struct {
	Name       string
	Instrument *survey.Instrument
}

// LoadFS parses every instrument file at the top of fsys, in name order,
// each with the translation files next to it (AddTranslationFiles). It is
// how `dyad serve` reads the shipped instruments.
func LoadFS(fsys fs.FS) ([]File, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []File
	for _, e := range entries {
		if e.IsDir() || !IsInstrumentFile(e.Name()) || IsTranslationFile(fsys, e.Name()) {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		in, err := Detect("", e.Name(), data).Decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		if in, _, err = AddTranslationFiles(fsys, e.Name(), in); err != nil {
			return nil, err
		}
		out = append(out, File{Name: e.Name(), Instrument: in})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// IsTranslationFile tells whether name, in fsys, is a translation file:
// named stem.lang.ext (TranslationName) next to an instrument file named
// stem with an instrument's extension.
func IsTranslationFile(fsys fs.FS, name string) bool {
	stem, _, ok := TranslationName(name)
	if !ok {
		return false
	}
	for _, d := range Decoders {
		for _, ext := range d.Extensions {
			if _, err := fs.Stat(fsys, stem+ext); err == nil {
				return true
			}
		}
	}
	return false
}
