package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Group commit.
//
// With synchronous=FULL every commit waits for an fsync (about 0.4 ms
// here), so one transaction per response caps throughput at the disk's
// flush rate and makes concurrent submitters queue for the write lock.
// Instead, handlers hand their validated response to one writer goroutine,
// which takes whatever is waiting (up to maxBatch), writes it all in one
// transaction, commits once, and only then answers each handler. Every
// acknowledged response is therefore durable, and the fsync cost is shared
// by the batch (figures in docs/performance.md).
//
// Before answering, the writer checks that the database file is still the
// one it opened (health.go): a response committed into a deleted file is
// not durable, and gets 503 rather than 201.
//
// One response that fails (a spent invitation code, a duplicate id) must
// not fail the others in its batch. A job that writes with one statement
// (a submission without a code, a start without a hold, a page save, a
// completion without a code) needs nothing for that: SQLite undoes a
// failed statement by itself (the schema's constraints all ABORT, which
// backs out the statement and keeps the transaction usable), and what the
// job reads besides only explains a refusal. A job that writes with more
// than one statement (the code spent after the insert, a hold taken before
// it) runs inside its own SAVEPOINT and is rolled back alone. Savepoints
// for every job were two more statements per job, two thirds of the
// statements of a batch of submissions (TestBatchJobFailsAlone).
//
// The web form's writes go through the same batches (progress.go): a
// respondent's start (with its code hold), every page save, and the
// completion that spends the code. In a mailing burst these are most of
// the writes, about nine per respondent, so each having a commit of its own
// would cap the web path at the disk's flush rate. Each is a job with its
// own write function, run in its own savepoint when it needs one, with
// every rule it carries (a hold taken or refused, closedness decided in
// the write) unchanged: only the commit, and the file check after it, are
// shared with the batch. Writes whose rules read what an earlier job of the
// same batch wrote (two starts with one code, a save then a completion)
// see it, because the jobs run in order inside one transaction.

const maxBatch = 128

// The commit delay. Sharing a commit is what makes the writer cheap, and
// a batch holds only what arrived during the previous commit: with 64
// respondents at work on two cores, about six writes. Each commit costs
// the server the same CPU time whatever its size (the WAL's write, the
// fsync, waking the thread blocked in it and the handlers waiting on it:
// about a tenth of a web journey's CPU time, docs/performance.md), so
// under load the writer, having taken what is waiting, waits up to
// commitDelay for more before it writes: batches about twice as large,
// half the commits, for at most that much more latency per write. Only
// under load: when the last batch had fewer than commitSiblings writes
// (a quiet server, one respondent at a time) nothing waits. PostgreSQL's
// commit_delay and commit_siblings do the same for its WAL flushes.
//
// The wait also ends as soon as the batch is as large as the largest of
// the last recentBatches batches. Without that, a small crowd that writes
// all the time (16 clients submitting back to back) lost a quarter of its
// rate: once all of them are in the batch no more can come, and the rest
// of the delay was spent idle. A crowd whose writes are spread out (web
// respondents, who read pages between saves) rarely fills a batch to its
// recent peak, and waits out the delay.
const (
	defaultCommitDelay = time.Millisecond
	commitSiblings     = 4
	recentBatches      = 64
)

// writeJob is one write waiting for the writer: a submission (r and
// codeHash) or, when write is set, any other write of the web form.
type writeJob struct {
	ctx      context.Context
	r        *survey.Response
	codeHash []byte
	write    func(ctx context.Context, tx *sql.Tx) writeResult
	// oneStatement: write changes the database with at most one
	// statement, so a failure undoes itself and the job needs no
	// savepoint. False, the safe default, for any write that may take
	// more. A submission (write nil) is one statement without a code.
	oneStatement bool
	done         chan writeResult // buffered: the writer never blocks on a handler
}

// jobPool recycles jobs with their answer channels: two allocations per
// write fewer. A job goes back once enqueue has its answer (or knows the
// writer never took it), when neither side holds it any more.
var jobPool = sync.Pool{New: func() any { return &writeJob{done: make(chan writeResult, 1)} }}

// newJob returns an empty job for ctx, to be handed to enqueue.
func newJob(ctx context.Context) *writeJob {
	j := jobPool.Get().(*writeJob)
	j.ctx = ctx
	return j
}

// recycle empties j, keeping its (empty) channel, and pools it.
func (j *writeJob) recycle() {
	*j = writeJob{done: j.done}
	jobPool.Put(j)
}

type writeResult struct {
	created bool // the job's writes stand
	dup     bool // the id exists already; the caller gets the stored response
	err     error
	// kept is the row a start, a page save or a completion wrote, for
	// the progress cache once the batch has committed (progress_cache.go).
	kept *keptProgress
}

// BatchObserver, when set before the first write, is told the size and
// commit latency of every batch (for metrics).
type BatchObserver func(size int, commit time.Duration)

// runWriter is the single writer goroutine. The jobs channel is unbuffered
// on purpose: a send completes only when the writer takes the job, so no
// job can be left in a buffer when the writer stops.
func (s *Store) runWriter() {
	defer close(s.writerDone)
	batch := make([]*writeJob, 0, maxBatch)
	delay := time.NewTimer(time.Hour)
	delay.Stop()
	var recent [recentBatches]int // the last batches' sizes, a ring
	next := 0                     // where the next size goes
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
		last := recent[(next+recentBatches-1)%recentBatches]
		if peak := slices.Max(recent[:]); s.commitDelay > 0 && last >= commitSiblings && len(batch) < peak {
			// Jobs taken are answered whatever happens: quit only ends
			// the wait, and the outer loop then stops.
			delay.Reset(s.commitDelay)
		wait:
			for len(batch) < peak {
				select {
				case j := <-s.jobs:
					batch = append(batch, j)
				case <-delay.C:
					break wait
				case <-s.quit:
					break wait
				}
			}
			delay.Stop()
		}
		recent[next] = len(batch)
		next = (next + 1) % recentBatches
		s.commitBatch(batch)
	}
}

func (s *Store) commitBatch(batch []*writeJob) {
	results := make([]writeResult, len(batch))
	start := time.Now()
	// The batch outlives any one request, so it runs on its own context; a
	// job whose client has gone is skipped before its write, never undone
	// after it.
	ctx := context.Background()
	err := func() error {
		if s.health.lost.Load() { // no use writing to a file that has gone
			return errFileLost
		}
		tx, err := s.writeSQL.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		s.batch.begin(tx)
		defer s.batch.end()
		s.progress.batch()
		for i, j := range batch {
			if j.ctx.Err() != nil {
				results[i].err = j.ctx.Err()
				continue
			}
			several := !j.oneStatement && (j.write != nil || j.codeHash != nil)
			if several {
				if _, err := s.batch.stmt(ctx, s.savepoint).ExecContext(ctx); err != nil {
					return err
				}
			}
			var res writeResult
			if j.write != nil {
				res = j.write(ctx, tx)
			} else {
				res = s.writeOne(ctx, tx, j)
			}
			if res.err != nil && survey.ErrorCode(res.err) == survey.EUnavailable {
				// A full disk or an I/O error may have rolled back the
				// whole transaction already: the batch fails as one.
				return res.err
			}
			if several {
				var err error
				if !res.created {
					_, err = s.batch.stmt(ctx, s.rollbackTo).ExecContext(ctx)
				}
				if err == nil {
					_, err = s.batch.stmt(ctx, s.release).ExecContext(ctx)
				}
				if err != nil {
					return err
				}
			}
			results[i] = res
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		s.committed() // the WAL grew (checkpoint.go)
		// Committed, but into the file the path still names? (health.go)
		return s.checkFile()
	}()
	s.wrote(err)
	if err != nil {
		// Nothing of the batch is on disk: every job that would have been
		// written gets the error (a full or read-only disk becomes 503).
		cerr := classify(err, "commit responses")
		for i := range results {
			if results[i].created || results[i].err == nil {
				results[i] = writeResult{err: cerr}
			}
		}
	}
	if err == nil {
		// Durable now, and before any job is answered: a respondent's next
		// request finds the row its save wrote.
		for _, res := range results {
			if k := res.kept; k != nil && res.created && res.err == nil {
				s.progress.keep(k.rowid, k.change, k.key, k.rec)
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

// batchStmts binds the writer's prepared statements to a batch's
// transaction, each once per batch and only when a job of it uses one.
//
// The statements are prepared on the pool, not on one *sql.Conn:
// database/sql then prepares them again by itself should the writer's
// connection ever be replaced, and tx.StmtContext reuses the connection's
// prepared statement without parsing the SQL. But each StmtContext still
// makes a statement of the transaction's own, registered with the pool
// and closed with the transaction, a few allocations each: the writer
// bound all five of its statements for every batch, and the page save
// its own for every job, however few of them the batch used (a web
// respondent's writes, one batch each when the server is quiet, use two
// or three). Only the writer goroutine uses it.
type batchStmts struct {
	tx    *sql.Tx
	bound map[*sql.Stmt]*sql.Stmt
}

// begin starts binding to tx.
func (b *batchStmts) begin(tx *sql.Tx) {
	b.tx = tx
	clear(b.bound)
}

// end forgets the batch's statements (closed with its transaction).
func (b *batchStmts) end() {
	b.tx = nil
	clear(b.bound)
}

// stmt returns st bound to the batch's transaction.
func (b *batchStmts) stmt(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	if t, ok := b.bound[st]; ok {
		return t
	}
	t := b.tx.StmtContext(ctx, st)
	if b.bound == nil {
		b.bound = map[*sql.Stmt]*sql.Stmt{}
	}
	b.bound[st] = t
	return t
}

// CreateResponse implements survey.Store: the response row and the spent
// invitation code commit together or not at all, and the call returns only
// after the commit is durable.
func (s *Store) CreateResponse(ctx context.Context, r *survey.Response, codeHash []byte) (*survey.Response, bool, error) {
	j := newJob(ctx)
	j.r, j.codeHash = r, codeHash
	res := s.enqueue(j)
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

// enqueue hands a job (from newJob) to the writer and waits for its
// answer, which comes only after the job's batch has committed (or failed
// as a whole). The job is recycled: the caller must not use it after.
func (s *Store) enqueue(j *writeJob) writeResult {
	defer j.recycle()
	if err := s.writable(); err != nil {
		return writeResult{err: err}
	}
	select {
	case s.jobs <- j:
	case <-j.ctx.Done():
		return writeResult{err: j.ctx.Err()}
	case <-s.quit:
		return writeResult{err: errClosed}
	}
	// Once taken, the job is answered after its batch commits; waiting for
	// that even if the client has gone keeps the answer truthful.
	return <-j.done
}

var errClosed = &survey.Error{Code: survey.EUnavailable, Message: "the server is shutting down; please retry shortly"}
