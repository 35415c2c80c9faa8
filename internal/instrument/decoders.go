package instrument

// Instrument decoders by media type: the one table that says which kinds
// of instrument file Dyad reads, looked up by the API's Content-Type and
// by `dyad validate`'s file names. Today YAML and JSON, one structure
// (Parse); a reader of another format (a REDCap data dictionary, a FHIR
// Questionnaire, an XLSForm) is one more row, with its own Decode, and
// both callers take it without change.

import (
	"path"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Decoder reads one kind of instrument file.
type Decoder struct {
	// Name names the syntax, for messages.
	Name string
	// MediaTypes are the Content-Types it reads, lower case, without
	// parameters; Suffix, when set, a structured-syntax suffix (RFC 6839)
	// it reads too, such as "+json".
	MediaTypes []string
	Suffix     string
	// Extensions are the file-name extensions it reads, lower case.
	Extensions []string
	// Decode reads and validates an instrument; errors as Parse's.
	Decode func(data []byte) (*survey.Instrument, error)
}

// Decoders is the table, in the order the formats are named.
var Decoders = []*Decoder{
	{Name: "JSON", MediaTypes: []string{"application/json"}, Suffix: "+json", Extensions: []string{".json"},
		Decode: func(data []byte) (*survey.Instrument, error) { return Parse(data, JSON) }},
	{Name: "YAML", MediaTypes: []string{"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"},
		Extensions: []string{".yaml", ".yml"},
		Decode:     func(data []byte) (*survey.Instrument, error) { return Parse(data, YAML) }},
}

// DecoderFor returns the decoder of a media type (lower case, without
// parameters, as mime.ParseMediaType gives it); nil when none reads it.
func DecoderFor(mediaType string) *Decoder {
	for _, d := range Decoders {
		for _, mt := range d.MediaTypes {
			if mediaType == mt {
				return d
			}
		}
		if d.Suffix != "" && strings.HasSuffix(mediaType, d.Suffix) {
			return d
		}
	}
	return nil
}

// DecoderForFile returns the decoder of a file by its extension (any
// case); nil for a file that is not an instrument file, such as a README
// beside them.
func DecoderForFile(name string) *Decoder {
	ext := strings.ToLower(path.Ext(name))
	for _, d := range Decoders {
		for _, e := range d.Extensions {
			if ext == e {
				return d
			}
		}
	}
	return nil
}
