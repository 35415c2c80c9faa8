package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestRespondentsSeePublicTitle: the internal name never reaches a
// respondent's page; the public title and description do, on the welcome
// page and every page, and a change shows at once.
func TestRespondentsSeePublicTitle(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		const internal = "Telehealth pilot (open) INTERNAL"
		sv := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, Title: internal})
		b := f.browser(t, sv.ID)
		title := f.form.Instrument.Title
		pages := map[string]string{}
		w := b.get("")
		pages["welcome"] = w.body
		if !strings.Contains(w.body, "<h1>"+title) {
			t.Errorf("welcome page lacks the instrument's title %q", title)
		}
		b.post("/start", nil)
		for si := range f.form.Instrument.Sections {
			p := b.get(sectionPath(si))
			if p.status != http.StatusOK {
				t.Fatalf("section %d: %d", si+1, p.status)
			}
			pages[sectionPath(si)] = p.body
			if !strings.Contains(p.body, "<title>") || !strings.Contains(p.body, title+"</title>") {
				t.Errorf("section %d: title lacks the public title", si+1)
			}
		}
		for name, body := range pages {
			if strings.Contains(body, "INTERNAL") {
				t.Errorf("%s shows the internal name", name)
			}
		}

		pub, desc := "Your views on AI in therapy", "Twelve short questions.\n\nThank you for your time."
		if _, err := f.svc.UpdateSurvey(context.Background(), sv.ID, survey.SurveyUpdate{PublicTitle: &pub, PublicDescription: &desc}); err != nil {
			t.Fatal(err)
		}
		w = f.browser(t, sv.ID).get("")
		for _, want := range []string{"<h1>" + pub, "<p>Twelve short questions.</p>", "<p>Thank you for your time.</p>"} {
			if !strings.Contains(w.body, want) {
				t.Errorf("welcome page after the change lacks %q", want)
			}
		}
		if p := b.get(sectionPath(0)); !strings.Contains(p.body, pub+"</title>") {
			t.Error("section page after the change lacks the new public title")
		}
	})
}

// TestEndPage: the end message follows the thank-you line; a redirect
// sends respondents on with the address exactly as set.
func TestEndPage(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		msg := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, EndMessage: "Your voucher code is on the card.\n\nBye."})
		b := f.browser(t, msg.ID)
		b.start("")
		complete(t, f, b, studyAnswers(f.form, 1))
		d := b.get("/done")
		for _, want := range []string{"Your answers have been submitted.", "<p>Your voucher code is on the card.</p>", "<p>Bye.</p>"} {
			if !strings.Contains(d.body, want) {
				t.Errorf("end page lacks %q", want)
			}
		}

		const target = "https://example.org/incentive?study=ai"
		away := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, EndRedirect: target})
		b = f.browser(t, away.ID)
		b.start("")
		p := answerAll(t, f, b, studyAnswers(f.form, 1))
		if p.status != http.StatusSeeOther || p.location != "/s/"+away.ID+"/done" {
			t.Fatalf("submit: %d %q", p.status, p.location)
		}
		d = b.get("/done")
		if d.status != http.StatusSeeOther || d.location != target {
			t.Fatalf("end page: %d %q, want a redirect to %q as set", d.status, d.location, target)
		}
		if got := d.header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("Referrer-Policy %q on the redirect", got)
		}
		if rs := f.responses(t, away.ID); len(rs) != 1 || rs[0].Status != survey.ResponseComplete {
			t.Errorf("responses %+v", rs)
		}
	})
}

// TestNotYetOpenInTimeZone: an opening date is the start of that day in
// the survey's time zone, and the page says which zone.
func TestNotYetOpenInTimeZone(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		day, _ := survey.ParseDate(time.Now().AddDate(0, 0, 3).Format(time.DateOnly))
		sv := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, TimeZone: "Asia/Tokyo", OpensOn: &day})
		tokyo, _ := time.LoadLocation("Asia/Tokyo")
		if want := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, tokyo); sv.OpensAt == nil || !sv.OpensAt.Equal(want) {
			t.Fatalf("opens_at %v, want %v", sv.OpensAt, want)
		}
		p := f.browser(t, sv.ID).get("")
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "at 00:00 (Asia/Tokyo time)") {
			t.Fatalf("%d\n%s", p.status, p.body)
		}
	})
}

// TestContinueLaterSavesPartOfAPage: Continue later on a page half
// answered saves what was given (a missing required answer is no problem
// yet) and stays on the page with the link.
func TestContinueLaterSavesPartOfAPage(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		b.start("")
		a := studyAnswers(f.form, 0)
		items := f.form.Instrument.Sections[0].Items
		first := items[0].ID
		form := sectionForm(f.form, 0, survey.Answers{first: a[first]}, "later")
		b.get(sectionPath(0))
		p := b.post(sectionPath(0), form)
		if p.status != http.StatusSeeOther || p.location != "/s/"+f.open.ID+sectionPath(0)+"?later=1" {
			t.Fatalf("continue later: %d %q\n%s", p.status, p.location, p.body)
		}
		rs := f.responses(t, f.open.ID)
		if len(rs) != 1 || rs[0].Status != survey.ResponseInProgress || len(rs[0].Answers) != 1 ||
			string(rs[0].Answers.Canonical()) != string(survey.Answers{first: a[first]}.Canonical()) {
			t.Fatalf("stored %+v, want only %s = %v in progress", rs, first, a[first])
		}
		if g := b.get(sectionPath(0) + "?later=1"); !strings.Contains(g.body, `id="resume-link"`) {
			t.Error("no resume link after Continue later")
		}
	})
}

// TestTestModeBanner: while a survey is in test mode, its pages say so;
// live, they do not.
func TestTestModeBanner(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sv := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, Mode: survey.ModeTest})
		const banner = "Test mode: answers given now are marked as a test"
		b := f.browser(t, sv.ID)
		if p := b.get(""); !strings.Contains(p.body, banner) {
			t.Error("welcome page in test mode lacks the banner")
		}
		b.post("/start", nil)
		if p := b.get(sectionPath(0)); !strings.Contains(p.body, banner) {
			t.Error("section page in test mode lacks the banner")
		}
		if _, _, err := f.svc.GoLive(context.Background(), sv.ID, true); err != nil {
			t.Fatal(err)
		}
		if p := f.browser(t, sv.ID).get(""); strings.Contains(p.body, banner) {
			t.Error("live survey shows the test banner")
		}
		if rs := f.responses(t, sv.ID); len(rs) != 0 {
			t.Errorf("%d responses left after going live deleting the test ones", len(rs))
		}
		if p := f.browser(t, f.open.ID).get(""); strings.Contains(p.body, banner) {
			t.Error("a live survey shows the test banner")
		}
	})
}
