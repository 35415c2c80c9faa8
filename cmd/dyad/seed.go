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

// seed makes the default study and loads every shipped instrument not yet in the database as a
// published version, and opens a survey for the study instrument if it has
// none. It returns that survey (new or existing), or nil if it is closed.
func seed(ctx context.Context, svc *survey.Service, st survey.Accounts) (*survey.Survey, error) {
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
	surveys, err := svc.Surveys(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range surveys {
		if s.InstrumentKey == instruments.Study {
			if s.Status == survey.SurveyOpen {
				return s, nil
			}
			return nil, nil // the researcher closed it: do not open another
		}
	}
	return svc.CreateSurvey(ctx, survey.NewSurvey{
		InstrumentKey: study.Key, InstrumentVersion: study.Version,
		Title: study.Title, Access: survey.AccessOpen,
	})
}
