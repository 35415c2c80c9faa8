package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
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
// its own SAVEPOINT and rolled back alone, or, for responses without a
// code, stored by one statement that leaves out the rows it must refuse
// (writeBatch says how).
//
// Several instances each run their own writer; what must hold between
// them is held by the statements (the package overview): a duplicate id
// waits for the other instance's commit and then does nothing, a code's
// conditional UPDATE finds it spent. Each batch takes the inserts'
// advisory lock first (lockInserts), so batches of different instances
// commit one after the other, in seq order.
//
// A batch without invitation codes costs one round trip whatever its
// size: BEGIN, the advisory lock, one multi-row INSERT and COMMIT sent as
// one pipeline (writePipelined). A batch with codes costs a few: BEGIN,
// the lock, one multi-row INSERT of the responses without a code
// (writeMany), COMMIT, and four more for each response with a code (a
// savepoint, the insert, the code's update, a release).

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
// batch without invitation codes (the usual one: open surveys) is sent as
// one pipeline (writePipelined); otherwise:
//
// The responses without an invitation code go in first, all of them in
// one multi-row INSERT (writeMany): one round trip for the lot, where one
// each made a batch of 64 cost 64 round trips and as many executions of
// the statement. It needs no savepoint: each row is stored, or not stored
// for a known reason (the id exists, the survey is closed) that the
// statement leaves the transaction intact for, and told apart afterwards.
// Any other failure of one row fails the statement and aborts the
// transaction, and is answered with errGuardAll: the caller writes the
// batch again with guardAll set, and then every response goes alone
// inside its own savepoint, so that the one failure fails alone.
//
// A response with an invitation code is always written alone inside its
// own savepoint, since its code may turn out spent after its row is
// inserted, and then the row must go.
func (s *Store) writeBatch(ctx context.Context, batch []*writeJob, results []writeResult, guardAll bool) error {
	if !guardAll && !slices.ContainsFunc(batch, func(j *writeJob) bool { return j.codeHash != nil }) {
		var many []int
		for i, j := range batch {
			if j.ctx.Err() != nil {
				results[i].err = j.ctx.Err()
			} else {
				many = append(many, i)
			}
		}
		if len(many) == 0 {
			return nil
		}
		return s.writePipelined(ctx, batch, many, results)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := lockInserts(ctx, tx); err != nil {
		return err
	}
	var many []int // the jobs for the multi-row INSERT
	for i, j := range batch {
		switch {
		case j.ctx.Err() != nil:
			results[i].err = j.ctx.Err()
		case !guardAll && j.codeHash == nil:
			many = append(many, i)
		}
	}
	if len(many) > 0 {
		if err := writeMany(ctx, tx, batch, many, results); err != nil {
			return err
		}
	}
	for i, j := range batch {
		if results[i] != (writeResult{}) {
			continue // skipped, or written by writeMany
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT response"); err != nil {
			return err
		}
		res := writeOne(ctx, tx, j)
		if survey.ErrorCode(res.err) == survey.EUnavailable {
			return res.err // the connection is gone: the batch fails as one
		}
		if res.created {
			_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT response")
		} else if _, err = tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT response"); err == nil {
			_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT response")
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
	SELECT $1::text, $2::text, $3::text, $4::integer, $5::text, $6::text, $7::bytea, $8::text, $9::text, ` + fmt.Sprintf(responseTest, "$2::text") + `
	WHERE ` + fmt.Sprintf(surveyOpenAt, "$2", "$9") + `
	ON CONFLICT (id) DO NOTHING`

// insertResponses is insertResponse for many rows at once: one array
// parameter per column, unnested into rows in the order given (so seq
// follows the batch's order), each row stored only while its survey is
// open, and nothing for an id that exists (or that an earlier row of the
// same statement inserted). It returns the ids it inserted.
var insertResponses = `INSERT INTO responses
	(id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at, test)
	SELECT r.id, r.survey_id, r.instrument_key, r.instrument_version, r.status, r.answers, r.digest, r.started_at, r.submitted_at,
		` + fmt.Sprintf(responseTest, "r.survey_id") + `
	FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::text[], $7::bytea[], $8::text[], $9::text[])
		WITH ORDINALITY AS r (id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at, n)
	WHERE ` + fmt.Sprintf(surveyOpenAt, "r.survey_id", "r.submitted_at") + `
	ORDER BY r.n
	ON CONFLICT (id) DO NOTHING
	RETURNING id`

// writeMany writes the jobs of batch at the indices many (none with an
// invitation code) with insertResponses, filling their results. A job
// whose row was not inserted is a retry of a stored id, or its survey is
// closed (notInserted). It returns errGuardAll when the statement failed
// (writeBatch), and an unavailable database's error as it is.
func writeMany(ctx context.Context, tx *sql.Tx, batch []*writeJob, many []int, results []writeResult) error {
	inserted := make(map[string]bool, len(many))
	err := func() error {
		rows, err := tx.QueryContext(ctx, insertResponses, manyArgs(batch, many)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			inserted[id] = true
		}
		return rows.Err()
	}()
	if err != nil {
		if err := classify(err, "store responses"); survey.ErrorCode(err) == survey.EUnavailable {
			return err
		}
		return errGuardAll
	}
	return sortMany(ctx, tx, batch, many, inserted, results, false)
}

// manyArgs are insertResponses' parameters for the jobs of batch at the
// indices many.
func manyArgs(batch []*writeJob, many []int) []any {
	n := len(many)
	var (
		ids, surveys, keys = make([]string, n), make([]string, n), make([]string, n)
		statuses, answers  = make([]string, n), make([]string, n)
		started            = make([]string, n)
		submitted          = make([]*string, n)
		versions           = make([]int32, n)
		digests            = make([][]byte, n)
	)
	for k, i := range many {
		r := batch[i].r
		ids[k], surveys[k], keys[k], versions[k], statuses[k] = r.ID, r.SurveyID, r.InstrumentKey, int32(r.InstrumentVersion), string(r.Status)
		answers[k], digests[k], started[k] = answersText(r), r.Digest, formatTime(r.StartedAt)
		if r.SubmittedAt != nil {
			t := formatTime(*r.SubmittedAt)
			submitted[k] = &t
		}
	}
	return []any{ids, surveys, keys, versions, statuses, answers, digests, started, submitted}
}

// sortMany fills the results of the jobs at the indices many from the ids
// insertResponses returned: created, or notInserted's reason. Inside the
// transaction, a lost connection fails the batch as one; after the commit
// (committed), the rows stored are stored, and only the job whose check
// failed gets the error.
func sortMany(ctx context.Context, q rowQuerier, batch []*writeJob, many []int, inserted map[string]bool, results []writeResult, committed bool) error {
	for _, i := range many {
		id := batch[i].r.ID
		if inserted[id] {
			// The first job of an id is the one stored; a second one with
			// the same id in the same batch is a retry of it.
			results[i] = writeResult{created: true}
			delete(inserted, id)
			continue
		}
		res := notInserted(ctx, q, batch[i].r)
		if !committed && survey.ErrorCode(res.err) == survey.EUnavailable {
			return res.err
		}
		results[i] = res
	}
	return nil
}

// writePipelined writes a batch none of whose jobs has an invitation code
// in one round trip: BEGIN, the inserts' lock, insertResponses (or
// insertResponse for a batch of one) and COMMIT sent together as one pgx
// pipeline on the writer's connection, where sent one by one they cost
// four round trips, each a wait for the other process to be scheduled on a
// busy machine. The jobs it did not insert are told apart after the commit
// (notInserted). A failure of the INSERT skips the COMMIT (PostgreSQL
// ignores the rest of a pipeline after an error), the connection is
// dropped with its failed transaction, and errGuardAll asks for the batch
// to be written again, a savepoint per response (writeBatch).
func (s *Store) writePipelined(ctx context.Context, batch []*writeJob, many []int, results []writeResult) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	inserted := make(map[string]bool, len(many))
	var insertErr error
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue("SELECT pg_advisory_xact_lock($1)", int64(insertLock))
		if len(many) == 1 {
			// One response (a quiet moment): the one-row statement costs
			// the server less than unnesting arrays of one.
			r := batch[many[0]].r
			b.Queue(insertResponse, r.ID, r.SurveyID, r.InstrumentKey, r.InstrumentVersion, r.Status,
				answersText(r), r.Digest, formatTime(r.StartedAt), formatTimePtr(r.SubmittedAt))
		} else {
			b.Queue(insertResponses, manyArgs(batch, many)...)
		}
		b.Queue("COMMIT")
		br := pc.SendBatch(ctx, b)
		err := func() error {
			for range 2 {
				if _, err := br.Exec(); err != nil {
					return err
				}
			}
			if len(many) == 1 {
				tag, err := br.Exec()
				if err != nil {
					insertErr = err
					return err
				}
				if tag.RowsAffected() == 1 {
					inserted[batch[many[0]].r.ID] = true
				}
				_, err = br.Exec()
				return err
			}
			rows, err := br.Query()
			if err != nil {
				insertErr = err
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				inserted[id] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				insertErr = err
				return err
			}
			_, err = br.Exec()
			return err
		}()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		// A failure can leave the connection inside the failed
		// transaction; pgx's database/sql driver drops such a connection
		// when it is next taken from the pool (stdlib.Conn.ResetSession),
		// rather than reuse it.
		return err
	})
	if err != nil {
		if cerr := classify(err, "store responses"); insertErr != nil && survey.ErrorCode(cerr) != survey.EUnavailable {
			return errGuardAll
		}
		return err
	}
	return sortMany(ctx, s.db, batch, many, inserted, results, true)
}

// notInserted says why the insert of r stored nothing: its id exists
// (ON CONFLICT), or its survey is closed. Asked after the batch's commit
// (writePipelined), the first answer stays true, as a stored row is never
// deleted; the second is closedError's, which reports a refusal as a
// closed survey whatever the survey's row says by then.
func notInserted(ctx context.Context, tx rowQuerier, r *survey.Response) writeResult {
	var dup int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM responses WHERE id = $1`, r.ID).Scan(&dup); err != nil {
		return writeResult{err: classify(err, "store response")}
	}
	if dup > 0 {
		return writeResult{dup: true}
	}
	return writeResult{err: closedError(ctx, tx, r.SurveyID, r.SubmittedAt)}
}

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
		return notInserted(ctx, tx, r)
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
