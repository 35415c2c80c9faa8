package sqlite

// Health: what the store knows about its own ability to keep an
// acknowledgement, and how /readyz learns it.
//
// A deleted or replaced database file. SQLite keeps writing through the
// file descriptors it opened, so after `rm dyad.db*` every commit still
// succeeds, into an inode that no longer has a name and vanishes at the
// next restart: the server would acknowledge responses it is about to lose.
// So the store remembers which file it opened (device and inode, through
// os.SameFile) and, after each group commit (submissions and the web
// form's writes) and each direct write (sessions, a survey's close),
// checks that the path still names that file before it answers anyone. One os.Stat per batch, not per response (about a microsecond:
// BenchmarkFileCheck); a batch whose check fails answers every job 503, and
// the store stays in that state for good: its connections are on the old
// inode, its WAL is gone, and only a restart (on a restored file) can make
// writes safe again. The check after the commit rather than before covers
// a deletion during the commit's fsync too; what it cannot cover is a
// deletion between the stat and the answer (microseconds). A file replaced
// by another one (a restore moved over the live file) fails the same way:
// the server's connections would go on writing to the old one.
//
// How the identity taken at Open is known to be the file SQLite opened:
// Open stats the path before the writer connection opens it and again
// after the connection has run the migrations (so holds the file open);
// the two must agree when the file existed before, otherwise Open fails.
// On Linux it then reads the descriptors in /proc/self/fd that point at
// the path and checks that every one is that same file: the identity comes
// from the open descriptor itself, not from the name.
//
// A full disk. A write that fails with SQLITE_FULL (a full disk, or the
// size cap of SetMaxSize) marks the store full; Ping then reports it, so
// /readyz takes the instance out of rotation, instead of answering ready
// while every submission gets 503. The mark must also clear without
// traffic (a load balancer sends none to an instance that is not ready),
// so while it is set Ping itself tries a small write (a few pages, rolled
// into nothing: inserted and deleted in one committed transaction) and
// clears it when that succeeds. A successful batch, direct write or
// close clears it too. A restart forgets the mark until the next write
// fails.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/dyad-survey/dyad/internal/survey"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// health is the store's state between writes; the zero value is healthy.
type health struct {
	opened os.FileInfo // the database file as opened by Open
	lost   atomic.Bool // the path no longer names the opened file
	full   atomic.Bool // the last write failed with SQLITE_FULL
}

// errFileLost answers every write once the file is gone. Public: it is
// what a respondent's 503 and /readyz say, so it names no path.
var errFileLost = &survey.Error{Code: survey.EUnavailable,
	Message: "the database file was deleted or replaced while the server was running; nothing more can be stored safely: restore the file from a backup if needed and restart the server"}

// errDiskFull is classify's answer to SQLITE_FULL, one value so that the
// store can recognise it after classification.
var errDiskFull = &survey.Error{Code: survey.EUnavailable,
	Message: "the database's disk is full (or its size cap is reached); nothing more can be stored until space is freed"}

// identifyFile records the identity of the database file that the writer
// connection has open; before is the path's stat taken before the
// connection opened it (nil if there was no file).
func (s *Store) identifyFile(before os.FileInfo) error {
	after, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("stat %s after opening it: %w", s.path, err)
	}
	if before != nil && !os.SameFile(before, after) {
		return fmt.Errorf("%s was replaced while it was being opened", s.path)
	}
	if err := checkOpenDescriptors(s.path, after); err != nil {
		return err
	}
	s.health.opened = after
	return nil
}

// checkOpenDescriptors checks, where /proc/self/fd exists (Linux), that
// every descriptor of this process open on path is the file want. Where it
// does not exist, the stats before and after opening are the evidence.
func checkOpenDescriptors(path string, want os.FileInfo) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	for _, e := range entries {
		fd := "/proc/self/fd/" + e.Name()
		if target, err := os.Readlink(fd); err != nil || target != abs {
			continue
		}
		fi, err := os.Stat(fd) // follows the descriptor, even to an unlinked file
		if err != nil {
			continue // closed since the listing
		}
		if !os.SameFile(fi, want) {
			return fmt.Errorf("%s was replaced while it was being opened", path)
		}
	}
	return nil
}

// checkFile returns errFileLost, and keeps returning it, once the path no
// longer names the file that Open opened. Other stat errors (a permission
// change, an I/O error) fail this call only.
func (s *Store) checkFile() error {
	if s.health.lost.Load() {
		return errFileLost
	}
	fi, err := os.Stat(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && !os.SameFile(fi, s.health.opened)):
		s.health.lost.Store(true)
		return errFileLost
	case err != nil:
		return &survey.Error{Code: survey.EUnavailable, Message: "the database file cannot be checked; please retry shortly"}
	}
	return nil
}

// writable fails at once, without a stat, when the file is known to be
// gone: the start of every direct write.
func (s *Store) writable() error {
	if s.health.lost.Load() {
		return errFileLost
	}
	return nil
}

// finishWrite ends every direct write (not the group commit's, which does
// the same for a whole batch): it records the outcome for Ping and, when
// the write succeeded, checks that it went into the path's file before the
// caller acknowledges it.
func (s *Store) finishWrite(err error) error {
	s.wrote(err)
	if err != nil {
		return err
	}
	s.committed() // the WAL grew (checkpoint.go)
	return s.checkFile()
}

// wrote records the outcome of a write for Ping: SQLITE_FULL marks the
// store full, success clears the mark.
func (s *Store) wrote(err error) {
	switch {
	case err == nil:
		s.health.full.Store(false)
	case isFull(err):
		s.health.full.Store(true)
	}
}

func isFull(err error) bool {
	var e sqlite3.Error
	return errors.Is(err, errDiskFull) || (errors.As(err, &e) && e.Code == sqlite3.ErrFull)
}

// probeBytes is the size of Ping's trial write while the disk is full: a
// few pages, about what a long response takes.
const probeBytes = 16 << 10

// Ping reports whether the store can take writes: the database file is
// still the one opened, the disk is not known to be full, and the database
// answers a query. Its errors are EUnavailable with a message saying which
// (for /readyz).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.checkFile(); err != nil {
		return err
	}
	if s.health.full.Load() {
		err := s.probeWrite(ctx)
		s.wrote(err)
		if isFull(err) {
			return errDiskFull
		}
		if err != nil {
			return &survey.Error{Code: survey.EUnavailable, Message: "the database cannot take writes right now"}
		}
	}
	var one int
	if err := s.readSQL.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return &survey.Error{Code: survey.EUnavailable, Message: "the database does not answer queries"}
	}
	return nil
}

// probeWrite commits a transaction that grows the database by probeBytes
// and shrinks it back, leaving no row behind.
func (s *Store) probeWrite(ctx context.Context) error {
	tx, err := s.writeSQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('readiness_probe', zeroblob(?))`, probeBytes); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE name = 'readiness_probe'`); err != nil {
		return err
	}
	return tx.Commit()
}
