package sqlite

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
// The service checks that a survey is open before it validates a response,
// against a cached survey row and at the time it stamps as submitted_at;
// the response then waits for the writer. A close in between used to be
// missed: the response was stored with submitted_at after closed_at. So
// closedness is decided again where it cannot race: in the transaction
// that writes the response. The group commit's insert (writeOne) and the
// web form's completing update (CompleteProgress) carry the condition
// surveyOpenAt, evaluated inside their transaction: the survey row is
// open and its closes_at, if any, is after the response's submitted_at.
// A response that loses the race writes nothing and gets the error that a
// closed survey always gives (survey.Survey.CheckOpen: EConflict, "survey
// ... is closed"), never a 201.
//
// The serialisation point is the writer pool's single connection: the
// batches, the web form's writes and the close all run on it, one
// transaction at a time (BEGIN IMMEDIATE holds the write lock). A response
// transaction that runs before the close's is stored before closed_at is
// set; one that runs after sees the survey closed and stores nothing. For
// the first kind, submitted_at was stamped by the service before the
// response was queued, possibly after the researcher's clock reading
// (at). So the close sets closed_at to the later of at and the latest
// submitted_at already stored for the survey, read in its own
// transaction: no stored response can have submitted_at after closed_at,
// whatever the clocks did, and closed_at is at most the few milliseconds
// of one batch later than the researcher's request. Reading that maximum
// scans the survey's responses once, on a rare operation.

// surveyOpenAt is the SQL condition, for a write's WHERE clause, that the
// survey (first argument) takes a response submitted at the second
// argument: status open and not past closes_at. It is the storage side of
// survey.Survey.CheckOpen's closing rules. opens_at is checked by the
// service alone: a PATCH that moves it later than now can let through the
// responses already checked against the cached row (for at most
// survey.SurveyCacheTTL), which a start already passed had admitted.
const surveyOpenAt = `EXISTS (SELECT 1 FROM surveys WHERE surveys.id = ? AND surveys.status = 'open'
	AND (surveys.closes_at IS NULL OR surveys.closes_at > ?))`

// responseTest is the SQL value of a new response's test column: 1 while
// its survey (the one argument) is in test mode. It is read in the
// statement that inserts the response, so a response is marked by the
// mode its survey had when it was written, whatever a cached survey row
// said.
const responseTest = `(SELECT mode = 'test' FROM surveys WHERE id = ?)`

// closedError says, in CheckOpen's words, why the survey refused a
// response submitted at t.
func closedError(ctx context.Context, tx *sql.Tx, surveyID string, t *time.Time) error {
	var (
		sv       = survey.Survey{ID: surveyID}
		closesAt *string
	)
	err := tx.QueryRowContext(ctx, `SELECT status, closes_at FROM surveys WHERE id = ?`, surveyID).Scan(&sv.Status, &closesAt)
	if errors.Is(err, sql.ErrNoRows) {
		// The service found it; its absence now clashes with stored state,
		// as the foreign key would say.
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
	if err := s.writable(); err != nil {
		return nil, err
	}
	var out *survey.Survey
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE surveys SET status = ?, closed_at = max(?,
			coalesce((SELECT max(submitted_at) FROM responses WHERE survey_id = surveys.id), ''))
			WHERE id = ? AND status = ?`, survey.SurveyClosed, formatTime(at), id, survey.SurveyOpen).Error; err != nil {
			return err
		}
		var err error
		out, err = s.FindSurveyIn(tx, id)
		return err
	})
	if err := s.finishWrite(err); err != nil {
		return nil, classify(err, "close survey")
	}
	return out, nil
}
