package xlsform_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/instrument/xlsform"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/xuri/excelize/v2"
)

// workbook builds an .xlsx of sheets given as rows of cells.
func workbook(tb testing.TB, sheets map[string][][]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	first := true
	for _, name := range []string{"survey", "choices", "settings"} {
		rows, ok := sheets[name]
		if !ok {
			continue
		}
		if first {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				tb.Fatal(err)
			}
			first = false
		} else if _, err := f.NewSheet(name); err != nil {
			tb.Fatal(err)
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(name, cell, &r); err != nil {
				tb.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func items(in *survey.Instrument) map[string]*survey.Item {
	out := map[string]*survey.Item{}
	for si := range in.Sections {
		for ii := range in.Sections[si].Items {
			out[in.Sections[si].Items[ii].ID] = &in.Sections[si].Items[ii]
		}
	}
	return out
}

var header = []any{"type", "name", "label::English (en)", "hint::English (en)", "label::Français (fr)", "required", "relevant", "constraint", "appearance", "parameters"}

// TestDecode holds the mapping on a form that uses each part of it.
func TestDecode(t *testing.T) {
	data := workbook(t, map[string][][]any{
		"survey": {
			header,
			{"start", "start"},
			{"note", "welcome", "Welcome to the study."},
			{"begin group", "mood", "Your mood", "", "Humeur"},
			{"select_one agree", "m1", "I felt calm", "", "", "yes", "", "", "likert"},
			{"select_one agree", "m2", "I felt tense", "", "", "yes", "", "", "likert"},
			{"select_one yes_no", "smoke", "Do you smoke?", "Any tobacco", "", "true"},
			{"integer", "cigs", "How many a day?", "", "", "", "${smoke} = 'yes'", ". >= 1 and . <= 80"},
			{"select_multiple aids", "aids", "Which aids?", "", "", "", "selected(${smoke}, 'yes')"},
			{"text", "aid_other", "Which other aid?", "", "", "", "selected(${aids}, 'other')"},
			{"end group"},
			{"begin group", "more", "More", "", "", "", "${smoke} != 'yes'"},
			{"text", "why", "Why not?", "", "", "", "", "", "multiline"},
			{"range", "stress", "Stress", "", "", "", "", "", "", "start=0 end=10"},
			{"decimal", "weight", "Weight (kg)"},
			{"geopoint", "where", "Where are you?"},
			{"select_one agree", "m3", "Calm?", "", "", "", "${m1} >= 4 and ${cigs} > 3"},
			{"end group"},
		},
		"choices": {
			{"list_name", "name", "label::English (en)"},
			{"agree", "1", "Disagree"}, {"agree", "2", "Neutral"}, {"agree", "3", "Agree"},
			{"yes_no", "yes", "Yes"}, {"yes_no", "no", "No"},
			{"aids", "patch", "Patch"}, {"aids", "gum", "Gum"}, {"aids", "other", "Other"},
		},
		"settings": {{"form_title", "form_id", "version", "default_language"}, {"Smoking and mood", "smoking_mood", "3", "English (en)"}},
	})
	if !xlsform.Sniff(data) {
		t.Fatal("not recognised as a workbook")
	}
	res, err := xlsform.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	in := res.Instrument
	if in.Key != "smoking-mood" || in.Version != 3 || in.Title != "Smoking and mood" || in.Language != "en" {
		t.Errorf("key, version, title, language = %s %d %q %q", in.Key, in.Version, in.Title, in.Language)
	}
	if len(in.Sections) != 2 || in.Sections[0].Description != "Welcome to the study." || in.Sections[0].Title != "Your mood" {
		t.Fatalf("sections %+v", in.Sections)
	}
	its := items(in)
	if m1, m2 := its["m1"], its["m2"]; m1.Type != survey.Likert || m1.Scale != m2.Scale || !m1.Required || len(in.Scales) != 1 {
		t.Errorf("likert items %+v %+v, scales %+v", m1, m2, in.Scales)
	}
	if s := its["smoke"]; s.Type != survey.SingleChoice || s.Help != "Any tobacco" || !s.Required || s.Options[0] != (survey.Option{Value: 1, Label: "Yes"}) {
		t.Errorf("smoke %+v", s)
	}
	if c := its["cigs"]; c.Type != survey.Integer || *c.Min != 1 || *c.Max != 80 || c.ShowIf == nil || *c.ShowIf.Equals != 1 {
		t.Errorf("cigs %+v", c)
	}
	if c := its["aids"].ShowIf; c == nil || c.Item != "smoke" || *c.Equals != 1 {
		t.Errorf("aids show_if %+v", c)
	}
	if c := its["aid_other"].ShowIf; c == nil || c.Item != "aids" || *c.Equals != 3 {
		t.Errorf("aid_other show_if %+v", c)
	}
	if w := its["why"]; !w.Multiline || w.ShowIf == nil || w.ShowIf.Item != "smoke" || *w.ShowIf.Equals != 2 {
		t.Errorf("why (in a group with a relevant) %+v", w)
	}
	if s := its["stress"]; s.Type != survey.Integer || *s.Min != 0 || *s.Max != 10 {
		t.Errorf("stress %+v", s)
	}
	if its["where"] != nil || its["weight"].Type != survey.Text {
		t.Error("geopoint kept or decimal not text")
	}
	// m3's own relevant cannot hold (m1 is at most 3) and is reported;
	// its group's still applies.
	if c := its["m3"].ShowIf; c == nil || c.Item != "smoke" || len(c.All) != 0 {
		t.Errorf("m3 show_if %+v, want its group's only", c)
	}
	at := map[string]bool{}
	for _, w := range res.Warnings {
		at[w.Path] = true
	}
	for _, p := range []string{`survey row 15 "type"`, `survey row 16 "type"`, `survey row 17 "relevant"`, "survey row 1"} {
		if !at[p] {
			t.Errorf("no warning at %s: %v", p, res.Warnings)
		}
	}
	if _, err := survey.NewForm(in); err != nil {
		t.Fatal(err)
	}
}

// TestRelevant holds the relevant expressions that become a condition,
// and those reported instead.
func TestRelevant(t *testing.T) {
	for _, tc := range []struct {
		expr string
		ref  string
		want []int64
		cond string // the condition as JSON, when it is not a list of values
	}{
		{"${c} = 'b'", "c", []int64{2}, ""},
		{"${c} != 'b'", "c", []int64{1, 3}, ""},
		{"${c} = 'a' or ${c} = 'c'", "c", []int64{1, 3}, ""},
		{"not(${c} = 'a')", "", nil, `{"not":{"item":"c","equals":1}}`},
		{"selected(${c}, 'c')", "c", []int64{3}, ""},
		{"${c} != ''", "c", []int64{1, 2, 3}, ""},
		{"(${n} >= 2 and ${n} <= 3)", "n", []int64{2, 3}, ""},
		{"selected(${m}, 'x') or selected(${m}, 'y')", "m", []int64{1, 2}, ""},
		{"not(selected(${m}, 'x'))", "", nil, `{"not":{"item":"m","equals":1}}`},
		{"${c} = 'a' and ${n} = 1", "", nil, `{"all":[{"item":"c","equals":1},{"item":"n","equals":1}]}`},
		{"${t} != ''", "", nil, `{"item":"t","answered":true}`},
		{"${n} = ''", "", nil, `{"item":"n","answered":false}`},
		{"(${c} = 'a' or ${n} > 3) and not(${t} = '')", "", nil, `{"all":[{"any":[{"item":"c","equals":1},{"item":"n","in":[4,5]}]},{"not":{"item":"t","answered":false}}]}`},
		{"selected(${m}, 'x') and selected(${m}, 'y')", "", nil, `{"all":[{"item":"m","equals":1},{"item":"m","equals":2}]}`},
		{"${c} = 'a' and ${c} = 'b'", "", nil, ""},
		{"${c} = 'z'", "", nil, ""},
		{"${later} = 'a'", "", nil, ""},
		{"count-selected(${m}) > 1", "", nil, ""},
		{"${t} = 'x'", "", nil, ""},
		{"${c} = 'a' ${c}", "", nil, ""},
		{"${c = 'a'", "", nil, ""},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			data := workbook(t, map[string][][]any{
				"survey": {
					{"type", "name", "label", "relevant", "constraint"},
					{"select_one abc", "c", "C"},
					{"integer", "n", "N", "", ". >= 1 and . <= 5"},
					{"select_multiple xy", "m", "M"},
					{"text", "t", "T"},
					{"text", "q", "Q", tc.expr},
					{"select_one abc", "later", "Later"},
				},
				"choices": {{"list name", "name", "label"}, {"abc", "a", "A"}, {"abc", "b", "B"}, {"abc", "c", "C"}, {"xy", "x", "X"}, {"xy", "y", "Y"}},
			})
			res, err := xlsform.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			q := items(res.Instrument)["q"]
			warned := false
			for _, w := range res.Warnings {
				warned = warned || w.Path == `survey row 6 "relevant"`
			}
			if tc.cond != "" {
				got, _ := json.Marshal(q.ShowIf)
				if string(got) != tc.cond || warned {
					t.Errorf("show_if %s, warnings %v; want %s", got, res.Warnings, tc.cond)
				}
				return
			}
			if tc.want == nil {
				if q.ShowIf != nil || !warned {
					t.Errorf("show_if %+v, warnings %v; want none and a warning", q.ShowIf, res.Warnings)
				}
				return
			}
			if q.ShowIf == nil || warned {
				t.Fatalf("show_if %+v, warnings %v", q.ShowIf, res.Warnings)
			}
			got := interop.SortedValues(q.ShowIf)
			if q.ShowIf.Item != tc.ref || len(got) != len(tc.want) {
				t.Fatalf("show_if %s %v, want %s %v", q.ShowIf.Item, got, tc.ref, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("show_if %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestRealWorld reads XLSForms written by others (testdata/interop,
// SOURCES.md): each becomes a valid instrument whose form builds, and
// goes out and back in unchanged.
func TestRealWorld(t *testing.T) {
	for name, want := range map[string]struct {
		items int
		warn  string
	}{
		"xlsform-group.xlsx":              {2, `survey row 4 "type"`}, // phone number
		"xlsform-yes_or_no_question.xlsx": {1, `survey row 2 "type"`}, // names are words: numbered
		"xlsform-text_and_integer.xlsx":   {2, ""},
		"xlsform-case_insensitivity.xlsx": {1, `SURVEY row 3 "type"`}, // external choices
		"xlsform-or_other.xlsx":           {2, `survey row 2 "type"`}, // or_other
	} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "testdata", "interop", name))
			if err != nil {
				t.Fatal(err)
			}
			if !xlsform.Sniff(data) {
				t.Fatal("not recognised")
			}
			res, err := xlsform.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(items(res.Instrument)); n != want.items {
				t.Errorf("%d items, want %d", n, want.items)
			}
			if _, err := survey.NewForm(res.Instrument); err != nil {
				t.Fatal(err)
			}
			found := want.warn == ""
			for _, w := range res.Warnings {
				found = found || w.Path == want.warn
			}
			if !found {
				t.Errorf("no warning at %s: %v", want.warn, res.Warnings)
			}
			out, err := xlsform.Encode(res.Instrument)
			if err != nil {
				t.Fatal(err)
			}
			back, err := xlsform.Decode(out)
			if err != nil {
				t.Fatalf("exported again, it does not read back: %v", err)
			}
			for _, d := range interop.Diff(res.Instrument, back.Instrument) {
				t.Error(d)
			}
		})
	}
}

// TestDecodeErrors: what cannot become an instrument is refused with
// each problem at its sheet, row and column; what is not a workbook is
// malformed.
func TestDecodeErrors(t *testing.T) {
	bad := workbook(t, map[string][][]any{
		"survey": {
			{"type", "name", "label"},
			{"select_one nope", "a", "A"},
			{"text", "", "No name"},
			{"text", "b", "B"},
			{"text", "b", "B again"},
			{"end group"},
			{"begin group", "g", "G"},
		},
		"choices": {{"list_name", "name", "label"}, {"", "x", "X"}},
	})
	invalid := workbook(t, map[string][][]any{
		"survey":  {{"type", "name", "label"}, {"select_one l", "a", "A"}},
		"choices": {{"list_name", "name", "label"}, {"l", "1", "One"}, {"l", "1", "Uno"}},
	})
	noSurvey := workbook(t, map[string][][]any{"choices": {{"list_name", "name", "label"}}})
	for _, tc := range []struct {
		name  string
		data  []byte
		code  string
		paths []string
	}{
		{"problems", bad, survey.EInvalid, []string{`survey row 2 "type"`, `survey row 3 "name"`, `survey row 5 "name"`, `survey row 6 "type"`, `survey row 7 "type"`, "choices row 2"}},
		{"invalid after mapping", invalid, survey.EInvalid, []string{"survey row 2"}},
		{"no survey sheet", noSurvey, survey.EMalformed, []string{""}},
		{"not a workbook", []byte("PK\x03\x04 xl/workbook.xml but no zip"), survey.EMalformed, []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := xlsform.Decode(tc.data)
			if err == nil {
				t.Fatalf("took it: %+v", res.Instrument)
			}
			se, ok := err.(*survey.Error)
			if !ok || se.Code != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
			at := map[string]bool{}
			for _, d := range se.Details {
				at[d.Path] = true
			}
			for _, p := range tc.paths {
				if !at[p] {
					t.Errorf("no problem at %q: %v", p, se.Details)
				}
			}
			if strings.Contains(err.Error(), "panic") {
				t.Error(err)
			}
		})
	}
}

// TestRoundTripShipped holds the export: every shipped instrument
// written as an XLSForm and read back is the same questionnaire
// (interop.Diff), with its key, version and title, and nothing to
// report.
func TestRoundTripShipped(t *testing.T) {
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil || len(files) == 0 {
		t.Fatalf("shipped instruments: %v (%d)", err, len(files))
	}
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			data, err := xlsform.Encode(f.Instrument)
			if err != nil {
				t.Fatal(err)
			}
			if !xlsform.Sniff(data) {
				t.Error("not recognised as a workbook")
			}
			res, err := xlsform.Decode(data)
			if err != nil {
				t.Fatalf("the export does not read back: %v", err)
			}
			for _, d := range interop.Diff(f.Instrument, res.Instrument) {
				t.Error(d)
			}
			// The randomised order, attention checks and the consent's
			// decline travel in Dyad's own extensions (columns) too.
			for _, d := range interop.DiffDesign(f.Instrument, res.Instrument) {
				t.Error(d)
			}
			in := res.Instrument
			if in.Key != f.Instrument.Key || in.Version != f.Instrument.Version || in.Title != f.Instrument.Title {
				t.Errorf("key, version, title = %s %d %q", in.Key, in.Version, in.Title)
			}
			scales, _ := json.Marshal(in.Scales)
			want, _ := json.Marshal(f.Instrument.Scales)
			if string(scales) != string(want) {
				t.Errorf("scales %s, want %s", scales, want)
			}
			if len(res.Warnings) != 0 {
				t.Errorf("warnings: %v", res.Warnings)
			}
			// The translations come back from their label and hint
			// columns: every text a sheet has (XLSForm has no place for
			// the welcome texts, and one title).
			if got, want := in.AllLanguages(), f.Instrument.AllLanguages(); !slices.Equal(got, want) {
				t.Errorf("languages %v, want %v", got, want)
			}
			for l, tr := range f.Instrument.Translations {
				for id, text := range tr {
					if id == "title" || id == "introduction" || id == "consent" {
						continue
					}
					if got := in.Translations[l][id]; got != text {
						t.Errorf("%s %s: %q, want %q", l, id, got, text)
					}
				}
			}
		})
	}
}
