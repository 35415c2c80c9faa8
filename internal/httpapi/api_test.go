package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/httpapi"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/xuri/excelize/v2"
)

// TestResearcherToRespondentFlow walks the whole life of a survey through
// the API: a researcher creates an instrument (JSON and YAML), reads it,
// edits the draft, publishes it and deploys a survey; a respondent reads
// the public form and submits; the researcher lists the response and finds
// the very answers that were sent.
func TestResearcherToRespondentFlow(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)

		// Create from JSON and from YAML; both describe the same instrument.
		e.createInstrument(t, testInstrument(), ctJSON)
		e.createInstrument(t, testInstrumentYAML, ctYAML)
		fromJSON := getDefinition(t, e, "wellbeing-test", 1)
		fromYAML := getDefinition(t, e, "wellbeing-yaml", 1)
		fromYAML["key"] = "wellbeing-test"
		if !sameJSON(t, fromJSON, fromYAML) {
			t.Errorf("the YAML and JSON forms differ:\nJSON %v\nYAML %v", fromJSON, fromYAML)
		}
		var sent map[string]any
		mustUnmarshal(t, []byte(testInstrumentJSON), &sent)
		if !sameJSON(t, fromJSON, sent) {
			t.Errorf("GET returned a definition other than the one created:\ngot  %v\nsent %v", fromJSON, sent)
		}

		// Edit the draft.
		e.mustDo(t, request{Method: "PUT", URL: "/api/v1/instruments/wellbeing-test/versions/1",
			Body: testInstrument(set("title", "Wellbeing, revised")), ContentType: ctJSON, Authorization: bearer}, http.StatusOK)
		if got := getDefinition(t, e, "wellbeing-test", 1)["title"]; got != "Wellbeing, revised" {
			t.Errorf("title after PUT = %v", got)
		}

		// Publish and deploy.
		e.publish(t, "wellbeing-test", 1)
		doc := e.mustDo(t, request{Method: "GET", URL: "/api/v1/instruments/wellbeing-test/versions/1", Authorization: bearer}, http.StatusOK)
		if !bytes.Contains(doc, []byte(`"status":"published"`)) || bytes.Contains(doc, []byte(`"published_at":null`)) {
			t.Errorf("published instrument: %s", doc)
		}
		id := e.createSurvey(t, map[string]any{"title": "Spring wave"})

		// The respondent's view carries the content, not the scoring.
		pub := e.mustDo(t, request{Method: "GET", URL: "/api/v1/public/surveys/" + id}, http.StatusOK)
		assertNoScoringInternals(t, pub)
		var form struct {
			Title      string `json:"title"`
			Accepting  bool   `json:"accepting"`
			Instrument struct {
				Title    string `json:"title"`
				Sections []struct {
					Items []struct {
						ID      string          `json:"id"`
						Options []survey.Option `json:"options"`
					} `json:"items"`
				} `json:"sections"`
			} `json:"instrument"`
		}
		mustUnmarshal(t, pub, &form)
		// Respondents get the public title (the instrument's by default),
		// never the survey's internal name.
		if form.Title != "Wellbeing, revised" || !form.Accepting || form.Instrument.Title != "Wellbeing, revised" ||
			strings.Contains(string(pub), "Spring wave") {
			t.Errorf("public survey: %s", pub)
		}
		var ids []string
		for _, s := range form.Instrument.Sections {
			for _, it := range s.Items {
				ids = append(ids, it.ID)
				if it.ID == "q_rev" && len(it.Options) != 5 {
					t.Errorf("likert item q_rev has %d options, want the scale's 5", len(it.Options))
				}
			}
		}
		if want := []string{"q_like", "q_rev", "q_use", "q_tools", "q_years", "q_note"}; !slices.Equal(ids, want) {
			t.Errorf("public items %v, want %v", ids, want)
		}

		// Submit, then list.
		answers := map[string]any{"q_like": 5, "q_rev": 1, "q_use": 1, "q_tools": []int{2}, "q_years": 7,
			"q_note": "ça va <&>"}
		body, _ := json.Marshal(map[string]any{"answers": answers})
		res := e.submit(t, id, string(body), http.StatusCreated)
		if res.ID == "" || res.SurveyID != id || res.Status != survey.ResponseComplete || res.SubmittedAt == nil {
			t.Errorf("submit answer: %+v", res)
		}
		list := e.responses(t, id)
		if len(list) != 1 {
			t.Fatalf("%d responses listed, want 1", len(list))
		}
		if list[0].ID != res.ID || list[0].InstrumentKey != "wellbeing-test" || list[0].InstrumentVersion != 1 {
			t.Errorf("listed response %+v, submitted %+v", list[0], res)
		}
		if !sameJSON(t, list[0].Answers, answers) {
			t.Errorf("listed answers %v, want %v", list[0].Answers, answers)
		}
		sv := e.mustDo(t, request{Method: "GET", URL: "/api/v1/surveys/" + id, Authorization: bearer}, http.StatusOK)
		if !bytes.Contains(sv, []byte(`"responses":{"complete":1,"in_progress":0,"test":0}`)) {
			t.Errorf("survey counts: %s", sv)
		}
	})
}

// getDefinition returns the definition of a stored instrument version.
func getDefinition(tb testing.TB, e *testEnv, key string, version int) map[string]any {
	tb.Helper()
	body := e.mustDo(tb, request{Method: "GET", URL: fmt.Sprintf("/api/v1/instruments/%s/versions/%d", key, version),
		Authorization: bearer}, http.StatusOK)
	var doc struct {
		Definition map[string]any `json:"definition"`
	}
	mustUnmarshal(tb, body, &doc)
	return doc.Definition
}

// assertNoScoringInternals fails if the public form names a scale,
// subscale or reverse keying anywhere: knowing which items are reversed
// or scored together could bias answers.
func assertNoScoringInternals(tb testing.TB, body []byte) {
	tb.Helper()
	var doc any
	mustUnmarshal(tb, body, &doc)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				switch k {
				case "scale", "scales", "subscale", "subscales", "reverse", "scoring", "min_answered":
					tb.Errorf("public survey has %s.%s", path, k)
				}
				walk(path+"."+k, c)
			}
		case []any:
			for i, c := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), c)
			}
		}
	}
	walk("", doc)
	for _, s := range []string{`"subscale`, `"reverse"`, `"scale`, `"mood"`} {
		if bytes.Contains(body, []byte(s)) {
			tb.Errorf("public survey contains %s: %s", s, body)
		}
	}
}

// oversized is a syntactically fine JSON body one byte over the limit.
var oversized = `{"description":"` + strings.Repeat("a", httpapi.MaxBodyBytes-17) + `"}`

// exactlyAtLimit is a valid instrument (version 3) of exactly MaxBodyBytes.
var exactlyAtLimit = func() string {
	// Padded with whitespace after the document: no text of the format may
	// be that long (survey.MaxLongTextLength).
	b := testInstrument(withVersion(3))
	return b + strings.Repeat(" ", httpapi.MaxBodyBytes-len(b))
}()

func TestInstrumentAPI(t *testing.T) {
	t.Parallel()
	if len(oversized) != httpapi.MaxBodyBytes+1 || len(exactlyAtLimit) != httpapi.MaxBodyBytes {
		t.Fatalf("body sizes %d and %d", len(oversized), len(exactlyAtLimit))
	}
	const (
		list = "/api/v1/instruments"
		v1   = "/api/v1/instruments/wellbeing-test/versions/1"
		v2   = "/api/v1/instruments/wellbeing-test/versions/2"
	)
	v3 := func(edits ...edit) string { return testInstrument(append([]edit{withVersion(3)}, edits...)...) }
	// invalid builds the scenario of an instrument that breaks rules.
	invalid := func(name string, body string, paths ...string) scenario {
		return scenario{name: "create invalid: " + name, method: "POST", url: list, body: body, contentType: ctJSON,
			authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: paths}
	}
	runScenarios(t, fixture, []scenario{
		// Success.
		{
			name: "create JSON", method: "POST", url: list, body: v3(), contentType: ctJSON, authorization: bearer,
			wantStatus: 201, wantContent: []string{`{"key":"wellbeing-test","version":3,"status":"draft"}`}, changes: true,
			after: func(tb testing.TB, e *testEnv, _ vars, _ []byte) {
				var want map[string]any
				mustUnmarshal(tb, []byte(v3()), &want)
				if got := getDefinition(tb, e, "wellbeing-test", 3); !sameJSON(tb, got, want) {
					tb.Errorf("stored %v, want %v", got, want)
				}
			},
		},
		{
			name: "create YAML", method: "POST", url: list, body: testInstrumentYAML, contentType: ctYAML, authorization: bearer,
			wantStatus: 201, wantContent: []string{`"key":"wellbeing-yaml"`, `"status":"draft"`}, changes: true,
		},
		{
			name: "create YAML as text/yaml with charset", method: "POST", url: list, body: testInstrumentYAML,
			contentType: "text/yaml; charset=utf-8", authorization: bearer,
			wantStatus: 201, wantContent: []string{`"key":"wellbeing-yaml"`}, changes: true,
		},
		// Files of other formats (docs/interop.md), written by others
		// (internal/instrument/testdata/interop/SOURCES.md).
		{
			name: "create from a REDCap data dictionary", method: "POST", url: list, body: interopFile("redcap-survey.csv"),
			contentType: "text/csv", authorization: bearer, wantStatus: 201, changes: true,
			wantContent: []string{`"key":"prescreening-survey"`, `"status":"draft"`,
				`{"path":"row 2 \"Variable / Field Name\"","message":"field \"participant_id\" is the record identifier`},
			after: func(tb testing.TB, e *testEnv, _ vars, _ []byte) {
				def := getDefinition(tb, e, "prescreening-survey", 1)
				if n := len(def["sections"].([]any)); n != 4 {
					tb.Errorf("%d sections stored, want the dictionary's 4 forms", n)
				}
			},
		},
		{
			name: "create from a REDCap data dictionary sent as text/plain", method: "POST", url: list,
			body: interopFile("redcap-survey.csv"), contentType: "text/plain", authorization: bearer,
			wantStatus: 201, wantContent: []string{`"key":"prescreening-survey"`}, changes: true,
		},
		{
			name: "create from a FHIR Questionnaire", method: "POST", url: list, body: interopFile("fhir-gad7.json"),
			contentType: "application/fhir+json", authorization: bearer, wantStatus: 201, changes: true,
			wantContent: []string{`{"key":"gad-7","version":1,"status":"draft"}`},
			after: func(tb testing.TB, e *testEnv, _ vars, _ []byte) {
				def := getDefinition(tb, e, "gad-7", 1)
				if s := def["scales"].([]any); len(s) != 1 {
					tb.Errorf("scales %v, want the one answer list", s)
				}
			},
		},
		{
			name: "create from a FHIR Questionnaire sent as application/json", method: "POST", url: list,
			body: interopFile("fhir-argonaut-phq9.json"), contentType: ctJSON, authorization: bearer,
			wantStatus: 201, wantContent: []string{`"key":"questionnaire-example-phq9"`, `{"path":"version","message":"version \"0.0.0\" is not a positive whole number`}, changes: true,
		},
		{
			name: "create from a REDCap data dictionary that cannot be an instrument", method: "POST", url: list,
			body: strings.SplitN(interopFile("redcap-survey.csv"), "\n", 2)[0] + "\nrecord_id,f,,text,ID,,,,,,,,,,,,,\n" +
				"a,f,,radio,A,,,,,,,,,,,,,\nb,f,,radio,,\"1, X | 1, Y\",,,,,,,,,,,,\n",
			contentType: "text/csv", authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid,
			wantPaths: []string{`row 3 "Choices, Calculations, OR Slider Labels"`},
		},
		{
			name: "create from a REDCap data dictionary whose fields break the rules", method: "POST", url: list,
			body: strings.SplitN(interopFile("redcap-survey.csv"), "\n", 2)[0] + "\nrecord_id,f,,text,ID,,,,,,,,,,,,,\n" +
				"b,f,,radio,,\"1, X | 1, Y\",,,,,,,,,,,,\n",
			contentType: "text/csv", authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid,
			wantPaths: []string{"row 3", "row 3"},
		},
		{
			name: "create from a FHIR Questionnaire that cannot be an instrument", method: "POST", url: list,
			body: interopFile("fhir-itemweight.json"), contentType: "application/fhir+json", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid,
			wantPaths: []string{"item[0].item[0].item[0]", "item[0].item[0].item[1]"},
		},
		{
			name: "create from a broken FHIR Questionnaire", method: "POST", url: list,
			body: `{"resourceType": "Questionnaire", "item": [`, contentType: "application/fhir+json", authorization: bearer,
			wantStatus: 400, wantCode: survey.EMalformed, wantPaths: []string{""},
		},
		{
			name: "create from an XLSForm", method: "POST", url: list, body: interopFile("xlsform-group.xlsx"),
			contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", authorization: bearer,
			wantStatus: 201, changes: true, wantContent: []string{`"key":"xlsform"`,
				`{"path":"survey row 4 \"type\"","message":"a phone number question has no Dyad counterpart and is left out"}`},
		},
		{
			name: "create from an XLSForm sent as application/octet-stream", method: "POST", url: list,
			body: interopFile("xlsform-yes_or_no_question.xlsx"), contentType: "application/octet-stream", authorization: bearer,
			wantStatus: 201, changes: true, wantContent: []string{`"key":"xlsform"`},
		},
		{
			name: "create from an XLSForm that cannot be an instrument", method: "POST", url: list,
			body: xlsformWith(map[string][][]any{
				"survey":  {{"type", "name", "label"}, {"select_one nope", "a", "A"}, {"select_one l", "b", "B"}},
				"choices": {{"list_name", "name", "label"}, {"l", "1", "One"}, {"l", "1", "Uno"}},
			}),
			contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{`survey row 2 "type"`},
		},
		{
			name: "create from a broken XLSForm", method: "POST", url: list, body: "PK\x03\x04 xl/workbook.xml, but cut short",
			contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", authorization: bearer,
			wantStatus: 400, wantCode: survey.EMalformed, wantPaths: []string{""},
		},
		{
			name: "create from a LimeSurvey survey structure", method: "POST", url: list,
			body: interopFile("limesurvey-cascading-array-filter.lss"), contentType: "application/xml", authorization: bearer,
			wantStatus: 201, changes: true, wantContent: []string{`"key":"ls2-sample-cascading-array-filters"`, `{"path":"question \"Q01\"","message":"the \"other\" answer`},
		},
		{
			name: "create from a LimeSurvey survey structure that cannot be an instrument", method: "POST", url: list,
			body: `<document><LimeSurveyDocType>Survey</LimeSurveyDocType><languages><language>en</language></languages>` +
				`<groups><rows><row><gid>1</gid><group_name>G</group_name></row></rows></groups>` +
				`<questions><rows><row><qid>1</qid><parent_qid>0</parent_qid><gid>1</gid><type>L</type><title>Q1</title><question>Pick</question></row></rows></questions></document>`,
			contentType: "application/xml", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{`question "Q1"`},
		},
		{
			name: "create from a broken LimeSurvey survey structure", method: "POST", url: list,
			body: `<document><LimeSurveyDocType>Survey</LimeSurveyDocType><groups>`, contentType: "application/xml", authorization: bearer,
			wantStatus: 400, wantCode: survey.EMalformed, wantPaths: []string{""},
		},
		{
			name: "update a draft from a FHIR Questionnaire", method: "PUT", url: v2, body: interopFile("fhir-gad7.json"),
			contentType: "application/fhir+json", authorization: bearer, wantStatus: 200, changes: true,
			wantContent: []string{`"key":"wellbeing-test"`, `"version":2`, `"title":"Generalized Anxiety Disorder - 7"`},
		},
		{
			name: "update a draft from a FHIR Questionnaire that cannot be an instrument", method: "PUT", url: v2,
			body: interopFile("fhir-itemweight.json"), contentType: "application/fhir+json", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid,
			wantPaths: []string{"item[0].item[0].item[0]", "item[0].item[0].item[1]"},
		},
		{
			name: "create from a REDCap data dictionary without token", method: "POST", url: list,
			body: interopFile("redcap-survey.csv"), contentType: "text/csv", wantStatus: 401, wantCode: survey.EUnauthorized,
		},
		{
			name: "export a version in an unknown format", method: "GET", url: v1 + "/export?format=sav", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"format"},
		},
		{
			name: "export a version without a format", method: "GET", url: v1 + "/export", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"format"},
		},
		{
			name: "export an unknown version", method: "GET", url: "/api/v1/instruments/wellbeing-test/versions/9/export?format=fhir",
			authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "export a version without token", method: "GET", url: v1 + "/export?format=fhir",
			wantStatus: 401, wantCode: survey.EUnauthorized,
		},
		{
			name: "create body of exactly the limit", method: "POST", url: list, body: exactlyAtLimit, contentType: ctJSON,
			authorization: bearer, wantStatus: 201, changes: true,
		},
		{
			name: "list", method: "GET", url: list, authorization: bearer, wantStatus: 200,
			wantContent: []string{
				`{"key":"wellbeing-test","version":1,"title":"Wellbeing test","status":"published","surveys":5}`,
				`{"key":"wellbeing-test","version":2,"title":"Wellbeing test","status":"draft","surveys":0}`,
			},
		},
		{
			name: "get shows the researcher the scoring", method: "GET", url: v1, authorization: bearer, wantStatus: 200,
			wantContent: []string{`"status":"published"`, `"subscale":"mood"`, `"reverse":true`, `"scale":"agree"`},
		},
		{
			name: "get unknown version", method: "GET", url: "/api/v1/instruments/wellbeing-test/versions/9", authorization: bearer,
			wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "get version that is not a number", method: "GET", url: "/api/v1/instruments/wellbeing-test/versions/one",
			authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "get unknown key", method: "GET", url: "/api/v1/instruments/nothing-here/versions/1", authorization: bearer,
			wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "update draft", method: "PUT", url: v2, body: testInstrument(withVersion(2), set("title", "Renamed")),
			contentType: ctJSON, authorization: bearer, wantStatus: 200,
			wantContent: []string{`"status":"draft"`, `"title":"Renamed"`}, changes: true,
			after: func(tb testing.TB, e *testEnv, _ vars, _ []byte) {
				if got := getDefinition(tb, e, "wellbeing-test", 2)["title"]; got != "Renamed" {
					tb.Errorf("title after update = %v", got)
				}
				if got := getDefinition(tb, e, "wellbeing-test", 1)["title"]; got != "Wellbeing test" {
					tb.Errorf("updating v2 changed v1's title to %v", got)
				}
			},
		},
		{
			name: "update draft from YAML", method: "PUT", url: "/api/v1/instruments/wellbeing-yaml/versions/1",
			body: strings.Replace(testInstrumentYAML, "title: Wellbeing test", "title: From YAML", 1), contentType: ctYAML,
			authorization: bearer,
			setup:         func(tb testing.TB, e *testEnv, _ vars) { e.createInstrument(tb, testInstrumentYAML, ctYAML) },
			wantStatus:    200, wantContent: []string{`"title":"From YAML"`}, changes: true,
		},
		{
			name: "update published", method: "PUT", url: v1, body: testInstrument(set("title", "Renamed")),
			contentType: ctJSON, authorization: bearer, wantStatus: 409, wantCode: survey.EConflict,
		},
		{
			// The edited draft posted again: the answer says that PUT replaces it.
			name: "create a draft that exists", method: "POST", url: list, body: testInstrument(withVersion(2), set("title", "Edited")),
			contentType: ctJSON, authorization: bearer, wantStatus: 409, wantCode: survey.EConflict,
			wantContent: []string{"version 2 already exists as a draft", "PUT /api/v1/instruments/wellbeing-test/versions/2 replaces a draft",
				"post the change as version 3"},
		},
		{
			name: "create a published version that exists", method: "POST", url: list, body: testInstrument(set("title", "Edited")),
			contentType: ctJSON, authorization: bearer, wantStatus: 409, wantCode: survey.EConflict,
			wantContent: []string{"version 1 already exists and is published", "post the change as version 3"},
		},
		{
			name: "update with another version in the body", method: "PUT", url: v2, body: v3(), contentType: ctJSON,
			authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"version"},
		},
		{
			name: "update with another key in the body", method: "PUT", url: v2,
			body: testInstrument(withVersion(2), set("key", "other-key")), contentType: ctJSON,
			authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"key"},
		},
		{
			name: "update with an invalid definition", method: "PUT", url: v2,
			body: testInstrument(withVersion(2), set("scale", "nope", item(0, 1)...)), contentType: ctJSON,
			authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"sections[0].items[1].scale"},
		},
		{
			name: "update unknown version", method: "PUT", url: "/api/v1/instruments/wellbeing-test/versions/9",
			body: testInstrument(withVersion(9)), contentType: ctJSON, authorization: bearer,
			wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "publish draft", method: "POST", url: v2 + "/publish", authorization: bearer,
			wantStatus: 200, wantContent: []string{`{"key":"wellbeing-test","version":2,"status":"published"}`}, changes: true,
		},
		{
			name: "publish published again changes nothing", method: "POST", url: v1 + "/publish", authorization: bearer,
			wantStatus: 200, wantContent: []string{`"status":"published"`},
		},
		{
			name: "publish retired", method: "POST", url: v1 + "/publish", authorization: bearer,
			setup: func(tb testing.TB, e *testEnv, _ vars) {
				e.mustDo(tb, request{Method: "POST", URL: v1 + "/retire", Authorization: bearer}, 200)
			},
			wantStatus: 409, wantCode: survey.EConflict,
		},
		{
			name: "retire published", method: "POST", url: v1 + "/retire", authorization: bearer,
			wantStatus: 200, wantContent: []string{`"status":"retired"`}, changes: true,
		},
		{
			name: "retire draft", method: "POST", url: v2 + "/retire", authorization: bearer,
			wantStatus: 409, wantCode: survey.EConflict,
		},
		{
			name: "publish unknown", method: "POST", url: "/api/v1/instruments/wellbeing-test/versions/9/publish",
			authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "delete draft", method: "DELETE", url: v2, authorization: bearer, wantStatus: 204, changes: true,
			after: func(tb testing.TB, e *testEnv, _ vars, _ []byte) {
				e.mustDo(tb, request{Method: "GET", URL: v2, Authorization: bearer}, 404)
			},
		},
		{
			name: "delete published with surveys", method: "DELETE", url: v1, authorization: bearer,
			wantStatus: 409, wantCode: survey.EConflict,
		},
		{
			name: "delete unknown", method: "DELETE", url: "/api/v1/instruments/wellbeing-test/versions/9",
			authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound,
		},

		// Bad input.
		{
			name: "create existing version", method: "POST", url: list, body: testInstrument(), contentType: ctJSON,
			authorization: bearer, wantStatus: 409, wantCode: survey.EConflict,
		},
		{
			name: "create existing draft version", method: "POST", url: list, body: testInstrument(withVersion(2)),
			contentType: ctJSON, authorization: bearer, wantStatus: 409, wantCode: survey.EConflict,
		},
		{
			name: "malformed JSON", method: "POST", url: list, body: `{"key": "wellbeing-test", `, contentType: ctJSON,
			authorization: bearer, wantStatus: 400, wantCode: survey.EMalformed, wantPaths: []string{""},
		},
		{
			name: "JSON with trailing data", method: "POST", url: list, body: v3() + `{}`, contentType: ctJSON,
			authorization: bearer, wantStatus: 400, wantCode: survey.EMalformed, wantPaths: []string{""},
		},
		{
			name: "empty body", method: "POST", url: list, contentType: ctJSON,
			authorization: bearer, wantStatus: 400, wantCode: survey.EMalformed, wantPaths: []string{""},
		},
		{
			name: "malformed YAML", method: "POST", url: list, body: "key: [wellbeing\nversion: 3\n", contentType: ctYAML,
			authorization: bearer, wantStatus: 400, wantCode: survey.EMalformed, wantPaths: []string{""},
		},
		{
			name: "body over 1 MiB with Content-Length", method: "POST", url: list, body: oversized, contentType: ctJSON,
			authorization: bearer, wantStatus: 413, wantCode: survey.ETooLarge,
		},
		{
			name: "body over 1 MiB chunked", method: "POST", url: list, body: oversized, contentType: ctJSON, chunked: true,
			authorization: bearer, wantStatus: 413, wantCode: survey.ETooLarge,
		},
		{
			name: "wrong Content-Type", method: "POST", url: list, body: v3(), contentType: "text/plain",
			authorization: bearer, wantStatus: 415, wantCode: survey.EUnsupported,
		},
		{
			name: "no Content-Type", method: "POST", url: list, body: v3(),
			authorization: bearer, wantStatus: 415, wantCode: survey.EUnsupported,
		},
		{
			name: "form Content-Type", method: "POST", url: list, body: "key=wellbeing-test",
			contentType: "application/x-www-form-urlencoded", authorization: bearer, wantStatus: 415, wantCode: survey.EUnsupported,
		},
		{
			name: "no token", method: "POST", url: list, body: v3(), contentType: ctJSON,
			wantStatus: 401, wantCode: survey.EUnauthorized,
		},
		{
			name: "wrong token", method: "POST", url: list, body: v3(), contentType: ctJSON, authorization: "Bearer not-the-token",
			wantStatus: 401, wantCode: survey.EUnauthorized,
		},
		{
			name: "token with another scheme", method: "POST", url: list, body: v3(), contentType: ctJSON,
			authorization: "Basic " + researcherToken, wantStatus: 401, wantCode: survey.EUnauthorized,
		},
		{
			name: "wrong token on a read", method: "GET", url: v1, authorization: "Bearer " + researcherToken + "x",
			wantStatus: 401, wantCode: survey.EUnauthorized, notContent: []string{"wellbeing"},
		},

		// Every rule of the format, each at its path.
		invalid("duplicate item id", v3(set("id", "q_like", item(0, 1)...)), "sections[0].items[1].id"),
		invalid("duplicate item id across sections", v3(set("id", "q_use", item(1, 0)...)), "sections[1].items[0].id"),
		invalid("unknown scale", v3(set("scale", "nope", item(0, 0)...)), "sections[0].items[0].scale"),
		invalid("likert without scale", v3(unset("scale", item(0, 0)...)), "sections[0].items[0].scale"),
		invalid("unknown subscale", v3(set("subscale", "nope", item(0, 1)...)), "sections[0].items[1].subscale"),
		invalid("show_if on a later item", v3(set("show_if", map[string]any{"item": "q_years", "equals": 1}, item(0, 2)...)),
			"sections[0].items[2].show_if.item"),
		invalid("show_if on itself", v3(set("item", "q_tools", append(item(0, 3), "show_if")...)),
			"sections[0].items[3].show_if.item"),
		invalid("show_if on an unknown item", v3(set("item", "q_nope", append(item(0, 3), "show_if")...)),
			"sections[0].items[3].show_if.item"),
		invalid("show_if value not an option", v3(set("equals", 7, append(item(0, 3), "show_if")...)),
			"sections[0].items[3].show_if.equals"),
		invalid("scale with one option", v3(func(m map[string]any) {
			s := node(m, "scales", 0)
			s["options"] = s["options"].([]any)[:1]
		}), "scales[0].options"),
		invalid("scale without options", v3(set("options", []any{}, "scales", 0)), "scales[0].options"),
		invalid("fractional option value", v3(set("value", 1.5, "scales", 0, "options", 0)), "scales[0].options[0].value"),
		invalid("option value as a string", v3(set("value", "one", "scales", 0, "options", 0)), "scales[0].options[0].value"),
		invalid("duplicate scale option value", v3(set("value", 1, "scales", 0, "options", 1)), "scales[0].options[1].value"),
		invalid("duplicate choice option value", v3(set("value", 1, append(item(0, 3), "options", 2)...)),
			"sections[0].items[3].options[2].value"),
		invalid("single choice with one option", v3(func(m map[string]any) {
			it := node(m, item(0, 2)...)
			it["options"] = it["options"].([]any)[:1]
		}), "sections[0].items[2].options"),
		invalid("reverse on a single-choice item", v3(set("reverse", true, item(0, 2)...)), "sections[0].items[2].reverse"),
		invalid("reverse false on a text item", v3(set("reverse", false, item(1, 1)...)), "sections[1].items[1].reverse"),
		invalid("subscale on an integer item", v3(set("subscale", "mood", item(1, 0)...)), "sections[1].items[0].subscale"),
		invalid("min greater than max", v3(set("min", 61, item(1, 0)...)), "sections[1].items[0].min"),
		invalid("max_length on a likert item", v3(set("max_length", 5, item(0, 0)...)), "sections[0].items[0].max_length"),
		invalid("unknown top-level field", v3(set("colour", "blue")), "colour"),
		invalid("unknown item field", v3(set("colour", "blue", item(0, 0)...)), "sections[0].items[0].colour"),
		invalid("unknown scale field", v3(set("name", "Agreement", "scales", 0)), "scales[0].name"),
		invalid("unknown item type", v3(set("type", "vas", item(1, 0)...)), "sections[1].items[0].type"),
		invalid("missing title", v3(unset("title")), "title"),
		invalid("version as a string", v3(set("version", "three")), "version"),
		invalid("bad key", v3(set("key", "Wellbeing Test")), "key"),
		invalid("reserved item id", v3(set("id", "status", item(1, 1)...)), "sections[1].items[1].id"),
		invalid("empty section", v3(set("items", []any{}, "sections", 1)), "sections[1].items"),
		// Missing-data codes.
		{
			name: "create with missing codes", method: "POST", url: list, contentType: ctJSON, authorization: bearer,
			body: v3(withMissingCodes), wantStatus: 201, changes: true,
			wantContent: []string{`{"key":"wellbeing-test","version":3,"status":"draft"}`},
			after: func(tb testing.TB, e *testEnv, _ vars, _ []byte) {
				var want map[string]any
				mustUnmarshal(tb, []byte(v3(withMissingCodes)), &want)
				if got := getDefinition(tb, e, "wellbeing-test", 3); !sameJSON(tb, got, want) {
					tb.Errorf("stored %v, want %v", got, want)
				}
			},
		},
		invalid("missing not a boolean", v3(set("missing", "yes", "scales", 0, "options", 4)), "scales[0].options[4].missing"),
		invalid("scale with one option that is not a missing code", v3(func(m map[string]any) {
			for _, o := range node(m, "scales", 0)["options"].([]any)[1:] {
				o.(map[string]any)["missing"] = true
			}
		}), "scales[0].options"),
		invalid("choice item with only missing codes", v3(set("missing", true, append(item(0, 2), "options", 0)...),
			set("missing", true, append(item(0, 2), "options", 1)...)), "sections[0].items[2].options"),
		invalid("subscale mixing scales", v3(func(m map[string]any) {
			m["scales"] = append(m["scales"].([]any), map[string]any{"id": "freq3", "options": []any{
				map[string]any{"value": 0, "label": "Never"}, map[string]any{"value": 1, "label": "Sometimes"},
				map[string]any{"value": 2, "label": "Often"}}})
			node(m, item(0, 1)...)["scale"] = "freq3"
		}), "sections[0].items[1].scale"),
		invalid("subscale combine other than rescale", v3(set("combine", "average", "subscales", 0)), "subscales[0].combine"),
		invalid("every problem at once", v3(set("scale", "nope", item(0, 0)...), set("min", 61, item(1, 0)...), set("colour", "blue")),
			"colour", "sections[0].items[0].scale", "sections[1].items[0].min"),
		{
			name: "create invalid: YAML with an unknown scale", method: "POST", url: list,
			body:        strings.Replace(testInstrumentYAML, "scale: agree, subscale: mood, reverse", "scale: agreement, subscale: mood, reverse", 1),
			contentType: ctYAML, authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"sections[0].items[1].scale"},
		},
	})
}

// withMissingCodes adds the missing code 9 (Not applicable) to the agree
// scale, 9 (Prefer not to say) to q_use and 9 (Don't know) to q_tools.
func withMissingCodes(m map[string]any) {
	sc := node(m, "scales", 0)
	sc["options"] = append(sc["options"].([]any), map[string]any{"value": 9, "label": "Not applicable", "missing": true})
	it := node(m, item(0, 2)...)
	it["options"] = append(it["options"].([]any), map[string]any{"value": 9, "label": "Prefer not to say", "missing": true})
	it = node(m, item(0, 3)...)
	it["options"] = append(it["options"].([]any), map[string]any{"value": 9, "label": "Don't know", "missing": true})
}

func TestSurveyAPI(t *testing.T) {
	t.Parallel()
	surveyBody := func(fields map[string]any) string {
		req := map[string]any{"instrument_key": "wellbeing-test", "instrument_version": 1, "title": "Wave 2", "access": "open"}
		for k, v := range fields {
			if v == omit {
				delete(req, k)
			} else {
				req[k] = v
			}
		}
		b, _ := json.Marshal(req)
		return string(b)
	}
	create := func(name string, fields map[string]any, status int, code string, paths ...string) scenario {
		return scenario{name: name, method: "POST", url: "/api/v1/surveys", body: surveyBody(fields), contentType: ctJSON,
			authorization: bearer, wantStatus: status, wantCode: code, wantPaths: paths}
	}
	now := time.Now().UTC()
	runScenarios(t, fixture, []scenario{
		{
			name: "create", method: "POST", url: "/api/v1/surveys", body: surveyBody(nil), contentType: ctJSON,
			authorization: bearer, wantStatus: 201, changes: true,
			wantContent: []string{`"title":"Wave 2"`, `"access":"open"`, `"status":"open"`, `"accepting":true`,
				`"responses":{"complete":0,"in_progress":0,"test":0}`},
		},
		create("create for a draft version", map[string]any{"instrument_version": 2}, 409, survey.EConflict),
		create("create for an unknown version", map[string]any{"instrument_version": 9}, 404, survey.ENotFound),
		create("create with unknown access", map[string]any{"access": "public"}, 422, survey.EInvalid, "access"),
		create("create without title", map[string]any{"title": omit}, 422, survey.EInvalid, "title"),
		create("create closing before it opens", map[string]any{"opens_at": now.Add(time.Hour), "closes_at": now},
			422, survey.EInvalid, "closes_at"),
		create("create with an unknown field", map[string]any{"colour": "blue"}, 422, survey.EInvalid, "colour"),
		create("create with version as a string", map[string]any{"instrument_version": "1"}, 422, survey.EInvalid, "instrument_version"),
		{
			name: "create malformed", method: "POST", url: "/api/v1/surveys", body: `{"title": }`, contentType: ctJSON,
			authorization: bearer, wantStatus: 400, wantCode: survey.EMalformed, wantPaths: []string{""},
		},
		{
			name: "create as YAML", method: "POST", url: "/api/v1/surveys", body: "title: Wave 2\n", contentType: ctYAML,
			authorization: bearer, wantStatus: 415, wantCode: survey.EUnsupported,
		},
		{
			name: "create too large", method: "POST", url: "/api/v1/surveys", body: oversized, contentType: ctJSON, chunked: true,
			authorization: bearer, wantStatus: 413, wantCode: survey.ETooLarge,
		},
		{
			name: "create without token", method: "POST", url: "/api/v1/surveys", body: surveyBody(nil), contentType: ctJSON,
			wantStatus: 401, wantCode: survey.EUnauthorized,
		},
		{
			name: "get", method: "GET", url: "/api/v1/surveys/{open}", authorization: bearer, wantStatus: 200,
			wantContent: []string{`"id":"{open}"`, `"responses":{"complete":1,"in_progress":0,"test":0}`, `/s/{open}"`},
		},
		{
			name: "get unknown", method: "GET", url: "/api/v1/surveys/nosuchsurvey", authorization: bearer,
			wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "list", method: "GET", url: "/api/v1/surveys", authorization: bearer, wantStatus: 200,
			wantContent: []string{`"id":"{open}"`, `"id":"{closed}"`, `"id":"{invite}"`},
		},
		{
			name: "close", method: "POST", url: "/api/v1/surveys/{open}/close", authorization: bearer, wantStatus: 200,
			wantContent: []string{`"status":"closed"`, `"accepting":false`}, changes: true,
		},
		{
			name: "close unknown", method: "POST", url: "/api/v1/surveys/nosuchsurvey/close", authorization: bearer,
			wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "invitations", method: "POST", url: "/api/v1/surveys/{invite}/invitations", body: `{"count": 3}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 201, changes: true,
			after: func(tb testing.TB, e *testEnv, v vars, body []byte) {
				var doc struct {
					Codes []string `json:"codes"`
				}
				mustUnmarshal(tb, body, &doc)
				codeRE := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)
				for _, c := range doc.Codes {
					if !codeRE.MatchString(c) {
						tb.Errorf("code %q is not XXXX-XXXX-XXXX in Crockford base32", c)
					}
				}
				if len(doc.Codes) != 3 || doc.Codes[0] == doc.Codes[1] || doc.Codes[1] == doc.Codes[2] {
					tb.Errorf("codes %v", doc.Codes)
				}
				if n := e.count(tb, `SELECT count(*) FROM invitations WHERE survey_id = ? AND spent = 0`, v["invite"]); n != 4 {
					tb.Errorf("%d unspent codes stored, want 4", n)
				}
				// Only keyed hashes are stored: not the plain SHA-256 that
				// anyone with the codes could compute.
				for _, c := range doc.Codes {
					if n := e.count(tb, `SELECT count(*) FROM invitations WHERE code_hash = ? AND keyed = 1`, e.Svc.InvitationHash(v["invite"], c)); n != 1 {
						tb.Errorf("code %s: %d rows with its hash", c, n)
					}
					if n := e.count(tb, `SELECT count(*) FROM invitations WHERE code_hash = ?`, survey.HashSecret(c)); n != 0 {
						tb.Errorf("code %s stored as its plain SHA-256", c)
					}
					if n := e.count(tb, `SELECT count(*) FROM invitations WHERE CAST(code_hash AS TEXT) = ?`, c); n != 0 {
						tb.Errorf("code %s stored in clear", c)
					}
				}
			},
		},
		{
			name: "invitations for an open survey", method: "POST", url: "/api/v1/surveys/{open}/invitations", body: `{"count": 3}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 409, wantCode: survey.EConflict,
		},
		{
			name: "invitations count 0", method: "POST", url: "/api/v1/surveys/{invite}/invitations", body: `{"count": 0}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"count"},
		},
		{
			name: "invitations count over the limit", method: "POST", url: "/api/v1/surveys/{invite}/invitations",
			body: fmt.Sprintf(`{"count": %d}`, survey.MaxInvitationsPerRequest+1), contentType: ctJSON, authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"count"},
		},
		{
			name: "invitations for an unknown survey", method: "POST", url: "/api/v1/surveys/nosuchsurvey/invitations",
			body: `{"count": 3}`, contentType: ctJSON, authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "public form", method: "GET", url: "/api/v1/public/surveys/{open}", wantStatus: 200,
			wantContent: []string{`"id":"{open}"`, `"accepting":true`, `"key":"wellbeing-test"`, `"max_length":10`,
				`"show_if":{"item":"q_use","equals":1}`},
			notContent: []string{`"subscale`, `"reverse"`, `"scale`, `"scoring"`, `"min_answered"`, `"mood"`},
			after:      func(tb testing.TB, _ *testEnv, _ vars, body []byte) { assertNoScoringInternals(tb, body) },
		},
		{
			name: "public form of a closed survey", method: "GET", url: "/api/v1/public/surveys/{closed}", wantStatus: 200,
			wantContent: []string{`"status":"closed"`, `"accepting":false`},
		},
		{
			name: "public form of a survey not yet open", method: "GET", url: "/api/v1/public/surveys/{later}", wantStatus: 200,
			wantContent: []string{`"status":"open"`, `"accepting":false`},
		},
		{
			name: "public form of an unknown survey", method: "GET", url: "/api/v1/public/surveys/nosuchsurvey",
			wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "public list does not exist", method: "GET", url: "/api/v1/public/surveys",
			wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "responses", method: "GET", url: "/api/v1/surveys/{open}/responses", authorization: bearer,
			wantStatus: 200, wantContent: []string{`"id":"{dup}"`, `"answers":{"q_like":4,`, `"test":false`, `"next_cursor":null`},
		},
		{
			name: "responses with a bad limit", method: "GET", url: "/api/v1/surveys/{open}/responses?limit=0", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"limit"},
		},
		{
			name: "responses with a bad status", method: "GET", url: "/api/v1/surveys/{open}/responses?status=done", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"status"},
		},
		{
			name: "responses of an unknown survey", method: "GET", url: "/api/v1/surveys/nosuchsurvey/responses",
			authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound,
		},
		{
			name: "responses without token", method: "GET", url: "/api/v1/surveys/{open}/responses",
			wantStatus: 401, wantCode: survey.EUnauthorized, notContent: []string{"q_like"},
		},
	})
}

func TestSubmitAPI(t *testing.T) {
	t.Parallel()
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	// A start an hour ago, written in another zone: stored in UTC.
	started := time.Now().Add(-time.Hour).Truncate(time.Second)
	// ok is a submission that must be stored, with exactly these answers.
	ok := func(name string, changes map[string]any) scenario {
		body := submission(nil, changes)
		return scenario{name: name, method: "POST", url: "/api/v1/public/surveys/{open}/responses", body: body,
			contentType: ctJSON, wantStatus: 201, changes: true,
			notContent: []string{`"answers"`},
			after: func(tb testing.TB, e *testEnv, v vars, res []byte) {
				var got submitted
				mustUnmarshal(tb, res, &got)
				var sent struct {
					Answers map[string]any `json:"answers"`
				}
				mustUnmarshal(tb, []byte(body), &sent)
				for _, r := range e.responses(tb, v["open"]) {
					if r.ID == got.ID {
						if !sameJSON(tb, r.Answers, sent.Answers) {
							tb.Errorf("stored answers %v, sent %v", r.Answers, sent.Answers)
						}
						return
					}
				}
				tb.Errorf("response %s is not listed", got.ID)
			},
		}
	}
	// bad is a submission to the open survey that breaks answer rules.
	bad := func(name string, changes map[string]any, paths ...string) scenario {
		return scenario{name: name, method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: submission(nil, changes), contentType: ctJSON,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: paths}
	}
	// to posts a submission with top-level fields to a fixture survey.
	to := func(name, surveyVar string, fields map[string]any, status int, code string, paths ...string) scenario {
		return scenario{name: name, method: "POST", url: "/api/v1/public/surveys/{" + surveyVar + "}/responses",
			body: submission(fields, nil), contentType: ctJSON, wantStatus: status, wantCode: code, wantPaths: paths,
			changes: status < 300}
	}
	runScenarios(t, fixture, []scenario{
		ok("complete", nil),
		ok("hidden item left out", map[string]any{"q_use": 0, "q_tools": omit}),
		ok("optional item left out", map[string]any{"q_note": omit}),
		ok("text at its limit in runes", map[string]any{"q_note": "éééééééééé"}),
		ok("integer at its bounds", map[string]any{"q_years": 0}),
		{
			name: "null and empty string are unanswered", method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: submission(nil, map[string]any{"q_note": ""}), contentType: ctJSON, wantStatus: 201, changes: true,
			after: func(tb testing.TB, e *testEnv, v vars, _ []byte) {
				for _, r := range e.responses(tb, v["open"]) {
					if _, ok := r.Answers["q_note"]; ok && r.ID != dupID {
						tb.Errorf("empty text stored as an answer: %v", r.Answers)
					}
				}
			},
		},
		{
			name: "with id and started_at", method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: submission(map[string]any{"id": freshID, "started_at": started.In(time.FixedZone("", 2*3600)).Format(time.RFC3339)}, nil), contentType: ctJSON,
			wantStatus: 201, changes: true,
			wantContent: []string{`"id":"{fresh}"`, `"survey_id":"{open}"`, `"status":"complete"`, `"started_at":"` + started.UTC().Format(time.RFC3339) + `"`},
		},
		{
			name: "with an invitation code", method: "POST", url: "/api/v1/public/surveys/{invite}/responses",
			body: submission(map[string]any{"invitation_code": "{code}"}, nil), contentType: ctJSON, wantStatus: 201, changes: true,
			after: func(tb testing.TB, e *testEnv, v vars, _ []byte) {
				if n := e.count(tb, `SELECT count(*) FROM invitations WHERE survey_id = ? AND spent = 1`, v["invite"]); n != 2 {
					tb.Errorf("%d spent codes, want 2", n)
				}
			},
		},
		{
			name: "with an invitation code typed loosely", method: "POST", url: "/api/v1/public/surveys/{invite}/responses",
			body: submission(map[string]any{"invitation_code": " {code} "}, nil), contentType: ctJSON,
			setup: func(tb testing.TB, e *testEnv, v vars) {
				// Lower case, O for 0, I for 1, no dashes: what people type.
				c := strings.ToLower(strings.ReplaceAll(v["code"], "-", ""))
				v["code"] = strings.NewReplacer("0", "o", "1", "i").Replace(c)
			},
			wantStatus: 201, changes: true,
		},

		// Answer rules.
		bad("required item missing", map[string]any{"q_like": omit}, "answers.q_like"),
		bad("required item null", map[string]any{"q_years": nil}, "answers.q_years"),
		bad("shown required item missing", map[string]any{"q_tools": omit}, "answers.q_tools"),
		bad("shown required item with no option selected", map[string]any{"q_tools": []int{}}, "answers.q_tools"),
		bad("value outside the scale", map[string]any{"q_like": 6}, "answers.q_like"),
		bad("value zero on a scale from 1", map[string]any{"q_rev": 0}, "answers.q_rev"),
		bad("single choice value not an option", map[string]any{"q_use": 2}, "answers.q_use"),
		bad("integer above max", map[string]any{"q_years": 61}, "answers.q_years"),
		bad("integer below min", map[string]any{"q_years": -1}, "answers.q_years"),
		bad("text too long", map[string]any{"q_note": "eleven char"}, "answers.q_note"),
		bad("multiple choice value not an option", map[string]any{"q_tools": []int{1, 4}}, "answers.q_tools"),
		bad("multiple choice value twice", map[string]any{"q_tools": []int{1, 1}}, "answers.q_tools"),
		bad("unknown item", map[string]any{"q_nope": 1}, "answers.q_nope"),
		bad("answer to a hidden item", map[string]any{"q_use": 0}, "answers.q_tools"),
		bad("answer to an item hidden by an unanswered one", map[string]any{"q_use": omit}, "answers.q_use", "answers.q_tools"),
		bad("string for a likert item", map[string]any{"q_like": "4"}, "answers.q_like"),
		bad("fraction for a likert item", map[string]any{"q_like": 3.5}, "answers.q_like"),
		bad("boolean for a single choice item", map[string]any{"q_use": true}, "answers.q_use"),
		bad("object for an integer item", map[string]any{"q_years": map[string]any{"years": 3}}, "answers.q_years"),
		bad("string for an integer item", map[string]any{"q_years": "12"}, "answers.q_years"),
		bad("number for a text item", map[string]any{"q_note": 5}, "answers.q_note"),
		bad("number for a multiple choice item", map[string]any{"q_tools": 1}, "answers.q_tools"),
		bad("strings in a multiple choice list", map[string]any{"q_tools": []string{"1", "3"}}, "answers.q_tools"),
		bad("list for a likert item", map[string]any{"q_like": []int{4}}, "answers.q_like"),
		bad("several problems at once", map[string]any{"q_like": 6, "q_years": 61, "q_nope": 1},
			"answers.q_like", "answers.q_nope", "answers.q_years"),
		{
			name: "fraction written as an integer is fine", method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: submission(nil, map[string]any{"q_like": raw("4.0"), "q_tools": raw("[1.0, 3]")}), contentType: ctJSON,
			wantStatus: 201, changes: true,
		},

		// Request shape.
		{
			name: "answers missing", method: "POST", url: "/api/v1/public/surveys/{open}/responses", body: `{}`, contentType: ctJSON,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"answers"},
		},
		{
			name: "answers null", method: "POST", url: "/api/v1/public/surveys/{open}/responses", body: `{"answers": null}`,
			contentType: ctJSON, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"answers"},
		},
		{
			name: "answers a list", method: "POST", url: "/api/v1/public/surveys/{open}/responses", body: `{"answers": [4, 2]}`,
			contentType: ctJSON, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"answers"},
		},
		to("unknown top-level field", "open", map[string]any{"email": "a@example.org"}, 422, survey.EInvalid, "email"),
		to("id that is not a UUID", "open", map[string]any{"id": "response-1"}, 422, survey.EInvalid, "id"),
		to("id in upper case", "open", map[string]any{"id": strings.ToUpper(freshID)}, 422, survey.EInvalid, "id"),
		to("started_at in the future", "open", map[string]any{"started_at": time.Now().Add(time.Hour)}, 422, survey.EInvalid, "started_at"),
		{
			name: "malformed JSON", method: "POST", url: "/api/v1/public/surveys/{open}/responses", body: `{"answers": {"q_like": 4,}}`,
			contentType: ctJSON, wantStatus: 400, wantCode: survey.EMalformed, wantPaths: []string{""},
		},
		{
			name: "wrong Content-Type", method: "POST", url: "/api/v1/public/surveys/{open}/responses", body: submission(nil, nil),
			contentType: "text/plain", wantStatus: 415, wantCode: survey.EUnsupported,
		},
		{
			name: "YAML is for instruments only", method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: "answers:\n  q_like: 4\n", contentType: ctYAML, wantStatus: 415, wantCode: survey.EUnsupported,
		},
		{
			name: "body over 1 MiB", method: "POST", url: "/api/v1/public/surveys/{open}/responses", body: oversized,
			contentType: ctJSON, wantStatus: 413, wantCode: survey.ETooLarge,
		},
		{
			name: "body over 1 MiB chunked", method: "POST", url: "/api/v1/public/surveys/{open}/responses", body: oversized,
			contentType: ctJSON, chunked: true, wantStatus: 413, wantCode: survey.ETooLarge,
		},
		{
			name: "wrong method", method: "GET", url: "/api/v1/public/surveys/{open}/responses",
			wantStatus: 405, wantCode: survey.EMethodInvalid, notContent: []string{"q_like"},
		},
		to("unknown survey", "nosuch", nil, 404, survey.ENotFound),

		// Survey state.
		to("closed survey", "closed", nil, 409, survey.EConflict),
		to("survey not yet open", "later", nil, 409, survey.EConflict),
		to("survey past closes_at", "ended", nil, 409, survey.EConflict),

		// Invitations.
		to("invitation code used twice", "invite", map[string]any{"invitation_code": "{spent}"}, 409, survey.EConflict, "invitation_code"),
		to("wrong invitation code", "invite", map[string]any{"invitation_code": "AAAA-BBBB-CCCC"}, 403, survey.EForbidden, "invitation_code"),
		to("invitation code missing", "invite", nil, 422, survey.EInvalid, "invitation_code"),
		to("invitation code on an open survey", "open", map[string]any{"invitation_code": "{code}"}, 422, survey.EInvalid, "invitation_code"),

		// Retries.
		{
			name: "retry with the same body", method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: submission(map[string]any{"id": dupID}, nil), contentType: ctJSON,
			wantStatus: 200, wantContent: []string{`"id":"{dup}"`},
		},
		{
			name: "retry with the same answers written differently", method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body:        `{"answers": {"q_note": "fine", "q_years": 12.0, "q_tools": [1, 3], "q_use": 1, "q_rev": 2, "q_like": 4}, "id": "` + dupID + `"}`,
			contentType: ctJSON, wantStatus: 200, wantContent: []string{`"id":"{dup}"`},
		},
		{
			name: "retry after the survey closed", method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: submission(map[string]any{"id": dupID}, nil), contentType: ctJSON,
			setup: func(tb testing.TB, e *testEnv, v vars) {
				e.mustDo(tb, request{Method: "POST", URL: "/api/v1/surveys/" + v["open"] + "/close", Authorization: bearer}, 200)
			},
			wantStatus: 200, wantContent: []string{`"id":"{dup}"`},
		},
		{
			name: "same id with other answers", method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: submission(map[string]any{"id": dupID}, map[string]any{"q_like": 5}), contentType: ctJSON,
			wantStatus: 409, wantCode: survey.EConflict,
		},
		{
			name: "same id sent to another survey", method: "POST", url: "/api/v1/public/surveys/{invite}/responses",
			body: submission(map[string]any{"id": dupID, "invitation_code": "{code}"}, nil), contentType: ctJSON,
			wantStatus: 409, wantCode: survey.EConflict,
		},
	})
}

// TestRoutes checks the answers outside the routes: unknown paths and
// methods get the JSON error shape too, and the probes answer.
func TestRoutes(t *testing.T) {
	t.Parallel()
	runScenarios(t, func(testing.TB, *testEnv) vars { return vars{} }, []scenario{
		{name: "unknown route", method: "GET", url: "/nope", wantStatus: 404, wantCode: survey.ENotFound},
		{name: "unknown API route", method: "GET", url: "/api/v1/nope", authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound},
		{name: "unknown API route without token", method: "POST", url: "/api/v2/instruments", body: "{}", contentType: ctJSON,
			wantStatus: 404, wantCode: survey.ENotFound},
		{name: "method not allowed", method: "DELETE", url: "/api/v1/instruments", authorization: bearer,
			wantStatus: 405, wantCode: survey.EMethodInvalid},
		{name: "healthz", method: "GET", url: "/healthz", wantStatus: 200, wantContent: []string{`"status":"ok"`}},
		{name: "readyz", method: "GET", url: "/readyz", wantStatus: 200, wantContent: []string{`"status":"ready"`}},
	})
}

// TestResearcherRoutesNeedToken sends every researcher route without a
// token, with a wrong one and with another scheme: each is refused with
// 401 and a WWW-Authenticate challenge, and nothing changes.
func TestResearcherRoutesNeedToken(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		// Every route is tried with several wrong tokens: more failures than
		// the default budget allows one client (TestHardening05 tests that).
		e := newEnvWith(t, engine, func(c *config) {
			c.AuthGuard = server.NewAuthGuard(1000, time.Minute)
		})
		v := fixture(t, e)
		routes := []request{
			{Method: "POST", URL: "/api/v1/instruments", Body: testInstrument(withVersion(3)), ContentType: ctJSON},
			{Method: "GET", URL: "/api/v1/instruments"},
			{Method: "GET", URL: "/api/v1/instruments/wellbeing-test/versions/1"},
			{Method: "PUT", URL: "/api/v1/instruments/wellbeing-test/versions/2", Body: testInstrument(withVersion(2)), ContentType: ctJSON},
			{Method: "DELETE", URL: "/api/v1/instruments/wellbeing-test/versions/2"},
			{Method: "POST", URL: "/api/v1/instruments/wellbeing-test/versions/2/publish"},
			{Method: "POST", URL: "/api/v1/instruments/wellbeing-test/versions/1/retire"},
			{Method: "POST", URL: "/api/v1/surveys", Body: `{"instrument_key":"wellbeing-test","instrument_version":1,"title":"x","access":"open"}`, ContentType: ctJSON},
			{Method: "GET", URL: "/api/v1/surveys"},
			{Method: "GET", URL: "/api/v1/surveys/" + v["open"]},
			{Method: "POST", URL: "/api/v1/surveys/" + v["open"] + "/close"},
			{Method: "POST", URL: "/api/v1/surveys/" + v["invite"] + "/invitations", Body: `{"count": 1}`, ContentType: ctJSON},
			{Method: "GET", URL: "/api/v1/surveys/" + v["open"] + "/responses"},
		}
		before := e.dump(t)
		for _, r := range routes {
			for _, auth := range []string{"", "Bearer wrong", "Bearer ", "Basic " + researcherToken, "bearer " + researcherToken + " extra"} {
				r.Authorization = auth
				status, hdr, body := e.do(t, r)
				if status != http.StatusUnauthorized {
					t.Errorf("%s %s with %q: status %d, want 401; body: %s", r.Method, r.URL, auth, status, truncate(body))
					continue
				}
				if got := decodeError(t, body).Error.Code; got != survey.EUnauthorized {
					t.Errorf("%s %s with %q: code %q", r.Method, r.URL, auth, got)
				}
				if !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s %s with %q: WWW-Authenticate %q", r.Method, r.URL, auth, hdr.Get("WWW-Authenticate"))
				}
			}
		}
		if after := e.dump(t); after != before {
			t.Errorf("refused requests changed stored data:\n%s", diffLines(before, after))
		}
		// The token is accepted case-insensitively in its scheme only.
		e.mustDo(t, request{Method: "GET", URL: "/api/v1/instruments", Authorization: "bearer " + researcherToken}, http.StatusOK)
	})
}

// TestSubmitRetryIsIdempotent: a client that did not see the answer to its
// submission sends it again with the same id and gets the same response
// back, stored once.
func TestSubmitRetryIsIdempotent(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		v := fixture(t, e)
		body := submission(map[string]any{"id": freshID}, map[string]any{"q_note": "retry"})
		first := e.submit(t, v["open"], body, http.StatusCreated)
		before := e.dump(t)
		for range 3 {
			again := e.submit(t, v["open"], body, http.StatusOK)
			if !sameJSON(t, again, first) {
				t.Errorf("retry answered %+v, first answer %+v", again, first)
			}
		}
		if after := e.dump(t); after != before {
			t.Errorf("retries changed stored data:\n%s", diffLines(before, after))
		}
		if n := e.count(t, `SELECT count(*) FROM responses WHERE id = ?`, freshID); n != 1 {
			t.Errorf("%d responses stored with id %s, want 1", n, freshID)
		}
	})
}

// concurrently sends the same request from n goroutines released at once
// and returns the statuses and bodies.
func concurrently(tb testing.TB, e *testEnv, n int, req func(i int) request) ([]int, [][]byte) {
	tb.Helper()
	statuses := make([]int, n)
	bodies := make([][]byte, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := req(i)
			hr, err := http.NewRequest(r.Method, e.Srv.URL+r.URL, strings.NewReader(r.Body))
			if err != nil {
				errs[i] = err
				return
			}
			hr.Header.Set("Content-Type", r.ContentType)
			<-start
			res, err := e.Srv.Client().Do(hr)
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			var buf bytes.Buffer
			_, errs[i] = buf.ReadFrom(res.Body)
			statuses[i], bodies[i] = res.StatusCode, buf.Bytes()
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			tb.Fatalf("request %d: %v", i, err)
		}
	}
	return statuses, bodies
}

// TestSubmitConcurrentDuplicates: the same submission arriving 8 times at
// once (a double click, a retry racing the original) is stored once; one
// request gets 201 and the others the same response with 200.
func TestSubmitConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		for _, tc := range []struct {
			name   string
			survey string
			fields map[string]any
		}{
			{"open survey", "open", map[string]any{"id": freshID}},
			// The code is spent by the first; the others are retries of that
			// same response, not second uses of the code.
			{"invitation survey", "invite", map[string]any{"id": freshID, "invitation_code": "{code}"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, engine)
				v := fixture(t, e)
				id := v[tc.survey]
				body := v.fill(submission(tc.fields, nil))
				before := e.responseCount(t, id)
				statuses, bodies := concurrently(t, e, 8, func(int) request {
					return request{Method: "POST", URL: "/api/v1/public/surveys/" + id + "/responses", Body: body, ContentType: ctJSON}
				})
				created := 0
				for i, s := range statuses {
					switch s {
					case http.StatusCreated:
						created++
					case http.StatusOK:
					default:
						t.Errorf("request %d: status %d; body: %s", i, s, bodies[i])
						continue
					}
					var r submitted
					mustUnmarshal(t, bodies[i], &r)
					if r.ID != freshID {
						t.Errorf("request %d: id %s, want %s", i, r.ID, freshID)
					}
				}
				if created != 1 {
					t.Errorf("%d requests got 201, want exactly 1 (statuses %v)", created, statuses)
				}
				if n := e.responseCount(t, id); n != before+1 {
					t.Errorf("%d responses stored, want %d", n, before+1)
				}
			})
		}
	})
}

// TestInvitationCodeConcurrentUse: one code sent with 8 different
// responses at once admits exactly one of them.
func TestInvitationCodeConcurrentUse(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		v := fixture(t, e)
		before := e.responseCount(t, v["invite"])
		statuses, bodies := concurrently(t, e, 8, func(i int) request {
			return request{Method: "POST", URL: "/api/v1/public/surveys/" + v["invite"] + "/responses", ContentType: ctJSON,
				Body: submission(map[string]any{"invitation_code": v["code"]}, map[string]any{"q_years": i})}
		})
		created := 0
		for i, s := range statuses {
			switch s {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
				apiErr := decodeError(t, bodies[i])
				if got := apiErr.detailPaths(); apiErr.Error.Code != survey.EConflict || !slices.Equal(got, []string{"invitation_code"}) {
					t.Errorf("request %d: %s", i, bodies[i])
				}
			default:
				t.Errorf("request %d: status %d; body: %s", i, s, bodies[i])
			}
		}
		if created != 1 {
			t.Errorf("%d requests got 201, want exactly 1 (statuses %v)", created, statuses)
		}
		if n := e.responseCount(t, v["invite"]); n != before+1 {
			t.Errorf("%d responses stored, want %d", n, before+1)
		}
	})
}

// TestConcurrentSubmissions: 32 respondents submitting at the same moment
// all get 201 (no 503 from a busy database) and all 32 are stored.
func TestConcurrentSubmissions(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		v := fixture(t, e)
		before := e.responseCount(t, v["open"])
		const n = 32
		statuses, bodies := concurrently(t, e, n, func(i int) request {
			return request{Method: "POST", URL: "/api/v1/public/surveys/" + v["open"] + "/responses", ContentType: ctJSON,
				Body: submission(nil, map[string]any{"q_years": i})}
		})
		for i, s := range statuses {
			if s != http.StatusCreated {
				t.Errorf("request %d: status %d; body: %s", i, s, bodies[i])
			}
		}
		if got := e.responseCount(t, v["open"]); got != before+n {
			t.Errorf("%d responses stored, want %d", got, before+n)
		}
		years := map[float64]bool{}
		for _, r := range e.responses(t, v["open"]) {
			years[r.Answers["q_years"].(float64)] = true
		}
		for i := range n {
			if !years[float64(i)] {
				t.Errorf("the response with q_years %d is missing", i)
			}
		}
	})
}

// TestInvitationSingleUse follows one code: it admits one response; the
// same code again, in any spelling, is refused; another code still works.
func TestInvitationSingleUse(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		v := fixture(t, e)
		codes := e.invite(t, v["invite"], 2)
		e.submit(t, v["invite"], submission(map[string]any{"invitation_code": codes[0]}, nil), http.StatusCreated)
		before := e.dump(t)
		for _, spelling := range []string{codes[0], strings.ToLower(codes[0]), strings.ReplaceAll(codes[0], "-", " ")} {
			status, _, body := e.do(t, request{Method: "POST", URL: "/api/v1/public/surveys/" + v["invite"] + "/responses",
				ContentType: ctJSON, Body: submission(map[string]any{"invitation_code": spelling}, map[string]any{"q_like": 1})})
			if status != http.StatusConflict {
				t.Fatalf("second use as %q: status %d; body: %s", spelling, status, body)
			}
			if got := decodeError(t, body).detailPaths(); !slices.Equal(got, []string{"invitation_code"}) {
				t.Errorf("second use: paths %v", got)
			}
		}
		if after := e.dump(t); after != before {
			t.Errorf("a refused code changed stored data:\n%s", diffLines(before, after))
		}
		e.submit(t, v["invite"], submission(map[string]any{"invitation_code": codes[1]}, nil), http.StatusCreated)
	})
}

// TestAnonymity proves that a response cannot be tied to the invitation
// that admitted it: the invitations table holds only the survey, the hash
// and a spent flag (no response reference, no time of use); no column of
// responses refers to invitations, no foreign key or trigger links the
// two; and the stored row of a complete response admitted by a code holds
// neither the code nor its hash, and nothing in a column about codes.
func TestAnonymity(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		v := fixture(t, e)
		db := e.data.SQL(t)
		// The schema as each engine's catalogue describes it.
		columns := func(table string) []string {
			if engine == enginetest.Postgres {
				return e.data.Strings(t, `SELECT column_name FROM information_schema.columns
					WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table)
			}
			return e.data.Strings(t, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
		}
		foreignKeys := func(table string) []string {
			if engine == enginetest.Postgres {
				return e.data.Strings(t, `SELECT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conrelid = ?::regclass`, table)
			}
			return e.data.Strings(t, `SELECT "table" FROM pragma_foreign_key_list(?)`, table)
		}
		// The audit trail's triggers only refuse changes to audit_events
		// (migrations/0008): they touch no other table.
		triggers := `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name <> 'audit_events'`
		if engine == enginetest.Postgres {
			// Not the internal triggers that enforce foreign keys: those
			// are checked above.
			triggers = `SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = current_schema() AND event_object_table <> 'audit_events'`
		}
		// keyed and held are flags (migrations/0004): which hash scheme, and
		// whether a web response in progress holds the code. hold_ref
		// (migrations/0006) is a keyed hash of the holding response's mark
		// while one is in progress, by which the sweep of abandoned responses
		// releases the code: nothing a reader without the key can match, and
		// erased when the code is spent (checked below).
		if got, want := columns("invitations"), []string{"survey_id", "code_hash", "spent", "keyed", "held", "hold_ref"}; !slices.Equal(got, want) {
			t.Errorf("invitations columns %v, want %v: no response reference, no timestamp", got, want)
		}
		resCols := columns("responses")
		if len(resCols) == 0 {
			t.Fatal("no responses table")
		}
		for _, c := range resCols {
			if strings.Contains(c, "invit") || c == "code" || c == "code_hash" {
				t.Errorf("responses has column %q", c)
			}
		}
		for _, table := range []string{"responses", "invitations"} {
			for _, ref := range foreignKeys(table) {
				if ref != "surveys" && ref != "instruments" {
					t.Errorf("%s has a foreign key to %s", table, ref)
				}
			}
		}
		if triggers := e.data.Strings(t, triggers); len(triggers) > 0 {
			t.Errorf("triggers %v could link responses and invitations", triggers)
		}
		// Invitations are a WITHOUT ROWID table keyed by hash: no hidden rowid
		// keeps the order in which codes were made or spent. (SQLite's
		// notion: PostgreSQL's heap has no rowid; what its rows' system
		// columns tell is checked below.)
		if engine == enginetest.SQLite && e.count(t, `SELECT count(*) FROM sqlite_master WHERE name = 'invitations' AND sql LIKE '%WITHOUT ROWID%'`) != 1 {
			t.Errorf("invitations is not WITHOUT ROWID")
		}

		// The fixture spent {spent} on a response; a fresh submission spends
		// another code. No value in any column of the invitation survey's
		// responses holds a code or a code's hash.
		e.submit(t, v["invite"], submission(map[string]any{"invitation_code": v["code"]}, nil), http.StatusCreated)
		if n := e.count(t, `SELECT count(*) FROM invitations WHERE survey_id = ? AND spent = 1`, v["invite"]); n != 2 {
			t.Fatalf("%d codes marked spent, want 2", n)
		}
		if n := e.count(t, `SELECT count(*) FROM invitations WHERE spent = 1 AND hold_ref IS NOT NULL`); n != 0 {
			t.Errorf("%d spent codes keep a hold reference, want none", n)
		}
		rows, err := db.Query(e.data.Rebind(`SELECT * FROM responses WHERE survey_id = ? AND status = 'complete'`), v["invite"])
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			n++
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, val := range vals {
				// Whatever a column may hold about a code while a response is
				// in progress is gone once it is complete.
				if strings.Contains(cols[i], "code") && val != nil {
					t.Errorf("responses.%s of a complete response is %v, want NULL", cols[i], val)
				}
				var b []byte
				switch x := val.(type) {
				case []byte:
					b = x
				case string:
					b = []byte(x)
				default:
					continue
				}
				for _, code := range []string{v["spent"], v["code"]} {
					for _, secret := range [][]byte{[]byte(code), []byte(strings.ReplaceAll(code, "-", "")), survey.HashSecret(code)} {
						if bytes.Contains(b, secret) {
							t.Errorf("responses.%s holds the invitation code %s or its hash", cols[i], code)
						}
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%d responses in the invitation survey, want 2", n)
		}
	})
}

// TestRestartKeepsData closes the store, reopens the same file, and finds
// every instrument, survey, response and spent code as it was.
func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		v := fixture(t, e)
		views := func(e *testEnv) []string {
			var out []string
			for _, u := range []string{
				"/api/v1/instruments",
				"/api/v1/instruments/wellbeing-test/versions/1",
				"/api/v1/instruments/wellbeing-test/versions/2",
				"/api/v1/surveys",
				"/api/v1/surveys/" + v["open"] + "/responses",
				"/api/v1/surveys/" + v["invite"] + "/responses",
			} {
				body := string(e.mustDo(t, request{Method: "GET", URL: u, Authorization: bearer}, http.StatusOK))
				// Survey URLs carry the server's address, which the restart changes.
				out = append(out, strings.ReplaceAll(body, e.Srv.URL, "http://dyad.test"))
			}
			return out
		}
		wantViews, wantDump := views(e), e.dump(t)
		e.Close()

		e2 := reopenEnv(t, e.DSN)
		if got := e2.dump(t); got != wantDump {
			t.Errorf("stored data after reopening:\n%s", diffLines(wantDump, got))
		}
		for i, got := range views(e2) {
			if got != wantViews[i] {
				t.Errorf("after reopening:\n got %s\nwant %s", got, wantViews[i])
			}
		}
		// The reopened service works on the old data: the spent code stays
		// spent, retries are still recognised, and new responses land.
		e2.mustDo(t, request{Method: "POST", URL: "/api/v1/public/surveys/" + v["invite"] + "/responses", ContentType: ctJSON,
			Body: submission(map[string]any{"invitation_code": v["spent"]}, nil)}, http.StatusConflict)
		e2.submit(t, v["open"], submission(map[string]any{"id": dupID}, nil), http.StatusOK)
		e2.submit(t, v["invite"], submission(map[string]any{"invitation_code": v["code"]}, nil), http.StatusCreated)
	})
}

// TestStudyInstrument loads every shipped instrument from the embedded
// files, creates and publishes each through the API, and submits complete
// realistic responses to the study instrument along both branches of its
// first question.
func TestStudyInstrument(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := statsEnv(t, engine) // the export reads the responses back
		// With the translation files next to them.
		files, err := instrument.LoadFS(instruments.FS)
		if err != nil || len(files) == 0 {
			t.Fatalf("shipped instruments: %v %v", files, err)
		}
		var study *survey.Instrument
		for _, f := range files {
			in := f.Instrument
			body, err := json.Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			e.createInstrument(t, string(body), ctJSON)
			e.publish(t, in.Key, in.Version)
			if in.Key == instruments.Study {
				study = in
			}
		}
		if study == nil {
			t.Fatalf("no shipped instrument has the key %s", instruments.Study)
		}
		id := e.createSurvey(t, map[string]any{"instrument_key": study.Key, "instrument_version": study.Version, "title": study.Title})

		pub := e.mustDo(t, request{Method: "GET", URL: "/api/v1/public/surveys/" + id}, http.StatusOK)
		assertNoScoringInternals(t, pub)
		var form struct {
			Instrument struct {
				Sections []struct {
					Items []struct {
						ID string `json:"id"`
					} `json:"items"`
				} `json:"sections"`
			} `json:"instrument"`
		}
		mustUnmarshal(t, pub, &form)
		var publicIDs, studyIDs []string
		for _, s := range form.Instrument.Sections {
			for _, it := range s.Items {
				publicIDs = append(publicIDs, it.ID)
			}
		}
		for _, s := range study.Sections {
			for _, it := range s.Items {
				studyIDs = append(studyIDs, it.ID)
			}
		}
		if !slices.Equal(publicIDs, studyIDs) {
			t.Errorf("public form items %v, want %v", publicIDs, studyIDs)
		}

		likert := map[string]any{
			"eff_1": 4, "eff_2": 4, "eff_3": 2, "eff_4": 5, "eff_5": 3,
			"com_1": 4, "com_2": 3, "com_3": 4, "com_4": 5, "com_5": 2,
			"emp_1": 5, "emp_2": 4, "emp_3": 2, "emp_4": 4, "emp_5": 3,
			"sdm_1": 3, "sdm_2": 4, "sdm_3": 4, "sdm_4": 3, "sdm_5": 2,
			"trn_1": 5, "trn_2": 2, "trn_3": 5, "trn_4": 1, "trn_5": 4,
			"glob_effect": 4,
			// Not likert, but answered by every respondent alike: the
			// consent item and the attention check (passed).
			"consent": 1, "attn_check": 4,
		}
		user := map[string]any{
			"ai_use": 1, "ai_tools": []int{1, 2, 5}, "ai_tools_other": "Triage assistant in the patient portal", "ai_freq": 4,
			"eff_text":  "The scribe gives me back about ten minutes per session; I use them to listen.",
			"com_text":  "Summaries help, but patients' own words matter — a summary flattens them.",
			"emp_text":  "Sitting with someone in silence.",
			"sdm_text":  "",
			"trn_text":  "Say it at the start of the consultation & in the letter.",
			"glob_text": "No.",
			"specialty": 1, "years_practice": 14, "setting": 2, "region": 3, "gender": 4,
		}
		nonUser := map[string]any{"ai_use": 0, "specialty": 2, "years_practice": 0, "setting": 4, "region": 6}
		for _, tc := range []struct {
			name    string
			answers map[string]any
		}{
			{"uses AI", user},
			{"does not use AI", nonUser},
		} {
			answers := map[string]any{}
			for _, m := range []map[string]any{likert, tc.answers} {
				for k, v := range m {
					answers[k] = v
				}
			}
			body, _ := json.Marshal(map[string]any{"answers": answers, "started_at": time.Now().Add(-12 * time.Minute)})
			res := e.submit(t, id, string(body), http.StatusCreated)
			var stored *listed
			for _, r := range e.responses(t, id) {
				if r.ID == res.ID {
					stored = &r
				}
			}
			if stored == nil {
				t.Fatalf("%s: response %s not listed", tc.name, res.ID)
			}
			delete(answers, "sdm_text") // an empty string is no answer
			if !sameJSON(t, stored.Answers, answers) {
				t.Errorf("%s: stored answers %v, want %v", tc.name, stored.Answers, answers)
			}
		}

		// The nested condition: "other tools" is shown only when "Other" (5)
		// is among the tools.
		before := e.dump(t)
		answers := map[string]any{}
		for _, m := range []map[string]any{likert, user} {
			for k, v := range m {
				answers[k] = v
			}
		}
		answers["ai_tools"] = []int{1}
		body, _ := json.Marshal(map[string]any{"answers": answers})
		status, _, res := e.do(t, request{Method: "POST", URL: "/api/v1/public/surveys/" + id + "/responses", Body: string(body), ContentType: ctJSON})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("answer to a hidden follow-up: status %d; body: %s", status, res)
		}
		if got := decodeError(t, res).detailPaths(); !slices.Equal(got, []string{"answers.ai_tools_other"}) {
			t.Errorf("answer to a hidden follow-up: paths %v", got)
		}
		if after := e.dump(t); after != before {
			t.Errorf("a refused response changed stored data:\n%s", diffLines(before, after))
		}

		// Without consent nothing is stored; the consent item is named.
		answers = map[string]any{}
		for _, m := range []map[string]any{likert, user} {
			for k, v := range m {
				answers[k] = v
			}
		}
		delete(answers, "consent")
		body, _ = json.Marshal(map[string]any{"answers": answers})
		status, _, res = e.do(t, request{Method: "POST", URL: "/api/v1/public/surveys/" + id + "/responses", Body: string(body), ContentType: ctJSON})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("no consent: status %d; body: %s", status, res)
		}
		if got := decodeError(t, res).detailPaths(); !slices.Equal(got, []string{"answers.consent"}) {
			t.Errorf("no consent: paths %v", got)
		}
		if after := e.dump(t); after != before {
			t.Errorf("a refused response changed stored data:\n%s", diffLines(before, after))
		}
		// A failed attention check is stored as given: flagged in the
		// export (dq_attention), never refused.
		answers["consent"], answers["attn_check"] = 1, 1
		body, _ = json.Marshal(map[string]any{"answers": answers})
		failed := e.submit(t, id, string(body), http.StatusCreated)
		recs, err := csv.NewReader(bytes.NewReader(e.mustDo(t, request{Method: "GET",
			URL: "/api/v1/surveys/" + id + "/export.csv", Authorization: bearer}, http.StatusOK))).ReadAll()
		if err != nil || len(recs) != 4 {
			t.Fatalf("export: %d rows, %v", len(recs), err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		for _, r := range recs[1:] {
			want := map[bool]string{true: "1", false: "0"}[r[col["response_id"]] == failed.ID]
			if _, ok := col["dq_attention"]; !ok || r[col["dq_attention"]] != want || r[col["consent"]] != "1" {
				t.Errorf("response %s: dq_attention %q consent %q, want %s and 1", r[col["response_id"]], r[col["dq_attention"]], r[col["consent"]], want)
			}
		}
	})
}

// interopFile reads a file of another format from the importers' test
// files.
func interopFile(name string) string {
	data, err := os.ReadFile(filepath.Join("..", "instrument", "testdata", "interop", name))
	if err != nil {
		panic(err)
	}
	return string(data)
}

// xlsformWith builds an XLSForm workbook of sheets given as rows.
func xlsformWith(sheets map[string][][]any) string {
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range []string{"survey", "choices"} {
		if i == 0 {
			_ = f.SetSheetName("Sheet1", name)
		} else {
			_, _ = f.NewSheet(name)
		}
		for r, row := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			_ = f.SetSheetRow(name, cell, &row)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		panic(err)
	}
	return b.String()
}
