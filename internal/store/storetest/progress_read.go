package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// testFindProgressReadsAll: FindProgress, which reads its own narrower
// set of columns (the web form reads it on every request), gives back
// every field as written, the same Response FindResponse reads, before
// and after completion: texts with escapes, lists (empty ones too), page
// times, the language, times to the microsecond, the survey id its query
// matched.
func testFindProgressReadsAll(t *testing.T, s survey.Store) {
	ctx := context.Background()
	svc := survey.NewService(s)
	sv := SeedSurvey(t, s, survey.AccessOpen)
	p, tok, err := svc.StartProgress(ctx, sv.ID, "", "de-CH")
	if err != nil {
		t.Fatal(err)
	}
	answers := survey.Answers{
		"q1": survey.IntVal(-3), "q2": survey.TextVal("a \"quote\"\n<b>&é 😀"), "q3": survey.ListVal(4, 1),
		"q4": survey.ListVal(), "q5": survey.TextVal("plain"), `we"ird`: survey.IntVal(1 << 40),
	}
	p.Answers = answers
	p.AnswersJSON = nil
	p.Digest = []byte{1, 2, 3}
	p.UpdatedAt = time.Date(2026, 2, 28, 23, 59, 59, 123456000, time.UTC)
	p.PageTimes = survey.PageTimes{"main": 12500, "<x>": 0}
	if err := s.SaveProgress(ctx, p); err != nil {
		t.Fatal(err)
	}
	check := func(status string) *survey.Progress {
		t.Helper()
		got, err := svc.FindProgress(ctx, sv.ID, tok)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.FindResponse(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Response, *want) {
			t.Fatalf("FindProgress read\n%#v\nFindResponse read\n%#v", got.Response, *want)
		}
		if got.ID != p.ID || got.SurveyID != sv.ID || got.InstrumentKey != sv.InstrumentKey || got.InstrumentVersion != sv.InstrumentVersion ||
			got.Status != status || got.Language != "de-CH" || got.Test || got.StartedAt != p.StartedAt {
			t.Fatalf("read %+v; wrote %+v", got, p)
		}
		if !reflect.DeepEqual(got.Answers, answers) || !reflect.DeepEqual(got.PageTimes, p.PageTimes) {
			t.Fatalf("answers %#v, page times %v; wrote %#v, %v", got.Answers, got.PageTimes, answers, p.PageTimes)
		}
		return got
	}
	got := check(survey.ResponseInProgress)
	if got.UpdatedAt != p.UpdatedAt || string(got.Digest) != "\x01\x02\x03" || got.SubmittedAt != nil || got.SealedCode != nil {
		t.Fatalf("read %+v", got)
	}
	// The store's own completion: these answers are not the seeded
	// instrument's, which the service would check.
	done := got.Response
	submitted := time.Now().UTC().Truncate(time.Microsecond)
	done.SubmittedAt = &submitted
	if created, err := s.CompleteProgress(ctx, &done, nil); err != nil || !created {
		t.Fatalf("complete: %v, %v", created, err)
	}
	got = check(survey.ResponseComplete)
	if got.SubmittedAt == nil || *got.SubmittedAt != submitted {
		t.Fatalf("submitted at %v, completed at %v", got.SubmittedAt, submitted)
	}
}
