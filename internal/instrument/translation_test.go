package instrument_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

func phq2(tb testing.TB) *survey.Instrument {
	tb.Helper()
	in, err := instrument.Parse([]byte(fixtures.Instrument("phq-2.yaml")), instrument.YAML)
	if err != nil {
		tb.Fatal(err)
	}
	return in
}

// TestTable_RoundTripRealFile takes the table through a translator's
// hands: written by WriteTable, filled in a spreadsheet and saved the way
// a German-locale spreadsheet saves CSV (testdata/translation/phq-2.de.csv:
// a byte-order mark, semicolons, CRLF line ends, quoted cells), read back
// by ReadTable and stored as the instrument's German; the table written
// again then has the German as its targets, row for row.
func TestTable_RoundTripRealFile(t *testing.T) {
	in := phq2(t)
	var blank bytes.Buffer
	if err := instrument.WriteTable(&blank, in, "de"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&blank).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"id", "source", "target"}) || len(rows) != len(in.SourceTexts())+1 {
		t.Fatalf("blank table: header %v, %d rows for %d texts", rows[0], len(rows)-1, len(in.SourceTexts()))
	}
	for _, r := range rows[1:] {
		if r[2] != "" {
			t.Errorf("row %s has a target in a blank table: %q", r[0], r[2])
		}
	}
	filled, err := os.ReadFile("testdata/translation/phq-2.de.csv")
	if err != nil {
		t.Fatal(err)
	}
	tr, rep, err := instrument.ReadTable(bytes.NewReader(filled), in)
	if err != nil {
		t.Fatalf("the filled table: %v (%+v)", err, rep)
	}
	if rep.Translated != len(rows)-1 || len(rep.Missing)+len(rep.Extra)+len(rep.Stale) != 0 {
		t.Errorf("report %+v", rep)
	}
	de, err := in.WithTranslation("de", tr)
	if err != nil {
		t.Fatal(err)
	}
	form, err := survey.NewForm(de)
	if err != nil {
		t.Fatal(err)
	}
	if got := form.In("de").Item("phq_2").Text; got != "Niedergeschlagenheit, Schwermut oder Hoffnungslosigkeit" {
		t.Errorf("phq_2 in German: %q", got)
	}
	if got := form.In("de").Options("phq_1")[2].Label; got != "An mehr als der Hälfte der Tage" {
		t.Errorf("option 2 in German: %q", got)
	}
	var again bytes.Buffer
	if err := instrument.WriteTable(&again, de, "de"); err != nil {
		t.Fatal(err)
	}
	rows2, _ := csv.NewReader(bytes.NewReader(again.Bytes())).ReadAll()
	for i, r := range rows2[1:] {
		if r[0] != rows[i+1][0] || r[2] != tr[r[0]] || r[2] == "" {
			t.Errorf("row %d of the table written again: %v", i+1, r)
		}
	}
	// The table written again reads back to the same translation.
	tr2, _, err := instrument.ReadTable(bytes.NewReader(again.Bytes()), de)
	if err != nil || len(tr2) != len(tr) {
		t.Errorf("second round: %d texts, %v", len(tr2), err)
	}
}

func TestTable_Report(t *testing.T) {
	in := phq2(t)
	filled, err := os.ReadFile("testdata/translation/phq-2.de.csv")
	if err != nil {
		t.Fatal(err)
	}
	text := string(filled)
	for _, tc := range []struct {
		name                  string
		edit                  func(string) string
		missing, extra, stale []string
		paths                 []string
		wantCode              string
	}{
		{"MissingRow", func(s string) string { return cutLine(s, "items.age.text") }, []string{"items.age.text"}, nil, nil,
			[]string{"items.age.text"}, survey.EInvalid},
		{"EmptyTarget", func(s string) string { return strings.Replace(s, ";Geschlecht", ";", 1) }, []string{"items.sex.text"}, nil, nil,
			[]string{"items.sex.text"}, survey.EInvalid},
		{"ExtraRow", func(s string) string { return s + "items.q9.text;Gone;Weg\r\n" }, nil, []string{"items.q9.text"}, nil,
			[]string{"rows[17].id"}, survey.EInvalid},
		{"StaleRow", func(s string) string { return strings.Replace(s, ";Your age;", ";Age in years;", 1) }, nil, nil, []string{"items.age.text"},
			[]string{"rows[13].source"}, survey.EInvalid},
		{"AllAtOnce", func(s string) string {
			s = cutLine(s, "title")
			s = strings.Replace(s, ";Sleep;", ";Sleeping;", 1)
			return s + "sections.gone.title;Gone;Weg\r\n"
		}, []string{"title"}, []string{"sections.gone.title"}, []string{"items.aids.options.1"},
			[]string{"rows[9].source", "rows[16].id", "title"}, survey.EInvalid},
		{"NoTargetColumn", func(s string) string { return strings.Replace(s, "id;source;target", "id;source;translation", 1) }, nil, nil, nil,
			[]string{"rows[0]"}, survey.EMalformed},
		{"Empty", func(string) string { return "" }, nil, nil, nil, []string{""}, survey.EMalformed},
		{"BrokenQuote", func(s string) string { return s + "\"items.x;y\r\n" }, nil, nil, nil, nil, survey.EMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, rep, err := instrument.ReadTable(strings.NewReader(tc.edit(text)), in)
			if survey.ErrorCode(err) != tc.wantCode || tr != nil {
				t.Fatalf("got %v (%d texts), want %s and nothing taken", err, len(tr), tc.wantCode)
			}
			if rep != nil {
				if !slices.Equal(rep.Missing, orEmpty(tc.missing)) || !slices.Equal(rep.Extra, orEmpty(tc.extra)) || !slices.Equal(rep.Stale, orEmpty(tc.stale)) {
					t.Errorf("report %+v", rep)
				}
			}
			if tc.paths != nil {
				var got []string
				for _, d := range err.(*survey.Error).Details {
					got = append(got, d.Path)
				}
				if !slices.Equal(got, tc.paths) {
					t.Errorf("paths %q, want %q", got, tc.paths)
				}
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// cutLine removes the table's line of the text id.
func cutLine(s, id string) string {
	var out []string
	for _, l := range strings.SplitAfter(s, "\r\n") {
		if !strings.HasPrefix(strings.TrimPrefix(l, "\ufeff"), id+";") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// TestLoadFS_TranslationFiles: a translation file next to an instrument
// is read with it, not as an instrument of its own; one that does not fit
// the instrument fails the load, naming the file and the text.
func TestLoadFS_TranslationFiles(t *testing.T) {
	src := fixtures.Instrument("phq-2.yaml")
	in := phq2(t)
	tr, _, err := instrument.ReadTable(mustOpen(t, "testdata/translation/phq-2.de.csv"), in)
	if err != nil {
		t.Fatal(err)
	}
	var file strings.Builder
	file.WriteString("key: phq-2\nversion: 1\nlanguage: de\ntexts:\n")
	for _, s := range in.SourceTexts() {
		file.WriteString("  " + s.ID + ": \"" + tr[s.ID] + "\"\n")
	}
	fsys := fstest.MapFS{
		"phq-2.yaml":    {Data: []byte(src)},
		"phq-2.de.yaml": {Data: []byte(file.String())},
		"README.md":     {Data: []byte("not an instrument")},
	}
	files, err := instrument.LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Name != "phq-2.yaml" {
		t.Fatalf("files %+v", files)
	}
	got := files[0].Instrument
	if !slices.Equal(got.AllLanguages(), []string{"en", "de"}) || got.Translations["de"]["items.sex.options.2"] != "Männlich" {
		t.Errorf("languages %v, translation %v", got.AllLanguages(), got.Translations["de"])
	}

	for name, edit := range map[string]func(string) string{
		"items.age.text": func(s string) string { return cutYAMLLine(s, "items.age.text") },
		"language":       func(s string) string { return strings.Replace(s, "language: de", "language: fr", 1) },
		"version":        func(s string) string { return strings.Replace(s, "version: 1", "version: 2", 1) },
		"texts.items.sex.text": func(s string) string {
			return strings.Replace(s, "items.sex.text: \"Geschlecht\"", "items.sex.text: 3", 1)
		},
	} {
		fsys["phq-2.de.yaml"] = &fstest.MapFile{Data: []byte(edit(file.String()))}
		_, err := instrument.LoadFS(fsys)
		if err == nil || !strings.Contains(err.Error(), "phq-2.de.yaml") {
			t.Errorf("%s: %v, want an error naming the file", name, err)
			continue
		}
		if se, ok := asSurveyError(err); !ok || !slices.ContainsFunc(se.Details, func(d survey.Detail) bool { return strings.HasSuffix(d.Path, name) }) {
			t.Errorf("%s: no detail at that path in %v", name, err)
		}
	}
}

func cutYAMLLine(s, id string) string {
	var out []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), id+":") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

func TestTranslationName(t *testing.T) {
	for name, want := range map[string]string{
		"phq-2.de.yaml": "phq-2 de", "x.pt-BR.json": "x pt-BR", "a.b.fr.yml": "a.b fr",
		"phq-2.yaml": "", "x.v2.yaml": "", "x.de.csv": "", ".de.yaml": "", "x.deutsch.yaml": "",
	} {
		stem, lang, ok := instrument.TranslationName(name)
		got := ""
		if ok {
			got = stem + " " + lang
		}
		if got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

func mustOpen(tb testing.TB, name string) *os.File {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func asSurveyError(err error) (*survey.Error, bool) {
	var se *survey.Error
	ok := errors.As(err, &se)
	return se, ok
}

// FuzzReadTable feeds arbitrary tables to ReadTable: it never panics,
// every refusal is a *survey.Error with details, a report always comes
// with EInvalid, and a table it takes makes a translation the instrument
// accepts (WithTranslation), with the report's count.
func FuzzReadTable(f *testing.F) {
	in := phq2(f)
	filled, err := os.ReadFile("testdata/translation/phq-2.de.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(filled)
	f.Add([]byte("id,source,target\ntitle,Patient Health Questionnaire-2,PHQ\n"))
	f.Add([]byte("id\tsource\ttarget\r\nitems.sex.text\tSex\tGeschlecht\r\n"))
	f.Add([]byte("target;id;source\n\"a\"\"b\";title;\"x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, rep, err := instrument.ReadTable(bytes.NewReader(data), in)
		if err != nil {
			se, ok := asSurveyError(err)
			if !ok || len(se.Details) == 0 {
				t.Fatalf("refusal %T without details: %v", err, err)
			}
			if rep != nil && se.Code != survey.EInvalid {
				t.Fatalf("a report with %s", se.Code)
			}
			if tr != nil {
				t.Fatal("a refused table gave a translation")
			}
			return
		}
		if rep.Translated != len(tr) || len(rep.Missing)+len(rep.Extra)+len(rep.Stale) != 0 {
			t.Fatalf("report %+v for %d texts", rep, len(tr))
		}
		if _, err := in.WithTranslation("de", tr); err != nil {
			// A target may break a text rule (a control character, a
			// length): the instrument refuses it, by path.
			if se, ok := asSurveyError(err); !ok || se.Code != survey.EInvalid || len(se.Details) == 0 {
				t.Fatalf("taken table refused without details: %v", err)
			}
		}
	})
}
