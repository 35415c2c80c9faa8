package sqlite

import (
	"sync"
	"sync/atomic"

	"github.com/dyad-survey/dyad/internal/store/ormstore"
)

// The responses in progress, kept as the writer wrote them.
//
// The web form reads the respondent's response back on every request
// (FindProgress): about twenty times a journey, a lookup by the resume
// token's hash. Under load that was about a tenth of the server's CPU,
// most of it SQLite reading the row's pages again, since every commit
// makes the read connections' page caches start over. Yet the writer has
// just written that row, and knows what it wrote: a start binds every
// column but one (the test flag, which its SQL reads from the survey, and
// which it reads back), a page save replaces four columns (and the
// language, when one is given) of the row kept before it, and a
// completion a few more (the status, the submission time, the sealed
// code; the thank-you page reads the row next). Once the batch has
// committed the writer keeps the row here, in the very form in which
// FindProgress scans it from SQLite (ormstore.ProgressRecord), and
// FindProgress decodes a kept row exactly as it decodes a scanned one
// (ormstore.ProgressOf), asking SQLite only when none is kept.
// (The write's RETURNING clause would give the row too, but cost the
// writer several times the UPDATE itself.)
//
// A kept row must never be older than the row on disk: a page built from
// stale answers, saved, would overwrite newer ones. So every change to a
// row of responses drops what is kept of it, through SQLite's update hook
// on the writer's connection, which SQLite calls for every row inserted,
// updated or deleted by any statement on that connection: the writer's
// batches, the abandoned sweep, a test response's removal, anything the
// gorm code does, now or later. The writer's connection is the only one
// in the process that changes rows (the read pool is query_only, the
// checkpointer copies pages). The hook does not fire for a DELETE without
// WHERE (SQLite's truncate optimisation) nor for rows removed by REPLACE;
// the store runs neither on responses, which has no foreign key that
// cascades into it either. Another process writing the same file would not
// be seen: only `dyad serve` writes responses (the other commands read
// them, or write only accounts and the audit log).
//
// A write keeps its row only if nothing changed the row after it: the
// hook numbers every change, the write notes its own change's number as
// pending right after its statement (lastChange), any later change of the
// row cancels that, and after the commit the row is kept only if its
// pending number is still there. A later job of the same batch, or a
// write of the gorm code between the commit and the keeping, leaves
// nothing kept; the next read asks SQLite. A write rolled back (its
// savepoint, or the batch) keeps nothing, and its change, seen by the
// hook, dropped what was kept. A page save or a completion derives its
// row from the one kept before it, which the hook hands on when the
// write's change drops it (a row kept is the row as it is: any change
// since would have dropped it), so a write to a row not kept keeps
// nothing.
//
// Memory: at most progressCacheBytes of rows (about 4,000 respondents in
// progress with every page answered), and the pending numbers of one
// batch. Past the bound the rows kept longest ago go first: a row is kept
// again at each of its respondent's saves, so those are the respondents
// who have not saved for longest, most often ones who left the survey (an
// abandoned response stays in progress, and kept, until the bound or the
// sweep removes it). A complete response's row goes once read (find).
const (
	progressCacheBytes = 8 << 20
	progressCacheRows  = 8192
)

// progressCache is the store's kept rows. Its methods are safe for
// concurrent use; the hook runs on whichever goroutine runs a statement
// on the writer's connection.
type progressCache struct {
	mu    sync.Mutex
	rows  map[int64]keptRow // by rowid (responses.seq)
	keys  map[string]int64  // progressKey: the rowid kept under it
	bytes int               // of the kept records

	// order lists the rows in the order they were kept, oldest first,
	// each with the number it was kept as (keptRow.n): an entry whose
	// row has since gone or been kept again is stale, skipped by trim and
	// dropped when the list is compacted.
	order []keptAt
	n     uint64 // the last number given
	// The bounds: progressCacheRows and progressCacheBytes (smaller in
	// tests).
	maxRows, maxBytes int

	// The last change the hook saw: its number, its row, and the record
	// it dropped (nil when none was kept) with its key, for the write
	// that made it (lastChange) and no one else.
	gen        uint64
	last       int64
	lastBefore *ormstore.ProgressRecord
	lastKey    string

	// pending are the changes of this batch whose rows are to be kept
	// after its commit, by row.
	pending map[int64]uint64

	// hits and misses count FindProgress's lookups (for the tests).
	hits, misses atomic.Int64
}

type keptRow struct {
	key string
	rec *ormstore.ProgressRecord
	n   uint64 // when it was kept: the cache's n then
}

// keptAt is an entry of progressCache.order.
type keptAt struct {
	rowid int64
	n     uint64
}

func newProgressCache() *progressCache {
	return &progressCache{rows: map[int64]keptRow{}, keys: map[string]int64{}, pending: map[int64]uint64{},
		maxRows: progressCacheRows, maxBytes: progressCacheBytes}
}

// changed is the update hook: the row rowid of table in database db was
// inserted, updated or deleted (op), in a transaction not yet committed.
func (c *progressCache) changed(op int, db, table string, rowid int64) {
	if table != "responses" || db != "main" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.last = rowid
	c.lastBefore, c.lastKey = nil, ""
	if k, ok := c.rows[rowid]; ok {
		c.lastBefore, c.lastKey = k.rec, k.key
		c.forget(rowid)
	}
	delete(c.pending, rowid)
}

// lastChange is the last change of a row of responses: the row, the
// change's number, and the row as it was kept until then (nil when it was
// not) with its key. A write on the writer's connection that has just
// changed one row calls it at once, and the change is then its own:
// nothing else runs on that connection meanwhile. The change becomes
// pending, to be kept after the commit.
func (c *progressCache) lastChange() (rowid int64, gen uint64, before *ormstore.ProgressRecord, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rowid, gen, before, key = c.last, c.gen, c.lastBefore, c.lastKey
	c.lastBefore, c.lastKey = nil, ""
	c.pending[rowid] = gen
	return rowid, gen, before, key
}

// batch begins a batch of the writer: what the last one left pending (a
// batch that failed, a write rolled back) will never be kept.
func (c *progressCache) batch() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.pending)
}

// keep stores rec as row rowid, kept under key (progressKey), if change
// gen of the row is still pending. The writer calls it after the commit
// that made the change durable.
func (c *progressCache) keep(rowid int64, gen uint64, key string, rec *ormstore.ProgressRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pending[rowid]; !ok || p != gen {
		return
	}
	delete(c.pending, rowid)
	c.forgetKey(key)
	c.n++
	c.rows[rowid] = keptRow{key: key, rec: rec, n: c.n}
	c.keys[key] = rowid
	c.bytes += rec.Size()
	c.order = append(c.order, keptAt{rowid, c.n})
	c.trim()
}

// find returns the record kept for the response to surveyID with
// resumeHash, or nil. A complete response's record is found once: the
// thank-you page reads it right after the completion, and nothing reads
// it often after that, so keeping it would only hold memory (the heap's
// target is five times what is live, at dyad serve's GOGC) until the
// bound let it go.
func (c *progressCache) find(surveyID string, resumeHash []byte) *ormstore.ProgressRecord {
	var buf [128]byte
	k := appendProgressKey(buf[:0], surveyID, resumeHash)
	c.mu.Lock()
	var rec *ormstore.ProgressRecord
	if rowid, ok := c.keys[string(k)]; ok {
		rec = c.rows[rowid].rec
		if rec.Complete() {
			c.forget(rowid)
		}
	}
	c.mu.Unlock()
	if rec == nil {
		c.misses.Add(1)
	} else {
		c.hits.Add(1)
	}
	return rec
}

// drop forgets what is kept under surveyID and resumeHash: its decoding
// failed, and SQLite is asked instead.
func (c *progressCache) drop(surveyID string, resumeHash []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetKey(progressKey(surveyID, resumeHash))
}

// progressKey is what a row is kept under: the survey and the resume
// token's hash, FindProgress's arguments.
func progressKey(surveyID string, resumeHash []byte) string {
	return string(appendProgressKey(nil, surveyID, resumeHash))
}

func appendProgressKey(b []byte, surveyID string, resumeHash []byte) []byte {
	return append(append(append(b, surveyID...), 0), resumeHash...)
}

// forget removes the row kept as rowid, if any. c.mu is held.
func (c *progressCache) forget(rowid int64) {
	k, ok := c.rows[rowid]
	if !ok {
		return
	}
	delete(c.keys, k.key)
	c.bytes -= k.rec.Size()
	delete(c.rows, rowid)
}

// forgetKey removes the row kept under key, if any. c.mu is held.
func (c *progressCache) forgetKey(key string) {
	if rowid, ok := c.keys[key]; ok {
		c.forget(rowid)
	}
}

// trim drops the rows kept longest ago until the cache is within its
// bounds (the row just kept, the newest, stays), and compacts the order
// when stale entries are most of it. c.mu is held.
func (c *progressCache) trim() {
	for (len(c.rows) > c.maxRows || c.bytes > c.maxBytes) && len(c.rows) > 1 {
		e := c.order[0]
		c.order = c.order[1:]
		if k, ok := c.rows[e.rowid]; ok && k.n == e.n {
			c.forget(e.rowid)
		}
	}
	if len(c.order) > 2*len(c.rows)+64 {
		live := make([]keptAt, 0, 2*len(c.rows)+64)
		for _, e := range c.order {
			if k, ok := c.rows[e.rowid]; ok && k.n == e.n {
				live = append(live, e)
			}
		}
		c.order = live
	}
}
