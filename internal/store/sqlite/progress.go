package sqlite

// In-progress responses of the web form (survey/progress.go): rows of
// responses with a resume_hash. A respondent saves once per page, seconds
// apart, but a mailing sends hundreds of respondents at once, and then
// these writes (a start, a save per page, a completion: about nine per
// respondent) are most of the writes. So they go through the group-commit
// writer like submissions (writer.go): each is a job whose write function
// runs in its own savepoint of a shared transaction, and is answered only
// after that transaction's durable commit and the file check after it
// (health.go). Everything that decides a write (a hold taken or refused,
// the survey open at the submission time, the row still in progress) is
// read inside the write, in the same transaction, so sharing the commit
// changes none of it.

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/dyad-survey/dyad/internal/store/ormstore"
	"github.com/dyad-survey/dyad/internal/survey"
)

// The invitation-code errors are shared by the engines (ormstore/invitations.go).
var (
	unknownCode = ormstore.UnknownCode
	spentCode   = ormstore.SpentCode
)

// CreateProgress implements survey.Store. With a hold, taking the code
// and inserting the response are one transaction on the single writer
// connection, so of any number of concurrent starts with one code exactly
// one takes it; the partial unique index on hold_mark backs that up.
func (s *Store) CreateProgress(ctx context.Context, p *survey.Progress, resumeHash []byte, hold *survey.Hold) error {
	return s.enqueue(s.startJob(ctx, p, resumeHash, hold)).err
}

// startJob is CreateProgress's write; without a hold the insert is its
// only statement (writer.go).
func (s *Store) startJob(ctx context.Context, p *survey.Progress, resumeHash []byte, hold *survey.Hold) *writeJob {
	j := newJob(ctx)
	j.oneStatement = hold == nil
	j.write = func(ctx context.Context, tx *sql.Tx) writeResult {
		kept, err := s.createProgress(ctx, tx, p, resumeHash, hold)
		res := written(err)
		res.kept = kept
		return res
	}
	return j
}

func (s *Store) createProgress(ctx context.Context, tx *sql.Tx, p *survey.Progress, resumeHash []byte, hold *survey.Hold) (*keptProgress, error) {
	var mark []byte
	if hold != nil {
		if err := takeHold(ctx, tx, p.SurveyID, hold); err != nil {
			return nil, err
		}
		mark = hold.Mark
	}
	// Prepared once (store.go), like the page save: every journey starts.
	answers, started, updated := answersText(&p.Response), formatTime(p.StartedAt), formatTime(p.UpdatedAt)
	_, err := s.batch.stmt(ctx, s.insertProgress).ExecContext(ctx,
		p.ID, p.SurveyID, p.InstrumentKey, p.InstrumentVersion, survey.ResponseInProgress, answers, p.Digest,
		started, resumeHash, p.SealedCode, updated, mark, p.SurveyID, p.Language)
	if hold != nil && isUnique(err) {
		return nil, survey.ErrCodeInUse() // a response holds the code that an old row marks
	}
	if err != nil {
		return nil, classify(err, "store response in progress")
	}
	// The row as FindProgress would read it, for the progress cache: what
	// the insert bound, and the test flag its SQL decided.
	rowid, change, _, _ := s.progress.lastChange()
	k := &keptProgress{rowid: rowid, change: change, key: progressKey(p.SurveyID, resumeHash)}
	var test int
	if err := s.batch.stmt(ctx, s.startedTest).QueryRowContext(ctx, rowid).Scan(&test); err != nil {
		return nil, nil // stored; only not kept
	}
	k.rec = ormstore.NewProgressRecord(ormstore.ProgressValues{ID: p.ID, InstrumentKey: p.InstrumentKey, InstrumentVersion: p.InstrumentVersion,
		Status: survey.ResponseInProgress, Answers: answers, Digest: p.Digest, StartedAt: started, Test: test,
		Language: p.Language, SealedCode: p.SealedCode, UpdatedAt: &updated})
	return k, nil
}

// keptProgress is a row a start, a page save or a completion wrote, to be kept by the
// progress cache once its batch has committed (progress_cache.go).
type keptProgress struct {
	rowid  int64
	change uint64 // the write's own change of the row
	key    string // progressKey
	rec    *ormstore.ProgressRecord
}

// written is the writer's result of a write that either stands or fails.
func written(err error) writeResult {
	return writeResult{created: err == nil, err: err}
}

// takeHold marks the invitation code held, trying its keyed hash, then
// its legacy one. A code that is held already is refused unless the hold
// discards the response that holds it.
func takeHold(ctx context.Context, tx *sql.Tx, surveyID string, hold *survey.Hold) error {
	for _, h := range [][]byte{hold.CodeHash, hold.LegacyHash} {
		if h == nil {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET held = 1, hold_ref = ? WHERE survey_id = ? AND code_hash = ? AND spent = 0 AND held = 0`, hold.Ref, surveyID, h)
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
			if _, err := tx.ExecContext(ctx, `DELETE FROM responses WHERE survey_id = ? AND hold_mark = ? AND status = 'in_progress'`, surveyID, hold.Mark); err != nil {
				return classify(err, "discard response holding the code")
			}
			_, err := tx.ExecContext(ctx, `UPDATE invitations SET hold_ref = ? WHERE survey_id = ? AND code_hash = ?`, hold.Ref, surveyID, h)
			return classify(err, "hold invitation code")
		}
		return err
	}
	return unknownCode()
}

// FindProgress implements survey.Store.
func (s *Store) FindProgress(ctx context.Context, surveyID string, resumeHash []byte) (*survey.Progress, error) {
	if rec := s.progress.find(surveyID, resumeHash); rec != nil {
		if p, err := s.ProgressOf(rec, surveyID); err == nil {
			return p, nil
		}
		s.progress.drop(surveyID, resumeHash) // and SQLite says what is wrong
	}
	return s.ReadProgress(s.findProgress.QueryRowContext(ctx, resumeHash, surveyID), surveyID)
}

// SaveProgress implements survey.Store.
func (s *Store) SaveProgress(ctx context.Context, p *survey.Progress) error {
	return s.enqueue(s.saveJob(ctx, p)).err
}

// saveJob is SaveProgress's write: one statement (writer.go).
func (s *Store) saveJob(ctx context.Context, p *survey.Progress) *writeJob {
	j := newJob(ctx)
	j.oneStatement = true
	j.write = func(ctx context.Context, tx *sql.Tx) writeResult {
		// Prepared once (store.go), like the writer's savepoints: a
		// journey saves eight pages, and parsing the statement each time
		// showed in the server's profile. Bound once per batch (writer.go).
		answers, updated, pageTimes := answersText(&p.Response), formatTime(p.UpdatedAt), p.PageTimes.Encode()
		res, err := s.batch.stmt(ctx, s.saveProgress).ExecContext(ctx,
			answers, p.Digest, updated, p.Language, pageTimes, p.ID)
		if err != nil {
			return written(classify(err, "save response in progress"))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return written(survey.Errorf(survey.EConflict, "response %s is no longer in progress", p.ID))
		}
		// The row as the save left it, from the row kept before it (the
		// progress cache): exactly the UPDATE above, in Go.
		out := written(nil)
		if rowid, change, before, key := s.progress.lastChange(); before != nil {
			out.kept = &keptProgress{rowid: rowid, change: change, key: key,
				rec: before.Saved(answers, p.Digest, updated, p.Language, pageTimes)}
		}
		return out
	}
	return j
}

// CompleteProgress implements survey.Store. The row is completed before
// the code is spent, so that a second submit of a complete response finds
// nothing to update and spends nothing. Like the group commit's insert, the
// update happens only while the survey is open at the submission time
// (CloseSurvey in surveys.go), and it is acknowledged only after the
// batch's commit, once the file is known to be the one opened (health.go).
func (s *Store) CompleteProgress(ctx context.Context, r *survey.Response, codeHash []byte) (bool, error) {
	res := s.enqueue(s.completeJob(ctx, r, codeHash))
	return res.created, res.err
}

// completeJob is CompleteProgress's write; without a code the update is
// its only statement (writer.go).
func (s *Store) completeJob(ctx context.Context, r *survey.Response, codeHash []byte) *writeJob {
	j := newJob(ctx)
	j.oneStatement = codeHash == nil
	j.write = func(ctx context.Context, tx *sql.Tx) writeResult {
		created, kept, err := s.completeProgress(ctx, tx, r, codeHash)
		return writeResult{created: created, err: err, kept: kept}
	}
	return j
}

// completeProgress reports whether it completed the row; false with no
// error means the response was complete already (nothing written). With
// the row completed it returns it, for the progress cache, when the row
// was kept before (the thank-you page reads it next).
func (s *Store) completeProgress(ctx context.Context, tx *sql.Tx, r *survey.Response, codeHash []byte) (bool, *keptProgress, error) {
	answers, pageTimes := answersText(r), r.PageTimes.Encode()
	var submittedText *string
	var submitted any // boxed once for its three uses (writeOne)
	if r.SubmittedAt != nil {
		t := formatTime(*r.SubmittedAt)
		submittedText, submitted = &t, t
	}
	res, err := s.batch.stmt(ctx, s.completeRow).ExecContext(ctx,
		answers, r.Digest, submitted, submitted, r.Language, pageTimes, r.ID, r.SurveyID, submitted)
	if err != nil {
		return false, nil, classify(err, "complete response")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM responses WHERE id = ?`, r.ID).Scan(&status)
		switch {
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return false, nil, classify(err, "complete response")
		case status == survey.ResponseInProgress: // still in progress: the survey closed
			return false, nil, closedError(ctx, tx, r.SurveyID, r.SubmittedAt)
		}
		return false, nil, nil
	}
	var kept *keptProgress
	if rowid, change, before, key := s.progress.lastChange(); before != nil {
		kept = &keptProgress{rowid: rowid, change: change, key: key,
			rec: before.Completed(answers, r.Digest, submittedText, r.Language, pageTimes)}
	}
	if codeHash != nil {
		// Spent and released at once. The code is held by this response,
		// or (started before holds existed) by none.
		res, err := s.batch.stmt(ctx, s.spendHeldCode).ExecContext(ctx, r.SurveyID, codeHash)
		if err != nil {
			return false, nil, classify(err, "spend invitation code")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, nil, whyNotSpendable(ctx, tx, r.SurveyID, codeHash)
		}
	}
	return true, kept, nil
}

// DeleteAbandoned implements survey.Store: one job of the group-commit
// writer, so that a sweep over a backlog interleaves with respondents'
// writes a batch at a time. The rows are found by the partial index on
// in-progress rows (migrations/0006), oldest first.
func (s *Store) DeleteAbandoned(ctx context.Context, before time.Time, limit int, ref func(surveyID string, mark []byte) []byte) (int, error) {
	deleted := 0
	j := newJob(ctx) // several statements: in a savepoint (writer.go)
	j.write = func(ctx context.Context, tx *sql.Tx) writeResult {
		n, err := deleteAbandoned(ctx, tx, before, limit, ref)
		deleted = n
		return written(err)
	}
	res := s.enqueue(j)
	if res.err != nil {
		return 0, res.err
	}
	return deleted, nil
}

func deleteAbandoned(ctx context.Context, tx *sql.Tx, before time.Time, limit int, ref func(string, []byte) []byte) (int, error) {
	type row struct {
		id, surveyID string
		mark         []byte
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, survey_id, hold_mark FROM responses
		WHERE status = 'in_progress' AND updated_at < ? ORDER BY updated_at LIMIT ?`, formatTime(before), limit)
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
	for _, r := range found {
		if _, err := tx.ExecContext(ctx, `DELETE FROM responses WHERE id = ? AND status = 'in_progress'`, r.id); err != nil {
			return 0, classify(err, "delete abandoned response")
		}
		if r.mark == nil || ref == nil {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET held = 0, hold_ref = NULL
			WHERE survey_id = ? AND hold_ref = ? AND spent = 0`, r.surveyID, ref(r.surveyID, r.mark)); err != nil {
			return 0, classify(err, "release invitation code")
		}
	}
	return len(found), nil
}
