package limesurvey_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument/limesurvey"
	"github.com/dyad-survey/dyad/internal/survey"
)

func items(in *survey.Instrument) []*survey.Item {
	var out []*survey.Item
	for si := range in.Sections {
		for ii := range in.Sections[si].Items {
			out = append(out, &in.Sections[si].Items[ii])
		}
	}
	return out
}

// TestRealWorld reads survey structures written by others
// (testdata/interop, SOURCES.md), in the layouts of LimeSurvey 2 and of
// LimeSurvey 4: each becomes a valid instrument whose form builds.
func TestRealWorld(t *testing.T) {
	for name, want := range map[string]int{"limesurvey-demo.lss": 3, "limesurvey-cascading-array-filter.lss": 14, "limesurvey-em-validation.lss": 27} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "testdata", "interop", name))
			if err != nil {
				t.Fatal(err)
			}
			if !limesurvey.Sniff(data) {
				t.Fatal("not recognised")
			}
			res, err := limesurvey.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := survey.NewForm(res.Instrument); err != nil {
				t.Fatal(err)
			}
			if n := len(items(res.Instrument)); n != want {
				t.Errorf("%d items, want %d", n, want)
			}
		})
	}
}

// TestCascadingArrayFilter checks what the real cascading-array-filter
// survey's relevance became.
func TestCascadingArrayFilter(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "interop", "limesurvey-cascading-array-filter.lss"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := limesurvey.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*survey.Item{}
	for _, it := range items(res.Instrument) {
		byID[it.ID] = it
	}
	// Q01_NA == "Y": the option "none" of the multiple choice Q01.
	if c := byID["q03"].ShowIf; c == nil || c.Item != "q01" || c.Equals == nil || *c.Equals != 11 {
		t.Errorf("q03 show_if %+v, want q01 = 11 (NA)", c)
	}
	// !is_empty(Q04): answered.
	if c := byID["q04a"].ShowIf; c == nil || c.Item != "q04" || len(c.In) != 11 {
		t.Errorf("q04a show_if %+v, want any answer to q04", c)
	}
	if it := byID["q06_6"]; it.Type != survey.Likert || it.Text != "Other" || it.Scale != byID["q06_1"].Scale {
		t.Errorf("array row %+v", it)
	}
	warned := map[string]bool{}
	for _, w := range res.Warnings {
		warned[w.Path] = true
	}
	for _, p := range []string{`question "Q02" relevance`, `question "Q04" relevance`, `question "Q01"`} {
		if !warned[p] {
			t.Errorf("no warning at %s: %v", p, res.Warnings)
		}
	}
}

// lss builds a small survey structure in the layout of LimeSurvey 4 and
// later (texts in *_l10ns tables).
func lss(questions, answers, extra string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<document>
 <LimeSurveyDocType>Survey</LimeSurveyDocType>
 <DBVersion>600</DBVersion>
 <languages><language>de</language><language>en</language></languages>
 <surveys><rows><row><sid>123</sid><language>de</language></row></rows></surveys>
 <surveys_languagesettings><rows>
  <row><surveyls_language>en</surveyls_language><surveyls_title>Health check</surveyls_title></row>
  <row><surveyls_language>de</surveyls_language><surveyls_title>Gesundheit</surveyls_title><surveyls_welcometext><![CDATA[<p>Willkommen</p>]]></surveyls_welcometext></row>
 </rows></surveys_languagesettings>
 <groups><rows>
  <row><gid>1</gid><group_order>1</group_order><grelevance>1</grelevance></row>
  <row><gid>2</gid><group_order>2</group_order><grelevance><![CDATA[smoke == "Y"]]></grelevance></row>
 </rows></groups>
 <group_l10ns><rows>
  <row><gid>1</gid><group_name>Allgemein</group_name><language>de</language></row>
  <row><gid>1</gid><group_name>General</group_name><language>en</language></row>
  <row><gid>2</gid><group_name>Rauchen</group_name><language>de</language></row>
 </rows></group_l10ns>
 <questions><rows>` + questions + `</rows></questions>
 <answers><rows>` + answers + `</rows></answers>
 ` + extra + `
</document>`)
}

func q(qid, parent, gid, typ, code, mandatory, order, relevance string) string {
	return `<row><qid>` + qid + `</qid><parent_qid>` + parent + `</parent_qid><gid>` + gid + `</gid><type>` + typ +
		`</type><title>` + code + `</title><mandatory>` + mandatory + `</mandatory><question_order>` + order +
		`</question_order><scale_id>0</scale_id><relevance><![CDATA[` + relevance + `]]></relevance></row>`
}

// TestDecode holds the mapping on a survey of the newer layout with two
// languages, group relevance, arrays on one answer set and conditions.
func TestDecode(t *testing.T) {
	questions := q("1", "0", "1", "Y", "smoke", "Y", "1", "1") +
		q("2", "0", "1", "L", "often", "N", "2", `smoke == "Y"`) +
		q("3", "0", "1", "F", "mood", "N", "3", "1") +
		q("4", "3", "1", "T", "calm", "N", "1", "") +
		q("5", "3", "1", "T", "tense", "N", "2", "") +
		q("6", "0", "1", "M", "aids", "N", "4", "often >= 2") +
		q("7", "6", "1", "T", "patch", "N", "1", "") +
		q("8", "6", "1", "T", "gum", "N", "2", "") +
		q("9", "0", "2", "S", "which", "N", "1", `aids_gum == "Y"`) +
		q("10", "0", "2", "N", "cigs", "Y", "2", "1") +
		q("11", "0", "2", "R", "rank", "N", "3", "1")
	answers := `<row><aid>1</aid><qid>2</qid><code>1</code><sortorder>1</sortorder><scale_id>0</scale_id></row>
	<row><aid>2</aid><qid>2</qid><code>2</code><sortorder>2</sortorder><scale_id>0</scale_id></row>
	<row><aid>3</aid><qid>2</qid><code>3</code><sortorder>3</sortorder><scale_id>0</scale_id></row>
	<row><aid>4</aid><qid>3</qid><code>A1</code><sortorder>1</sortorder><scale_id>0</scale_id></row>
	<row><aid>5</aid><qid>3</qid><code>A2</code><sortorder>2</sortorder><scale_id>0</scale_id></row>`
	l10n := `<question_l10ns><rows>
	<row><qid>1</qid><question>Rauchen Sie?</question><language>de</language></row>
	<row><qid>1</qid><question>Do you smoke?</question><language>en</language></row>
	<row><qid>2</qid><question>Wie oft?</question><help>Ehrlich</help><language>de</language></row>
	<row><qid>3</qid><question>Wie fühlen Sie sich?</question><language>de</language></row>
	<row><qid>4</qid><question>Ruhig</question><language>de</language></row>
	<row><qid>5</qid><question>Angespannt</question><language>de</language></row>
	<row><qid>6</qid><question>Hilfen</question><language>de</language></row>
	<row><qid>7</qid><question>Pflaster</question><language>de</language></row>
	<row><qid>8</qid><question>Kaugummi</question><language>de</language></row>
	<row><qid>9</qid><question>Welcher?</question><language>de</language></row>
	<row><qid>10</qid><question>Wie viele?</question><language>de</language></row>
	<row><qid>11</qid><question>Ordnen</question><language>de</language></row>
	</rows></question_l10ns>
	<answer_l10ns><rows>
	<row><aid>1</aid><answer>Selten</answer><language>de</language></row>
	<row><aid>2</aid><answer>Oft</answer><language>de</language></row>
	<row><aid>3</aid><answer>Immer</answer><language>de</language></row>
	<row><aid>4</aid><answer>Gar nicht</answer><language>de</language></row>
	<row><aid>5</aid><answer>Sehr</answer><language>de</language></row>
	</rows></answer_l10ns>`
	data := lss(questions, answers, l10n)
	if !limesurvey.Sniff(data) {
		t.Fatal("not recognised")
	}
	res, err := limesurvey.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	in := res.Instrument
	if in.Title != "Gesundheit" || in.Language != "de" || in.Introduction != "Willkommen" || in.Key != "gesundheit" {
		t.Errorf("title, language, introduction, key = %q %q %q %q", in.Title, in.Language, in.Introduction, in.Key)
	}
	if len(in.Sections) != 2 || in.Sections[0].Title != "Allgemein" || in.Sections[1].Title != "Rauchen" {
		t.Fatalf("sections %+v", in.Sections)
	}
	byID := map[string]*survey.Item{}
	for _, it := range items(in) {
		byID[it.ID] = it
	}
	if it := byID["smoke"]; it.Type != survey.SingleChoice || !it.Required || it.Text != "Rauchen Sie?" {
		t.Errorf("smoke %+v", it)
	}
	if c := byID["often"].ShowIf; c == nil || c.Item != "smoke" || *c.Equals != 1 {
		t.Errorf("often show_if %+v", c)
	}
	if a, b := byID["mood_calm"], byID["mood_tense"]; a == nil || b == nil || a.Type != survey.Likert || a.Scale != b.Scale || a.Text != "Ruhig" || a.Help != "Wie fühlen Sie sich?" {
		t.Errorf("array rows %+v %+v", a, b)
	}
	if c := byID["aids"].ShowIf; c == nil || c.Item != "often" || len(c.In) != 2 {
		t.Errorf("aids show_if %+v, want often in 2, 3", c)
	}
	// Group 2's relevance and which's own: both hold.
	if c, _ := json.Marshal(byID["which"].ShowIf); string(c) != `{"all":[{"item":"smoke","equals":1},{"item":"aids","equals":2}]}` {
		t.Errorf("which show_if %s", c)
	}
	if c := byID["cigs"].ShowIf; c == nil || c.Item != "smoke" || !byID["cigs"].Required {
		t.Errorf("cigs (group relevance) %+v", byID["cigs"])
	}
	if byID["rank"] != nil {
		t.Error("the ranking question became an item")
	}
	warned := map[string]bool{}
	for _, w := range res.Warnings {
		warned[w.Path] = true
	}
	for _, p := range []string{"languages", `question "rank"`, `question "cigs"`} {
		if !warned[p] {
			t.Errorf("no warning at %s: %v", p, res.Warnings)
		}
	}
	if _, err := survey.NewForm(in); err != nil {
		t.Fatal(err)
	}
}

// TestDecodeErrors: what cannot become an instrument is refused with
// each problem at its question; what is not a survey structure is
// malformed.
func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  []byte
		code  string
		paths []string
	}{
		{"not XML", []byte("<document><LimeSurveyDocType>Survey"), survey.EMalformed, []string{""}},
		{"a group file", []byte("<document><LimeSurveyDocType>Group</LimeSurveyDocType></document>"), survey.EMalformed, []string{"LimeSurveyDocType"}},
		{"no questions", lss("", "", ""), survey.EInvalid, []string{"questions"}},
		{"problems", lss(q("1", "0", "1", "L", "a", "N", "1", "1")+q("2", "0", "1", "S", "b", "N", "2", "1")+q("3", "0", "1", "S", "b", "N", "3", "1"), "", ""),
			survey.EInvalid, []string{`question "a"`, `question "b"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := limesurvey.Decode(tc.data)
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
		})
	}
}
