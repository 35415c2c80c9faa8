package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// researcherToken settles the researcher token: DYAD_ADMIN_TOKEN if set
// (its hash replaces any stored one); else the stored hash; else a new
// token, returned so it can be printed this once.
func researcherToken(ctx context.Context, st survey.Settings, fromEnv string) (hash []byte, newToken string, err error) {
	if fromEnv != "" {
		hash = survey.HashSecret(fromEnv)
		return hash, "", st.PutSetting(ctx, survey.SettingAdminTokenHash, hash)
	}
	hash, err = st.Setting(ctx, survey.SettingAdminTokenHash)
	if err != nil || hash != nil {
		return hash, "", err
	}
	newToken = survey.NewToken()
	hash = survey.HashSecret(newToken)
	return hash, newToken, st.PutSetting(ctx, survey.SettingAdminTokenHash, hash)
}

// defaultStudyName names the study of the shipped instrument, made at the
// first start.
const defaultStudyName = "Study"

// seedStore is what seed writes: the default study and the settings.
type seedStore interface {
	survey.Accounts
	survey.Settings
}

// seed makes the default study, loads every shipped instrument not yet in
// the database as a published version, and opens a survey for the study
// instrument on the first start only. It returns that survey while it is
// open, else nil.
//
// The first start records the survey's id (SettingStudySurvey), so that
// the study survey is a survey like any other afterwards: a researcher
// may rename, close, reopen or delete it, and a restart does not open
// another. Databases from before the setting record the study survey they
// have, if any.
func seed(ctx context.Context, svc *survey.Service, st seedStore) (*survey.Survey, error) {
	// Every instrument and survey belongs to the default study until
	// studies can be chosen: made here at the first start.
	if err := st.EnsureStudy(ctx, survey.DefaultStudy, defaultStudyName, time.Now()); err != nil {
		return nil, fmt.Errorf("default study: %w", err)
	}
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		return nil, fmt.Errorf("shipped instruments: %w", err)
	}
	var study *survey.Instrument
	for _, f := range files {
		in, name := f.Instrument, f.Name
		if in.Key == instruments.Study && (study == nil || in.Version > study.Version) {
			study = in
		}
		_, err = svc.Instrument(ctx, in.Key, in.Version)
		switch survey.ErrorCode(err) {
		case "":
			continue // loaded on an earlier start; published versions never change
		case survey.ENotFound:
		default:
			return nil, err
		}
		if _, err := svc.CreateInstrument(ctx, in); err != nil {
			return nil, fmt.Errorf("load %s: %w", name, err)
		}
		if _, err := svc.Publish(ctx, in.Key, in.Version); err != nil {
			return nil, fmt.Errorf("publish %s: %w", name, err)
		}
	}
	if study == nil {
		return nil, nil
	}
	id, err := st.Setting(ctx, survey.SettingStudySurvey)
	if err != nil {
		return nil, err
	}
	if id == nil {
		surveys, err := svc.Surveys(ctx)
		if err != nil {
			return nil, err
		}
		var sv *survey.Survey
		for _, s := range surveys {
			if s.InstrumentKey == instruments.Study {
				sv = s // opened by a start before the setting was kept
			}
		}
		if sv == nil {
			if sv, err = svc.CreateSurvey(ctx, survey.NewSurvey{
				InstrumentKey: study.Key, InstrumentVersion: study.Version,
				Title: study.Title, Access: survey.AccessOpen,
			}); err != nil {
				return nil, err
			}
		}
		if err := st.PutSetting(ctx, survey.SettingStudySurvey, []byte(sv.ID)); err != nil {
			return nil, err
		}
		id = []byte(sv.ID)
	}
	sv, err := svc.Survey(ctx, string(id))
	switch {
	case survey.ErrorCode(err) == survey.ENotFound:
		return nil, nil // the researcher deleted it
	case err != nil:
		return nil, err
	case sv.Status != survey.SurveyOpen:
		return nil, nil // the researcher closed it
	}
	return sv, nil
}
