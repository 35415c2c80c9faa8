package instrument

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestDecoders holds the table of instrument decoders: the media types
// and file names the API and `dyad validate` accept find the decoder of
// their syntax, and nothing else finds one.
func TestDecoders(t *testing.T) {
	for mt, want := range map[string]string{
		"application/json": "JSON", "application/vnd.dyad+json": "JSON",
		"application/yaml": "YAML", "application/x-yaml": "YAML", "text/yaml": "YAML", "text/x-yaml": "YAML",
		"text/csv":   "REDCap data dictionary",
		"text/plain": "", "": "",
	} {
		d := DecoderFor(mt)
		if (d == nil && want != "") || (d != nil && d.Name != want) {
			t.Errorf("DecoderFor(%q) = %v, want %q", mt, d, want)
		}
	}
	for name, want := range map[string]string{
		"a.json": "JSON", "A.JSON": "JSON", "b.yaml": "YAML", "c.yml": "YAML", "README.md": "", "noext": "",
		"dict.CSV": "REDCap data dictionary", "form.xlsx": "XLSForm", "survey.lss": "LimeSurvey survey structure",
	} {
		d := DecoderForFile(name)
		if (d == nil && want != "") || (d != nil && d.Name != want) {
			t.Errorf("DecoderForFile(%q) = %v, want %q", name, d, want)
		}
		if (d != nil) != IsInstrumentFile(name) {
			t.Errorf("%s: DecoderForFile and IsInstrumentFile disagree", name)
		}
	}
	json, yaml := DecoderFor("application/json"), DecoderFor("application/yaml")
	if in, err := json.Decode([]byte(`{"key": 1}`)); err == nil || in != nil {
		t.Error("the JSON decoder took a bad instrument")
	}
	if _, err := yaml.Decode([]byte("key: [")); err == nil {
		t.Error("the YAML decoder took malformed YAML")
	}
}

// TestDetect: the content decides when a foreign format's marker is
// there, whatever the media type or name said; else the media type,
// else the name.
func TestDetect(t *testing.T) {
	dict := []byte("\ufeff\"Variable / Field Name\",\"Form Name\"")
	for _, tc := range []struct {
		mt, name string
		data     []byte
		want     string
	}{
		{"text/plain", "", dict, "REDCap data dictionary"},
		{"application/octet-stream", "upload.bin", dict, "REDCap data dictionary"},
		{"", "", []byte("field_name,form_name"), "REDCap data dictionary"},
		{"application/json", "", []byte(`{"key": "x"}`), "JSON"},
		{"application/json", "q.json", []byte(`{"resourceType": "Questionnaire"}`), "FHIR Questionnaire"},
		{"application/json", "", []byte(`{"key": "x", "title": "resourceType: Questionnaire"}`), "JSON"},
		{"application/fhir+json", "", []byte(`{"resourceType": "Patient"}`), "FHIR Questionnaire"},
		{"", "a.yaml", []byte("key: x"), "YAML"},
		{"text/csv", "", []byte("a,b"), "REDCap data dictionary"},
		{"application/octet-stream", "", []byte("PK\x03\x04...xl/workbook.xml..."), "XLSForm"},
		{"", "", []byte("PK\x03\x04 a zip of something else"), ""},
		{"text/plain", "", []byte("<?xml version=\"1.0\"?>\n<document>\n <LimeSurveyDocType>Survey</LimeSurveyDocType>"), "LimeSurvey survey structure"},
		{"text/plain", "", []byte("key: x"), ""},
		{"", "", []byte("key: x"), ""},
	} {
		d := Detect(tc.mt, tc.name, tc.data)
		if (d == nil && tc.want != "") || (d != nil && d.Name != tc.want) {
			t.Errorf("Detect(%q, %q, %.20q) = %v, want %q", tc.mt, tc.name, tc.data, d, tc.want)
		}
	}
}

// TestEncoders: every encoder's output of the shipped instruments reads
// back, through the decoder table, into the same questionnaire; Dyad's
// own YAML and JSON into exactly the same instrument.
func TestEncoders(t *testing.T) {
	files, err := LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, e := range Encoders {
			data, err := e.Encode(f.Instrument)
			if err != nil {
				t.Fatalf("%s to %s: %v", f.Name, e.Name, err)
			}
			d := Detect(e.MediaType, "x"+e.Extension, data)
			if d == nil {
				t.Fatalf("%s as %s: no decoder", f.Name, e.Name)
			}
			in, err := d.Decode(data)
			if err != nil {
				t.Fatalf("%s as %s does not read back: %v", f.Name, e.Name, err)
			}
			for _, diff := range interop.Diff(f.Instrument, in) {
				t.Errorf("%s as %s: %s", f.Name, e.Name, diff)
			}
			if e.Name == "yaml" || e.Name == "json" {
				a, _ := json.Marshal(f.Instrument)
				b, _ := json.Marshal(in)
				if string(a) != string(b) {
					t.Errorf("%s as %s is not the same instrument:\n%s\n%s", f.Name, e.Name, a, b)
				}
			}
		}
	}
	if EncoderFor("redcap") == nil || EncoderFor("sav") != nil {
		t.Error("EncoderFor")
	}
}

// TestEncodersMissingCodes: missing codes on a scale and on a choice item,
// and a subscale mixing scales with combine: rescale, come back through
// every encoder and its decoder.
func TestEncodersMissingCodes(t *testing.T) {
	in, err := Parse([]byte(`key: mc
version: 1
title: Missing codes
scales:
  - id: a5
    options: [{value: 1, label: SD}, {value: 5, label: SA}, {value: 9, label: Not applicable, missing: true}]
  - id: f3
    options: [{value: 0, label: Never}, {value: 2, label: Often}]
subscales:
  - {id: mix, title: Mix, combine: rescale}
sections:
  - id: s
    title: S
    items:
      - {id: a, type: likert, text: A, scale: a5, subscale: mix}
      - {id: f, type: likert, text: F, scale: f3, subscale: mix}
      - {id: g, type: single_choice, text: G, options: [{value: 1, label: Woman}, {value: 99, label: Prefer not to say, missing: true}]}
`), YAML)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range Encoders {
		data, err := e.Encode(in)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		back, err := Detect(e.MediaType, "x"+e.Extension, data).Decode(data)
		if err != nil {
			t.Fatalf("%s does not read back: %v", e.Name, err)
		}
		for _, diff := range interop.Diff(in, back) {
			t.Errorf("%s: %s", e.Name, diff)
		}
		if len(back.Subscales) != 1 || back.Subscales[0].Combine != survey.CombineRescale {
			t.Errorf("%s: subscales %+v, want mix with combine: rescale", e.Name, back.Subscales)
		}
	}
}

// TestEncodersAttention: an attention check comes back through the YAML
// and JSON encoders, and a bad one is refused with its path.
func TestEncodersAttention(t *testing.T) {
	src := `key: att
version: 1
title: Attention
scales:
  - id: a5
    options: [{value: 1, label: "1"}, {value: 4, label: "4"}, {value: 9, label: NA, missing: true}]
sections:
  - id: s
    title: S
    items:
      - {id: check, type: likert, text: Please choose 4, scale: a5, attention: {expect: 4}}
`
	in, err := Parse([]byte(src), YAML)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"yaml", "json"} {
		e := EncoderFor(name)
		data, err := e.Encode(in)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Detect(e.MediaType, "x"+e.Extension, data).Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a := back.Sections[0].Items[0].Attention; a == nil || a.Expect != 4 {
			t.Errorf("%s: attention %+v", name, a)
		}
	}
	for bad, path := range map[string]string{
		"attention: {expect: 9}":       "sections[0].items[0].attention.expect", // a missing code
		"attention: {expect: 2}":       "sections[0].items[0].attention.expect",
		"attention: {}":                "sections[0].items[0].attention.expect",
		"attention: {expect: 4, x: 1}": "sections[0].items[0].attention.x",
		"attention: 4":                 "sections[0].items[0].attention",
	} {
		_, err := Parse([]byte(strings.Replace(src, "attention: {expect: 4}", bad, 1)), YAML)
		var e *survey.Error
		if !errors.As(err, &e) || len(e.Details) == 0 || e.Details[0].Path != path {
			t.Errorf("%s: %v, want a problem at %s", bad, err, path)
		}
	}
}
