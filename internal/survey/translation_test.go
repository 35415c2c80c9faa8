package survey_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// bilingual is a valid instrument in English and German, every kind of
// text present once (a scale's option, a choice's option, help, a
// section's description, the welcome texts).
func bilingual() *survey.Instrument {
	return &survey.Instrument{
		Key: "bi", Version: 1, Title: "Title", Language: "en", Languages: []string{"en", "de"},
		Introduction: "Intro", Consent: "Consent",
		Scales: []survey.Scale{{ID: "agree", Options: []survey.Option{{Value: 1, Label: "No"}, {Value: 2, Label: "Yes"}, {Value: -9, Label: "N/A", Missing: true}}}},
		Sections: []survey.Section{{ID: "s1", Title: "One", Description: "First", Items: []survey.Item{
			{ID: "q1", Type: survey.Likert, Text: "Q one", Help: "Help one", Scale: "agree"},
			{ID: "q2", Type: survey.SingleChoice, Text: "Q two", Options: []survey.Option{{Value: 1, Label: "A"}, {Value: 2, Label: "B"}}},
		}}},
		Translations: map[string]survey.Translation{"de": {
			"title": "Titel", "introduction": "Einleitung", "consent": "Einwilligung",
			"scales.agree.options.1": "Nein", "scales.agree.options.2": "Ja", "scales.agree.options.-9": "k. A.",
			"sections.s1.title": "Eins", "sections.s1.description": "Erste",
			"items.q1.text": "F eins", "items.q1.help": "Hilfe eins",
			"items.q2.text": "F zwei", "items.q2.options.1": "A-de", "items.q2.options.2": "B-de",
		}},
	}
}

func TestTranslation_Validate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(in *survey.Instrument)
		want []string // "path: words of the message"
	}{
		{"OK", func(*survey.Instrument) {}, nil},
		{"OKOneLanguage", func(in *survey.Instrument) { in.Languages, in.Translations = nil, nil }, nil},
		{"OKDefaultEnglishImplied", func(in *survey.Instrument) { in.Language = "" }, nil},
		{"ErrMissingText", func(in *survey.Instrument) { delete(in.Translations["de"], "items.q1.help") },
			[]string{`translations.de.items.q1.help: is missing: translate "Help one"`}},
		{"ErrBlankText", func(in *survey.Instrument) { in.Translations["de"]["scales.agree.options.-9"] = "  " },
			[]string{`translations.de.scales.agree.options.-9: is missing`}},
		{"ErrExtraText", func(in *survey.Instrument) { in.Translations["de"]["items.q9.text"] = "Gibt es nicht" },
			[]string{"translations.de.items.q9.text: is not a text of the instrument"}},
		{"ErrExtraTextOfEmptySource", func(in *survey.Instrument) {
			in.Translations["de"]["sections.s1.help"] = "x"
			in.Translations["de"]["items.q2.help"] = "Hilfe"
		},
			[]string{"translations.de.items.q2.help: is not a text", "translations.de.sections.s1.help: is not a text"}},
		{"ErrMissingAndExtraAtOnce", func(in *survey.Instrument) {
			delete(in.Translations["de"], "title")
			in.Translations["de"]["items.q2.options.3"] = "C"
		}, []string{"translations.de.title: is missing", "translations.de.items.q2.options.3: is not a text"}},
		{"ErrLanguageWithoutTranslation", func(in *survey.Instrument) { in.Languages = append(in.Languages, "fr") },
			[]string{"translations.fr: is required"}},
		{"ErrTranslationOutsideLanguages", func(in *survey.Instrument) { in.Languages = []string{"en"} },
			[]string{"translations.de: de is not one of the languages"}},
		{"ErrTranslationOfDefault", func(in *survey.Instrument) { in.Translations["en"] = survey.Translation{"title": "T"} },
			[]string{"translations.en: en is the instrument's own language"}},
		{"ErrDefaultNotListed", func(in *survey.Instrument) { in.Language = "fr" },
			[]string{`languages: must include "fr"`, "translations.en: is required"}},
		{"ErrLanguageTwice", func(in *survey.Instrument) { in.Languages = []string{"en", "de", "de"} },
			[]string{`languages[2]: "de" is listed twice`}},
		{"ErrLanguageTag", func(in *survey.Instrument) { in.Languages = []string{"en", "de", "deutsch"} },
			[]string{"languages[2]: must be a BCP 47 language tag"}},
		{"ErrTranslationTooLong", func(in *survey.Instrument) {
			in.Translations["de"]["scales.agree.options.1"] = strings.Repeat("x", survey.MaxTitleLength+1)
		},
			[]string{"translations.de.scales.agree.options.1: must be at most 500 characters"}},
		{"ErrTranslationsTooLarge", func(in *survey.Instrument) {
			// Within each text's limit, beyond the bound of all together.
			big := strings.Repeat("x", survey.MaxItemTextLength)
			for _, l := range []string{"fr", "es", "it", "pt", "nl", "sv", "da", "fi", "pl", "cs"} {
				tr := survey.Translation{}
				for k, v := range in.Translations["de"] {
					tr[k] = v
				}
				for i := range 90 {
					tr[fmt.Sprintf("items.x%d.text", i)] = big
				}
				in.Translations[l] = tr
				in.Languages = append(in.Languages, l)
			}
		}, []string{"translations: the translations hold"}},
		{"ErrTranslationControlCharacter", func(in *survey.Instrument) { in.Translations["de"]["items.q1.text"] = "F\x00eins" },
			[]string{"translations.de.items.q1.text: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := bilingual()
			tc.edit(in)
			err := in.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("valid instrument refused: %v", err)
				}
				return
			}
			var se *survey.Error
			if !errors.As(err, &se) || se.Code != survey.EInvalid {
				t.Fatalf("got %v, want EInvalid", err)
			}
			var got []string
			for _, d := range se.Details {
				got = append(got, d.Path+": "+d.Message)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
					t.Errorf("no problem %q among:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

// TestTranslation_EachTextCoversEveryText holds the one list of texts to
// the structs: a string field of an instrument, section, item or option
// that is shown to respondents but left out of EachText would go
// untranslated. It lists the ids EachText gives for an instrument with
// every kind of text, in document order.
func TestTranslation_EachTextCoversEveryText(t *testing.T) {
	in := bilingual()
	var ids []string
	in.EachText(func(id string, s *string, limit int) {
		if limit <= 0 {
			t.Errorf("%s has no limit", id)
		}
		ids = append(ids, id)
	})
	want := []string{"title", "introduction", "consent",
		"scales.agree.options.1", "scales.agree.options.2", "scales.agree.options.-9",
		"sections.s1.title", "sections.s1.description",
		"items.q1.text", "items.q1.help", "items.q1.unit", "items.q1.min_label", "items.q1.max_label", "items.q1.other_label", "items.q1.decline",
		"items.q2.text", "items.q2.help", "items.q2.unit", "items.q2.min_label", "items.q2.max_label", "items.q2.other_label", "items.q2.decline",
		"items.q2.options.1", "items.q2.options.2"}
	if !slices.Equal(ids, want) {
		t.Errorf("EachText ids:\n%v\nwant\n%v", ids, want)
	}
	var src []string
	for _, s := range in.SourceTexts() {
		src = append(src, s.ID)
	}
	if slices.Contains(src, "items.q2.help") {
		t.Error("SourceTexts lists an empty text")
	}
}

func TestTranslation_Localized(t *testing.T) {
	in := bilingual()
	de := in.Localized("de")
	if de == in {
		t.Fatal("Localized(de) returned the instrument itself")
	}
	if de.Title != "Titel" || de.Sections[0].Items[1].Options[1].Label != "B-de" || de.Scales[0].Options[2].Label != "k. A." || de.Sections[0].Description != "Erste" {
		t.Errorf("not translated: %+v", de)
	}
	// The original is untouched: the copy shares no texts.
	if in.Title != "Title" || in.Sections[0].Items[1].Options[1].Label != "B" || in.Scales[0].Options[2].Label != "N/A" {
		t.Errorf("Localized changed the original: %+v", in)
	}
	// Values, types and rules are the original's.
	if de.Sections[0].Items[0].Scale != "agree" || !de.Scales[0].Options[2].Missing || de.Sections[0].Items[1].Options[0].Value != 1 {
		t.Errorf("structure changed: %+v", de)
	}
	if in.Localized("en") != in || in.Localized("fr") != in {
		t.Error("the default language or one without a translation must return the instrument itself")
	}
	form, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	if f := form.In("de"); f.Lang != "de" || f.Item("q1").Text != "F eins" || f.Options("q1")[0].Label != "Nein" {
		t.Errorf("form in de: lang %s, %q, %+v", f.Lang, f.Item("q1").Text, f.Options("q1"))
	}
	if f := form.In("ar"); f != form || f.Lang != "en" {
		t.Errorf("form in a language without translation: %p %s", f, f.Lang)
	}
}

func TestTranslation_WithTranslation(t *testing.T) {
	in := bilingual()
	fr := survey.Translation{}
	for k, v := range in.Translations["de"] {
		fr[k] = v + " (fr)"
	}
	out, err := in.WithTranslation("fr", fr)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.AllLanguages(), []string{"en", "de", "fr"}) || out.Translations["fr"]["title"] != "Titel (fr)" {
		t.Errorf("languages %v, fr title %q", out.AllLanguages(), out.Translations["fr"]["title"])
	}
	if _, ok := in.Translations["fr"]; ok || len(in.Languages) != 2 {
		t.Error("WithTranslation changed the original")
	}
	if err := out.Validate(); err != nil {
		t.Errorf("the result does not validate: %v", err)
	}
	delete(fr, "title")
	_, err = in.WithTranslation("fr", fr)
	if survey.ErrorCode(err) != survey.EInvalid {
		t.Fatalf("incomplete translation: %v", err)
	}
	if d := err.(*survey.Error).Details; len(d) != 1 || d[0].Path != "translations.fr.title" {
		t.Errorf("details %+v", d)
	}
	for _, lang := range []string{"en", "x", ""} {
		if _, err := in.WithTranslation(lang, fr); survey.ErrorCode(err) != survey.EInvalid {
			t.Errorf("WithTranslation(%q): %v", lang, err)
		}
	}
}

// TestTranslation_PublicTexts: a survey that shows the instrument's own
// title and introduction shows them in the form's language; one the
// researcher titled keeps that title in every language.
func TestTranslation_PublicTexts(t *testing.T) {
	form, err := survey.NewForm(bilingual())
	if err != nil {
		t.Fatal(err)
	}
	own := &survey.Survey{PublicTitle: "Title", PublicDescription: "Intro"}
	if title, desc := own.PublicTexts(form.In("de")); title != "Titel" || desc != "Einleitung" {
		t.Errorf("in German: %q, %q", title, desc)
	}
	if title, desc := own.PublicTexts(form); title != "Title" || desc != "Intro" {
		t.Errorf("in English: %q, %q", title, desc)
	}
	named := &survey.Survey{PublicTitle: "Ward 3 survey", PublicDescription: "Intro"}
	if title, desc := named.PublicTexts(form.In("de")); title != "Ward 3 survey" || desc != "Einleitung" {
		t.Errorf("researcher's title in German: %q, %q", title, desc)
	}
}
