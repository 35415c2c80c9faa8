package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dyad-survey/dyad/internal/store/ormstore"
	"github.com/dyad-survey/dyad/internal/survey"
)

// The invitation-code errors are shared by the engines (ormstore/invitations.go).
var (
	unknownCode = ormstore.UnknownCode
	spentCode   = ormstore.SpentCode
)

// whyNotSpendable explains why a code could not be spent or held: not one
// of the survey's codes (EForbidden), spent, or held by a web response in
// progress (EConflict).
func whyNotSpendable(ctx context.Context, tx *sql.Tx, surveyID string, codeHash []byte) error {
	var spent, held int
	err := tx.QueryRowContext(ctx, `SELECT spent, held FROM invitations WHERE survey_id = $1 AND code_hash = $2`, surveyID, codeHash).Scan(&spent, &held)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return unknownCode()
	case err != nil:
		return classify(err, "check invitation code")
	case spent != 0:
		return spentCode()
	case held != 0:
		return survey.ErrCodeInUse()
	}
	return classify(errors.New("invitation code neither spent nor held but not spendable"), "spend invitation code")
}

// The row readers are shared by the engines (ormstore/rows.go).
const (
	responseColumns = ormstore.ResponseColumns
	progressColumns = ormstore.ProgressColumns
)

var (
	scanResponse = ormstore.ScanResponse
	answersText  = ormstore.AnswersText
)

// FindResponse implements survey.Store.
func (s *Store) FindResponse(ctx context.Context, id string) (*survey.Response, error) {
	r, _, err := scanResponse(s.db.QueryRowContext(ctx, `SELECT `+responseColumns+` FROM responses WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENotFound, "response %s not found", id)
	}
	if err != nil {
		return nil, classify(err, "find response")
	}
	return r, nil
}

// FindResponses implements survey.Store.
func (s *Store) FindResponses(ctx context.Context, f survey.ResponseFilter) ([]*survey.Response, int64, error) {
	q := `SELECT ` + responseColumns + ` FROM responses WHERE survey_id = $1 AND seq > $2`
	args := []any{f.SurveyID, f.After}
	if f.Status != "" {
		args = append(args, f.Status)
		q += fmt.Sprintf(` AND status = $%d`, len(args))
	}
	if !f.IncludeTest {
		q += ` AND test = 0` // responses made in test mode are left out unless asked for
	}
	args = append(args, f.Limit)
	q += fmt.Sprintf(` ORDER BY seq LIMIT $%d`, len(args))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, classify(err, "list responses")
	}
	return s.ReadResponses(rows, f.After)
}
