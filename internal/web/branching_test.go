package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// branchingInstrument has a section skipped unless its condition holds
// (smoking: only for smokers), an item on it whose condition mixes an
// item of the page (cigs) with one of an earlier page (age), an item shown
// by not, and one shown once a text is answered.
const branchingInstrument = `{"key": "branching", "version": 1, "title": "Branching",
 "sections": [
  {"id": "screen", "title": "Screening", "items": [
   {"id": "smoker", "type": "single_choice", "text": "Do you smoke?", "required": true,
    "options": [{"value": 1, "label": "Yes"}, {"value": 0, "label": "No"}]},
   {"id": "age", "type": "integer", "text": "Your age", "min": 18, "max": 120, "required": true}]},
  {"id": "smoking", "title": "Smoking", "show_if": {"item": "smoker", "equals": 1}, "items": [
   {"id": "cigs", "type": "integer", "text": "Cigarettes a day", "min": 1, "max": 80, "required": true},
   {"id": "quit", "type": "single_choice", "text": "Have you tried to quit?", "required": true,
    "options": [{"value": 1, "label": "Yes"}, {"value": 0, "label": "No"}],
    "show_if": {"all": [{"item": "cigs", "gte": 10}, {"item": "age", "gte": 40}]}}]},
  {"id": "end", "title": "The end", "items": [
   {"id": "younger", "type": "text", "text": "Anything else?", "show_if": {"not": {"item": "age", "gte": 65}}},
   {"id": "detail", "type": "text", "text": "Tell us more", "show_if": {"item": "younger", "answered": true}}]}]}`

// branchingSurvey publishes branchingInstrument and opens a survey of it.
func branchingSurvey(t *testing.T, f *fixture) (*survey.Survey, *survey.Form) {
	t.Helper()
	ctx := context.Background()
	var in survey.Instrument
	if err := json.Unmarshal([]byte(branchingInstrument), &in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateInstrument(ctx, &in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Publish(ctx, in.Key, in.Version); err != nil {
		t.Fatal(err)
	}
	form, err := f.svc.Form(ctx, in.Key, in.Version)
	if err != nil {
		t.Fatal(err)
	}
	return branchingNewSurvey(t, f, form), form
}

// branchingNewSurvey opens another survey of the published form.
func branchingNewSurvey(t *testing.T, f *fixture, form *survey.Form) *survey.Survey {
	t.Helper()
	in := form.Instrument
	sv, err := f.svc.CreateSurvey(context.Background(), survey.NewSurvey{InstrumentKey: in.Key, InstrumentVersion: in.Version, Title: "Branching", Access: survey.AccessOpen})
	if err != nil {
		t.Fatal(err)
	}
	return sv
}

// TestSkippedSection: a section whose show_if does not hold is not
// shown: Next and Back step over it, a link to it goes on to the next
// page, the progress leaves it out, and its required items are not asked.
func TestSkippedSection(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sv, form := branchingSurvey(t, f)
		b := f.browser(t, sv.ID)
		b.start("")
		p := b.get(sectionPath(0))
		if p.status != http.StatusOK || !strings.Contains(p.body, "Section 1 of 3") {
			t.Fatalf("%d\n%s", p.status, p.body)
		}
		p = b.post(sectionPath(0), sectionForm(form, 0, survey.Answers{"smoker": survey.IntVal(0), "age": survey.IntVal(30)}, "next"))
		if p.status != http.StatusSeeOther || p.location != "/s/"+sv.ID+sectionPath(2) {
			t.Fatalf("Next from section 1: %d %q, want section 3", p.status, p.location)
		}
		if p = b.get(sectionPath(1)); p.status != http.StatusSeeOther || p.location != "/s/"+sv.ID+sectionPath(2) {
			t.Fatalf("the skipped section: %d %q, want on to section 3", p.status, p.location)
		}
		p = b.get(sectionPath(2))
		if !strings.Contains(p.body, "Section 2 of 2") || !strings.Contains(p.body, "Anything else?") {
			t.Fatalf("the last page:\n%s", p.body)
		}
		p = b.post(sectionPath(2), sectionForm(form, 2, survey.Answers{}, "back"))
		if p.status != http.StatusSeeOther || p.location != "/s/"+sv.ID+sectionPath(0) {
			t.Fatalf("Back from section 3: %d %q, want section 1", p.status, p.location)
		}
		b.get(sectionPath(2))
		p = b.post(sectionPath(2), sectionForm(form, 2, survey.Answers{"younger": survey.TextVal("no")}, "submit"))
		if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/done") {
			t.Fatalf("submit: %d %q\n%s", p.status, p.location, p.body)
		}
		rs := f.responses(t, sv.ID)
		if len(rs) != 1 || rs[0].Status != survey.ResponseComplete || string(rs[0].Answers.Canonical()) != `{"age":30,"smoker":0,"younger":"no"}` {
			t.Fatalf("stored: %+v", rs)
		}
	})
}

// TestAskedSection: the same section asked of a smoker, with the page's
// script given the verdict of the comparison on the earlier page, and
// without the script, the follow-up asked when the page is sent.
func TestAskedSection(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sv, form := branchingSurvey(t, f)
		b := f.browser(t, sv.ID)
		b.start("")
		b.get(sectionPath(0))
		p := b.post(sectionPath(0), sectionForm(form, 0, survey.Answers{"smoker": survey.IntVal(1), "age": survey.IntVal(70)}, "next"))
		if p.status != http.StatusSeeOther || p.location != "/s/"+sv.ID+sectionPath(1) {
			t.Fatalf("Next from section 1: %d %q, want section 2", p.status, p.location)
		}
		p = b.get(sectionPath(1))
		if !strings.Contains(p.body, "Section 2 of 2") {
			t.Errorf("progress: want section 2 of 2 (the last section's only item is hidden at 70)")
		}
		want := `data-if="` + html.EscapeString(`{"all":[{"item":"cigs","gte":10},{"c":true}]}`) + `"`
		if !strings.Contains(p.body, want) {
			t.Fatalf("quit's condition for the script: want %s in\n%s", want, p.body)
		}
		// Without the script: quit is hidden until the page is sent.
		seen := url.Values{"_action": {"next"}, "_shown": {"cigs"}, "cigs": {"20"}}
		p = b.post(sectionPath(1), seen)
		if p.status != http.StatusOK || !strings.Contains(p.body, "Have you tried to quit?") || strings.Contains(p.body, `id="item-quit" hidden`) {
			t.Fatalf("revealed: %d\n%s", p.status, p.body)
		}
		p = b.post(sectionPath(1), url.Values{"_action": {"next"}, "_shown": {"cigs quit"}, "cigs": {"20"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Have you tried to quit?") {
			t.Fatalf("quit is required once shown: %d\n%s", p.status, p.body)
		}
		p = b.post(sectionPath(1), url.Values{"_action": {"next"}, "_shown": {"cigs quit"}, "cigs": {"20"}, "quit": {"1"}})
		// The last section's only item is hidden at 70: the page submits.
		if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/done") {
			t.Fatalf("Next from section 2: %d %q\n%s", p.status, p.location, p.body)
		}
		rs := f.responses(t, sv.ID)
		if len(rs) != 1 || string(rs[0].Answers.Canonical()) != `{"age":70,"cigs":20,"quit":1,"smoker":1}` {
			t.Fatalf("stored: %s", rs[0].Answers.Canonical())
		}
	})
}
