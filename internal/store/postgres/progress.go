package postgres

// In-progress responses of the web form (survey/progress.go): rows of
// responses with a resume_hash, written directly in their own short
// transactions rather than through the group commit. A respondent saves at
// most once per page, seconds apart, so these writes are few. What SQLite
// got from its single writer connection comes here from the statements:
// a code is held by the one conditional UPDATE that finds it free, a
// completion is decided by the one UPDATE that finds the row in progress
// and the survey open (surveyOpenAt, surveys.go).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// CreateProgress implements survey.Store. With a hold, taking the code
// and inserting the response are one transaction, and of any number of
// concurrent starts with one code (on any instance) exactly one takes it:
// the others' UPDATE waits for its commit and then finds the code held.
// The partial unique index on hold_mark backs that up.
func (s *Store) CreateProgress(ctx context.Context, p *survey.Progress, resumeHash []byte, hold *survey.Hold) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(err, "begin")
	}
	defer tx.Rollback() // no-op after Commit
	if err := lockInserts(ctx, tx); err != nil {
		return classify(err, "store response in progress")
	}
	var mark []byte
	if hold != nil {
		if err := takeHold(ctx, tx, p.SurveyID, hold); err != nil {
			return err
		}
		mark = hold.Mark
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO responses
		(id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at, resume_hash, sealed_code, updated_at, hold_mark, test, language)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11, $12, `+fmt.Sprintf(responseTest, "$2::text")+`, $13)`,
		p.ID, p.SurveyID, p.InstrumentKey, p.InstrumentVersion, survey.ResponseInProgress, answersText(&p.Response), p.Digest,
		formatTime(p.StartedAt), resumeHash, p.SealedCode, formatTime(p.UpdatedAt), mark, p.Language)
	if hold != nil && isUnique(err) {
		return survey.ErrCodeInUse() // a response holds the code that an old row marks
	}
	if err != nil {
		return classify(err, "store response in progress")
	}
	return classify(tx.Commit(), "commit response in progress")
}

// takeHold marks the invitation code held, trying its keyed hash, then
// its legacy one. A code that is held already is refused unless the hold
// discards the response that holds it.
func takeHold(ctx context.Context, tx *sql.Tx, surveyID string, hold *survey.Hold) error {
	for _, h := range [][]byte{hold.CodeHash, hold.LegacyHash} {
		if h == nil {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET held = 1, hold_ref = $1 WHERE survey_id = $2 AND code_hash = $3 AND spent = 0 AND held = 0`, hold.Ref, surveyID, h)
		if err != nil {
			return classify(err, "hold invitation code")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		err = whyNotSpendable(ctx, tx, surveyID, h)
		switch {
		case survey.ErrorCode(err) == survey.EForbidden:
			continue // not this hash; try the next
		case survey.IsCodeInUse(err) && hold.Discard:
			// The holder's answers go; the code stays held, now by the
			// response about to be inserted (whose reference a code held
			// before references existed gains here).
			if _, err := tx.ExecContext(ctx, `DELETE FROM responses WHERE survey_id = $1 AND hold_mark = $2 AND status = 'in_progress'`, surveyID, hold.Mark); err != nil {
				return classify(err, "discard response holding the code")
			}
			_, err := tx.ExecContext(ctx, `UPDATE invitations SET hold_ref = $1 WHERE survey_id = $2 AND code_hash = $3`, hold.Ref, surveyID, h)
			return classify(err, "hold invitation code")
		}
		return err
	}
	return unknownCode()
}

// FindProgress implements survey.Store.
func (s *Store) FindProgress(ctx context.Context, surveyID string, resumeHash []byte) (*survey.Progress, error) {
	return s.ReadProgress(s.db.QueryRowContext(ctx, `SELECT `+progressColumns+` FROM responses WHERE resume_hash = $1 AND survey_id = $2`, resumeHash, surveyID), surveyID)
}

// SaveProgress implements survey.Store.
func (s *Store) SaveProgress(ctx context.Context, p *survey.Progress) error {
	res, err := s.db.ExecContext(ctx, `UPDATE responses SET answers = $1, digest = $2, updated_at = $3,
		language = COALESCE(NULLIF($5, ''), language), page_times = $6 WHERE id = $4 AND status = 'in_progress'`,
		answersText(&p.Response), p.Digest, formatTime(p.UpdatedAt), p.ID, p.Language, p.PageTimes.Encode())
	if err != nil {
		return classify(err, "save response in progress")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return survey.Errorf(survey.EConflict, "response %s is no longer in progress", p.ID)
	}
	return nil
}

// completeResponse completes an in-progress row while its survey is open
// at the submission time, locking the survey row FOR SHARE (surveys.go).
var completeResponse = `UPDATE responses
	SET status = 'complete', answers = $1, digest = $2, submitted_at = $3, updated_at = $3, sealed_code = NULL, hold_mark = NULL,
		language = COALESCE(NULLIF($6, ''), language), page_times = $7
	WHERE id = $4 AND status = 'in_progress' AND ` + fmt.Sprintf(surveyOpenAt, "$5", "$3")

// CompleteProgress implements survey.Store. The row is completed before
// the code is spent, so that a second submit of a complete response finds
// nothing to update and spends nothing; of two at once, the second's
// UPDATE waits for the first's commit and then finds the row complete.
func (s *Store) CompleteProgress(ctx context.Context, r *survey.Response, codeHash []byte) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, classify(err, "begin")
	}
	defer tx.Rollback() // no-op after Commit
	res, err := tx.ExecContext(ctx, completeResponse, answersText(r), r.Digest, formatTimePtr(r.SubmittedAt), r.ID, r.SurveyID, r.Language, r.PageTimes.Encode())
	if err != nil {
		return false, classify(err, "complete response")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM responses WHERE id = $1`, r.ID).Scan(&status)
		switch {
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return false, classify(err, "complete response")
		case status == survey.ResponseInProgress: // still in progress: the survey closed
			return false, closedError(ctx, tx, r.SurveyID, r.SubmittedAt)
		}
		return false, nil
	}
	if codeHash != nil {
		// Spent and released at once. The code is held by this response,
		// or (started before holds existed) by none.
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET spent = 1, held = 0, hold_ref = NULL WHERE survey_id = $1 AND code_hash = $2 AND spent = 0`, r.SurveyID, codeHash)
		if err != nil {
			return false, classify(err, "spend invitation code")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, whyNotSpendable(ctx, tx, r.SurveyID, codeHash)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, classify(err, "commit response")
	}
	return true, nil
}

// DeleteAbandoned implements survey.Store, in one transaction. The rows
// are found by the partial index on in-progress rows (migrations/postgres/
// 0002), oldest first. Each delete repeats the conditions, so that a
// response completed or saved since it was found (on any instance), or
// deleted by another instance's sweep, is left alone and its code is not
// released: PostgreSQL re-checks them against the row's newest version.
func (s *Store) DeleteAbandoned(ctx context.Context, before time.Time, limit int, ref func(surveyID string, mark []byte) []byte) (int, error) {
	type row struct {
		id, surveyID string
		mark         []byte
	}
	cutoff := formatTime(before)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, classify(err, "begin")
	}
	defer tx.Rollback() // no-op after Commit
	rows, err := tx.QueryContext(ctx, `SELECT id, survey_id, hold_mark FROM responses
		WHERE status = 'in_progress' AND updated_at < $1 ORDER BY updated_at LIMIT $2`, cutoff, limit)
	if err != nil {
		return 0, classify(err, "find abandoned responses")
	}
	var found []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.surveyID, &r.mark); err != nil {
			rows.Close()
			return 0, classify(err, "find abandoned responses")
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, classify(err, "find abandoned responses")
	}
	deleted := 0
	for _, r := range found {
		res, err := tx.ExecContext(ctx, `DELETE FROM responses WHERE id = $1 AND status = 'in_progress' AND updated_at < $2`, r.id, cutoff)
		if err != nil {
			return 0, classify(err, "delete abandoned response")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // completed, saved or swept meanwhile
		}
		deleted++
		if r.mark == nil || ref == nil {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET held = 0, hold_ref = NULL
			WHERE survey_id = $1 AND hold_ref = $2 AND spent = 0`, r.surveyID, ref(r.surveyID, r.mark)); err != nil {
			return 0, classify(err, "release invitation code")
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, classify(err, "commit sweep")
	}
	return deleted, nil
}
