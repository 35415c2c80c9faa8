package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// testPageTimes: each save of a page adds the time from the page's first
// view to the save to its section's page time, a save that changes no
// answer included; the times are stored with the submission and read
// back by every read path (the resume, the API's reads and the export
// scan). A response sent through the API has none (nil).
func testPageTimes(t *testing.T, s survey.Store) {
	ctx := context.Background()
	svc := survey.NewService(s)
	clock := time.Now().UTC().Truncate(time.Second)
	svc.Now = func() time.Time { return clock }
	sv := SeedSurvey(t, s, survey.AccessOpen)
	p, tok, err := svc.StartProgress(ctx, sv.ID, "", "en")
	if err != nil {
		t.Fatal(err)
	}
	if p.PageTimes != nil {
		t.Fatalf("a new response has page times %v", p.PageTimes)
	}
	find := func() *survey.Progress {
		t.Helper()
		got, err := svc.FindProgress(ctx, sv.ID, tok)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	save := func(viewed time.Time, a survey.Answers, action survey.SectionAction) survey.SaveSectionOutcome {
		t.Helper()
		out, err := svc.SaveSection(ctx, survey.SaveSectionInput{SurveyID: sv.ID, Token: tok, Progress: find(),
			Section: 0, Answers: a, Action: action, ViewedAt: viewed})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// 12.5 s on the page, saved with Back.
	save(clock.Add(-12500*time.Millisecond), survey.Answers{"q2": survey.TextVal("draft")}, survey.SectionBack)
	if got := find().PageTimes; !reflect.DeepEqual(got, survey.PageTimes{"main": 12500}) {
		t.Fatalf("after one visit: %v", got)
	}
	// The same answers again, 3 s later: the time is still saved.
	save(clock.Add(-3*time.Second), survey.Answers{"q2": survey.TextVal("draft")}, survey.SectionBack)
	if got := find().PageTimes; !reflect.DeepEqual(got, survey.PageTimes{"main": 15500}) {
		t.Fatalf("after a save that changed no answer: %v", got)
	}
	// No stamp: nothing added. A stamp from the day before: one hour.
	save(time.Time{}, survey.Answers{"q2": survey.TextVal("draft 2")}, survey.SectionBack)
	if out := save(clock.Add(-24*time.Hour), survey.Answers{"q1": survey.IntVal(2), "q2": survey.TextVal("final")}, survey.SectionNext); out.Kind != survey.SectionCompleted {
		t.Fatalf("submit: outcome %d", out.Kind)
	}
	want := survey.PageTimes{"main": 15500 + survey.MaxPageVisit.Milliseconds()}
	if r, err := s.FindResponse(ctx, p.ID); err != nil || !reflect.DeepEqual(r.PageTimes, want) || r.Status != survey.ResponseComplete {
		t.Fatalf("submitted: %+v, %v; want page times %v", r, err, want)
	}
	api := NewResponse(sv, 1)
	if _, _, err := s.CreateResponse(ctx, api, nil); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, Limit: 10})
	if err != nil || len(list) != 2 || !reflect.DeepEqual(list[0].PageTimes, want) || list[1].PageTimes != nil {
		t.Fatalf("FindResponses: %d responses, %v", len(list), err)
	}
	for _, raw := range []bool{false, true} {
		var scanned []survey.PageTimes
		err = s.ScanResponses(ctx, survey.ExportFilter{SurveyID: sv.ID, RawAnswers: raw}, func(r *survey.Response) error {
			var c survey.PageTimes
			if r.PageTimes != nil {
				c = survey.PageTimes{}
				for k, v := range r.PageTimes {
					c[k] = v
				}
			}
			scanned = append(scanned, c)
			return nil
		})
		if err != nil || len(scanned) != 2 || !reflect.DeepEqual(scanned[0], want) || scanned[1] != nil {
			t.Fatalf("ScanResponses (raw %v): %v, %v", raw, scanned, err)
		}
	}
}
