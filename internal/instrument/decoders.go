package instrument

// Instrument decoders by media type: the one table that says which kinds
// of instrument file Dyad reads, looked up by the API's Content-Type and
// by `dyad validate`'s and `dyad convert`'s file names. Dyad's own YAML
// and JSON (one structure, Parse), and the importers of other formats,
// each in its own package beside this one: REDCap data dictionaries
// (redcap), FHIR R4 Questionnaires (fhir), XLSForms (xlsform) and
// LimeSurvey survey structures (limesurvey).
//
// A media type or a file name does not always say the format: a FHIR
// Questionnaire is JSON too, a dictionary arrives as text/plain, a
// browser sends application/octet-stream. Detect therefore looks at the
// content first, with each foreign format's Sniff (each strict, a marker
// no Dyad instrument has), and falls back on the media type or name.
//
// An importer reports, beside the instrument, what it could not map
// (Import's warnings, each with its place in the source); Decode is
// Import without the report, for callers that only want the instrument.

import (
	"path"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument/fhir"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/instrument/limesurvey"
	"github.com/dyad-survey/dyad/internal/instrument/redcap"
	"github.com/dyad-survey/dyad/internal/instrument/xlsform"
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
	// Sniff, when set, tells the format by content, whatever the media
	// type or name said.
	Sniff func(data []byte) bool
	// Decode reads and validates an instrument; errors as Parse's.
	Decode func(data []byte) (*survey.Instrument, error)
	// Import is Decode with the report of what could not be mapped. A
	// foreign file that imports into an instrument that is not valid
	// gives that instrument with the error (interop.Report.Finish).
	Import func(data []byte) (*interop.Result, error)
}

// native makes the decoder of one of Dyad's own syntaxes, which map
// completely.
func native(d *Decoder, f Format) *Decoder {
	d.Decode = func(data []byte) (*survey.Instrument, error) { return Parse(data, f) }
	d.Import = func(data []byte) (*interop.Result, error) {
		in, err := Parse(data, f)
		if err != nil {
			return nil, err
		}
		return &interop.Result{Instrument: in}, nil
	}
	return d
}

// foreign makes the decoder of another format from its importer.
func foreign(d *Decoder, imp func([]byte) (*interop.Result, error)) *Decoder {
	d.Import = imp
	d.Decode = func(data []byte) (*survey.Instrument, error) {
		res, err := imp(data)
		if err != nil {
			return nil, err
		}
		return res.Instrument, nil
	}
	return d
}

// Decoders is the table. A foreign format comes before Dyad's JSON,
// whose "+json" suffix would otherwise claim application/fhir+json.
var Decoders = []*Decoder{
	foreign(&Decoder{Name: "REDCap data dictionary", MediaTypes: []string{redcap.MediaType, "application/csv"},
		Extensions: []string{".csv"}, Sniff: redcap.Sniff}, redcap.Decode),
	foreign(&Decoder{Name: "FHIR Questionnaire", MediaTypes: []string{fhir.MediaType}, Sniff: fhir.Sniff}, fhir.Decode),
	foreign(&Decoder{Name: "XLSForm", MediaTypes: []string{xlsform.MediaType}, Extensions: []string{".xlsx"},
		Sniff: xlsform.Sniff}, xlsform.Decode),
	foreign(&Decoder{Name: "LimeSurvey survey structure", MediaTypes: []string{limesurvey.MediaType, "text/xml"},
		Extensions: []string{".lss"}, Sniff: limesurvey.Sniff}, limesurvey.Decode),
	native(&Decoder{Name: "JSON", MediaTypes: []string{"application/json"}, Suffix: "+json", Extensions: []string{".json"}}, JSON),
	native(&Decoder{Name: "YAML", MediaTypes: []string{"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"},
		Extensions: []string{".yaml", ".yml"}}, YAML),
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

// Detect returns the decoder of data: the first whose Sniff recognises
// the content, else that of the media type (when not "") or else of the
// file name (when not ""); nil when none reads it.
func Detect(mediaType, name string, data []byte) *Decoder {
	for _, d := range Decoders {
		if d.Sniff != nil && d.Sniff(data) {
			return d
		}
	}
	if mediaType != "" {
		if d := DecoderFor(mediaType); d != nil {
			return d
		}
	}
	if name != "" {
		return DecoderForFile(name)
	}
	return nil
}

// ForeignNames lists the foreign formats of the table, for messages.
func ForeignNames() string {
	var names []string
	for _, d := range Decoders {
		if d.Sniff != nil {
			names = append(names, d.Name)
		}
	}
	return strings.Join(names, ", ")
}
