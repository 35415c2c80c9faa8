package admin_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestSettingsPages holds a survey's settings page: every field saved
// through the domain's rules, dates read in the survey's time zone (a
// plain closing date is the end of that day there), problems named by
// the form's labels with nothing stored, close and reopen with a new
// date, test mode and going live (the question about test responses
// asked, never assumed), deleting a survey only while it has no live
// response, and the printable instrument.
func TestSettingsPages(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 2})
		ctx := context.Background()
		c := f.signedIn(t)
		id := f.empty.ID
		href := "/admin/surveys/" + id + "/settings"
		year := time.Now().Year() + 1
		closes := time.Date(year, 3, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)

		t.Run("Save", func(t *testing.T) {
			p := c.get(href)
			if p.status != http.StatusOK || !strings.Contains(p.body, "Time zone") || !strings.Contains(p.body, `value="UTC"`) {
				t.Fatalf("settings page: %d\n%s", p.status, p.body)
			}
			form := url.Values{"title": {"Pilot, renamed"}, "public_title": {"How is your week?"}, "public_description": {"Five questions."},
				"time_zone": {"Europe/Berlin"}, "opens_at": {""}, "closes_at": {closes}, "end_message": {"Thank you, ward 3."},
				"end_redirect_url": {"https://example.org/incentive"}, "opens_was": {""}, "closes_was": {""}}
			if p := c.post(href, form); p.status != http.StatusSeeOther || p.location != href+"?saved=settings" {
				t.Fatalf("save: %d %q\n%s", p.status, p.location, p.body)
			}
			sv, err := f.svc.Survey(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			berlin, _ := time.LoadLocation("Europe/Berlin")
			want := time.Date(year, 4, 1, 0, 0, 0, 0, berlin) // the end of the 31st in Berlin
			if sv.Title != "Pilot, renamed" || sv.PublicTitle != "How is your week?" || sv.TimeZone != "Europe/Berlin" ||
				sv.ClosesAt == nil || !sv.ClosesAt.Equal(want) || sv.EndRedirect != "https://example.org/incentive" || sv.EndMessage != "Thank you, ward 3." {
				t.Fatalf("stored: %+v (closes %v, want %v)", sv, sv.ClosesAt, want)
			}
			// Shown again as typed, in the survey's zone.
			if p := c.get(href + "?saved=settings"); !strings.Contains(p.body, `value="`+closes+`"`) || !strings.Contains(p.body, "The settings were saved.") {
				t.Errorf("the page does not show the closing date as typed:\n%s", p.body)
			}
			// Respondents see the public title, never the internal name.
			if p := f.client(t).get("/s/" + id); !strings.Contains(p.body, "How is your week?") || strings.Contains(p.body, "Pilot, renamed") {
				t.Errorf("respondent page:\n%s", p.body)
			}
		})

		t.Run("ErrSettings", func(t *testing.T) {
			before := f.dump(t)
			c.get(href)
			form := url.Values{"title": {""}, "public_title": {"x"}, "time_zone": {"Mars/Olympus"}, "closes_at": {"soon"},
				"end_redirect_url": {"javascript:alert(1)"}, "closes_was": {closes}}
			p := c.post(href, form)
			if p.status != http.StatusUnprocessableEntity {
				t.Fatalf("bad settings: %d\n%s", p.status, p.body)
			}
			for _, want := range []string{"Internal name is required", "Time zone must be an IANA time zone name", "Closes must be a date such as",
				"Redirect address must be an absolute http or https URL", `href="#s-title"`, `aria-invalid="true"`} {
				if !strings.Contains(p.body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if f.dump(t) != before {
				t.Error("refused settings changed the database")
			}
			past := time.Now().AddDate(0, 0, -2).UTC().Format(time.DateOnly)
			p = c.post(href, url.Values{"title": {"x"}, "public_title": {"x"}, "time_zone": {"UTC"}, "closes_at": {past}, "closes_was": {closes}})
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Closes must be in the future") {
				t.Errorf("a past closing date: %d", p.status)
			}
		})

		t.Run("CloseReopen", func(t *testing.T) {
			c.get(href)
			if p := c.post("/admin/surveys/"+id+"/close", nil); p.status != http.StatusSeeOther {
				t.Fatalf("close: %d", p.status)
			}
			p := c.get(href)
			if !strings.Contains(p.body, "Reopen the survey") {
				t.Fatalf("closed survey's page offers no reopening:\n%s", p.body)
			}
			later := time.Date(year, 6, 30, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			if p := c.post("/admin/surveys/"+id+"/reopen", url.Values{"closes_at": {later}}); p.status != http.StatusSeeOther {
				t.Fatalf("reopen: %d\n%s", p.status, p.body)
			}
			sv, _ := f.svc.Survey(ctx, id)
			berlin, _ := time.LoadLocation("Europe/Berlin")
			if sv.Status != survey.SurveyOpen || !sv.ClosesAt.Equal(time.Date(year, 7, 1, 0, 0, 0, 0, berlin)) {
				t.Fatalf("after reopen: %s %v", sv.Status, sv.ClosesAt)
			}
		})

		t.Run("TestModeGoLive", func(t *testing.T) {
			c.get(href)
			if p := c.post("/admin/surveys/"+id+"/mode", url.Values{"mode": {"test"}}); p.status != http.StatusSeeOther {
				t.Fatalf("test mode: %d\n%s", p.status, p.body)
			}
			// Two test responses, deleted in bulk while testing goes on.
			form, err := f.svc.Form(ctx, f.empty.InstrumentKey, f.empty.InstrumentVersion)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			for range 2 {
				if _, _, err := f.svc.Submit(ctx, id, survey.Submission{Answers: sample.Answers(form, rng)}); err != nil {
					t.Fatal(err)
				}
			}
			p := c.get(href)
			if !strings.Contains(p.body, "Go live: what becomes of the 2 test responses?") || !strings.Contains(p.body, "Delete the test responses") {
				t.Fatalf("test mode page:\n%s", p.body)
			}
			p = c.post("/admin/surveys/"+id+"/test-responses/delete", nil)
			if p.status != http.StatusSeeOther {
				t.Fatalf("delete test responses: %d\n%s", p.status, p.body)
			}
			if sv, _ := f.svc.Survey(ctx, id); sv.Test != 0 || sv.Mode != survey.ModeTest {
				t.Fatalf("after deleting the test responses: %d test, mode %s", sv.Test, sv.Mode)
			}
			if p := c.get(p.location); !strings.Contains(p.body, "2 test responses were deleted.") {
				t.Errorf("the page does not say how many were deleted:\n%s", p.body)
			}
			p = c.get(href)
			if !strings.Contains(p.body, "Go live: what becomes of the 0 test responses?") {
				t.Fatalf("test mode page:\n%s", p.body)
			}
			// Not answering the question is a problem, not a default.
			p = c.post("/admin/surveys/"+id+"/mode", url.Values{"mode": {"live"}})
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Test responses is required to go live") {
				t.Fatalf("go live without an answer: %d\n%s", p.status, p.body)
			}
			if sv, _ := f.svc.Survey(ctx, id); sv.Mode != survey.ModeTest {
				t.Fatal("went live without an answer")
			}
			if p := c.post("/admin/surveys/"+id+"/mode", url.Values{"mode": {"live"}, "delete_test_responses": {"yes"}}); p.status != http.StatusSeeOther {
				t.Fatalf("go live: %d\n%s", p.status, p.body)
			}
			if sv, _ := f.svc.Survey(ctx, id); sv.Mode != survey.ModeLive {
				t.Fatalf("mode after going live: %s", sv.Mode)
			}
			if p := c.post("/admin/surveys/"+id+"/mode", url.Values{"mode": {"live"}, "delete_test_responses": {"no"}}); p.status != http.StatusConflict {
				t.Errorf("going live twice: %d", p.status)
			}
		})

		t.Run("Delete", func(t *testing.T) {
			study := "/admin/surveys/" + f.study.ID
			if p := c.get(study + "/settings"); !strings.Contains(p.body, "cannot be deleted") {
				t.Errorf("a survey with responses offers deletion")
			}
			if p := c.post(study+"/delete", url.Values{"confirm": {"yes"}}); p.status != http.StatusConflict {
				t.Errorf("delete a survey with live responses: %d", p.status)
			}
			if _, err := f.svc.Survey(ctx, f.study.ID); err != nil {
				t.Fatalf("the survey with responses is gone: %v", err)
			}
			c.get(href)
			if p := c.post("/admin/surveys/"+id+"/delete", nil); p.status != http.StatusUnprocessableEntity {
				t.Errorf("delete without confirming: %d", p.status)
			}
			if p := c.post("/admin/surveys/"+id+"/delete", url.Values{"confirm": {"yes"}}); p.status != http.StatusSeeOther {
				t.Fatalf("delete: %d\n%s", p.status, p.body)
			}
			if _, err := f.svc.Survey(ctx, id); survey.ErrorCode(err) != survey.ENotFound {
				t.Errorf("after delete: %v", err)
			}
			if p := c.get("/admin?deleted=1"); !strings.Contains(p.body, "The survey was deleted.") {
				t.Error("the overview does not say the survey was deleted")
			}
			if p := c.get(href); p.status != http.StatusNotFound {
				t.Errorf("settings of a deleted survey: %d", p.status)
			}
		})

		t.Run("Print", func(t *testing.T) {
			key, v := f.form.Instrument.Key, f.form.Instrument.Version
			p := c.get("/admin/instruments/" + key + "/versions/" + itoa(v) + "/print")
			it := f.form.Instrument.Sections[0].Items[0]
			if p.status != http.StatusOK || !strings.Contains(p.body, "<code>"+it.ID+"</code>") || !strings.Contains(p.body, "print-items") {
				t.Fatalf("print: %d\n%s", p.status, p.body)
			}
			if !strings.Contains(p.body, "Asked only when") {
				t.Error("the printable view does not state the skip logic")
			}
		})
	})
}
func itoa(n int) string { return strconv.Itoa(n) }
