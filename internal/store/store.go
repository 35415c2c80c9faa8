// Package store opens the database a deployment names, whatever its
// engine, and is the only place that knows which engines there are.
//
// Each engine is a driver package beside this one (sqlite, postgres) that
// implements survey.Store in full, with its own migrations run and its hot
// paths written for that engine (each driver's group commit and export
// reader stay private to it). The conformance suite internal/store/storetest
// holds every driver to the same contract.
//
// Why a package at all, rather than cmd importing the driver: so that
// nothing outside the drivers names an engine. cmd/dyad hands Open the
// DSN it was given (a file path means SQLite; a postgres:// or
// postgresql:// URL means PostgreSQL) and gets back a DB, the survey.Store
// plus what a process needs to run it (Ping for /readyz, Close). What only
// some engines can do is an optional capability found by type assertion:
// survey.Backuper (a consistent copy as a file: SQLite only; PostgreSQL
// leaves it to pg_dump) and SizeReporter (the database's size, for the
// metrics). Offline backups of a database nobody has open go through
// Backup, which picks the driver by the DSN the same way.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/store/postgres"
	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
)

// DB is an open store.
type DB interface {
	survey.Store
	// Ping reports whether the store can take writes; its errors are
	// EUnavailable with a public message saying why (for /readyz).
	Ping(ctx context.Context) error
	// Close stops taking writes, finishes those in progress and releases
	// the database. Close the HTTP server first.
	Close() error
}

// SizeReporter is an optional capability of a DB: the database's size on
// disk, for the metrics.
type SizeReporter interface {
	// Size returns the bytes the database takes on disk now.
	Size() int64
}

// Options configure Open.
type Options struct {
	// ObserveBatch, when set, is told every group commit's size and
	// latency (drivers that batch writes report them; others never call
	// it).
	ObserveBatch func(size int, commit time.Duration)
	// MustExist refuses to open a database that does not exist yet,
	// instead of creating it: for tools that only read.
	MustExist bool
}

// ErrNotSupported answers a DSN of an engine Dyad has no driver for yet.
var ErrNotSupported = errors.New("not supported yet")

// Open opens the database named by dsn, creating it (unless
// opts.MustExist) and bringing its schema up to date: a file path is a
// SQLite database; a postgres:// or postgresql:// URL, a PostgreSQL
// database (which must exist; MustExist changes nothing there). Errors
// never repeat a URL: it may hold a password.
func Open(ctx context.Context, dsn string, opts Options) (DB, error) {
	if isPostgres(dsn) {
		var o []postgres.Option
		if opts.ObserveBatch != nil {
			o = append(o, postgres.WithBatchObserver(opts.ObserveBatch))
		}
		return postgres.Open(ctx, dsn, o...)
	}
	path, err := sqlitePath(dsn)
	if err != nil {
		return nil, err
	}
	var o []sqlite.Option
	if opts.ObserveBatch != nil {
		o = append(o, sqlite.WithBatchObserver(opts.ObserveBatch))
	}
	if opts.MustExist {
		o = append(o, sqlite.MustExist())
	}
	return sqlite.Open(ctx, path, o...)
}

// Backup copies the database named by dsn to out (which must not exist)
// without opening it for writing, so it runs beside a live server. A
// PostgreSQL database answers ErrNotSupported: pg_dump does that job.
func Backup(ctx context.Context, dsn, out string) error {
	if isPostgres(dsn) {
		return fmt.Errorf("backup of a PostgreSQL database is %w here; use pg_dump", ErrNotSupported)
	}
	path, err := sqlitePath(dsn)
	if err != nil {
		return err
	}
	return sqlite.BackupFile(ctx, path, out)
}

// sqlitePath returns the file path a DSN names, or why no driver takes it.
func sqlitePath(dsn string) (string, error) {
	scheme, _, isURL := strings.Cut(dsn, "://")
	switch {
	case dsn == "":
		return "", errors.New("no database given")
	case !isURL:
		return dsn, nil
	default:
		return "", fmt.Errorf("database %s: unknown kind of database (%w); use a SQLite file path or a postgres:// URL", scheme+"://…", ErrNotSupported)
	}
}

// IsPostgres tells whether a DSN names a PostgreSQL database (a
// postgres:// or postgresql:// URL).
func IsPostgres(dsn string) bool { return isPostgres(dsn) }

// isPostgres tells whether a DSN names a PostgreSQL database.
func isPostgres(dsn string) bool {
	scheme, _, isURL := strings.Cut(dsn, "://")
	return isURL && (scheme == "postgres" || scheme == "postgresql")
}

// Describe names the database a DSN opens, for messages and logs: a
// SQLite path as it is; a PostgreSQL URL as scheme://user@host:port/name,
// without its password or parameters.
func Describe(dsn string) string {
	if !isPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "a PostgreSQL database (URL not readable)"
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	if u.User != nil {
		out.User = url.User(u.User.Username())
	}
	return out.String()
}
