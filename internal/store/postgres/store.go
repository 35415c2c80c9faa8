// Package postgres is Dyad's PostgreSQL driver: it implements survey.Store
// through gorm (gorm.io/driver/postgres, pgx v5 underneath) for the
// ordinary reads and writes (instruments, surveys, invitations, settings,
// sessions) and hand-written SQL through pgx's database/sql driver where
// the rules live in the statements: the responses' group commit
// (writer.go), the web form's progress (progress.go), the export reader
// (export.go) and the JSON queries (text_answers.go). cmd opens it through
// internal/store for postgres:// and postgresql:// DSNs, and the
// conformance suite internal/store/storetest runs against it
// (conformance_test.go).
//
// The schema (migrations/postgres, applied at Open with goose under
// PostgreSQL's session advisory lock, so that instances starting together
// migrate once) mirrors SQLite's; the choices of types are argued in
// migrations/postgres/0001_init.sql.
//
// Where SQLite's guarantees came from its single writer connection, this
// driver takes them from row locks and conditions in the statements, so
// that they hold however many connections, or instances, write at once:
//   - a response id is stored once: INSERT ... ON CONFLICT (id) DO NOTHING
//     (a second inserter waits for the first to commit, then does nothing);
//   - an invitation code is spent or held once: UPDATE ... WHERE spent = 0
//     AND held = 0, counted by RowsAffected (a second updater waits for the
//     first, then re-reads the row and finds it spent);
//   - a survey's closing is decided inside the write: the response's write
//     takes the survey row FOR SHARE with the open condition, and a close
//     takes it FOR UPDATE before it reads the latest submission
//     (surveys.go);
//   - seq order is commit order: inserts into responses take one
//     transaction advisory lock first (lockInserts).
//
// A survey's cached row in another instance's service expires within
// survey.SurveyCacheTTL, so a close is seen everywhere within it (what is
// stored never depends on the cache: see above). Not yet done (issue 13):
// rate limits are per instance; no backup capability (use pg_dump;
// internal/store/migrate moves a SQLite database here); batches are sent a statement at a time, not
// pipelined (writer.go).
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/dyad-survey/dyad/internal/store/ormstore"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/migrations"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	gormpg "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Store is the PostgreSQL store. Create it with Open and release it with
// Close.
type Store struct {
	// Instruments, settings and sessions: the gorm code every engine shares.
	ormstore.Tables

	db  *sql.DB
	orm *gorm.DB

	// The group-commit writer (writer.go).
	jobs       chan *writeJob
	quit       chan struct{}
	writerDone chan struct{}
	observe    BatchObserver
	closeOnce  sync.Once
}

var _ survey.Store = (*Store)(nil)

// Option configures Open.
type Option func(*Store)

// BatchObserver, when set, is told the size and commit latency of every
// group commit (for metrics).
type BatchObserver func(size int, commit time.Duration)

// WithBatchObserver reports every group commit's size and latency.
func WithBatchObserver(f BatchObserver) Option { return func(s *Store) { s.observe = f } }

// maxConns bounds the connections of one instance: PostgreSQL spends a
// process per connection, and several instances share its limit
// (max_connections, 100 by default). Responses go through one writer
// connection (the group commit); the rest serve reads, the web form's
// saves and the dashboard.
const maxConns = 16

// Open connects to the database the URL names and brings its schema up to
// date. Errors never repeat the URL: it may hold a password.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors quote the DSN; say only what kind of error.
		return nil, errors.New("database URL: cannot be parsed as a PostgreSQL connection URL")
	}
	s := &Store{jobs: make(chan *writeJob), quit: make(chan struct{}), writerDone: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	s.db = stdlib.OpenDB(*cfg)
	s.db.SetMaxOpenConns(maxConns)
	s.db.SetMaxIdleConns(maxConns)
	s.db.SetConnMaxIdleTime(5 * time.Minute)
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", where(cfg), safeErr(err))
	}
	if err := migrate(ctx, s.db); err != nil {
		s.db.Close()
		return nil, err
	}
	s.orm, err = gorm.Open(gormpg.New(gormpg.Config{Conn: s.db}), &gorm.Config{
		// gorm's logger would print SQL with its arguments: answers and
		// hashes must never reach a log.
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
	})
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open PostgreSQL: %w", err)
	}
	s.Tables = ormstore.Tables{Read: s.orm, Write: s.orm, Classify: classify, IsUnique: isUnique}
	go s.runWriter()
	return s, nil
}

// where names a server without its credentials.
func where(cfg *pgx.ConnConfig) string {
	return fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
}

// safeErr keeps pgconn's connect errors from carrying the password: they
// hold the config, and their text names host and user only, but wrapping
// only the text makes sure nothing else travels on.
func safeErr(err error) error {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return errors.New(ce.Error())
	}
	return err
}

func migrate(ctx context.Context, db *sql.DB) error {
	// The session lock makes instances that start at once take turns;
	// the others try again every second (goose's default is every 5 s),
	// for up to 5 minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.Postgres, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// Ping reports whether the database takes writes (for /readyz).
func (s *Store) Ping(ctx context.Context) error {
	var readOnly string
	if err := s.db.QueryRowContext(ctx, `SHOW transaction_read_only`).Scan(&readOnly); err != nil {
		return errUnavailable
	}
	if readOnly == "on" {
		return &survey.Error{Code: survey.EUnavailable, Message: "the database is read-only (a standby?); it cannot take responses"}
	}
	return nil
}

// Size returns the bytes the database takes on the server
// (pg_database_size), for the metrics (store.SizeReporter); 0 when the
// server does not answer within a second.
func (s *Store) Size() int64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		return 0
	}
	return n
}

// Close stops the writer after the batch it is committing (callers still
// waiting get a 503-class error), then closes the pool. Close the HTTP
// server first so no handler is left waiting.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.quit) })
	<-s.writerDone
	return s.db.Close()
}

var errUnavailable = &survey.Error{Code: survey.EUnavailable, Message: "the database cannot take writes right now; please retry shortly"}

// PostgreSQL's SQLSTATE codes that the store turns into domain errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// classify turns PostgreSQL's constraint errors into domain errors, a lost
// or refused connection into EUnavailable, and wraps the rest with context.
func classify(err error, what string) error {
	if err == nil {
		return nil
	}
	var se *survey.Error
	if errors.As(err, &se) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == uniqueViolation:
			return &survey.Error{Code: survey.EConflict, Message: what + ": already exists"}
		case pe.Code == foreignKeyViolation:
			return &survey.Error{Code: survey.EConflict, Message: what + ": other records depend on it"}
		case len(pe.Code) == 2+3 && (pe.Code[:2] == "08" || pe.Code[:2] == "53" || pe.Code[:2] == "57" || pe.Code[:2] == "40" || pe.Code == "25006"):
			// Connection exceptions, insufficient resources, operator
			// intervention (a shutdown, a restart), a transaction rolled
			// back (a deadlock broken by the server: rare, as every insert
			// takes one lock first, but a close, a completion and a batch
			// can meet on a survey and a code), a read-only transaction.
			// All pass; the client retries, and a retry of a response is
			// recognised by its id.
			return errUnavailable
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if connectionLost(err) {
		return errUnavailable
	}
	return fmt.Errorf("%s: %w", what, err)
}

// connectionLost tells whether err says the connection to the server
// failed or broke (a restart, a network fault) rather than that the server
// refused a statement: the next attempt, on a new connection, may work.
// A COMMIT cut off this way has an unknown outcome; its submitters get
// 503 and retry with the same ids, which the store recognises.
func connectionLost(err error) bool {
	var (
		ce *pgconn.ConnectError
		ne net.Error
	)
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == uniqueViolation
}
