package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestStudySurveyIsLikeAnyOther: the study survey the first start opens
// can be renamed, closed, reopened and deleted, and no later start opens
// another.
func TestStudySurveyIsLikeAnyOther(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "dyad.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := survey.NewService(st)
	first, err := seed(ctx, svc, st)
	if err != nil || first == nil {
		t.Fatalf("first start: %v, %v", first, err)
	}
	studySurveys := func() int {
		t.Helper()
		list, err := svc.Surveys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range list {
			if s.InstrumentKey == instruments.Study {
				n++
			}
		}
		return n
	}
	restart := func(want *survey.Survey) {
		t.Helper()
		got, err := seed(ctx, svc, st)
		if err != nil {
			t.Fatal(err)
		}
		if (got == nil) != (want == nil) || got != nil && got.ID != want.ID {
			t.Fatalf("restart gave %+v, want %+v", got, want)
		}
		if n := studySurveys(); n > 1 {
			t.Fatalf("%d study surveys after a restart", n)
		}
	}
	restart(first)

	name, closed, open := "AI study, ward pilot", survey.SurveyClosed, survey.SurveyOpen
	if _, err := svc.UpdateSurvey(ctx, first.ID, survey.SurveyUpdate{Title: &name}); err != nil {
		t.Fatal(err)
	}
	restart(first)
	if sv, _ := svc.Survey(ctx, first.ID); sv.Title != name {
		t.Errorf("a restart renamed it back to %q", sv.Title)
	}
	if _, err := svc.UpdateSurvey(ctx, first.ID, survey.SurveyUpdate{Status: &closed}); err != nil {
		t.Fatal(err)
	}
	restart(nil)
	if _, err := svc.UpdateSurvey(ctx, first.ID, survey.SurveyUpdate{Status: &open}); err != nil {
		t.Fatal(err)
	}
	restart(first)

	if err := svc.DeleteSurvey(ctx, first.ID); err != nil {
		t.Fatalf("delete the study survey without responses: %v", err)
	}
	restart(nil)
	if n := studySurveys(); n != 0 {
		t.Fatalf("a restart opened the deleted study survey again (%d)", n)
	}
}

// TestStudySurveyFromBefore: a database whose study survey was opened
// before its id was recorded keeps that one survey.
func TestStudySurveyFromBefore(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "dyad.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := survey.NewService(st)
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	var old *survey.Survey
	for _, f := range files {
		if f.Instrument.Key != instruments.Study || old != nil {
			continue
		}
		if _, err := svc.CreateInstrument(ctx, f.Instrument); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Publish(ctx, f.Instrument.Key, f.Instrument.Version); err != nil {
			t.Fatal(err)
		}
		if old, err = svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: f.Instrument.Key,
			InstrumentVersion: f.Instrument.Version, Title: "Opened by an older start", Access: survey.AccessOpen}); err != nil {
			t.Fatal(err)
		}
	}
	if old == nil {
		t.Fatal("no study instrument shipped")
	}
	for range 2 {
		got, err := seed(ctx, svc, st)
		if err != nil || got == nil || got.ID != old.ID {
			t.Fatalf("seed: %+v, %v; want the survey opened before", got, err)
		}
	}
	if id, err := st.Setting(ctx, survey.SettingStudySurvey); err != nil || string(id) != old.ID {
		t.Errorf("recorded %q, %v; want %s", id, err, old.ID)
	}
}
