package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// itemTypesSurvey publishes the instrument with every item type of
// survey/itemtypes.go on f's server, unless it is there, and opens a
// survey of it.
func itemTypesSurvey(tb testing.TB, f *fixture) *survey.Survey {
	tb.Helper()
	ctx := context.Background()
	in, err := instrument.Parse([]byte(fixtures.Instrument("item-types.yaml")), instrument.YAML)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := f.svc.Form(ctx, in.Key, in.Version); err != nil { // published once per fixture
		if _, err := f.svc.CreateInstrument(ctx, in); err != nil {
			tb.Fatal(err)
		}
		if _, err := f.svc.Publish(ctx, in.Key, in.Version); err != nil {
			tb.Fatal(err)
		}
	}
	sv, err := f.svc.CreateSurvey(ctx, survey.NewSurvey{Access: survey.AccessOpen, InstrumentKey: in.Key, InstrumentVersion: in.Version, Title: "Types"})
	if err != nil {
		tb.Fatal(err)
	}
	return sv
}

// TestItemTypesJourney answers the new item types through the pages,
// as a browser without JavaScript posts them: each is drawn with its
// native control, each bad answer is shown on its page with the words
// for it, and what is stored is exact (a decimal comma read as 72.5,
// the slider only once "No answer" is unticked).
func TestItemTypesJourney(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sv := itemTypesSurvey(t, f)
		b := f.browser(t, sv.ID)
		p := b.start("")
		if p.status != http.StatusSeeOther {
			t.Fatalf("start: %d\n%s", p.status, p.body)
		}
		p = b.get(sectionPath(0))
		for _, want := range []string{
			`<p class="q info">The next questions are about your visit.</p>`,
			`<input type="checkbox" id="q-agree" name="agree" value="1"`,
			`type="date" id="q-visit" name="visit" value="" min="2020-01-01" max="2030-12-31"`,
			`inputmode="decimal" id="q-weight" name="weight"`, `Your weight (kg)`,
			`A number from 30 to 250.5, with up to 1 decimal places.`,
			`type="range" id="q-pain" name="pain" min="0" max="100" step="1" value="50"`,
			`name="_na_pain" value="1" checked data-slider="q-pain"`,
			`0: No pain`, `100: Worst pain imaginable`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("page 1 lacks %s", want)
			}
		}
		if t.Failed() {
			t.Fatal(p.body)
		}

		// No consent, the slider moved but "No answer" left ticked.
		form := url.Values{"_action": {"next"}, "visit": {"2024-05-31"}, "weight": {"72,5"}, "pain": {"37"}, "_na_pain": {"1"}}
		p = b.post(sectionPath(0), form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Without your consent we cannot include your answers.") {
			t.Fatalf("no consent: %d\n%s", p.status, p.body)
		}
		if !regexp.MustCompile(`name="_na_pain" value="1" checked`).MatchString(p.body) || !strings.Contains(p.body, `value="72.5"`) {
			t.Errorf("the page shown again lost the slider's state or the number:\n%s", p.body)
		}
		form.Set("agree", "1")
		form.Set("weight", "72,55")
		p = b.post(sectionPath(0), form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Enter a number from 30 to 250.5 with up to 1 decimal places.") {
			t.Fatalf("two decimals: %d\n%s", p.status, p.body)
		}
		form.Set("weight", "72,5")
		form.Del("_na_pain")
		if p = b.post(sectionPath(0), form); p.status != http.StatusSeeOther {
			t.Fatalf("page 1: %d\n%s", p.status, p.body)
		}

		p = b.get(sectionPath(1))
		for _, want := range []string{
			`name="place" value="3" data-other="q-place_other"`, `<span class="label">Other, please specify</span>`,
			`<span class="label">Something else</span>`, `name="aids" value="3" data-exclusive>`,
			`id="q-aids_other" name="aids_other" value=""`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("page 2 lacks %s", want)
			}
		}
		p = b.post(sectionPath(1), url.Values{"_action": {"submit"}, "place": {"3"}, "aids": {"1", "3"}})
		if p.status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.body, "Say what your other answer is, or choose another option.") ||
			!strings.Contains(p.body, "“None of these” cannot be selected together with other options.") ||
			!strings.Contains(p.body, `href="#q-place_other"`) {
			t.Fatalf("unspecified other and exclusive with another: %d\n%s", p.status, p.body)
		}
		p = b.post(sectionPath(1), url.Values{"_action": {"submit"}, "place": {"3"}, "place_other": {"Pharmacy <b>"}, "aids": {"3"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("submit: %d\n%s", p.status, p.body)
		}
		rs := f.responses(t, sv.ID)
		if len(rs) != 1 || rs[0].Status != survey.ResponseComplete {
			t.Fatalf("responses: %+v", rs)
		}
		if got, want := string(rs[0].Answers.Canonical()), `{"agree":1,"aids":[3],"pain":37,"place":3,"place_other":"Pharmacy <b>","visit":"2024-05-31","weight":"72.5"}`; got != want {
			t.Errorf("stored %s\nwant   %s", got, want)
		}
	})
}

// TestItemTypesPagesKeepState: a slider answered earlier is drawn at its
// value with "No answer" unticked, and the Other text typed comes back.
func TestItemTypesPagesKeepState(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite")
	sv := itemTypesSurvey(t, f)
	b := f.browser(t, sv.ID)
	b.start("")
	b.get(sectionPath(0))
	if p := b.post(sectionPath(0), url.Values{"_action": {"next"}, "agree": {"1"}, "visit": {"2024-05-31"}, "pain": {"0"}}); p.status != http.StatusSeeOther {
		t.Fatalf("page 1: %d\n%s", p.status, p.body)
	}
	b.get(sectionPath(1))
	if p := b.post(sectionPath(1), url.Values{"_action": {"back"}, "place": {"3"}, "place_other": {"Pharmacy"}}); p.status != http.StatusSeeOther {
		t.Fatalf("back: %d\n%s", p.status, p.body)
	}
	p := b.get(sectionPath(0))
	if !strings.Contains(p.body, `name="pain" min="0" max="100" step="1" value="0"`) || strings.Contains(p.body, `name="_na_pain" value="1" checked`) {
		t.Errorf("the slider at 0 is not drawn as answered:\n%s", p.body)
	}
	if p := b.get(sectionPath(1)); !strings.Contains(p.body, `name="place_other" value="Pharmacy"`) {
		t.Errorf("the Other text is lost:\n%s", p.body)
	}
}

// TestWholeNumberItemWording: a number item without decimals is worded
// as an integer item ("A whole number from 1 to 10.").
func TestWholeNumberItemWording(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite")
	ctx := context.Background()
	in, err := instrument.Parse([]byte(strings.Replace(fixtures.Instrument("item-types.yaml"), "decimals: 1, unit: kg, min: 30, max: 250.5", "unit: kg, min: 30, max: 250", 1)), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateInstrument(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Publish(ctx, in.Key, in.Version); err != nil {
		t.Fatal(err)
	}
	sv, err := f.svc.CreateSurvey(ctx, survey.NewSurvey{Access: survey.AccessOpen, InstrumentKey: in.Key, InstrumentVersion: in.Version, Title: "W"})
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser(t, sv.ID)
	b.start("")
	if p := b.get(sectionPath(0)); !strings.Contains(p.body, "A whole number from 30 to 250.") {
		t.Errorf("hint:\n%s", p.body)
	}
	p := b.post(sectionPath(0), url.Values{"_action": {"next"}, "agree": {"1"}, "visit": {"2024-05-31"}, "weight": {"72.5"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Enter a whole number from 30 to 250.") {
		t.Errorf("a fraction for a whole-number item: %d\n%s", p.status, p.body)
	}
}
