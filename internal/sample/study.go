package sample

import (
	"fmt"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// Study loads the shipped study instrument (instruments.Study), its
// highest version if several are shipped.
func Study() (*survey.Instrument, error) {
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		return nil, err
	}
	var study *survey.Instrument
	for _, f := range files {
		if f.Instrument.Key == instruments.Study && (study == nil || f.Instrument.Version > study.Version) {
			study = f.Instrument
		}
	}
	if study == nil {
		return nil, fmt.Errorf("no %s instrument among the shipped files", instruments.Study)
	}
	return study, nil
}

// StudyForm returns the form of the shipped study instrument.
func StudyForm() (*survey.Form, error) {
	study, err := Study()
	if err != nil {
		return nil, err
	}
	return survey.NewForm(study)
}
