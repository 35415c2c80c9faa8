package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/dyad-survey/dyad/internal/store/ormstore"
	"github.com/dyad-survey/dyad/internal/survey"
)

// whyNotSpendable explains why a code could not be spent or held: not one
// of the survey's codes (EForbidden), spent, or held by a web response in
// progress (EConflict).
func whyNotSpendable(ctx context.Context, tx *sql.Tx, surveyID string, codeHash []byte) error {
	var spent, held int
	err := tx.QueryRowContext(ctx, `SELECT spent, held FROM invitations WHERE survey_id = ? AND code_hash = ?`, surveyID, codeHash).Scan(&spent, &held)
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

// writeOne writes one response inside the writer's transaction: insert the
// row, then spend the invitation code if there is one. The insert comes
// first so that a retry of the same response (same id) is recognised as
// such rather than refused for its already-spent code. The insert happens
// only while the survey is open at the response's submission time (see
// CloseSurvey for why this decides the race with a close). A failure is
// returned in the result; with a code, the caller rolls back to the
// savepoint (writer.go), without one the failed insert undid itself.
func (s *Store) writeOne(ctx context.Context, tx *sql.Tx, j *writeJob) writeResult {
	r := j.r
	// The values used twice or more are boxed once, and the submission
	// time as a string rather than a *string, which database/sql would
	// dereference by reflection at each use: allocations of the writer's
	// goroutine, per submission.
	submitted, surveyID := timeArg(r.SubmittedAt), any(r.SurveyID)
	res, err := s.batch.stmt(ctx, s.insertResponse).ExecContext(ctx, r.ID, surveyID, r.InstrumentKey, r.InstrumentVersion, r.Status, answersText(r), r.Digest, // a string: bound as TEXT, not BLOB
		formatTime(r.StartedAt), submitted, surveyID, surveyID, submitted)
	if err != nil {
		if isUnique(err) {
			return writeResult{dup: true} // the same id arrived before, maybe in this very batch
		}
		return writeResult{err: classify(err, "store response")}
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Nothing inserted: the survey is closed, unless the id exists
		// (INSERT ... SELECT raises no unique error when it selects nothing).
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM responses WHERE id = ?`, r.ID).Scan(&dup); err != nil {
			return writeResult{err: classify(err, "store response")}
		}
		if dup > 0 {
			return writeResult{dup: true}
		}
		return writeResult{err: closedError(ctx, tx, r.SurveyID, r.SubmittedAt)}
	}
	if j.codeHash != nil {
		res, err := s.batch.stmt(ctx, s.spendCode).ExecContext(ctx, r.SurveyID, j.codeHash)
		if err != nil {
			return writeResult{err: classify(err, "spend invitation code")}
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return writeResult{err: whyNotSpendable(ctx, tx, r.SurveyID, j.codeHash)}
		}
	}
	return writeResult{created: true}
}

// The row readers are shared by the engines (ormstore/rows.go);
// progressColumns are in progress_columns.go.
const responseColumns = ormstore.ResponseColumns

var (
	scanResponse = ormstore.ScanResponse
	answersText  = ormstore.AnswersText
)

// FindResponse implements survey.Store.
func (s *Store) FindResponse(ctx context.Context, id string) (*survey.Response, error) {
	return s.findResponse(ctx, s.readSQL, id)
}

func (s *Store) findResponse(ctx context.Context, db *sql.DB, id string) (*survey.Response, error) {
	r, _, err := scanResponse(db.QueryRowContext(ctx, `SELECT `+responseColumns+` FROM responses WHERE id = ?`, id))
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
	q := `SELECT ` + responseColumns + ` FROM responses WHERE survey_id = ? AND seq > ?`
	args := []any{f.SurveyID, f.After}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if !f.IncludeTest {
		q += ` AND test = 0` // responses made in test mode are left out unless asked for
	}
	q += ` ORDER BY seq LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.readSQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, classify(err, "list responses")
	}
	return s.ReadResponses(rows, f.After)
}
