package instruments_test

import (
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestStudyInstrument checks the promises the study instrument makes to
// researchers (instruments/README.md), loading it exactly as `dyad serve`
// does.
func TestStudyInstrument(t *testing.T) {
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	var study *survey.Instrument
	for _, f := range files {
		if f.Instrument.Key == instruments.Study {
			study = f.Instrument
		}
	}
	if study == nil {
		t.Fatalf("no instrument with key %s among %d shipped files", instruments.Study, len(files))
	}
	form, err := survey.NewForm(study)
	if err != nil {
		t.Fatal(err)
	}
	// English and German (ai-therapeutic-relationship.de.yaml), every
	// text translated (NewForm validated that); the German form is the
	// same questionnaire.
	if got := study.AllLanguages(); len(got) != 2 || got[0] != "en" || got[1] != "de" {
		t.Errorf("languages %v, want en and de", got)
	}
	de := form.In("de")
	if de == form || len(de.Items()) != len(form.Items()) || de.Item("eff_1").Text == form.Item("eff_1").Text {
		t.Error("no German form of the study instrument")
	}
	if strings.TrimSpace(study.Introduction) == "" || strings.TrimSpace(study.Consent) == "" {
		t.Error("introduction and consent statement are required")
	}
	if study.EstimatedMinutes < 5 || study.EstimatedMinutes > 15 {
		t.Errorf("estimated_minutes = %d, want about 10", study.EstimatedMinutes)
	}

	themes := []string{"eff", "com", "emp", "sdm", "trn"}
	likert := map[string]int{}
	reversed := map[string]int{}
	texts := map[string]int{}
	scales := map[string]bool{}
	for _, it := range form.Items() {
		switch it.Type {
		case survey.Likert:
			if it.Subscale != "" {
				likert[it.Subscale]++
				scales[it.Scale] = true
				if it.Reverse {
					reversed[it.Subscale]++
				}
				if !strings.HasPrefix(it.ID, it.Subscale+"_") {
					t.Errorf("item %s in subscale %s: ids should read %s_N", it.ID, it.Subscale, it.Subscale)
				}
				if !it.Required {
					t.Errorf("likert item %s should be required", it.ID)
				}
			}
		case survey.Text:
			for _, th := range themes {
				if strings.HasPrefix(it.ID, th+"_") {
					texts[th]++
					if it.Required {
						t.Errorf("free-text item %s should be optional", it.ID)
					}
				}
			}
		}
	}
	for _, th := range themes {
		if n := likert[th]; n < 4 || n > 6 {
			t.Errorf("subscale %s has %d likert items, want 4 to 6", th, n)
		}
		if reversed[th] < 1 {
			t.Errorf("subscale %s has no reverse-keyed item", th)
		}
		if texts[th] != 1 {
			t.Errorf("theme %s has %d free-text items, want 1", th, texts[th])
		}
	}
	if len(study.Subscales) < 5 {
		t.Errorf("%d subscales, want the five themes", len(study.Subscales))
	}
	if len(scales) != 1 {
		t.Errorf("theme items use %d scales, want one shared scale", len(scales))
	}
	for s := range scales {
		for _, sc := range study.Scales {
			if sc.ID == s && len(sc.Options) != 5 {
				t.Errorf("scale %s has %d points, want 5", s, len(sc.Options))
			}
		}
	}

	use := form.Item("ai_use")
	if use == nil || use.Type != survey.SingleChoice {
		t.Fatal("no single-choice item ai_use")
	}
	followUps := 0
	for _, it := range form.Items() {
		if it.ShowIf != nil && it.ShowIf.Item == "ai_use" {
			followUps++
		}
	}
	if followUps < 2 {
		t.Errorf("%d items depend on ai_use, want the follow-ups (which tools, how often)", followUps)
	}
	if tools := form.Item("ai_tools"); tools == nil || tools.Type != survey.MultipleChoice || tools.ShowIf == nil {
		t.Error("ai_tools must be a multiple-choice follow-up of ai_use")
	}
	for _, id := range []string{"specialty", "years_practice", "setting", "region", "gender"} {
		if form.Item(id) == nil {
			t.Errorf("no item %s about the respondent", id)
		}
	}
	for _, id := range []string{"setting", "region"} {
		if it := form.Item(id); it != nil && !hasMissingOption(it, "Prefer not to say") {
			t.Errorf(`%s must offer "Prefer not to say" as a missing code`, id)
		}
	}
	if g := form.Item("gender"); g != nil {
		found := false
		for _, o := range g.Options {
			// A missing code: counted apart, never a gender in the figures.
			found = found || (strings.EqualFold(o.Label, "Prefer not to say") && o.Missing)
		}
		if !found || g.Required {
			t.Error(`gender must be optional and offer "Prefer not to say" as a missing code`)
		}
	}
}

func hasMissingOption(it *survey.Item, label string) bool {
	for _, o := range it.Options {
		if strings.EqualFold(o.Label, label) && o.Missing {
			return true
		}
	}
	return false
}

// TestStudyInstrumentDesign holds the design choices of version 2 that
// instruments/README.md explains: the version shipped, a consent item
// first on the first page, items in random order within each theme
// section with its free-text question fixed last, and one attention
// check outside every subscale.
func TestStudyInstrumentDesign(t *testing.T) {
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	var study *survey.Instrument
	for _, f := range files {
		if f.Instrument.Key == instruments.Study {
			if study != nil {
				t.Fatalf("two versions of %s shipped: a fresh database loads only the current one", instruments.Study)
			}
			study = f.Instrument
		}
	}
	if study == nil || study.Version != instruments.StudyVersion {
		t.Fatalf("shipped study instrument %v, want version %d (instruments.StudyVersion)", study, instruments.StudyVersion)
	}
	first := study.Sections[0].Items[0]
	if first.Type != survey.Consent || strings.TrimSpace(first.Decline) == "" {
		t.Errorf("the first item is %s %s, want a consent item with a decline text", first.ID, first.Type)
	}
	if study.Randomize != "" {
		t.Error("sections must keep their order (themes from concrete to abstract, the global item after them)")
	}
	checks := 0
	for _, sec := range study.Sections {
		theme := false
		for _, it := range sec.Items {
			theme = theme || it.Subscale != ""
		}
		if !theme {
			if sec.Randomize != "" {
				t.Errorf("section %s is no theme section and must not be randomised", sec.ID)
			}
			for _, it := range sec.Items {
				if it.Attention != nil {
					t.Errorf("attention check %s outside the theme sections", it.ID)
				}
			}
			continue
		}
		if sec.Randomize != survey.RandomizeItems {
			t.Errorf("theme section %s: randomize %q, want items", sec.ID, sec.Randomize)
		}
		last := sec.Items[len(sec.Items)-1]
		if last.Type != survey.Text || !last.Fixed {
			t.Errorf("theme section %s must end with its free-text question, fixed", sec.ID)
		}
		for _, it := range sec.Items[:len(sec.Items)-1] {
			if it.Fixed {
				t.Errorf("%s is fixed: only the free-text question stays in place", it.ID)
			}
			if it.Attention == nil {
				continue
			}
			checks++
			if it.Type != survey.Likert || it.Subscale != "" || !it.Required {
				t.Errorf("attention check %s must be a required likert item in no subscale", it.ID)
			}
			if it.Attention.Expect != 4 {
				t.Errorf("attention check %s expects %d, want 4 (Agree, not an end point)", it.ID, it.Attention.Expect)
			}
		}
	}
	if checks != 1 {
		t.Errorf("%d attention checks, want one", checks)
	}
}
