package instrument

import "testing"

// TestDecoders holds the table of instrument decoders: the media types
// and file names the API and `dyad validate` accept find the decoder of
// their syntax, and nothing else finds one.
func TestDecoders(t *testing.T) {
	for mt, want := range map[string]string{
		"application/json": "JSON", "application/vnd.dyad+json": "JSON",
		"application/yaml": "YAML", "application/x-yaml": "YAML", "text/yaml": "YAML", "text/x-yaml": "YAML",
		"text/plain": "", "application/xml": "", "": "",
	} {
		d := DecoderFor(mt)
		if (d == nil && want != "") || (d != nil && d.Name != want) {
			t.Errorf("DecoderFor(%q) = %v, want %q", mt, d, want)
		}
	}
	for name, want := range map[string]string{
		"a.json": "JSON", "A.JSON": "JSON", "b.yaml": "YAML", "c.yml": "YAML", "README.md": "", "noext": "",
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
