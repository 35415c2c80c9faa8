package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConvert drives `dyad convert` and `dyad validate` on files of
// other formats: a FHIR Questionnaire and a REDCap dictionary written by
// others become YAML that validates; a shipped instrument goes to a
// REDCap dictionary, a FHIR Questionnaire and an XLSForm and back (to the
// very same YAML through FHIR);
// what cannot be mapped is a warning on stderr, a file that cannot be an
// instrument exits 1 with its problems, an unknown format 2.
func TestConvert(t *testing.T) {
	dir := t.TempDir()
	interop := filepath.Join("..", "..", "internal", "instrument", "testdata", "interop")
	convert := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"convert"}, args...), os.Getenv, &out, &errOut)
		return code, out.String(), errOut.String()
	}

	gad := filepath.Join(dir, "gad7.yaml")
	if code, _, stderr := convert("--out", gad, filepath.Join(interop, "fhir-gad7.json")); code != 0 || stderr != "" {
		t.Fatalf("convert GAD-7: exit %d, stderr %q", code, stderr)
	}
	code, stdout, _ := convert("--to", "yaml", filepath.Join(interop, "redcap-longitudinal.csv"))
	if code != 0 || !strings.Contains(stdout, "sections:") {
		t.Fatalf("convert REDCap: exit %d", code)
	}
	redcapYAML := filepath.Join(dir, "longitudinal.yaml")
	if err := os.WriteFile(redcapYAML, []byte(stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"validate", gad, redcapYAML, filepath.Join(interop, "redcap-longitudinal.csv")}, os.Getenv, &out, &errOut); code != 0 {
		t.Fatalf("validate: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"gad7.yaml: ok (gad-7 version 1)", "longitudinal.yaml: ok (demographics version 1)",
		`redcap-longitudinal.csv: warning: row 24 "Field Type": a calc field has no Dyad counterpart`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("validate output lacks %q:\n%s", want, out.String())
		}
	}

	shipped := filepath.Join("..", "..", "instruments", "ai-therapeutic-relationship.yaml")
	_, direct, _ := convert(shipped)
	for _, to := range []string{"redcap", "fhir", "xlsform"} {
		file := filepath.Join(dir, "shipped."+to)
		if code, _, stderr := convert("--to", to, "--out", file, shipped); code != 0 || stderr != "" {
			t.Fatalf("convert to %s: exit %d, %s", to, code, stderr)
		}
		// A name that does not say the format: the content does.
		code, back, stderr := convert(file)
		if code != 0 {
			t.Fatalf("convert back from %s: exit %d, %s", to, code, stderr)
		}
		if to == "fhir" && back != direct {
			t.Errorf("through FHIR the YAML differs:\n%s\nwant\n%s", back, direct)
		}
		if to != "fhir" && !strings.Contains(back, "id: eff_3") {
			t.Errorf("through REDCap: %s", back)
		}
	}

	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"resourceType": "Questionnaire", "title": "T", "item": [{"linkId": "a", "type": "choice", "text": "A"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := convert(broken); code != 1 || stdout != "" || !strings.Contains(stderr, "broken.json: item[0].answerOption: a choice question needs answer options") {
		t.Errorf("broken file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := convert("--to", "sav", shipped); code != 2 || !strings.Contains(stderr, "yaml, json, redcap, fhir") {
		t.Errorf("unknown format: exit %d, %s", code, stderr)
	}
}
