package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// storeTestTranslation is a complete translation of Instrument's texts.
func storeTestTranslation(suffix string) survey.Translation {
	return survey.Translation{"title": "Speichertest" + suffix, "scales.agree.options.1": "Nein" + suffix,
		"scales.agree.options.2": "Ja" + suffix, "sections.main.title": "Haupt" + suffix,
		"items.q1.text": "Einverstanden?" + suffix, "items.q2.text": "Warum?" + suffix}
}

// testSetTranslation: a translation is added to a published version
// without changing anything else of it, replaced, refused whole when it
// is incomplete (nothing stored), and two languages added at once are
// both kept (the read-change-write is one transaction).
func testSetTranslation(t *testing.T, s survey.Store) {
	ctx := context.Background()
	now := time.Now()
	if _, err := s.CreateInstrument(ctx, Instrument("tr-test", 1), now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetInstrumentStatus(ctx, "tr-test", 1, []string{survey.StatusDraft}, survey.StatusPublished, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTranslation(ctx, "tr-test", 2, "de", storeTestTranslation("")); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown version: %v, want not found", err)
	}
	iv, err := s.SetTranslation(ctx, "tr-test", 1, "de", storeTestTranslation(""))
	if err != nil {
		t.Fatal(err)
	}
	if iv.Status != survey.StatusPublished || iv.Title != "Store test" || iv.Sections[0].Items[0].Text != "Agree?" ||
		iv.Translations["de"]["items.q1.text"] != "Einverstanden?" || len(iv.AllLanguages()) != 2 {
		t.Errorf("after SetTranslation: %+v", iv)
	}
	incomplete := storeTestTranslation("!")
	delete(incomplete, "items.q2.text")
	if _, err := s.SetTranslation(ctx, "tr-test", 1, "de", incomplete); survey.ErrorCode(err) != survey.EInvalid {
		t.Errorf("incomplete translation: %v, want invalid", err)
	}
	if iv, _ := s.FindInstrument(ctx, "tr-test", 1); iv.Translations["de"]["title"] != "Speichertest" {
		t.Errorf("a refused translation changed the stored one: %q", iv.Translations["de"]["title"])
	}
	if iv, err := s.SetTranslation(ctx, "tr-test", 1, "de", storeTestTranslation(" (2)")); err != nil || iv.Translations["de"]["title"] != "Speichertest (2)" {
		t.Errorf("replace: %v", err)
	}
	var wg sync.WaitGroup
	for _, l := range []string{"fr", "es", "ar", "it"} {
		wg.Go(func() {
			if _, err := s.SetTranslation(ctx, "tr-test", 1, l, storeTestTranslation(l)); err != nil {
				t.Errorf("%s: %v", l, err)
			}
		})
	}
	wg.Wait()
	iv, err = s.FindInstrument(ctx, "tr-test", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := iv.AllLanguages(); len(got) != 6 || len(iv.Translations) != 5 {
		t.Errorf("after racing additions: languages %v, %d translations", got, len(iv.Translations))
	}
	if err := iv.Validate(); err != nil {
		t.Errorf("stored version no longer valid: %v", err)
	}
}
