package sqlite

// In-progress responses of the web form (survey/progress.go): rows of
// responses with a resume_hash, written directly on the one writer
// connection rather than through the group-commit writer. A respondent
// saves at most once per page, seconds apart, so these writes are few; the
// writer pool's single connection still serialises them with the batches.

import (
	"context"
	"database/sql"
	"errors"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
)

// CheckInvitation implements survey.Store.
func (s *Store) CheckInvitation(ctx context.Context, surveyID string, codeHash []byte) error {
	var row invitationRecord
	err := s.read.WithContext(ctx).Where("survey_id = ? AND code_hash = ?", surveyID, codeHash).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return unknownCode()
	case err != nil:
		return classify(err, "check invitation code")
	case row.Spent != 0:
		return spentCode()
	case row.Held != 0:
		return survey.ErrCodeInUse()
	}
	return nil
}

func unknownCode() error {
	return &survey.Error{Code: survey.EForbidden, Message: "the invitation code is not valid for this survey",
		Details: []survey.Detail{{Path: "invitation_code", Message: "unknown code; check it against the invitation"}}}
}

func spentCode() error {
	return &survey.Error{Code: survey.EConflict, Message: "the invitation code has already been used",
		Details: []survey.Detail{{Path: "invitation_code", Message: "this code has already been used to submit a response"}}}
}

// answersText is the stored JSON of a response's answers.
func answersText(r *survey.Response) string {
	if r.AnswersJSON != nil {
		return string(r.AnswersJSON)
	}
	return string(r.Answers.Canonical())
}

// CreateProgress implements survey.Store. With a hold, taking the code
// and inserting the response are one transaction on the single writer
// connection, so of any number of concurrent starts with one code exactly
// one takes it; the partial unique index on hold_mark backs that up.
func (s *Store) CreateProgress(ctx context.Context, p *survey.Progress, resumeHash []byte, hold *survey.Hold) error {
	if err := s.writable(); err != nil {
		return err
	}
	tx, err := s.writeSQL.BeginTx(ctx, nil)
	if err != nil {
		return classify(err, "begin")
	}
	defer tx.Rollback() // no-op after Commit
	var mark []byte
	if hold != nil {
		if err := takeHold(ctx, tx, p.SurveyID, hold); err != nil {
			return err
		}
		mark = hold.Mark
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO responses
		(id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at, resume_hash, sealed_code, updated_at, hold_mark)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
		p.ID, p.SurveyID, p.InstrumentKey, p.InstrumentVersion, survey.ResponseInProgress, answersText(&p.Response), p.Digest,
		formatTime(p.StartedAt), resumeHash, p.SealedCode, formatTime(p.UpdatedAt), mark)
	if hold != nil && isUnique(err) {
		return survey.ErrCodeInUse() // a response holds the code that an old row marks
	}
	if err != nil {
		return classify(s.finishWrite(err), "store response in progress")
	}
	return classify(s.finishWrite(tx.Commit()), "commit response in progress")
}

// takeHold marks the invitation code held, trying its keyed hash, then
// its legacy one. A code that is held already is refused unless the hold
// discards the response that holds it.
func takeHold(ctx context.Context, tx *sql.Tx, surveyID string, hold *survey.Hold) error {
	for _, h := range [][]byte{hold.CodeHash, hold.LegacyHash} {
		if h == nil {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET held = 1 WHERE survey_id = ? AND code_hash = ? AND spent = 0 AND held = 0`, surveyID, h)
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
			// response about to be inserted.
			_, err := tx.ExecContext(ctx, `DELETE FROM responses WHERE survey_id = ? AND hold_mark = ? AND status = 'in_progress'`, surveyID, hold.Mark)
			return classify(err, "discard response holding the code")
		}
		return err
	}
	return unknownCode()
}

const progressColumns = `seq, id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at, sealed_code, updated_at`

// FindProgress implements survey.Store.
func (s *Store) FindProgress(ctx context.Context, surveyID string, resumeHash []byte) (*survey.Progress, error) {
	return findProgress(s.readSQL.QueryRowContext(ctx, `SELECT `+progressColumns+` FROM responses
		WHERE resume_hash = ? AND survey_id = ?`, resumeHash, surveyID))
}

func findProgress(row *sql.Row) (*survey.Progress, error) {
	var (
		p       survey.Progress
		sealed  []byte
		updated sql.NullString
	)
	r, _, err := scanResponse(scanTail{row, []any{&sealed, &updated}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENotFound, "no response to resume with this link")
	}
	if err != nil {
		return nil, classify(err, "find response in progress")
	}
	p.Response = *r
	if len(sealed) > 0 {
		p.SealedCode = sealed
	}
	if updated.Valid {
		p.UpdatedAt = parseTime(updated.String)
	}
	return &p, nil
}

// scanTail scans the columns scanResponse knows, then the extra ones.
type scanTail struct {
	sc    rowScanner
	extra []any
}

func (t scanTail) Scan(dst ...any) error { return t.sc.Scan(append(dst, t.extra...)...) }

// SaveProgress implements survey.Store.
func (s *Store) SaveProgress(ctx context.Context, p *survey.Progress) error {
	if err := s.writable(); err != nil {
		return err
	}
	res, err := s.writeSQL.ExecContext(ctx, `UPDATE responses SET answers = ?, digest = ?, updated_at = ?
		WHERE id = ? AND status = 'in_progress'`,
		answersText(&p.Response), p.Digest, formatTime(p.UpdatedAt), p.ID)
	if err := s.finishWrite(err); err != nil {
		return classify(err, "save response in progress")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return survey.Errorf(survey.EConflict, "response %s is no longer in progress", p.ID)
	}
	return nil
}

// CompleteProgress implements survey.Store. The row is completed before
// the code is spent, so that a second submit of a complete response finds
// nothing to update and spends nothing. Like the group commit's insert, the
// update happens only while the survey is open at the submission time
// (CloseSurvey in surveys.go), and it is acknowledged only once the file
// is known to be the one opened (health.go).
func (s *Store) CompleteProgress(ctx context.Context, r *survey.Response, codeHash []byte) (bool, error) {
	if err := s.writable(); err != nil {
		return false, err
	}
	created, err := s.completeProgress(ctx, r, codeHash)
	if err == nil && !created {
		return false, nil // nothing written
	}
	if err := s.finishWrite(err); err != nil {
		return false, err
	}
	return created, nil
}

func (s *Store) completeProgress(ctx context.Context, r *survey.Response, codeHash []byte) (bool, error) {
	tx, err := s.writeSQL.BeginTx(ctx, nil)
	if err != nil {
		return false, classify(err, "begin")
	}
	defer tx.Rollback() // no-op after Commit
	submitted := formatTimePtr(r.SubmittedAt)
	res, err := tx.ExecContext(ctx, `UPDATE responses
		SET status = 'complete', answers = ?, digest = ?, submitted_at = ?, updated_at = ?, sealed_code = NULL, hold_mark = NULL
		WHERE id = ? AND status = 'in_progress' AND `+surveyOpenAt,
		answersText(r), r.Digest, submitted, submitted, r.ID, r.SurveyID, submitted)
	if err != nil {
		return false, classify(err, "complete response")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM responses WHERE id = ?`, r.ID).Scan(&status)
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
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET spent = 1, held = 0 WHERE survey_id = ? AND code_hash = ? AND spent = 0`, r.SurveyID, codeHash)
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
