package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
)

// Closing a survey while responses arrive.
//
// The rule is SQLite's (internal/store/sqlite/surveys.go): closedness is
// decided again inside the transaction that writes a response, and no
// stored response has a submitted_at after the survey's closed_at. SQLite
// gets the order of the two from its single writer connection; here any
// number of connections and instances write at once, so the order comes
// from the survey row's lock:
//   - a response's insert (writer.go) or completing update (progress.go)
//     selects the survey row FOR SHARE with the condition surveyOpenAt.
//     Many responses share the lock; it is held to their commit.
//   - a close first takes the row FOR UPDATE, which waits for every
//     response transaction holding it FOR SHARE to commit and keeps new
//     ones waiting; then, in a new statement (so, at READ COMMITTED, a new
//     snapshot that sees those commits), it sets closed_at to the later of
//     its time and the latest stored submitted_at.
//   - a response transaction that waited for the close re-reads the
//     survey row once the close commits (PostgreSQL re-checks a locked
//     row's conditions against its newest version), finds it closed and
//     stores nothing: EConflict, "survey ... is closed".

// surveyOpenAt is the SQL condition, for a write's WHERE clause, that the
// survey (the first operand) takes a response submitted at the second,
// locking the survey row FOR SHARE until the write's commit. Format it
// with the two operands: parameters ("$2") or columns of the rows
// written.
const surveyOpenAt = `EXISTS (SELECT 1 FROM surveys WHERE surveys.id = %s AND surveys.status = 'open'
	AND (surveys.closes_at IS NULL OR surveys.closes_at > %s) FOR SHARE)`

// rowQuerier is a transaction or the database: what a check that reads
// one row runs on.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// responseTest is the SQL value of a new response's test column: 1 while
// its survey (the operand: a parameter such as "$2::text", or a column
// of the rows written) is in test mode, read in the statement that
// inserts the response. (A response that waited
// for a go-live's lock is marked by the mode its statement's snapshot
// saw: at most the few responses racing the switch keep the test mark.)
const responseTest = `(SELECT CASE WHEN mode = 'test' THEN 1 ELSE 0 END FROM surveys WHERE id = %s)`

// closedError says, in CheckOpen's words, why the survey refused a
// response submitted at t.
func closedError(ctx context.Context, tx rowQuerier, surveyID string, t *time.Time) error {
	var (
		sv       = survey.Survey{ID: surveyID}
		closesAt *string
	)
	err := tx.QueryRowContext(ctx, `SELECT status, closes_at FROM surveys WHERE id = $1`, surveyID).Scan(&sv.Status, &closesAt)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Errorf(survey.EConflict, "survey %q does not exist", surveyID)
	}
	if err != nil {
		return classify(err, "check survey")
	}
	sv.ClosesAt = parseTimePtr(closesAt)
	at := time.Now()
	if t != nil {
		at = *t
	}
	if err := sv.CheckOpen(at); err != nil {
		return err
	}
	return survey.Errorf(survey.EConflict, "survey %s is closed", surveyID)
}

// CloseSurvey implements survey.Store. closed_at is the later of at and
// the latest stored submission (see the overview above).
func (s *Store) CloseSurvey(ctx context.Context, id string, at time.Time) (*survey.Survey, error) {
	var out *survey.Survey
	err := s.orm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Wait out the response transactions that hold the row FOR SHARE.
		if err := tx.Exec(`SELECT 1 FROM surveys WHERE id = ? FOR UPDATE`, id).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE surveys SET status = ?, closed_at = greatest(?::text,
			coalesce((SELECT max(submitted_at) FROM responses WHERE survey_id = surveys.id), ''))
			WHERE id = ? AND status = ?`, survey.SurveyClosed, formatTime(at), id, survey.SurveyOpen).Error; err != nil {
			return err
		}
		var err error
		out, err = s.FindSurveyIn(tx, id)
		return err
	})
	if err != nil {
		return nil, classify(err, "close survey")
	}
	return out, nil
}
