// Package sqlite is Dyad's SQLite driver: it implements survey.Store (and
// the optional survey.Backuper), through gorm for the ordinary reads and
// writes (instruments, surveys, invitations, settings, sessions) and
// hand-written SQL on the measured hot paths: the group commit's writes
// (writer.go: submissions in responses.go, the web form's starts, page
// saves and completions in progress.go), the export reader (export.go)
// and the JSON-function queries (text answers). Nothing outside this package knows the engine: cmd opens it
// through internal/store, which picks the driver by the DSN, and the
// conformance suite internal/store/storetest runs against it
// (conformance_test.go).
//
// Connection layout (figures in ../shared/PERFORMANCE.md): SQLite allows one
// writer at a time, and with a pool of writers WAL mode still surfaces
// SQLITE_BUSY when a read transaction upgrades to a write. So every write
// goes through one pool holding exactly one connection, whose transactions
// start IMMEDIATE (taking the write lock up front), and every read through a
// separate read-only pool: readers never block the writer in WAL mode and
// never see a half-written response. A third connection, of its own, copies
// the WAL back into the main file (checkpoint.go), off the writer's path.
//
// The DSN pragmas and the translation of SQLite's error codes into domain
// errors sit in sqlite.go; the file's health (a deleted file, a full disk)
// in health.go.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/dyad-survey/dyad/internal/store/ormstore"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/migrations"
	"github.com/pressly/goose/v3"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Store is the SQLite store. Create it with Open and release it with Close.
type Store struct {
	// Instruments, settings and sessions: the gorm code every engine shares.
	ormstore.Tables

	path  string
	write *gorm.DB // one connection: the single writer
	read  *gorm.DB // read-only pool

	writeSQL *sql.DB
	readSQL  *sql.DB

	insertResponse *sql.Stmt
	spendCode      *sql.Stmt
	findProgress   *sql.Stmt // on the read pool: every page of the web form
	saveProgress   *sql.Stmt // a page save: most of a web journey's writes
	insertProgress *sql.Stmt // a web journey's start
	startedTest    *sql.Stmt // the test flag its start wrote, for the progress cache
	completeRow    *sql.Stmt // its completion
	spendHeldCode  *sql.Stmt // and the code it spends

	// The savepoint around every job of a batch (writer.go), prepared so
	// that SQLite does not parse them again for each job.
	savepoint, release, rollbackTo *sql.Stmt

	// The group-commit writer (writer.go).
	batch      batchStmts // the prepared statements bound to its batch; the writer's alone
	jobs       chan *writeJob
	quit       chan struct{}
	writerDone chan struct{}
	observe    BatchObserver
	// commitDelay is how long the writer waits for more jobs under load
	// (writer.go); 0 never.
	commitDelay time.Duration
	closeOnce   sync.Once

	// The checkpointer (checkpoint.go): its connection, woken after
	// commits.
	ckptSQL  *sql.DB
	ckptWake chan struct{}
	ckptDone chan struct{}

	health health // the file's identity, a full disk (health.go)

	// progress keeps the responses in progress as the writer wrote them
	// (progress_cache.go).
	progress *progressCache

	mustExist bool
}

var (
	_ survey.Store    = (*Store)(nil)
	_ survey.Backuper = (*Store)(nil)
)

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	s := &Store{path: path, jobs: make(chan *writeJob), quit: make(chan struct{}), writerDone: make(chan struct{}),
		ckptWake: make(chan struct{}, 1), ckptDone: make(chan struct{}), progress: newProgressCache(),
		commitDelay: defaultCommitDelay}
	for _, o := range opts {
		o(s)
	}
	cfg := &gorm.Config{
		// gorm's logger would print SQL with its arguments: answers and
		// hashes must never reach a log.
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
	}
	// The file's identity before SQLite opens it, to be compared after
	// (health.go); no file yet is fine: the writer creates it.
	before, err := os.Stat(path)
	if err != nil {
		if s.mustExist {
			return nil, fmt.Errorf("database %s: %w", path, err)
		}
		before = nil
	}
	if s.write, err = gorm.Open(dialector(path, false, s.registerWriterDriver()), cfg); err != nil {
		return nil, fmt.Errorf("open %s for writing: %w", path, err)
	}
	if s.writeSQL, err = s.write.DB(); err != nil {
		return nil, err
	}
	s.writeSQL.SetMaxOpenConns(1)
	s.writeSQL.SetMaxIdleConns(1)
	s.writeSQL.SetConnMaxLifetime(0)
	s.writeSQL.SetConnMaxIdleTime(0)
	if err := s.writeSQL.PingContext(ctx); err != nil {
		s.writeSQL.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, s.writeSQL, migrations.FS); err != nil {
		s.writeSQL.Close()
		return nil, err
	}
	if err := s.identifyFile(before); err != nil {
		s.writeSQL.Close()
		return nil, err
	}
	// The read pool opens after the writer has created the file and put it
	// in WAL mode, which read-only connections cannot do themselves.
	if s.read, err = gorm.Open(dialector(path, true, ""), cfg); err != nil {
		s.writeSQL.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	if s.readSQL, err = s.read.DB(); err != nil {
		s.writeSQL.Close()
		return nil, err
	}
	s.readSQL.SetMaxOpenConns(readConns)
	s.readSQL.SetMaxIdleConns(readConns)
	s.Tables = ormstore.Tables{Read: s.read, Write: s.write, Classify: classify, IsUnique: isUnique,
		Writable: s.writable, FinishWrite: s.finishWrite}
	err = s.openCheckpointer(ctx)
	if err == nil {
		err = s.prepare(ctx)
	}
	if err != nil {
		close(s.writerDone) // no writer nor checkpointer to wait for
		close(s.ckptDone)
		s.Close()
		return nil, err
	}
	go s.runWriter()
	go s.runCheckpointer()
	return s, nil
}

// Option configures Open.
type Option func(*Store)

// WithBatchObserver reports every group commit's size and latency.
func WithBatchObserver(f BatchObserver) Option { return func(s *Store) { s.observe = f } }

// WithCommitDelay sets how long the writer waits under load for more
// writes to share a commit (writer.go): 1 ms by default, 0 never.
func WithCommitDelay(d time.Duration) Option {
	return func(s *Store) { s.commitDelay = max(d, 0) }
}

// MustExist makes Open fail when the file does not exist, instead of
// creating an empty database: for tools that only read (dyad export).
func MustExist() Option { return func(s *Store) { s.mustExist = true } }

// Size returns the bytes the database takes on disk: the main file plus
// its write-ahead log (store.SizeReporter, for the metrics).
func (s *Store) Size() int64 {
	var n int64
	for _, p := range []string{s.path, s.path + "-wal"} {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}

func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// SchemaVersion returns the version of the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.writeSQL, migrations.FS)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

func (s *Store) prepare(ctx context.Context) error {
	var err error
	// The row is inserted only if the survey is open at its submission
	// time, decided here in the write transaction (surveys.go, CloseSurvey).
	// test is the survey's mode as the same statement reads it.
	if s.insertResponse, err = s.writeSQL.PrepareContext(ctx, `INSERT INTO responses
		(id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at, test)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, `+responseTest+` WHERE `+surveyOpenAt); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if s.spendCode, err = s.writeSQL.PrepareContext(ctx,
		`UPDATE invitations SET spent = 1 WHERE survey_id = ? AND code_hash = ? AND spent = 0 AND held = 0`); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if s.findProgress, err = s.readSQL.PrepareContext(ctx, `SELECT `+progressColumns+` FROM responses
		WHERE resume_hash = ? AND survey_id = ?`); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if s.saveProgress, err = s.writeSQL.PrepareContext(ctx, `UPDATE responses SET answers = ?, digest = ?, updated_at = ?,
		language = COALESCE(NULLIF(?, ''), language), page_times = ? WHERE id = ? AND status = 'in_progress'`); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if s.insertProgress, err = s.writeSQL.PrepareContext(ctx, `INSERT INTO responses
		(id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at, resume_hash, sealed_code, updated_at, hold_mark, test, language)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, `+responseTest+`, ?)`); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if s.startedTest, err = s.writeSQL.PrepareContext(ctx, `SELECT test FROM responses WHERE seq = ?`); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	// The row is completed only while the survey is open at the submission
	// time, like the insert of a submission.
	if s.completeRow, err = s.writeSQL.PrepareContext(ctx, `UPDATE responses
		SET status = 'complete', answers = ?, digest = ?, submitted_at = ?, updated_at = ?, sealed_code = NULL, hold_mark = NULL,
			language = COALESCE(NULLIF(?, ''), language), page_times = ?
		WHERE id = ? AND status = 'in_progress' AND `+surveyOpenAt); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if s.spendHeldCode, err = s.writeSQL.PrepareContext(ctx,
		`UPDATE invitations SET spent = 1, held = 0, hold_ref = NULL WHERE survey_id = ? AND code_hash = ? AND spent = 0`); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	// One statement each: a prepared statement runs only the first
	// statement of its text, so "ROLLBACK TO; RELEASE" is two.
	for _, p := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&s.savepoint, "SAVEPOINT response"},
		{&s.release, "RELEASE response"},
		{&s.rollbackTo, "ROLLBACK TO response"},
	} {
		if *p.st, err = s.writeSQL.PrepareContext(ctx, p.sql); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
	}
	return nil
}

// Close stops the writer after the batch it is committing (callers still
// waiting get a 503-class error) and the checkpointer, then closes the
// checkpointer's connection and both pools. The write pool
// closes last, so that SQLite can checkpoint the WAL into the main file
// (and remove it) as its last connection closes.
// Close the HTTP server first so no handler is left waiting.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.quit) })
	<-s.writerDone
	<-s.ckptDone
	for _, st := range []*sql.Stmt{s.insertResponse, s.spendCode, s.findProgress, s.saveProgress, s.insertProgress, s.startedTest, s.completeRow, s.spendHeldCode, s.savepoint, s.release, s.rollbackTo} {
		if st != nil {
			st.Close()
		}
	}
	var err error
	if s.ckptSQL != nil {
		err = s.ckptSQL.Close()
	}
	if s.readSQL != nil {
		if rerr := s.readSQL.Close(); rerr != nil {
			err = rerr
		}
	}
	if werr := s.writeSQL.Close(); werr != nil {
		err = werr
	}
	return err
}
