package sqlite

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// writeBulky stores n complete responses of about 16 KiB of text each,
// from 32 goroutines at once (so that the writer batches them), and
// returns the ids.
func writeBulky(t *testing.T, f *progressFixture, n int) []string {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	text := strings.Repeat("a long answer about the therapeutic relationship ", 330)
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				r := &survey.Response{ID: survey.NewUUID(), SurveyID: f.open.ID, InstrumentKey: f.open.InstrumentKey,
					InstrumentVersion: f.open.InstrumentVersion, Status: survey.ResponseComplete,
					Answers:   survey.Answers{"uses": survey.IntVal(1), "why": survey.TextVal(text), "years": survey.IntVal(int64(i))},
					StartedAt: now, SubmittedAt: &now, Digest: []byte{byte(i)}}
				if _, _, err := f.st.CreateResponse(ctx, r, nil); err != nil {
					errs <- err
					return
				}
				ids[i] = r.ID
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("CreateResponse: %v", err)
	}
	return ids
}

func pragmaInt(t *testing.T, db *sql.DB, pragma string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow("PRAGMA " + pragma).Scan(&n); err != nil {
		t.Fatalf("PRAGMA %s: %v", pragma, err)
	}
	return n
}

// TestCheckpointerCopiesTheWAL: the writer's automatic checkpoint is the
// backstop mark, far above what a few hundred responses put in the WAL, so
// when the main file nonetheless grows to hold every page soon after the
// writes, the checkpointer copied them (checkpoint.go). The responses then
// read back from a fresh connection, as after a restart.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	t.Parallel()
	f := newProgressFixture(t)
	st := f.st
	if got := pragmaInt(t, st.writeSQL, "wal_autocheckpoint"); got != writerCheckpointPages {
		t.Fatalf("writer's wal_autocheckpoint = %d, want %d", got, writerCheckpointPages)
	}
	if got := pragmaInt(t, st.ckptSQL, "wal_autocheckpoint"); got != 0 {
		t.Fatalf("checkpointer's wal_autocheckpoint = %d, want 0", got)
	}
	if got := pragmaInt(t, st.ckptSQL, "synchronous"); got != 2 {
		t.Fatalf("checkpointer's synchronous = %d, want 2 (FULL)", got)
	}
	before, err := os.Stat(st.path)
	if err != nil {
		t.Fatal(err)
	}
	ids := writeBulky(t, f, 200) // about 1,000 pages: SQLite's default mark
	pageSize := pragmaInt(t, st.readSQL, "page_size")
	want := pragmaInt(t, st.readSQL, "page_count") * pageSize
	if want < before.Size()+800*pageSize {
		t.Fatalf("the database grew from %d to only %d bytes", before.Size(), want)
	}
	if wal := pragmaInt(t, st.writeSQL, "wal_autocheckpoint"); wal != writerCheckpointPages {
		t.Fatalf("the writer's connection changed: wal_autocheckpoint = %d", wal)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(st.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("main file still %d bytes 10 s after the writes, want %d: nothing checkpointed it", fi.Size(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	fresh, err := sql.Open("sqlite3", dsn(st.path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if n := countRows(t, fresh, `SELECT count(*) FROM responses WHERE status = 'complete'`); n != len(ids) {
		t.Fatalf("%d complete responses read back, want %d", n, len(ids))
	}
}

// TestWALStaysBounded writes about twice the backstop mark through the
// writer: the WAL file must start over rather than grow with every
// response, so it stays near the mark (it is not truncated when it starts
// over, so its size is its largest extent).
func TestWALStaysBounded(t *testing.T) {
	t.Parallel()
	f := newProgressFixture(t)
	ids := writeBulky(t, f, 2000) // about 10,000 pages, 40 MiB
	pageSize := pragmaInt(t, f.st.readSQL, "page_size")
	fi, err := os.Stat(f.st.path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// The mark, plus the batch that crosses it (a batch of 128 responses of
	// 5 pages each, with its index pages).
	limit := (writerCheckpointPages + maxBatch*6) * pageSize
	t.Logf("WAL %d bytes (%d pages) after %d responses; limit %d", fi.Size(), fi.Size()/pageSize, len(ids), limit)
	if fi.Size() > limit {
		t.Fatalf("WAL is %d bytes after %d responses, want at most %d", fi.Size(), len(ids), limit)
	}
	if n := countRows(t, f.st.readSQL, `SELECT count(*) FROM responses WHERE status = 'complete'`); n != len(ids) {
		t.Fatalf("%d complete responses, want %d", n, len(ids))
	}
}
