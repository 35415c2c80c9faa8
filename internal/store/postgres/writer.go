package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Group commit.
//
// As on SQLite (internal/store/sqlite/writer.go), handlers hand their
// validated response to one writer goroutine per instance, which takes
// whatever is waiting (up to maxBatch), writes it all in one transaction,
// commits once, and only then answers each handler: with
// synchronous_commit on (PostgreSQL's default, which Dyad does not
// change), every acknowledged response is flushed to the server's WAL,
// and the flush is shared by the batch. One response that fails (a spent
// code, a closed survey) must not fail the others: each is written inside
// its own SAVEPOINT and rolled back alone (writeBatch says when the
// savepoint can be left out).
//
// Several instances each run their own writer; what must hold between
// them is held by the statements (the package overview): a duplicate id
// waits for the other instance's commit and then does nothing, a code's
// conditional UPDATE finds it spent. Each batch takes the inserts'
// advisory lock first (lockInserts), so batches of different instances
// commit one after the other, in seq order.
//
// The statements are sent one at a time, a round trip each: one INSERT for
// a response without a code, four for one with a code (a savepoint, the
// insert, the code's update, a release). Sending a batch's statements in
// one pipeline is the next step if the network between Dyad and
// PostgreSQL makes them count.

const maxBatch = 128

// batchTimeout bounds one batch, so that a server that stops answering
// (a network partition) fails the waiting submissions with 503 rather than
// holding them. A batch cut off after its COMMIT was sent may have been
// stored: its submitters get 503 and retry with the same ids, which the
// store recognises.
const batchTimeout = 30 * time.Second

// insertLock is the key of the transaction advisory lock that every
// transaction inserting into responses takes first: identity values are
// handed out before commit, and without it two transactions could commit
// out of seq order, so that a reader paging by seq (FindResponses, the
// text answers) skips a row that commits late.
const insertLock = 0x6479616401 // "dyad" 1

// lockInserts takes the inserts' advisory lock, held to the end of tx.
func lockInserts(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(insertLock))
	return err
}

type writeJob struct {
	ctx      context.Context
	r        *survey.Response
	codeHash []byte
	done     chan writeResult // buffered: the writer never blocks on a handler
}

type writeResult struct {
	created bool
	dup     bool // the id exists already; the caller gets the stored response
	err     error
}

// runWriter is the writer goroutine. The jobs channel is unbuffered on
// purpose: a send completes only when the writer takes the job, so no job
// can be left in a buffer when the writer stops.
func (s *Store) runWriter() {
	defer close(s.writerDone)
	batch := make([]*writeJob, 0, maxBatch)
	for {
		select {
		case j := <-s.jobs:
			batch = append(batch[:0], j)
		case <-s.quit:
			return
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case j := <-s.jobs:
				batch = append(batch, j)
			default:
				break drain
			}
		}
		s.commitBatch(batch)
	}
}

func (s *Store) commitBatch(batch []*writeJob) {
	results := make([]writeResult, len(batch))
	start := time.Now()
	// The batch outlives any one request, so it runs on its own context; a
	// job whose client has gone is skipped before its write, never undone
	// after it.
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	err := s.writeBatch(ctx, batch, results, false)
	if errors.Is(err, errGuardAll) {
		clear(results)
		err = s.writeBatch(ctx, batch, results, true)
	}
	if err != nil {
		// Nothing of the batch is stored (or, if COMMIT was cut off, it is
		// unknown): every job that would have been written gets the error.
		cerr := classify(err, "commit responses")
		if errors.Is(err, context.DeadlineExceeded) {
			cerr = errUnavailable
		}
		for i := range results {
			if results[i].created || results[i].err == nil {
				results[i] = writeResult{err: cerr}
			}
		}
	}
	if s.observe != nil {
		s.observe(len(batch), time.Since(start))
	}
	for i, j := range batch {
		j.done <- results[i]
	}
}

// errGuardAll asks for a batch to be written again with a savepoint
// around every response (writeBatch).
var errGuardAll = errors.New("a statement failed outside a savepoint")

// writeBatch writes the batch in one transaction, filling results. A
// response with an invitation code is written inside its own savepoint,
// since its code may turn out spent after its row is inserted, and then
// the row must go. A response without one needs no savepoint (a round trip
// each for SAVEPOINT and RELEASE): its one INSERT either stores it, or
// stores nothing for a known reason (the id exists, the survey is closed),
// or fails, which PostgreSQL answers by aborting the whole transaction.
// That last, unexpected case is told apart by a probe after the error, and
// answered with errGuardAll: the caller writes the batch again, guarding
// every response, so that the one failure fails alone. With guardAll set,
// every response has its savepoint.
func (s *Store) writeBatch(ctx context.Context, batch []*writeJob, results []writeResult, guardAll bool) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := lockInserts(ctx, tx); err != nil {
		return err
	}
	for i, j := range batch {
		if j.ctx.Err() != nil {
			results[i].err = j.ctx.Err()
			continue
		}
		guarded := guardAll || j.codeHash != nil
		if guarded {
			if _, err := tx.ExecContext(ctx, "SAVEPOINT response"); err != nil {
				return err
			}
		}
		res := writeOne(ctx, tx, j)
		if survey.ErrorCode(res.err) == survey.EUnavailable {
			return res.err // the connection is gone: the batch fails as one
		}
		switch {
		case !guarded && res.err != nil:
			// Refused for a known reason, with the transaction intact, or
			// failed and aborted it? An aborted transaction fails anything.
			if _, err := tx.ExecContext(ctx, "SELECT 1"); err != nil {
				return errGuardAll
			}
		case !guarded:
		case res.created:
			_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT response")
		default:
			if _, err = tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT response"); err == nil {
				_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT response")
			}
		}
		if err != nil {
			return err
		}
		results[i] = res
	}
	return tx.Commit()
}

// insertResponse inserts a response row only while its survey is open at
// its submission time (surveyOpenAt, surveys.go), and does nothing if the
// id exists. The casts give the parameters of INSERT ... SELECT their
// types.
var insertResponse = `INSERT INTO responses
	(id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at, test)
	SELECT $1::text, $2::text, $3::text, $4::integer, $5::text, $6::text, $7::bytea, $8::text, $9::text, ` + fmt.Sprintf(responseTest, 2) + `
	WHERE ` + fmt.Sprintf(surveyOpenAt, 2, 9) + `
	ON CONFLICT (id) DO NOTHING`

// writeOne writes one response inside the batch's transaction: insert the
// row, then spend the invitation code if there is one. The insert comes
// first so that a retry of the same response (same id) is recognised as
// such rather than refused for its already-spent code. A failure is
// returned in the result; the caller rolls back to the savepoint.
func writeOne(ctx context.Context, tx *sql.Tx, j *writeJob) writeResult {
	r := j.r
	res, err := tx.ExecContext(ctx, insertResponse, r.ID, r.SurveyID, r.InstrumentKey, r.InstrumentVersion, r.Status,
		answersText(r), r.Digest, formatTime(r.StartedAt), formatTimePtr(r.SubmittedAt))
	if err != nil {
		return writeResult{err: classify(err, "store response")}
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Nothing inserted: the id exists (ON CONFLICT), or the survey is
		// closed.
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM responses WHERE id = $1`, r.ID).Scan(&dup); err != nil {
			return writeResult{err: classify(err, "store response")}
		}
		if dup > 0 {
			return writeResult{dup: true}
		}
		return writeResult{err: closedError(ctx, tx, r.SurveyID, r.SubmittedAt)}
	}
	if j.codeHash != nil {
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET spent = 1
			WHERE survey_id = $1 AND code_hash = $2 AND spent = 0 AND held = 0`, r.SurveyID, j.codeHash)
		if err != nil {
			return writeResult{err: classify(err, "spend invitation code")}
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return writeResult{err: whyNotSpendable(ctx, tx, r.SurveyID, j.codeHash)}
		}
	}
	return writeResult{created: true}
}

// CreateResponse implements survey.Store: the response row and the spent
// invitation code commit together or not at all, and the call returns only
// after the commit.
func (s *Store) CreateResponse(ctx context.Context, r *survey.Response, codeHash []byte) (*survey.Response, bool, error) {
	j := &writeJob{ctx: ctx, r: r, codeHash: codeHash, done: make(chan writeResult, 1)}
	select {
	case s.jobs <- j:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	case <-s.quit:
		return nil, false, errClosed
	}
	// Once taken, the job is answered after its batch commits; waiting for
	// that even if the client has gone keeps the answer truthful.
	res := <-j.done
	switch {
	case res.err != nil:
		return nil, false, res.err
	case res.dup:
		prev, err := s.FindResponse(context.WithoutCancel(ctx), r.ID)
		if err != nil {
			return nil, false, err
		}
		return prev, false, nil
	}
	return r, true, nil
}

var errClosed = &survey.Error{Code: survey.EUnavailable, Message: "the server is shutting down; please retry shortly"}
