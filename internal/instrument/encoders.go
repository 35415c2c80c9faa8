package instrument

import (
	"bytes"
	"encoding/json"

	"github.com/dyad-survey/dyad/internal/instrument/fhir"
	"github.com/dyad-survey/dyad/internal/instrument/redcap"
	"github.com/dyad-survey/dyad/internal/instrument/xlsform"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/goccy/go-yaml"
)

// Encoder writes an instrument in one format: Dyad's own YAML or JSON,
// or a format that other tools import (docs/interop.md). `dyad convert
// --to NAME` looks it up by Name.
type Encoder struct {
	// Name is what --to says.
	Name string
	// MediaType and Extension are those of the file it writes.
	MediaType string
	Extension string
	// Encode writes the instrument.
	Encode func(in *survey.Instrument) ([]byte, error)
}

// Encoders is the table, in the order the formats are named.
var Encoders = []*Encoder{
	{Name: "yaml", MediaType: "application/yaml", Extension: ".yaml", Encode: encodeYAML},
	{Name: "json", MediaType: "application/json", Extension: ".json", Encode: encodeJSON},
	{Name: "redcap", MediaType: redcap.MediaType, Extension: ".csv", Encode: redcap.Encode},
	{Name: "fhir", MediaType: fhir.MediaType, Extension: ".json", Encode: fhir.Encode},
	{Name: "xlsform", MediaType: xlsform.MediaType, Extension: ".xlsx", Encode: xlsform.Encode},
}

// EncoderFor returns the encoder of a name; nil when there is none.
func EncoderFor(name string) *Encoder {
	for _, e := range Encoders {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// encodeJSON writes the instrument format's JSON (the structure of
// api/instrument.schema.json), indented.
func encodeJSON(in *survey.Instrument) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(in); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeYAML writes the same structure as YAML, in the order of the
// JSON form (key, version, title, ..., sections), with long texts as
// literal blocks.
func encodeYAML(in *survey.Instrument) ([]byte, error) {
	js, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var tree yaml.MapSlice
	if err := yaml.UnmarshalWithOptions(js, &tree, yaml.UseOrderedMap()); err != nil {
		return nil, err
	}
	return yaml.MarshalWithOptions(tree, yaml.UseLiteralStyleIfMultiline(true))
}
