package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// germanTexts is a complete translation of the test instrument: each text
// marked "[de] " (what the text says matters not here, only that each is
// taken whole and put where it belongs).
func germanTexts(tb testing.TB) (survey.Translation, []survey.SourceText) {
	tb.Helper()
	in, err := instrument.Parse([]byte(testInstrumentJSON), instrument.JSON)
	if err != nil {
		tb.Fatal(err)
	}
	tr := survey.Translation{}
	src := in.SourceTexts()
	for _, s := range src {
		tr[s.ID] = "[de] " + s.Text
	}
	return tr, src
}

// germanTable is the filled translator's table of the test instrument,
// changed by edit (row by row; a nil row is dropped).
func germanTable(tb testing.TB, edit func(row []string) []string) string {
	tb.Helper()
	tr, src := germanTexts(tb)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"id", "source", "target"})
	for _, s := range src {
		row := []string{s.ID, s.Text, tr[s.ID]}
		if edit != nil {
			row = edit(row)
		}
		if row != nil {
			w.Write(row)
		}
	}
	w.Flush()
	return buf.String()
}

func germanFile(tb testing.TB, edit func(m map[string]any)) string {
	tb.Helper()
	tr, _ := germanTexts(tb)
	texts := map[string]any{}
	for k, v := range tr {
		texts[k] = v
	}
	m := map[string]any{"key": "wellbeing-test", "language": "de", "texts": texts}
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestTranslationAPI(t *testing.T) {
	t.Parallel()
	const (
		v1 = "/api/v1/instruments/wellbeing-test/versions/1/translations/de"
		v2 = "/api/v1/instruments/wellbeing-test/versions/2/translations/de"
	)
	table := germanTable(t, nil)
	put := func(name, url, body, ct string, status int, code string, paths ...string) scenario {
		return scenario{name: name, method: "PUT", url: url, body: body, contentType: ct, authorization: bearer,
			wantStatus: status, wantCode: code, wantPaths: paths}
	}
	languages := func(want ...string) func(tb testing.TB, e *testEnv, _ vars, _ []byte) {
		return func(tb testing.TB, e *testEnv, _ vars, _ []byte) {
			def := getDefinition(tb, e, "wellbeing-test", 1)
			got, _ := json.Marshal(def["languages"])
			w, _ := json.Marshal(want)
			if string(got) != string(w) {
				tb.Errorf("languages %s, want %s", got, w)
			}
		}
	}
	runScenarios(t, fixture, []scenario{
		// Success: a published version gains a language, from the table,
		// a JSON or a YAML translation file; a draft too.
		{name: "table to a published version", method: "PUT", url: v1, body: table, contentType: "text/csv; charset=utf-8",
			authorization: bearer, wantStatus: 200, changes: true,
			wantContent: []string{`"language":"de"`, `"languages":["en","de"]`, `"missing":[]`, `"extra":[]`, `"stale":[]`},
			after: func(tb testing.TB, e *testEnv, v vars, body []byte) {
				languages("en", "de")(tb, e, v, body)
				def := getDefinition(tb, e, "wellbeing-test", 1)
				tr := def["translations"].(map[string]any)["de"].(map[string]any)
				if tr["items.q_like.text"] == nil || !strings.HasPrefix(tr["items.q_like.text"].(string), "[de] ") {
					tb.Errorf("stored translation %v", tr)
				}
				if def["title"] != "Wellbeing test" {
					tb.Errorf("the default language's title changed: %v", def["title"])
				}
			}},
		{name: "JSON file to a published version", method: "PUT", url: v1, body: germanFile(t, nil), contentType: ctJSON,
			authorization: bearer, wantStatus: 200, changes: true, after: languages("en", "de")},
		{name: "YAML file to a draft", method: "PUT", url: v2, body: yamlTranslation(t), contentType: ctYAML,
			authorization: bearer, wantStatus: 200, changes: true, wantContent: []string{`"version":2`, `"languages":["en","de"]`}},
		// The table's report: each bad row named, nothing stored.
		put("table missing a row", v1, germanTable(t, func(r []string) []string {
			if r[0] == "items.q_note.text" {
				return nil
			}
			return r
		}), "text/csv", 422, survey.EInvalid, "items.q_note.text"),
		put("table with an empty target", v1, germanTable(t, func(r []string) []string {
			if r[0] == "title" {
				r[2] = " "
			}
			return r
		}), "text/csv", 422, survey.EInvalid, "title"),
		put("table with an extra and a stale row", v1, germanTable(t, func(r []string) []string {
			if r[0] == "title" {
				r[0] = "items.q_gone.text"
			}
			if r[0] == "sections.main.title" {
				r[1] = "Mainly"
			}
			return r
		}), "text/csv", 422, survey.EInvalid, "rows[1].id", "rows[8].source", "title"),
		put("table without a target column", v1, "id,source\ntitle,Wellbeing test\n", "text/csv", 400, survey.EMalformed, "rows[0]"),
		put("table that is not CSV", v1, "id,source,target\n\"title,x\n", "text/csv", 400, survey.EMalformed, "rows[1]"),
		// Translation files that do not fit.
		put("file missing a text", v1, germanFile(t, func(m map[string]any) { delete(m["texts"].(map[string]any), "items.q_use.options.0") }),
			ctJSON, 422, survey.EInvalid, "translations.de.items.q_use.options.0"),
		put("file with a text the instrument lacks", v1, germanFile(t, func(m map[string]any) { m["texts"].(map[string]any)["items.q_use.help"] = "Hilfe" }),
			ctJSON, 422, survey.EInvalid, "translations.de.items.q_use.help"),
		put("file of another language", v1, germanFile(t, func(m map[string]any) { m["language"] = "fr" }), ctJSON, 422, survey.EInvalid, "language"),
		put("file of another instrument", v1, germanFile(t, func(m map[string]any) { m["key"] = "phq-2"; m["version"] = 7 }), ctJSON, 422, survey.EInvalid, "key", "version"),
		put("file with a text that is not a string", v1, germanFile(t, func(m map[string]any) { m["texts"].(map[string]any)["title"] = 3 }), ctJSON, 422, survey.EInvalid, "texts.title"),
		put("file with an unknown field", v1, germanFile(t, func(m map[string]any) { m["source"] = "en" }), ctJSON, 422, survey.EInvalid, "source"),
		put("file that is not JSON", v1, `{"texts":`, ctJSON, 400, survey.EMalformed, ""),
		put("the instrument's own language", "/api/v1/instruments/wellbeing-test/versions/1/translations/en", table, "text/csv", 422, survey.EInvalid, "lang"),
		put("a language that is not a tag", "/api/v1/instruments/wellbeing-test/versions/1/translations/deutsch", table, "text/csv", 422, survey.EInvalid, "lang"),
		put("a body of another type", v1, table, "text/plain", 415, survey.EUnsupported),
		put("unknown version", "/api/v1/instruments/wellbeing-test/versions/9/translations/de", table, "text/csv", 404, survey.ENotFound),
		put("unknown instrument", "/api/v1/instruments/nosuch/versions/1/translations/de", table, "text/csv", 404, survey.ENotFound),
		{name: "PUT without a token", method: "PUT", url: v1, body: table, contentType: "text/csv", wantStatus: 401, wantCode: survey.EUnauthorized},
		// The public form in a language of the instrument.
		{name: "public form in German", method: "GET", url: "/api/v1/public/surveys/{open}?lang=de", wantStatus: 200,
			setup: func(tb testing.TB, e *testEnv, _ vars) {
				e.mustDo(tb, request{Method: "PUT", URL: v1, Body: table, ContentType: "text/csv", Authorization: bearer}, http.StatusOK)
			},
			wantContent: []string{`"title":"[de] Wellbeing test"`, `"language":"de"`, `"languages":["en","de"]`, `"text":"[de] `, `"label":"[de] Agree"`},
			notContent:  []string{`"label":"Agree"`}},
		{name: "public form in its own language", method: "GET", url: "/api/v1/public/surveys/{open}?lang=en", wantStatus: 200,
			setup: func(tb testing.TB, e *testEnv, _ vars) {
				e.mustDo(tb, request{Method: "PUT", URL: v1, Body: table, ContentType: "text/csv", Authorization: bearer}, http.StatusOK)
			},
			wantContent: []string{`"title":"Wellbeing test"`, `"language":"en"`, `"languages":["en","de"]`}, notContent: []string{"[de] "}},
		{name: "public form in a language it lacks", method: "GET", url: "/api/v1/public/surveys/{open}?lang=fr",
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"lang"}},
		// The table's errors (its success is text/csv: TestTranslationAPI_RoundTrip).
		{name: "table of the own language", method: "GET", url: "/api/v1/instruments/wellbeing-test/versions/1/translations/en",
			authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"lang"}},
		{name: "table of an unknown version", method: "GET", url: "/api/v1/instruments/wellbeing-test/versions/9/translations/de",
			authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound},
		{name: "table without a token", method: "GET", url: v1, wantStatus: 401, wantCode: survey.EUnauthorized},
	})
}

func yamlTranslation(tb testing.TB) string {
	tr, _ := germanTexts(tb)
	var b strings.Builder
	b.WriteString("key: wellbeing-test\nversion: 2\nlanguage: de\ntexts:\n")
	for k, v := range tr {
		q, _ := json.Marshal(v)
		b.WriteString("  " + k + ": " + string(q) + "\n")
	}
	return b.String()
}

// TestTranslationAPI_RoundTrip: the table downloaded, filled as a
// translator would, uploaded, and downloaded again with its targets; the
// German then reaches the respondents' form of a survey of the version.
func TestTranslationAPI_RoundTrip(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		fixture(t, e)
		const url = "/api/v1/instruments/wellbeing-test/versions/1/translations/de"
		status, hdr, body := e.do(t, request{Method: "GET", URL: url, Authorization: bearer})
		if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") ||
			hdr.Get("Content-Disposition") != `attachment; filename="wellbeing-test-v1.de.csv"` {
			t.Fatalf("GET table: %d %v %s", status, hdr, body)
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var filled bytes.Buffer
		w := csv.NewWriter(&filled)
		w.Comma = ';' // as a German spreadsheet saves it
		for i, r := range rows {
			if i > 0 {
				if r[2] != "" {
					t.Errorf("row %s has a target before translation: %q", r[0], r[2])
				}
				r[2] = "Übersetzt: " + r[1]
			}
			w.Write(r)
		}
		w.Flush()
		e.mustDo(t, request{Method: "PUT", URL: url, Body: "\ufeff" + filled.String(), ContentType: "text/csv", Authorization: bearer}, http.StatusOK)
		_, _, again := e.do(t, request{Method: "GET", URL: url, Authorization: bearer})
		rows2, _ := csv.NewReader(bytes.NewReader(again)).ReadAll()
		if len(rows2) != len(rows) {
			t.Fatalf("%d rows, then %d", len(rows), len(rows2))
		}
		for _, r := range rows2[1:] {
			if r[2] != "Übersetzt: "+r[1] {
				t.Errorf("row %s: target %q", r[0], r[2])
			}
		}
	})
}

// TestTranslationAPI_ExportLanguage: the codebook, the CSV's labels and
// the R, SPSS and Stata syntax files in a language of the instrument
// (lang=), named for it, the codes and variable names unchanged; a
// language the instrument lacks is refused by name.
func TestTranslationAPI_ExportLanguage(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		data := enginetest.Open(t, engine)
		e := serveEnv(t, data, nil, func(c *config) { c.API.Responses = data.Store })
		v := fixture(t, e)
		e.mustDo(t, request{Method: "PUT", URL: "/api/v1/instruments/wellbeing-test/versions/1/translations/de",
			Body: germanTable(t, nil), ContentType: "text/csv", Authorization: bearer}, http.StatusOK)
		tr, _ := germanTexts(t)
		for _, file := range []string{"codebook.csv", "export.R", "export.sps", "export.do", "export.csv?values=labels&lang=de"} {
			url := "/api/v1/surveys/" + v["open"] + "/" + file
			if !strings.Contains(file, "?") {
				url += "?lang=de"
			}
			status, hdr, body := e.do(t, request{Method: "GET", URL: url, Authorization: bearer})
			if status != http.StatusOK {
				t.Fatalf("%s: %d %s", file, status, body)
			}
			if cd := hdr.Get("Content-Disposition"); !strings.Contains(cd, "_de") {
				t.Errorf("%s: file name %s does not say the language", file, cd)
			}
			want := []string{tr["scales.agree.options.5"], tr["items.q_like.text"]}
			if strings.HasPrefix(file, "export.csv") {
				want = []string{tr["scales.agree.options.4"]} // the answer's label
			}
			for _, w := range want {
				// Syntax files quote and may escape; the texts have no
				// quotes, so they appear as they are.
				if !strings.Contains(string(body), w) {
					t.Errorf("%s lacks the German %q:\n%.600s", file, w, body)
				}
			}
			if strings.Contains(string(body), `"Somewhat agree"`) || strings.Contains(string(body), "'Somewhat agree'") {
				t.Errorf("%s has an English label", file)
			}
			_, hdr, en := e.do(t, request{Method: "GET", URL: strings.ReplaceAll(url, "lang=de", "lang=en"), Authorization: bearer})
			if strings.Contains(string(en), "[de] ") || strings.Contains(hdr.Get("Content-Disposition"), "_en") {
				t.Errorf("%s in English has German labels or an _en name", file)
			}
		}
		// Statistics by language: the instrument's languages, then the
		// responses sent through the API, which record none.
		body := e.mustDo(t, request{Method: "GET", URL: "/api/v1/surveys/" + v["open"] + "/stats?by=language", Authorization: bearer}, http.StatusOK)
		var st struct {
			By     struct{ ID string }
			Groups []struct {
				Language, Label string
				Responses       struct{ N int }
			}
		}
		mustUnmarshal(t, body, &st)
		var groups []string
		for _, g := range st.Groups {
			groups = append(groups, g.Language+"/"+g.Label+"/"+strconv.Itoa(g.Responses.N))
		}
		if st.By.ID != "language" || strings.Join(groups, " ") != "en/en/0 de/de/0 /Language not recorded/1" {
			t.Errorf("stats by language: by %q, groups %v", st.By.ID, groups)
		}
		status, _, body := e.do(t, request{Method: "GET", URL: "/api/v1/surveys/" + v["open"] + "/codebook.csv?lang=fr", Authorization: bearer})
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"path":"lang"`) || !strings.Contains(string(body), "en, de") {
			t.Errorf("lang=fr: %d %s", status, body)
		}
	})
}
