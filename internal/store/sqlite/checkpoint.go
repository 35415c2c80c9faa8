package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// WAL checkpoints, off the writer.
//
// In WAL mode every commit appends pages to the -wal file, and a
// checkpoint copies them back into the main file (and fsyncs it) so that
// the WAL can start over. SQLite's default runs that checkpoint inside the
// commit that takes the WAL past 1,000 pages: on the single writer, in the
// middle of the group commit, while every handler of the next batch waits.
// Under a submission burst the WAL grows by tens of megabytes a second, so
// that was several checkpoints a second on the one goroutine that bounds
// the write rate.
//
// Instead a connection of its own (the checkpointer) runs a PASSIVE
// checkpoint shortly after commits, concurrently with the writer: PASSIVE
// waits for neither the writer nor the readers, and copies as many
// committed frames as it can without changing a page that a reader's
// snapshot still takes from the main file. Acknowledgements are unchanged: a commit is
// durable when its WAL frames are fsynced (synchronous=FULL), before and
// after this; the checkpointer only moves durable pages into the main file,
// fsyncing it before SQLite lets the WAL be overwritten.
//
// The WAL starts over only when a write transaction begins with every
// frame checkpointed, and under sustained load the writer may always have
// committed a little more by then. So the writer keeps SQLite's automatic
// checkpoint at a higher mark (writerCheckpointPages): when the WAL reaches
// it, the writer copies what the checkpointer has not yet (little, as the
// checkpointer keeps up) and the WAL starts over at the next batch. The
// WAL file therefore stays under about that mark, plus one batch.

const (
	// writerCheckpointPages is the backstop: 4,000 pages of 4 KiB, 16 MiB.
	writerCheckpointPages = 4000
	// checkpointPause is the checkpointer's rest after each checkpoint, so
	// that a page changed by many batches (an index's last leaf) is copied
	// once for all of them rather than once per batch.
	checkpointPause = 50 * time.Millisecond
)

// writerDrivers numbers the writer's database/sql drivers, one a store.
var writerDrivers atomic.Int64

// registerWriterDriver registers the database/sql driver of s's writer
// pool and returns its name: SQLite with the writer's automatic
// checkpoint raised to the backstop mark, and the progress cache's update
// hook (progress_cache.go), on every connection the pool ever opens. It is
// a driver of the store's own because the hook is the store's.
func (s *Store) registerWriterDriver() string {
	name := fmt.Sprintf("sqlite3-dyad-writer-%d", writerDrivers.Add(1))
	sql.Register(name, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if _, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", writerCheckpointPages), nil); err != nil {
			return err
		}
		c.RegisterUpdateHook(s.progress.changed)
		return nil
	}})
	return name
}

// openCheckpointer opens the checkpointer's connection; Open calls it once
// the writer has put the file in WAL mode.
func (s *Store) openCheckpointer(ctx context.Context) error {
	db, err := sql.Open("sqlite3", dsn(s.path, false))
	if err != nil {
		return fmt.Errorf("open %s for checkpoints: %w", s.path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	// It writes only by checkpointing: no automatic checkpoint of its own.
	if _, err := db.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		db.Close()
		return fmt.Errorf("open %s for checkpoints: %w", s.path, err)
	}
	s.ckptSQL = db
	return nil
}

// committed tells the checkpointer that the WAL has grown; it never blocks.
func (s *Store) committed() {
	select {
	case s.ckptWake <- struct{}{}:
	default: // a wake is pending already
	}
}

// runCheckpointer is the checkpointer goroutine: after commits, one
// PASSIVE checkpoint, then a pause. A failed checkpoint (a full disk, an
// I/O error) loses nothing: the pages stay in the WAL, the next one
// retries, and the writer's backstop and Ping report the disk's state.
func (s *Store) runCheckpointer() {
	defer close(s.ckptDone)
	pause := time.NewTimer(checkpointPause)
	pause.Stop()
	for {
		select {
		case <-s.ckptWake:
		case <-s.quit:
			return
		}
		_, _ = s.ckptSQL.Exec("PRAGMA wal_checkpoint(PASSIVE)") // a failure: see above
		pause.Reset(checkpointPause)
		select {
		case <-pause.C:
		case <-s.quit:
			return
		}
	}
}
