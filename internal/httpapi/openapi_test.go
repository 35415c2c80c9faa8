package httpapi_test

// These tests keep api/openapi.yaml, the HTTP contract, in step with the
// router: every route is documented and nothing else is, the document is
// valid OpenAPI, its instrument schemas are those of
// api/instrument.schema.json, and the answers of the real server (over a
// real SQLite store) match what it documents.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/api"
	"github.com/dyad-survey/dyad/internal/httpapi"
	"github.com/dyad-survey/dyad/internal/metrics"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/goccy/go-yaml"
)

// specToken is the researcher token of the test server.
const specToken = "test-researcher-token"

// specEngine returns the real router over a fresh SQLite database, with
// every optional part (metrics, backups, exports) on, as `dyad serve` has
// them; opts may change the configuration further. SQLite only: the
// contract holds the router's answers to the document, and the backup
// route it documents exists on SQLite alone; what the store does on each
// engine is held by the scenario tables (runScenarios).
func specEngine(tb testing.TB, opts ...func(*config)) *server.Server {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "t.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	cfg := config{
		Config: server.Config{
			TokenHash: survey.HashSecret(specToken),
			PublicURL: "https://survey.example.org",
			Metrics:   metrics.New(),
		},
		API: httpapi.Config{Service: survey.NewService(st), Ready: st.Ping, Backup: st.Backup, Responses: st},
	}
	for _, o := range opts {
		o(&cfg)
	}
	return newServer(cfg)
}

// specDoc loads api/openapi.yaml from the embedded FS, as a client would:
// on its own, specWithout following references to other files.
func specDoc(tb testing.TB) *openapi3.T {
	tb.Helper()
	data, err := api.FS.ReadFile(api.OpenAPIFile)
	if err != nil {
		tb.Fatalf("read %s: %v", api.OpenAPIFile, err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		tb.Fatalf("load %s: %v", api.OpenAPIFile, err)
	}
	return doc
}

func TestOpenAPI_Valid(t *testing.T) {
	doc := specDoc(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s is not valid OpenAPI: %v", api.OpenAPIFile, err)
	}
}

// specPath turns a gin route path into an OpenAPI one: /surveys/:id
// becomes /surveys/{id}.
func specPath(ginPath string) string {
	segs := strings.Split(ginPath, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// TestOpenAPI_Routes fails when the router has a route the document does
// not describe, or the document an operation the router does not have.
func TestOpenAPI_Routes(t *testing.T) {
	routes := map[string]bool{}
	for _, r := range specEngine(t).Routes() {
		routes[r.Method+" "+specPath(r.Path)] = true
	}
	documented := map[string]bool{}
	for path, item := range specDoc(t).Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for _, r := range specSortedKeys(routes) {
		if !documented[r] && !specLoadTestOnly[r] {
			t.Errorf("route %s is not in %s", r, api.OpenAPIFile)
		}
	}
	for _, op := range specSortedKeys(documented) {
		if !routes[op] {
			t.Errorf("%s documents %s, which the router does not have", api.OpenAPIFile, op)
		}
	}
	if len(routes) == 0 {
		t.Fatal("the router has no routes")
	}
}

// specLoadTestOnly are routes that exist only in servers built with
// -tags loadtest (discard_loadtest.go, replay_loadtest.go); they are not
// part of the contract.
var specLoadTestOnly = map[string]bool{
	"POST /api/v1/public/surveys/{id}/discard": true,
	"GET /api/v1/public/debug/pprof/profile":   true,
	"PUT /api/v1/public/replay-pages":          true,
	"GET /api/v1/public/replay/{path}":         true,
	"POST /api/v1/public/replay/{path}":        true,
}

func specSortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestOpenAPI_InstrumentSchemaInStep checks that the Instrument* component
// schemas are api/instrument.schema.json with its definitions renamed
// (option -> InstrumentOption, ...), so that the editor schema and the
// HTTP contract describe one format. Only the root's title and description
// may differ.
func TestOpenAPI_InstrumentSchemaInStep(t *testing.T) {
	var schema map[string]any
	data, err := api.FS.ReadFile(api.InstrumentSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatalf("%s: %v", api.InstrumentSchemaFile, err)
	}
	spec := specReadYAMLAsJSON(t, api.OpenAPIFile)
	components, _ := spec["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)

	name := func(def string) string { return "Instrument" + strings.ToUpper(def[:1]) + def[1:] }
	want := map[string]any{}
	defs, _ := schema["definitions"].(map[string]any)
	for def, s := range defs {
		want[name(def)] = specRenameRefs(s, name)
	}
	root := map[string]any{}
	for k, v := range schema {
		switch k {
		case "$schema", "definitions", "title", "description":
		default:
			root[k] = specRenameRefs(v, name)
		}
	}
	want["Instrument"] = root

	for _, n := range specSortedKeys(specKeysOf(want)) {
		got, ok := schemas[n].(map[string]any)
		if !ok {
			t.Errorf("components.schemas.%s is missing from %s", n, api.OpenAPIFile)
			continue
		}
		if n == "Instrument" {
			got = specWithout(got, "title", "description")
		}
		if !reflect.DeepEqual(got, want[n]) {
			g, _ := json.MarshalIndent(got, "", "  ")
			w, _ := json.MarshalIndent(want[n], "", "  ")
			t.Errorf("components.schemas.%s differs from %s:\n%s\nwant (from %[2]s):\n%s", n, api.InstrumentSchemaFile, g, w)
		}
	}
	for n := range schemas {
		if strings.HasPrefix(n, "Instrument") && want[n] == nil && !specOnlyInOpenAPI[n] {
			t.Errorf("components.schemas.%s has no counterpart in %s", n, api.InstrumentSchemaFile)
		}
	}
}

// specOnlyInOpenAPI are API shapes about instruments that are not part
// of the instrument format.
var specOnlyInOpenAPI = map[string]bool{
	"InstrumentStatus": true, "InstrumentRef": true, "InstrumentSummary": true,
	"InstrumentList": true, "InstrumentVersion": true, "InstrumentDiff": true, "InstrumentCheck": true,
}

func specKeysOf(m map[string]any) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func specWithout(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func specRenameRefs(v any, name func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" && strings.HasPrefix(s, "#/definitions/") {
				out[k] = "#/components/schemas/" + name(strings.TrimPrefix(s, "#/definitions/"))
				continue
			}
			out[k] = specRenameRefs(e, name)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = specRenameRefs(e, name)
		}
		return out
	}
	return v
}

// specReadYAMLAsJSON reads a YAML file of api.FS into the values
// encoding/json would give for the same document.
func specReadYAMLAsJSON(tb testing.TB, name string) map[string]any {
	tb.Helper()
	data, err := api.FS.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	var out map[string]any
	if err := json.Unmarshal(j, &out); err != nil {
		tb.Fatalf("%s as JSON: %v", name, err)
	}
	return out
}

// specScenario is one request to the API and what it must answer. Scenarios
// of a table run in order against one server, so later ones see the state
// earlier ones made; {name} in a path is replaced by a captured value.
type specScenario struct {
	name        string
	method      string
	path        string
	contentType string // default application/json when body is set
	body        string
	anonymous   bool // send no researcher token
	wantStatus  int
	wantCode    string // error code, for error answers
	// capture records values from the answer for later paths and bodies.
	capture func(vars map[string]string, body map[string]any)
}

var specPHQ2YAML = fixtures.Instrument("phq-2.yaml")

var specPHQ2JSON = fixtures.Instrument("phq-2.json")

// specREDCap and specFHIR are small instruments in two of the formats
// Dyad imports (docs/interop.md).
const specREDCap = `"Variable / Field Name","Form Name","Section Header","Field Type","Field Label","Choices, Calculations, OR Slider Labels","Field Note","Text Validation Type OR Show Slider Number","Text Validation Min","Text Validation Max",Identifier?,"Branching Logic (Show field only if...)","Required Field?","Custom Alignment","Question Number (surveys only)","Matrix Group Name","Matrix Ranking?","Field Annotation"
record_id,redcap_phq_2,,text,Record ID,,,,,,,,,,,,,
phq_1,redcap_phq_2,Over the last 2 weeks,radio,Little interest or pleasure in doing things,"0, Not at all | 1, Several days | 2, More than half the days | 3, Nearly every day",,,,,,,y,,,freq4,,
phq_2,redcap_phq_2,,radio,"Feeling down, depressed, or hopeless","0, Not at all | 1, Several days | 2, More than half the days | 3, Nearly every day",,,,,,,y,,,freq4,,
`

const specFHIR = `{"resourceType": "Questionnaire", "url": "http://example.org/Questionnaire/fhir-phq-2", "version": "1", "title": "PHQ-2", "status": "active",
  "item": [{"linkId": "mood", "type": "group", "text": "Over the last 2 weeks", "item": [
    {"linkId": "phq_1", "type": "choice", "text": "Little interest or pleasure in doing things", "required": true, "answerOption": [
      {"valueCoding": {"code": "LA6568-5", "display": "Not at all"}, "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 0}]},
      {"valueCoding": {"code": "LA6569-3", "display": "Several days"}, "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 1}]}]},
    {"linkId": "when", "type": "date", "text": "Since when?", "enableWhen": [{"question": "phq_1", "operator": "=", "answerCoding": {"code": "LA6569-3"}}]}]}]}`

// specTrioYAML: three Likert items in one subscale, the smallest
// instrument a factor analysis runs on.
const specTrioYAML = `key: trio
version: 1
title: Three items
scales:
  - id: agree
    options: [{value: 1, label: No}, {value: 2, label: Somewhat}, {value: 3, label: Yes}]
subscales:
  - {id: mood, title: Mood, scoring: mean}
sections:
  - id: s
    title: S
    items:
      - {id: m_1, type: likert, text: One, scale: agree, subscale: mood}
      - {id: m_2, type: likert, text: Two, scale: agree, subscale: mood}
      - {id: m_3, type: likert, text: Three, scale: agree, subscale: mood}
`

// psychometricsScenarios: GET /surveys/{id}/psychometrics on a survey of
// the trio instrument, before (too few respondents) and after twelve
// responses.
func psychometricsScenarios() []specScenario {
	base := "/api/v1/surveys/{trio}/psychometrics"
	out := []specScenario{
		{name: "CreateTrio", method: "POST", path: "/api/v1/instruments", contentType: "application/yaml", body: specTrioYAML, wantStatus: 201},
		{name: "PublishTrio", method: "POST", path: "/api/v1/instruments/trio/versions/1/publish", wantStatus: 200},
		{name: "CreateTrioSurvey", method: "POST", path: "/api/v1/surveys",
			body: `{"instrument_key":"trio","instrument_version":1,"title":"Trio","access":"open"}`, wantStatus: 201, capture: specCaptureID("trio")},
		{name: "ErrPsychometricsTooFewRespondents", method: "GET", path: base, wantStatus: 422, wantCode: "invalid"},
	}
	rows := [][3]int{{1, 1, 2}, {2, 2, 2}, {3, 3, 3}, {1, 2, 1}, {2, 3, 3}, {3, 2, 3}, {1, 1, 1}, {2, 2, 3}, {3, 3, 2}, {2, 1, 2}, {1, 2, 2}, {3, 3, 3}}
	for i, r := range rows {
		out = append(out, specScenario{name: fmt.Sprintf("SubmitTrio%d", i+1), method: "POST", path: "/api/v1/public/surveys/{trio}/responses", anonymous: true,
			body: fmt.Sprintf(`{"answers":{"m_1":%d,"m_2":%d,"m_3":%d}}`, r[0], r[1], r[2]), wantStatus: 201})
	}
	return append(out,
		specScenario{name: "Psychometrics", method: "GET", path: base + "?resamples=20&simulations=5&seed=3", wantStatus: 200},
		specScenario{name: "PsychometricsPolychoric", method: "GET", path: base + "?correlation=polychoric&resamples=10&simulations=5", wantStatus: 200},
		specScenario{name: "PsychometricsOptions", method: "GET", path: base + "?items=m_1,m_2,m_3&factors=1&extraction=ml&rotation=none&deletion=listwise&resamples=0&status=all", wantStatus: 200},
		specScenario{name: "ErrPsychometricsParameters", method: "GET", path: base + "?factors=0&rotation=quartimax&items=m_1,age", wantStatus: 422, wantCode: "invalid"},
		specScenario{name: "ErrPsychometricsNoSurvey", method: "GET", path: "/api/v1/surveys/nosuchsurv/psychometrics", wantStatus: 404, wantCode: "not_found"},
		specScenario{name: "ErrPsychometricsNoToken", method: "GET", path: base, anonymous: true, wantStatus: 401, wantCode: "unauthorized"},
	)
}

func specCaptureID(key string) func(map[string]string, map[string]any) {
	return func(vars map[string]string, body map[string]any) { vars[key], _ = body["id"].(string) }
}

// TestOpenAPI_Scenarios drives the real server through the whole lifecycle
// and checks each answer's status, headers and body against the document,
// and each accepted request against the document's request schemas.
func TestOpenAPI_Scenarios(t *testing.T) {
	doc := specDoc(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router from %s: %v", api.OpenAPIFile, err)
	}
	engine := specEngine(t)
	errorSchema := doc.Components.Schemas["Error"].Value

	scenarios := []specScenario{
		{name: "HealthOK", method: "GET", path: "/healthz", anonymous: true, wantStatus: 200},
		{name: "ReadyOK", method: "GET", path: "/readyz", anonymous: true, wantStatus: 200},

		{name: "ErrNoToken", method: "POST", path: "/api/v1/instruments", contentType: "application/yaml", body: specPHQ2YAML, anonymous: true, wantStatus: 401, wantCode: "unauthorized"},
		{name: "CreateInstrumentYAML", method: "POST", path: "/api/v1/instruments", contentType: "application/yaml", body: specPHQ2YAML, wantStatus: 201},
		{name: "ErrInstrumentExists", method: "POST", path: "/api/v1/instruments", contentType: "text/yaml", body: specPHQ2YAML, wantStatus: 409, wantCode: "conflict"},
		{name: "ErrInstrumentMalformed", method: "POST", path: "/api/v1/instruments", body: `{"key":`, wantStatus: 400, wantCode: "malformed"},
		{name: "ErrInstrumentMediaType", method: "POST", path: "/api/v1/instruments", contentType: "text/plain", body: specPHQ2YAML, wantStatus: 415, wantCode: "unsupported"},
		{name: "ErrInstrumentInvalid", method: "POST", path: "/api/v1/instruments", contentType: "application/x-yaml",
			body: "key: bad\nversion: 1\ntitle: t\nsections: [{id: s, title: S, items: [{id: a, type: likert, text: A}]}]\n", wantStatus: 422, wantCode: "invalid"},
		{name: "CreateInstrumentREDCap", method: "POST", path: "/api/v1/instruments", contentType: "text/csv", body: specREDCap, wantStatus: 201},
		{name: "ErrInstrumentREDCapInvalid", method: "POST", path: "/api/v1/instruments", contentType: "text/csv",
			body: strings.Replace(specREDCap, "0, Not at all |", "", 1) + "bad,phq_2,,radio,Bad,,,,,,,,,,,,,\n", wantStatus: 422, wantCode: "invalid"},
		{name: "CreateInstrumentFHIR", method: "POST", path: "/api/v1/instruments", contentType: "application/fhir+json", body: specFHIR, wantStatus: 201},
		{name: "CreateInstrumentFHIRAsJSON", method: "POST", path: "/api/v1/instruments", contentType: "application/json",
			body: strings.Replace(specFHIR, `"version": "1"`, `"version": "2"`, 1), wantStatus: 201},
		{name: "ErrInstrumentFHIRInvalid", method: "POST", path: "/api/v1/instruments", contentType: "application/fhir+json",
			body: `{"resourceType": "Questionnaire", "title": "T", "item": [{"linkId": "a", "type": "choice", "text": "A"}]}`, wantStatus: 422, wantCode: "invalid"},
		{name: "CreateInstrumentXLSForm", method: "POST", path: "/api/v1/instruments", contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			body: interopFile("xlsform-text_and_integer.xlsx"), wantStatus: 201},
		{name: "ErrInstrumentXLSFormMalformed", method: "POST", path: "/api/v1/instruments", contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			body: "PK\x03\x04 xl/workbook.xml", wantStatus: 400, wantCode: "malformed"},
		{name: "CreateInstrumentLimeSurvey", method: "POST", path: "/api/v1/instruments", contentType: "application/xml",
			body: interopFile("limesurvey-demo.lss"), wantStatus: 201},
		{name: "ErrInstrumentLimeSurveyInvalid", method: "POST", path: "/api/v1/instruments", contentType: "application/xml",
			body: `<document><LimeSurveyDocType>Survey</LimeSurveyDocType></document>`, wantStatus: 422, wantCode: "invalid"},
		{name: "ListInstruments", method: "GET", path: "/api/v1/instruments", wantStatus: 200},
		{name: "GetInstrument", method: "GET", path: "/api/v1/instruments/phq-2/versions/1", wantStatus: 200},
		{name: "ErrInstrumentNotFound", method: "GET", path: "/api/v1/instruments/phq-2/versions/9", wantStatus: 404, wantCode: "not_found"},
		{name: "ExportInstrumentREDCap", method: "GET", path: "/api/v1/instruments/phq-2/versions/1/export?format=redcap", wantStatus: 200},
		{name: "ExportInstrumentFHIR", method: "GET", path: "/api/v1/instruments/phq-2/versions/1/export?format=fhir", wantStatus: 200},
		{name: "ExportInstrumentYAML", method: "GET", path: "/api/v1/instruments/phq-2/versions/1/export?format=yaml", wantStatus: 200},
		{name: "ExportInstrumentJSON", method: "GET", path: "/api/v1/instruments/phq-2/versions/1/export?format=json", wantStatus: 200},
		{name: "ExportInstrumentXLSForm", method: "GET", path: "/api/v1/instruments/phq-2/versions/1/export?format=xlsform", wantStatus: 200},
		{name: "ErrExportInstrumentFormat", method: "GET", path: "/api/v1/instruments/phq-2/versions/1/export?format=sav", wantStatus: 422, wantCode: "invalid"},
		{name: "ErrExportInstrumentNotFound", method: "GET", path: "/api/v1/instruments/phq-2/versions/9/export?format=fhir", wantStatus: 404, wantCode: "not_found"},
		{name: "UpdateDraftJSON", method: "PUT", path: "/api/v1/instruments/phq-2/versions/1", body: specPHQ2JSON, wantStatus: 200},
		{name: "UpdateDraftYAML", method: "PUT", path: "/api/v1/instruments/phq-2/versions/1", contentType: "application/yaml", body: specPHQ2YAML, wantStatus: 200},
		{name: "ErrRetireDraft", method: "POST", path: "/api/v1/instruments/phq-2/versions/1/retire", wantStatus: 409, wantCode: "conflict"},
		{name: "Publish", method: "POST", path: "/api/v1/instruments/phq-2/versions/1/publish", wantStatus: 200},
		{name: "PublishAgain", method: "POST", path: "/api/v1/instruments/phq-2/versions/1/publish", wantStatus: 200},
		{name: "ErrUpdatePublished", method: "PUT", path: "/api/v1/instruments/phq-2/versions/1", contentType: "application/yaml", body: specPHQ2YAML, wantStatus: 409, wantCode: "conflict"},

		{name: "CreateOpenSurvey", method: "POST", path: "/api/v1/surveys",
			body: `{"instrument_key":"phq-2","instrument_version":1,"title":"Pilot","access":"open"}`, wantStatus: 201, capture: specCaptureID("open")},
		{name: "CreateInvitationSurvey", method: "POST", path: "/api/v1/surveys",
			body:       `{"instrument_key":"phq-2","instrument_version":1,"title":"Panel","access":"invitation","opens_at":null,"closes_at":"2999-01-01T00:00:00Z"}`,
			wantStatus: 201, capture: specCaptureID("inv")},
		{name: "ErrSurveyUnknownField", method: "POST", path: "/api/v1/surveys",
			body: `{"instrument_key":"phq-2","instrument_version":1,"title":"Pilot","access":"open","colour":"red"}`, wantStatus: 422, wantCode: "invalid"},
		{name: "CreateDraftV2", method: "POST", path: "/api/v1/instruments", contentType: "application/yaml",
			body: strings.Replace(specPHQ2YAML, "version: 1", "version: 2", 1), wantStatus: 201},
		{name: "ErrSurveyNotPublished", method: "POST", path: "/api/v1/surveys",
			body: `{"instrument_key":"phq-2","instrument_version":2,"title":"Pilot","access":"open"}`, wantStatus: 409, wantCode: "conflict"},
		{name: "DeleteDraft", method: "DELETE", path: "/api/v1/instruments/phq-2/versions/2", wantStatus: 204},
		{name: "ErrDeleteUsed", method: "DELETE", path: "/api/v1/instruments/phq-2/versions/1", wantStatus: 409, wantCode: "conflict"},
		{name: "ListSurveys", method: "GET", path: "/api/v1/surveys", wantStatus: 200},
		{name: "GetSurvey", method: "GET", path: "/api/v1/surveys/{open}", wantStatus: 200},
		{name: "ErrSurveyNotFound", method: "GET", path: "/api/v1/surveys/nosuchsurv", wantStatus: 404, wantCode: "not_found"},
		{name: "CreateTestSurvey", method: "POST", path: "/api/v1/surveys",
			body:       `{"instrument_key":"phq-2","instrument_version":1,"title":"Trial","access":"open","mode":"test","time_zone":"Europe/Berlin","closes_at":"2999-03-31"}`,
			wantStatus: 201, capture: specCaptureID("trial")},
		{name: "SubmitInTestMode", method: "POST", path: "/api/v1/public/surveys/{trial}/responses", anonymous: true,
			body: `{"answers":{"phq_1":1,"phq_2":0}}`, wantStatus: 201},
		{name: "ListResponsesIncludeTest", method: "GET", path: "/api/v1/surveys/{trial}/responses?include_test=true", wantStatus: 200},
		{name: "ErrListResponsesIncludeTest", method: "GET", path: "/api/v1/surveys/{trial}/responses?include_test=maybe", wantStatus: 422, wantCode: "invalid"},
		{name: "ExportCSVIncludeTest", method: "GET", path: "/api/v1/surveys/{trial}/export.csv?include_test=true", wantStatus: 200},
		{name: "StatsIncludeTest", method: "GET", path: "/api/v1/surveys/{trial}/stats?include_test=1", wantStatus: 200},
		{name: "DeleteTestResponses", method: "DELETE", path: "/api/v1/surveys/{trial}/responses?mode=test", wantStatus: 200},
		{name: "ErrDeleteResponsesMode", method: "DELETE", path: "/api/v1/surveys/{trial}/responses?mode=live", wantStatus: 422, wantCode: "invalid"},
		{name: "PatchSurvey", method: "PATCH", path: "/api/v1/surveys/{trial}",
			body: `{"title":"Trial run","public_title":"How are you?","opens_at":null,"closes_at":"2999-04-30","end_message":"Thanks."}`, wantStatus: 200},
		{name: "ErrPatchSurvey", method: "PATCH", path: "/api/v1/surveys/{trial}", body: `{"closes_at":"soon","access":"invitation"}`, wantStatus: 422, wantCode: "invalid"},
		{name: "ErrPatchSurveyNotFound", method: "PATCH", path: "/api/v1/surveys/nosuchsurv", body: `{"title":"x"}`, wantStatus: 404, wantCode: "not_found"},
		{name: "GoLive", method: "POST", path: "/api/v1/surveys/{trial}/live", body: `{"delete_test_responses":true}`, wantStatus: 200},
		{name: "ErrGoLiveAgain", method: "POST", path: "/api/v1/surveys/{trial}/live", body: `{"delete_test_responses":true}`, wantStatus: 409, wantCode: "conflict"},
		{name: "ErrGoLiveNoChoice", method: "POST", path: "/api/v1/surveys/{trial}/live", body: `{}`, wantStatus: 422, wantCode: "invalid"},
		{name: "PatchSurveyClose", method: "PATCH", path: "/api/v1/surveys/{trial}", body: `{"status":"closed"}`, wantStatus: 200},
		{name: "PatchSurveyReopen", method: "PATCH", path: "/api/v1/surveys/{trial}", body: `{"status":"open","closes_at":"2999-05-31"}`, wantStatus: 200},
		{name: "DeleteSurvey", method: "DELETE", path: "/api/v1/surveys/{trial}", wantStatus: 204},
		{name: "ErrDeleteSurveyNotFound", method: "DELETE", path: "/api/v1/surveys/{trial}", wantStatus: 404, wantCode: "not_found"},

		{name: "Invitations", method: "POST", path: "/api/v1/surveys/{inv}/invitations", body: `{"count":2}`, wantStatus: 201,
			capture: func(vars map[string]string, body map[string]any) {
				codes, _ := body["codes"].([]any)
				for i, c := range codes {
					vars[fmt.Sprintf("code%d", i)], _ = c.(string)
				}
			}},
		{name: "ErrInvitationsCount", method: "POST", path: "/api/v1/surveys/{inv}/invitations", body: `{"count":0}`, wantStatus: 422, wantCode: "invalid"},
		{name: "ErrInvitationsOpenSurvey", method: "POST", path: "/api/v1/surveys/{open}/invitations", body: `{"count":1}`, wantStatus: 409, wantCode: "conflict"},

		{name: "UploadParticipants", method: "POST", path: "/api/v1/surveys/{inv}/participants/upload?skip_bad_rows=true", contentType: "text/csv",
			body: "email,first_name,site\nann@example.org,Ann,North\nnot-an-address,Bob,South\n", wantStatus: 201},
		{name: "ErrUploadParticipantsBadRow", method: "POST", path: "/api/v1/surveys/{inv}/participants/upload", contentType: "text/csv",
			body: "email\nnope\n", wantStatus: 422, wantCode: "invalid"},
		{name: "AddParticipant", method: "POST", path: "/api/v1/surveys/{inv}/participants", body: `{"email":"bo@example.org","attributes":{"site":"East"}}`,
			wantStatus: 201, capture: specCaptureID("pid")},
		{name: "ErrAddParticipantTwice", method: "POST", path: "/api/v1/surveys/{inv}/participants", body: `{"email":"bo@example.org"}`, wantStatus: 409, wantCode: "conflict"},
		{name: "ListParticipants", method: "GET", path: "/api/v1/surveys/{inv}/participants", wantStatus: 200},
		{name: "UpdateParticipant", method: "PATCH", path: "/api/v1/surveys/{inv}/participants/{pid}", body: `{"language":"de"}`, wantStatus: 200},
		{name: "ListTemplates", method: "GET", path: "/api/v1/surveys/{inv}/templates", wantStatus: 200},
		{name: "PutTemplate", method: "PUT", path: "/api/v1/surveys/{inv}/templates",
			body: `{"kind":"invitation","language":"de","subject":"Einladung","text":"{{survey_link}} {{opt_out_link}}","html":""}`, wantStatus: 200},
		{name: "PreviewTemplate", method: "POST", path: "/api/v1/surveys/{inv}/templates/preview", body: `{"kind":"invitation","language":"de"}`, wantStatus: 200},
		{name: "TestTemplate", method: "POST", path: "/api/v1/surveys/{inv}/templates/test", body: `{"kind":"reminder","to":"me@example.org"}`, wantStatus: 202},
		{name: "PutMailing", method: "PUT", path: "/api/v1/surveys/{inv}/mailing", body: `{"invite_at":null,"reminder_days":7,"max_reminders":2}`, wantStatus: 200},
		{name: "GetMailing", method: "GET", path: "/api/v1/surveys/{inv}/mailing", wantStatus: 200},
		{name: "SendInvitations", method: "POST", path: "/api/v1/surveys/{inv}/mailing/invitations", wantStatus: 202},
		{name: "Outbox", method: "GET", path: "/api/v1/surveys/{inv}/outbox", wantStatus: 200},
		{name: "ErrParticipantsNoToken", method: "GET", path: "/api/v1/surveys/{inv}/participants", anonymous: true, wantStatus: 401, wantCode: "unauthorized"},
		{name: "DeleteParticipant", method: "DELETE", path: "/api/v1/surveys/{inv}/participants/{pid}", wantStatus: 204},
		{name: "ErrParticipantNotFound", method: "GET", path: "/api/v1/surveys/{inv}/participants/{pid}", wantStatus: 404, wantCode: "not_found"},

		{name: "PublicSurvey", method: "GET", path: "/api/v1/public/surveys/{open}", anonymous: true, wantStatus: 200},
		{name: "ErrPublicSurveyNotFound", method: "GET", path: "/api/v1/public/surveys/nosuchsurv", anonymous: true, wantStatus: 404, wantCode: "not_found"},
		{name: "Submit", method: "POST", path: "/api/v1/public/surveys/{open}/responses", anonymous: true,
			body:       `{"id":"3f2c5a9e-8d1b-4c7a-9e2f-1b3d5c7e9a0b","started_at":"{started}","answers":{"phq_1":1,"phq_2":0,"aids":[1,2],"why":"Running","age":40}}`,
			wantStatus: 201},
		{name: "SubmitRetry", method: "POST", path: "/api/v1/public/surveys/{open}/responses", anonymous: true,
			body:       `{"id":"3f2c5a9e-8d1b-4c7a-9e2f-1b3d5c7e9a0b","started_at":"{started}","answers":{"age":40,"why":"Running","aids":[1,2],"phq_2":0,"phq_1":1.0}}`,
			wantStatus: 200},
		{name: "ErrSubmitRetryOtherAnswers", method: "POST", path: "/api/v1/public/surveys/{open}/responses", anonymous: true,
			body: `{"id":"3f2c5a9e-8d1b-4c7a-9e2f-1b3d5c7e9a0b","answers":{"phq_1":2,"phq_2":0}}`, wantStatus: 409, wantCode: "conflict"},
		{name: "SubmitWithoutID", method: "POST", path: "/api/v1/public/surveys/{open}/responses", anonymous: true,
			body: `{"answers":{"phq_1":3,"phq_2":3,"aids":[],"why":null,"age":null}}`, wantStatus: 201},
		{name: "ErrSubmitInvalid", method: "POST", path: "/api/v1/public/surveys/{open}/responses", anonymous: true,
			body: `{"answers":{"phq_1":7,"why":"hidden","nope":1}}`, wantStatus: 422, wantCode: "invalid"},
		{name: "ErrSubmitMalformed", method: "POST", path: "/api/v1/public/surveys/{open}/responses", anonymous: true,
			body: `{"answers":`, wantStatus: 400, wantCode: "malformed"},
		{name: "ErrSubmitMediaType", method: "POST", path: "/api/v1/public/surveys/{open}/responses", anonymous: true,
			contentType: "application/yaml", body: "answers: {}\n", wantStatus: 415, wantCode: "unsupported"},
		{name: "ErrSubmitTooLarge", method: "POST", path: "/api/v1/public/surveys/{open}/responses", anonymous: true,
			body: `{"answers":{"why":"` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}}`, wantStatus: 413, wantCode: "too_large"},
		{name: "ErrSubmitNoCode", method: "POST", path: "/api/v1/public/surveys/{inv}/responses", anonymous: true,
			body: `{"answers":{"phq_1":1,"phq_2":1}}`, wantStatus: 422, wantCode: "invalid"},
		{name: "ErrSubmitUnknownCode", method: "POST", path: "/api/v1/public/surveys/{inv}/responses", anonymous: true,
			body: `{"invitation_code":"AAAA-BBBB-CCCC","answers":{"phq_1":1,"phq_2":1}}`, wantStatus: 403, wantCode: "forbidden"},
		{name: "SubmitWithCode", method: "POST", path: "/api/v1/public/surveys/{inv}/responses", anonymous: true,
			body: `{"invitation_code":"{code0}","answers":{"phq_1":1,"phq_2":1}}`, wantStatus: 201},
		{name: "ErrSubmitUsedCode", method: "POST", path: "/api/v1/public/surveys/{inv}/responses", anonymous: true,
			body: `{"invitation_code":"{code0}","answers":{"phq_1":2,"phq_2":2}}`, wantStatus: 409, wantCode: "conflict"},

		{name: "ListResponsesPage1", method: "GET", path: "/api/v1/surveys/{open}/responses?limit=1&status=complete", wantStatus: 200,
			capture: func(vars map[string]string, body map[string]any) { vars["cursor"], _ = body["next_cursor"].(string) }},
		{name: "ListResponsesPage2", method: "GET", path: "/api/v1/surveys/{open}/responses?limit=1000&cursor={cursor}&status=all", wantStatus: 200},
		{name: "ErrListResponsesLimit", method: "GET", path: "/api/v1/surveys/{open}/responses?limit=1001", wantStatus: 422, wantCode: "invalid"},
		{name: "ErrListResponsesStatus", method: "GET", path: "/api/v1/surveys/{open}/responses?status=done", wantStatus: 422, wantCode: "invalid"},
		{name: "ErrListResponsesNoSurvey", method: "GET", path: "/api/v1/surveys/nosuchsurv/responses", wantStatus: 404, wantCode: "not_found"},

		{name: "Stats", method: "GET", path: "/api/v1/surveys/{open}/stats", wantStatus: 200},
		{name: "StatsBy", method: "GET", path: "/api/v1/surveys/{open}/stats?by=sex&status=all", wantStatus: 200},
		{name: "ErrStatsByMultipleChoice", method: "GET", path: "/api/v1/surveys/{open}/stats?by=aids", wantStatus: 422, wantCode: "invalid"},
		{name: "TextAnswers", method: "GET", path: "/api/v1/surveys/{open}/text/why?limit=1&q=RUN", wantStatus: 200},
		{name: "TextAnswersBy", method: "GET", path: "/api/v1/surveys/{open}/text/why?by=sex&value=none", wantStatus: 200},
		{name: "ErrTextAnswersNotText", method: "GET", path: "/api/v1/surveys/{open}/text/age", wantStatus: 422, wantCode: "invalid"},
		{name: "ErrTextAnswersUnknownItem", method: "GET", path: "/api/v1/surveys/{open}/text/nope", wantStatus: 404, wantCode: "not_found"},
		{name: "ErrTextAnswersLimit", method: "GET", path: "/api/v1/surveys/{open}/text/why?limit=0", wantStatus: 422, wantCode: "invalid"},
		{name: "ExportCSV", method: "GET", path: "/api/v1/surveys/{open}/export.csv?layout=long&values=labels&bom=1&since=2020-01-01", wantStatus: 200},
		{name: "ErrExportCSVLayout", method: "GET", path: "/api/v1/surveys/{open}/export.csv?layout=tall", wantStatus: 422, wantCode: "invalid"},
		{name: "ExportZip", method: "GET", path: "/api/v1/surveys/{open}/export.zip?status=all", wantStatus: 200},
		{name: "ErrExportZipLayout", method: "GET", path: "/api/v1/surveys/{open}/export.zip?layout=wide", wantStatus: 422, wantCode: "invalid"},
		{name: "ExportSAV", method: "GET", path: "/api/v1/surveys/{open}/export.sav?status=all", wantStatus: 200},
		{name: "ErrExportSAVValues", method: "GET", path: "/api/v1/surveys/{open}/export.sav?values=labels", wantStatus: 422, wantCode: "invalid"},
		{name: "ExportDTA", method: "GET", path: "/api/v1/surveys/{open}/export.dta?since=2020-01-01", wantStatus: 200},
		{name: "ErrExportDTALineBreaks", method: "GET", path: "/api/v1/surveys/{open}/export.dta?line_breaks=space", wantStatus: 422, wantCode: "invalid"},
		{name: "ExportXLSX", method: "GET", path: "/api/v1/surveys/{open}/export.xlsx?values=labels", wantStatus: 200},
		{name: "ErrExportXLSXLayout", method: "GET", path: "/api/v1/surveys/{open}/export.xlsx?layout=long", wantStatus: 422, wantCode: "invalid"},
		{name: "ExportREDCapRecords", method: "GET", path: "/api/v1/surveys/{open}/export-redcap.csv?status=all", wantStatus: 200},
		{name: "ErrExportREDCapLayout", method: "GET", path: "/api/v1/surveys/{open}/export-redcap.csv?values=labels", wantStatus: 422, wantCode: "invalid"},
		{name: "ExportFHIRResponses", method: "GET", path: "/api/v1/surveys/{open}/export.ndjson", wantStatus: 200},
		{name: "Codebook", method: "GET", path: "/api/v1/surveys/{open}/codebook.csv", wantStatus: 200},
		{name: "ExportR", method: "GET", path: "/api/v1/surveys/{open}/export.R", wantStatus: 200},
		{name: "ExportSPSS", method: "GET", path: "/api/v1/surveys/{open}/export.sps", wantStatus: 200},
		{name: "ExportStata", method: "GET", path: "/api/v1/surveys/{open}/export.do", wantStatus: 200},
		{name: "ErrExportNoSurvey", method: "GET", path: "/api/v1/surveys/nosuchsurv/export.R", wantStatus: 404, wantCode: "not_found"},
		{name: "Backup", method: "GET", path: "/api/v1/backup", wantStatus: 200},

		{name: "CloseSurvey", method: "POST", path: "/api/v1/surveys/{open}/close", wantStatus: 200},
		{name: "CloseSurveyAgain", method: "POST", path: "/api/v1/surveys/{open}/close", wantStatus: 200},
		{name: "ErrSubmitClosed", method: "POST", path: "/api/v1/public/surveys/{open}/responses", anonymous: true,
			body: `{"answers":{"phq_1":1,"phq_2":1}}`, wantStatus: 409, wantCode: "conflict"},
		{name: "SubmitRetryAfterClose", method: "POST", path: "/api/v1/public/surveys/{open}/responses", anonymous: true,
			body: `{"id":"3f2c5a9e-8d1b-4c7a-9e2f-1b3d5c7e9a0b","answers":{"phq_1":1,"phq_2":0,"aids":[1,2],"why":"Running","age":40}}`, wantStatus: 200},
		{name: "Retire", method: "POST", path: "/api/v1/instruments/phq-2/versions/1/retire", wantStatus: 200},
		{name: "ErrPublishRetired", method: "POST", path: "/api/v1/instruments/phq-2/versions/1/publish", wantStatus: 409, wantCode: "conflict"},
		{name: "ErrListNoToken", method: "GET", path: "/api/v1/surveys", anonymous: true, wantStatus: 401, wantCode: "unauthorized"},
		{name: "Metrics", method: "GET", path: "/metrics", wantStatus: 200},
		{name: "ErrMetricsNoToken", method: "GET", path: "/metrics", anonymous: true, wantStatus: 401, wantCode: "unauthorized"},
	}
	scenarios = append(scenarios, psychometricsScenarios()...)

	// A start a minute ago: started_at may not precede the survey by
	// more than survey.StartedAtSkew.
	vars := map[string]string{"started": time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)}
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	for _, sc := range scenarios {
		ok := t.Run(sc.name, func(t *testing.T) {
			path, body := expand(sc.path), expand(sc.body)
			ctype := sc.contentType
			if ctype == "" && body != "" {
				ctype = "application/json"
			}
			newRequest := func() *http.Request {
				var rd io.Reader
				if body != "" {
					rd = strings.NewReader(body)
				}
				req := httptest.NewRequest(sc.method, "http://localhost:8080"+path, rd)
				if ctype != "" {
					req.Header.Set("Content-Type", ctype)
				}
				if !sc.anonymous {
					req.Header.Set("Authorization", "Bearer "+specToken)
				}
				return req
			}
			rec := httptest.NewRecorder()
			engine.ServeHTTP(rec, newRequest())
			res := rec.Result()
			resBody := rec.Body.Bytes()
			if res.StatusCode != sc.wantStatus {
				t.Fatalf("status %d, want %d; body: %.500s", res.StatusCode, sc.wantStatus, resBody)
			}
			if res.Header.Get("X-Request-ID") == "" {
				t.Error("no X-Request-ID header")
			}

			route, params, err := router.FindRoute(newRequest())
			if err != nil {
				t.Fatalf("%s %s is not in %s: %v", sc.method, path, api.OpenAPIFile, err)
			}
			ctx := context.Background()
			in := &openapi3filter.RequestValidationInput{
				Request: newRequest(), PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
			}
			// What the server accepts, the document must accept too.
			if sc.wantStatus < 300 && specDecoderKnows(ctype) {
				if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
					t.Errorf("the server accepted a request the document rejects: %v", err)
				}
			}
			specCheckResponse(t, route, in, res, resBody)

			if sc.wantCode != "" {
				var e struct{ Error struct{ Code string } }
				if err := json.Unmarshal(resBody, &e); err != nil || e.Error.Code != sc.wantCode {
					t.Errorf("error code %q, want %q (%s)", e.Error.Code, sc.wantCode, resBody)
				}
			}
			if sc.capture != nil {
				var m map[string]any
				if err := json.Unmarshal(resBody, &m); err != nil {
					t.Fatalf("answer is not a JSON object: %v", err)
				}
				sc.capture(vars, m)
			}
		})
		if !ok && sc.capture != nil {
			t.Fatalf("scenario %s failed; later scenarios depend on it", sc.name)
		}
	}

	// Answers to requests outside the documented operations still have
	// the documented error shape.
	for _, sc := range []struct {
		name, method, path string
		status             int
	}{
		{"ErrNoRoute", "GET", "/api/v1/nothing", 404},
		{"ErrMethod", "PATCH", "/api/v1/surveys", 405},
	} {
		t.Run(sc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(sc.method, sc.path, nil)
			req.Header.Set("Authorization", "Bearer "+specToken)
			engine.ServeHTTP(rec, req)
			if rec.Code != sc.status {
				t.Fatalf("status %d, want %d", rec.Code, sc.status)
			}
			var v any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			if err := errorSchema.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
				t.Errorf("answer does not match the Error schema: %v", err)
			}
			if sc.status == 405 && rec.Header().Get("Allow") == "" {
				t.Error("405 specWithout an Allow header")
			}
		})
	}
}

// specCheckResponse validates an answer against the operation's documented
// responses: the status must be documented, and the body and headers must
// match it.
func specCheckResponse(t *testing.T, route *routers.Route, in *openapi3filter.RequestValidationInput, res *http.Response, body []byte) {
	t.Helper()
	ctype := res.Header.Get("Content-Type")
	isJSON := strings.HasPrefix(ctype, "application/json")
	rv := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.StatusCode,
		Header:                 res.Header,
		// Files (CSV, zip, a database) are checked by their media type
		// only; openapi3filter cannot decode most of them.
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: !isJSON},
	}
	if r := route.Operation.Responses.Status(res.StatusCode); !isJSON && len(body) > 0 && r != nil && r.Value != nil && r.Value.Content.Get(ctype) == nil {
		t.Errorf("answer %d has Content-Type %q, which %s %s does not document", res.StatusCode, ctype, route.Method, route.Path)
	}
	rv.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), rv); err != nil {
		t.Errorf("answer %d does not match %s %s in the document: %v\nbody: %.1000s", res.StatusCode, route.Method, route.Path, err, body)
	}
	switch {
	case res.StatusCode >= 400 && !isJSON:
		t.Errorf("error answer with Content-Type %q", ctype)
	case isJSON && !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")):
		t.Errorf("answer is not a JSON object: %.200s", body)
	}
}

// specDecoderKnows reports whether openapi3filter can decode a request's
// media type (of YAML it knows application/yaml and application/x-yaml
// only; of spreadsheets and XML nothing), so that a request it cannot
// read is not held against the document.
func specDecoderKnows(ctype string) bool {
	mt, _, _ := strings.Cut(ctype, ";")
	return ctype == "" || strings.HasSuffix(mt, "+json") || openapi3filter.RegisteredBodyDecoder(mt) != nil
}

// TestOpenAPI_RateLimited checks that the rate limit's answer is the one
// documented for the operation it refuses.
func TestOpenAPI_RateLimited(t *testing.T) {
	doc := specDoc(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	engine := specEngine(t, func(c *config) { c.RateLimit = 1 })
	const url = "http://localhost:8080/api/v1/public/surveys/nosuchsurv"
	for i := 0; i < 10; i++ {
		rec := httptest.NewRecorder()
		engine.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		if rec.Code == http.StatusNotFound {
			continue // within the burst
		}
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 404 within the burst, then 429", rec.Code)
		}
		req := httptest.NewRequest("GET", url, nil)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatal(err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		specCheckResponse(t, route, in, rec.Result(), rec.Body.Bytes())
		if rec.Header().Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		return
	}
	t.Fatal("no 429 after 10 requests at a limit of 1 per second")
}
