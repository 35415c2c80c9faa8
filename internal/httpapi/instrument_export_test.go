package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestInstrumentExportFormats downloads a stored version in each format
// of GET .../export and reads every file back through the decoders of an
// upload: the same questionnaire each time (interop.Diff), the very same
// instrument from YAML, JSON and FHIR. The refusals (unknown format,
// version, no token) are rows of TestInstrumentAPI.
func TestInstrumentExportFormats(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, testInstrumentExportFormats)
}

func testInstrumentExportFormats(t *testing.T, engine string) {
	e := newEnv(t, engine)
	fixture(t, e)
	var want survey.Instrument
	mustUnmarshal(t, []byte(testInstrument()), &want)
	for _, tc := range []struct{ format, contentType, file string }{
		{"yaml", "application/yaml", "wellbeing-test-v1-yaml.yaml"},
		{"json", "application/json", "wellbeing-test-v1-json.json"},
		{"redcap", "text/csv; charset=utf-8", "wellbeing-test-v1-redcap.csv"},
		{"fhir", "application/fhir+json", "wellbeing-test-v1-fhir.json"},
		{"xlsform", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "wellbeing-test-v1-xlsform.xlsx"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			status, hdr, body := e.do(t, request{Method: "GET", URL: "/api/v1/instruments/wellbeing-test/versions/1/export?format=" + tc.format, Authorization: bearer})
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			if ct := hdr.Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tc.contentType)
			}
			if cd := hdr.Get("Content-Disposition"); cd != `attachment; filename="`+tc.file+`"` {
				t.Errorf("Content-Disposition %q", cd)
			}
			mt, _, _ := strings.Cut(tc.contentType, ";")
			dec := instrument.Detect(mt, tc.file, body)
			if dec == nil {
				t.Fatal("no decoder reads the download")
			}
			res, err := dec.Import(body)
			if err != nil {
				t.Fatalf("the download does not read back: %v", err)
			}
			for _, d := range interop.Diff(&want, res.Instrument) {
				t.Error(d)
			}
			if tc.format == "yaml" || tc.format == "json" || tc.format == "fhir" {
				a, _ := json.Marshal(&want)
				b, _ := json.Marshal(res.Instrument)
				if string(a) != string(b) {
					t.Errorf("not the same instrument:\n%s\n%s", a, b)
				}
			}
		})
	}
}

// TestExportInteropResponses downloads a survey's responses for REDCap
// and for FHIR and holds them to the instrument's exports: the records'
// columns are the dictionary's fields (checkbox columns its choices), one
// record per complete response; each NDJSON line is a completed
// QuestionnaireResponse of the exported Questionnaire.
func TestExportInteropResponses(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, testExportInteropResponses)
}

func testExportInteropResponses(t *testing.T, engine string) {
	fx := newExportFixture(t, engine)
	wide := fx.table(t, "/api/v1/surveys/"+fx.survey+"/export.csv")
	recs := fx.table(t, "/api/v1/surveys/"+fx.survey+"/export-redcap.csv")
	if len(recs) != len(wide) {
		t.Errorf("%d REDCap records, %d rows in the wide CSV", len(recs)-1, len(wide)-1)
	}
	status, _, dict := fx.get(t, "/api/v1/instruments/export-check/versions/1/export?format=redcap")
	if status != http.StatusOK {
		t.Fatalf("dictionary: %d %s", status, dict)
	}
	fields := map[string]bool{}
	forms := map[string]bool{}
	for _, line := range strings.Split(string(dict), "\n")[1:] {
		name, rest, _ := strings.Cut(line, ",")
		form, _, _ := strings.Cut(rest, ",")
		fields[name], forms[form+"_complete"] = true, true
	}
	for _, col := range recs[0] {
		name, _, _ := strings.Cut(col, "___")
		if !fields[name] && !forms[col] {
			t.Errorf("REDCap column %s is not in the dictionary", col)
		}
	}

	status, hdr, body := fx.get(t, "/api/v1/surveys/"+fx.survey+"/export.ndjson")
	if status != http.StatusOK || hdr.Get("Content-Type") != "application/fhir+ndjson" {
		t.Fatalf("NDJSON: %d %s", status, hdr.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if len(lines) != len(wide)-1 {
		t.Errorf("%d QuestionnaireResponses, %d responses", len(lines), len(wide)-1)
	}
	for _, l := range lines {
		var qr struct {
			ResourceType, Questionnaire, Status string
		}
		if err := json.Unmarshal([]byte(l), &qr); err != nil || qr.ResourceType != "QuestionnaireResponse" ||
			qr.Questionnaire != "urn:dyad:instrument:export-check|1" || qr.Status != "completed" {
			t.Errorf("line %s: %+v %v", l, qr, err)
		}
	}
}
