package sqlite

import (
	"errors"
	"fmt"
	"net/url"
	"runtime"

	"github.com/dyad-survey/dyad/internal/survey"
	sqlite3 "github.com/mattn/go-sqlite3"
	gormsqlite "gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// readConns sizes the read pool: reads are CPU-bound in SQLite, so more
// connections than cores only queue.
var readConns = max(4, runtime.NumCPU()*2)

// dialector returns the gorm SQLite dialector for dsn(path, readOnly). The
// writer's connections come from the store's own driver, named driver
// (registerWriterDriver, checkpoint.go).
func dialector(path string, readOnly bool, driver string) gorm.Dialector {
	if readOnly {
		return gormsqlite.Open(dsn(path, true))
	}
	return gormsqlite.New(gormsqlite.Config{DriverName: driver, DSN: dsn(path, false)})
}

// dsn carries every pragma, because pragmas are per connection and a pool
// opens connections at will (a pragma run once with Exec holds on one
// connection only).
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	// busy_timeout first: any statement below may meet a lock, and without
	// a timeout SQLite fails at once instead of waiting its turn.
	q.Set("_busy_timeout", "5000")
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	// FULL: a commit is on disk (WAL fsynced) before it returns, so a
	// response acknowledged with 201 survives a power cut. NORMAL could
	// lose the last commits. (The checkpointer's connection needs it too:
	// with it a checkpoint fsyncs the main file before the WAL is reused.)
	q.Set("_synchronous", "FULL")
	if readOnly {
		q.Set("mode", "ro")
		q.Set("_query_only", "true")
	} else {
		// Take the write lock when the transaction begins, not at its first
		// write, so a transaction never fails half-way on a lock.
		q.Set("_txlock", "immediate")
	}
	return fmt.Sprintf("file:%s?%s", url.PathEscape(path), q.Encode())
}

// classify turns SQLite's constraint and capacity errors into domain errors
// and wraps the rest with context.
func classify(err error, context string) error {
	if err == nil {
		return nil
	}
	var se *survey.Error
	if errors.As(err, &se) {
		return err
	}
	var e sqlite3.Error
	if errors.As(err, &e) {
		switch {
		case e.ExtendedCode == sqlite3.ErrConstraintUnique || e.ExtendedCode == sqlite3.ErrConstraintPrimaryKey:
			return &survey.Error{Code: survey.EConflict, Message: context + ": already exists"}
		case e.ExtendedCode == sqlite3.ErrConstraintForeignKey:
			return &survey.Error{Code: survey.EConflict, Message: context + ": other records depend on it"}
		case e.Code == sqlite3.ErrFull:
			return errDiskFull
		case e.Code == sqlite3.ErrReadonly || e.Code == sqlite3.ErrBusy || e.Code == sqlite3.ErrLocked || e.Code == sqlite3.ErrIoErr:
			return &survey.Error{Code: survey.EUnavailable, Message: "the database cannot take writes right now; please retry shortly"}
		}
	}
	return fmt.Errorf("%s: %w", context, err)
}

func isUnique(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && (e.ExtendedCode == sqlite3.ErrConstraintUnique || e.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}
