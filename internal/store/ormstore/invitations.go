package ormstore

import (
	"context"
	"errors"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
)

// UnknownCode is the error for a code that is none of the survey's.
func UnknownCode() error {
	return &survey.Error{Code: survey.EForbidden, Message: "the invitation code is not valid for this survey",
		Details: []survey.Detail{{Path: "invitation_code", Message: "unknown code; check it against the invitation"}}}
}

// SpentCode is the error for a code that admitted a response already.
func SpentCode() error {
	return &survey.Error{Code: survey.EConflict, Message: "the invitation code has already been used",
		Details: []survey.Detail{{Path: "invitation_code", Message: "this code has already been used to submit a response"}}}
}

// CheckInvitation implements survey.Store.
func (t *Tables) CheckInvitation(ctx context.Context, surveyID string, codeHash []byte) error {
	var row InvitationRecord
	err := t.Read.WithContext(ctx).Where("survey_id = ? AND code_hash = ?", surveyID, codeHash).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return UnknownCode()
	case err != nil:
		return t.classify(err, "check invitation code")
	case row.Spent != 0:
		return SpentCode()
	case row.Held != 0:
		return survey.ErrCodeInUse()
	}
	return nil
}
