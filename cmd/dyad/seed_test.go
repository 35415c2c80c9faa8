package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/sample"
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

// TestSeedKeepsAnOlderStudyVersion: a database that loaded an older
// version of the study instrument (and fielded it) gains the shipped
// version as a second published version at the next start, and its study
// survey stays on the version it was opened with: the responses of one
// survey all answer one wording, and moving a running survey to a new
// version is the researcher's decision (a new survey), not a restart's.
func TestSeedKeepsAnOlderStudyVersion(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "dyad.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := survey.NewService(st)
	if instruments.StudyVersion < 2 {
		t.Skip("no older version of the study instrument")
	}
	// The older version as an earlier release stored it: the same key
	// with a lower number (its wording does not matter here).
	old, err := sample.Study()
	if err != nil {
		t.Fatal(err)
	}
	old.Version = instruments.StudyVersion - 1
	if _, err := svc.CreateInstrument(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, old.Key, old.Version); err != nil {
		t.Fatal(err)
	}
	sv, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: old.Key, InstrumentVersion: old.Version, Title: "Fielded", Access: survey.AccessOpen})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutSetting(ctx, survey.SettingStudySurvey, []byte(sv.ID)); err != nil {
		t.Fatal(err)
	}
	before, err := svc.Instrument(ctx, old.Key, old.Version)
	if err != nil {
		t.Fatal(err)
	}

	for range 2 { // a second start changes nothing more
		got, err := seed(ctx, svc, st)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || got.ID != sv.ID || got.InstrumentVersion != old.Version {
			t.Fatalf("seed returned %+v, want the fielded survey on version %d", got, old.Version)
		}
	}
	v2, err := svc.Instrument(ctx, instruments.Study, instruments.StudyVersion)
	if err != nil {
		t.Fatalf("the shipped version was not loaded: %v", err)
	}
	if v2.Status != survey.StatusPublished {
		t.Errorf("shipped version %d is %s, want published", instruments.StudyVersion, v2.Status)
	}
	after, err := svc.Instrument(ctx, old.Key, old.Version)
	if err != nil {
		t.Fatal(err)
	}
	was, _ := json.Marshal(before.Instrument)
	is, _ := json.Marshal(after.Instrument)
	if after.Status != survey.StatusPublished || !bytes.Equal(was, is) {
		t.Errorf("the older version changed (status %s)", after.Status)
	}
	list, err := svc.Surveys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("%d surveys after the upgrade, want the fielded one alone", len(list))
	}
}
