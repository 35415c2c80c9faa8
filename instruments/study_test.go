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
