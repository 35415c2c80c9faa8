package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// testStudies: studies made with their owner in one transaction (a taken
// name or an unknown owner stores nothing), read back with the second
// factor requirement; instrument keys joining a study with their first
// version, a key of one study refused to another (and nothing stored),
// the default study holding keys made without a study, and a survey in
// its instrument's study.
func testStudies(t *testing.T, s survey.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := s.EnsureStudy(ctx, survey.DefaultStudy, "Default study", t0); err != nil {
		t.Fatal(err)
	}
	u := &survey.User{Email: "owner@example.org", PasswordHash: "x", CreatedAt: t0}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	b := &survey.Study{Name: "Study B", CreatedAt: t0}
	if err := s.CreateStudy(ctx, b, u.ID); err != nil || b.ID != 2 {
		t.Fatalf("create study: %v, id %d", err, b.ID)
	}
	if ms, err := s.FindMemberships(ctx, u.ID); err != nil || len(ms) != 1 || ms[0].StudyID != b.ID || ms[0].Role != survey.RoleOwner {
		t.Errorf("the creator's memberships: %+v %v", ms, err)
	}
	if err := s.CreateStudy(ctx, &survey.Study{Name: "Study B", CreatedAt: t0}, 0); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("a taken name: %v, want conflict", err)
	}
	if err := s.CreateStudy(ctx, &survey.Study{Name: "Study C", CreatedAt: t0}, 999); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("an unknown owner: %v, want not found", err)
	}
	if all, err := s.FindStudies(ctx); err != nil || len(all) != 2 || all[0].ID != 1 || all[1].Name != "Study B" || !all[1].CreatedAt.Equal(t0) {
		t.Errorf("studies: %+v %v (a refused study stored?)", all, err)
	}
	if err := s.SetStudyRequireTOTP(ctx, b.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindStudy(ctx, b.ID); err != nil || !got.RequireTOTP {
		t.Errorf("second factor required: %+v %v", got, err)
	}
	if got, err := s.FindStudy(ctx, survey.DefaultStudy); err != nil || got.RequireTOTP {
		t.Errorf("the default study: %+v %v", got, err)
	}
	if err := s.SetStudyRequireTOTP(ctx, 99, true); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown study: %v", err)
	}
	if _, err := s.FindStudy(ctx, 99); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("find unknown study: %v", err)
	}

	create := func(study int64, key string, v int) error {
		_, err := s.CreateInstrumentInStudy(ctx, study, Instrument(key, v), t0)
		return err
	}
	if err := create(survey.DefaultStudy, "in-a", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateInstrument(ctx, Instrument("legacy", 1), t0); err != nil {
		t.Fatal(err)
	}
	if err := create(b.ID, "in-b", 1); err != nil {
		t.Fatal(err)
	}
	if err := create(b.ID, "in-b", 2); err != nil {
		t.Errorf("a second version in the key's study: %v", err)
	}
	if err := create(survey.DefaultStudy, "in-b", 3); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("a version of study B's key in the default study: %v, want conflict", err)
	}
	if _, err := s.FindInstrument(ctx, "in-b", 3); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("the refused version was stored: %v", err)
	}
	if err := create(b.ID, "in-a", 2); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("a version of the default study's key in study B: %v, want conflict", err)
	}
	if err := create(99, "nowhere", 1); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("an unknown study: %v, want not found", err)
	}
	for key, want := range map[string]int64{"in-a": survey.DefaultStudy, "legacy": survey.DefaultStudy, "in-b": b.ID} {
		if got, err := s.FindStudyOfInstrument(ctx, key); err != nil || got != want {
			t.Errorf("study of %s: %d %v, want %d", key, got, err, want)
		}
	}
	if _, err := s.FindStudyOfInstrument(ctx, "nowhere"); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("a key never stored: %v", err)
	}
	if m, err := s.FindInstrumentStudies(ctx); err != nil || len(m) != 1 || m["in-b"] != b.ID {
		t.Errorf("instrument studies: %v %v", m, err)
	}
	if survey.StudyOf(map[string]int64{"in-b": b.ID}, "in-a") != survey.DefaultStudy {
		t.Error("StudyOf: a key without a row is not in the default study")
	}

	for key, want := range map[string]int64{"in-a": survey.DefaultStudy, "in-b": b.ID} {
		if _, err := s.SetInstrumentStatus(ctx, key, 1, []string{survey.StatusDraft}, survey.StatusPublished, t0); err != nil {
			t.Fatal(err)
		}
		sv := &survey.Survey{ID: survey.NewSurveyID(), InstrumentKey: key, InstrumentVersion: 1, Title: key,
			Access: survey.AccessOpen, Status: survey.SurveyOpen, CreatedAt: t0}
		if err := s.CreateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
		if got, err := s.FindStudyOfSurvey(ctx, sv.ID); err != nil || got != want {
			t.Errorf("study of the survey of %s: %d %v, want %d", key, got, err, want)
		}
	}
	if _, err := s.FindStudyOfSurvey(ctx, "nosuchsurvey"); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown survey: %v", err)
	}
}
