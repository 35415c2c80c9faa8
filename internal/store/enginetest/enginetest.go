// Package enginetest lets one test run on every database engine Dyad has:
// the adapters' tests (the API's scenario tables, the web form's and the
// dashboard's handler tests) open their store here instead of naming a
// driver, and look at what was stored through SQL that both engines take.
//
//	enginetest.Run(t, func(t *testing.T, engine string) {
//		db := enginetest.Open(t, engine)
//		... serve db.Store, then db.Count(t, `SELECT count(*) FROM responses WHERE survey_id = ?`, id)
//	})
//
// SQLite runs always, on a fresh file in tb.TempDir(); PostgreSQL runs on
// a fresh database of the server DYAD_TEST_POSTGRES_URL names (pgtest):
// without it the postgres subtest skips, saying how to run it, except
// under CI, where it fails, so that CI cannot pass with the PostgreSQL
// half left out.
//
// Inspection goes through a connection of its own (database/sql), apart
// from the store's pools, so that a test sees what was committed, not what
// a pool holds. Queries are written with ? placeholders and rebound to $1,
// $2, ... for PostgreSQL (Rebind); the rest of the SQL must be what both
// engines accept (the schemas keep the same tables, columns and 0/1
// flags: migrations/postgres/0001_init.sql).
package enginetest

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the inspection connection
	_ "github.com/mattn/go-sqlite3"    // the "sqlite3" driver for the inspection connection
)

// The engines, by the names their subtests carry.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Engines lists every engine, SQLite first.
var Engines = []string{SQLite, Postgres}

// Run runs fn once per engine, as subtests named sqlite and postgres that
// run in parallel with each other (each on databases of its own), so that
// the two halves overlap. The postgres subtest skips without
// DYAD_TEST_POSTGRES_URL (fails under CI).
//
// The PostgreSQL databases that Open hands out inside fn (and its
// subtests) come from a pool that lives as long as the postgres subtest:
// a database is emptied when its test ends (every row deleted, sequences
// restarted: what a fresh database holds, with the schema already
// migrated) and handed to the next, and the pool drops them all at the
// end. Creating, migrating and dropping a database costs about a second
// on the test cluster (fsync on); emptying one, one commit. So a
// scenario table of a hundred rows makes as many databases as run at
// once, not a hundred. The pool also keeps each database's inspection
// connection (and the one that empties it) open from test to test: a new
// PostgreSQL connection is a new server process, some 10 to 40 ms.
func Run(t *testing.T, fn func(t *testing.T, engine string)) {
	t.Helper()
	for _, engine := range Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			Require(t, engine)
			if engine == Postgres {
				startPool(t)
			}
			fn(t, engine)
		})
	}
}

// Require skips the test (fails it under CI) when engine cannot run here:
// PostgreSQL without DYAD_TEST_POSTGRES_URL.
func Require(tb testing.TB, engine string) {
	tb.Helper()
	switch engine {
	case SQLite:
	case Postgres:
		pgtest.Require(tb)
	default:
		tb.Fatalf("enginetest: no engine %q", engine)
	}
}

// DB is a store on a fresh database of one engine, with an inspection
// connection to the same database.
type DB struct {
	// Engine is SQLite or Postgres.
	Engine string
	// DSN names the database as dyad serve's --db would: the file's path,
	// or the postgres:// URL. OpenDSN opens it again.
	DSN string
	// Store is the store, opened as dyad serve opens it (store.Open).
	Store store.DB

	mu        sync.Mutex
	inspect   *sql.DB
	shared    bool // inspect belongs to a pool (see Run), which closes it
	closeOnce sync.Once
}

// Open opens a store of engine on a fresh, empty database with its schema
// applied. The store and the inspection connection close when the test
// ends (or earlier with Close); then a PostgreSQL database is dropped, or,
// inside Run, emptied for the next test.
func Open(tb testing.TB, engine string) *DB {
	tb.Helper()
	Require(tb, engine)
	var dsn string
	switch p := poolOf(tb); {
	case engine == SQLite:
		dsn = filepath.Join(tb.TempDir(), "dyad.db")
	case p != nil:
		dsn = p.take(tb)
		// Registered before the store's Close, so run after it.
		tb.Cleanup(func() { p.give(dsn) })
	default:
		dsn = pgtest.URL(tb)
	}
	return OpenDSN(tb, dsn)
}

// OpenDSN opens the database a DSN names (as Open returned it in DSN), to
// see what another store left there.
func OpenDSN(tb testing.TB, dsn string) *DB {
	tb.Helper()
	engine := SQLite
	if store.IsPostgres(dsn) {
		engine = Postgres
	}
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		tb.Fatalf("open %s store: %v", engine, err)
	}
	d := &DB{Engine: engine, DSN: dsn, Store: st}
	if p := poolOf(tb); p != nil {
		if db := p.inspection(dsn); db != nil {
			d.inspect, d.shared = db, true
		}
	}
	// Registered after pgtest's drop of the database, so run before it.
	tb.Cleanup(d.Close)
	return d
}

// Close closes the inspection connection and the store; calling it again
// does nothing.
func (d *DB) Close() {
	d.closeOnce.Do(func() {
		d.mu.Lock()
		if d.inspect != nil && !d.shared {
			d.inspect.Close()
		}
		d.mu.Unlock()
		d.Store.Close()
	})
}

// SQL returns the inspection connection: read-only, apart from the
// store's pools. Write queries with ? placeholders through Rebind (Count,
// Strings and Dump do).
func (d *DB) SQL(tb testing.TB) *sql.DB {
	tb.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inspect == nil {
		d.inspect = openInspection(tb, d.Engine, d.DSN)
	}
	return d.inspect
}

// openInspection opens a read-only connection (one at most) to a
// database.
func openInspection(tb testing.TB, engine, dsn string) *sql.DB {
	tb.Helper()
	var db *sql.DB
	var err error
	if engine == SQLite {
		db, err = sql.Open("sqlite3", "file:"+dsn+"?mode=ro&_busy_timeout=5000")
	} else {
		db, err = sql.Open("pgx", readOnlyURL(tb, dsn))
	}
	if err != nil {
		tb.Fatalf("open inspection connection: %v", err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// readOnlyURL is a PostgreSQL URL whose sessions refuse writes (pgx hands
// unknown URL parameters to the server as settings).
func readOnlyURL(tb testing.TB, dsn string) string {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("test database URL cannot be parsed")
	}
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	return u.String()
}

// Rebind writes a query's ? placeholders in the engine's own way: as they
// are on SQLite, as $1, $2, ... on PostgreSQL. A ? inside quotes (a
// string or a quoted name) is left alone.
func (d *DB) Rebind(query string) string { return Rebind(d.Engine, query) }

// Rebind is DB.Rebind for an engine named apart from a DB.
func Rebind(engine, query string) string {
	if engine != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Count returns the result of a SELECT count(*) (or any one integer).
func (d *DB) Count(tb testing.TB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := d.SQL(tb).QueryRow(d.Rebind(query), args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// Strings returns a query's one column as strings, in the query's order.
func (d *DB) Strings(tb testing.TB, query string, args ...any) []string {
	tb.Helper()
	rows, err := d.SQL(tb).Query(d.Rebind(query), args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			tb.Fatalf("%s: %v", query, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return out
}

// Tables lists the database's tables, sorted: SQLite's from sqlite_master,
// PostgreSQL's from information_schema (the base tables of the schema the
// store uses). Both include goose's version table.
func (d *DB) Tables(tb testing.TB) []string {
	tb.Helper()
	var tables []string
	if d.Engine == SQLite {
		tables = d.Strings(tb, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	} else {
		tables = d.Strings(tb, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	}
	sort.Strings(tables)
	return tables
}

// Dump renders every row of every table, sorted, so that two dumps of one
// database are equal exactly when the stored data is. What a sequence has
// handed out is not data: PostgreSQL's identity counter of responses.seq
// is not a table and is left out (on SQLite, seq has no AUTOINCREMENT, so
// there is no counter either).
func (d *DB) Dump(tb testing.TB) string {
	tb.Helper()
	db := d.SQL(tb)
	var out []string
	for _, t := range d.Tables(tb) {
		rows, err := db.Query(`SELECT * FROM "` + t + `"`)
		if err != nil {
			tb.Fatalf("dump %s: %v", t, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatalf("dump %s: %v", t, err)
			}
			var b strings.Builder
			for i, v := range vals {
				if b.Len() > 0 {
					b.WriteString(" | ")
				}
				if raw, ok := v.([]byte); ok {
					v = "x'" + hex.EncodeToString(raw) + "'"
				}
				fmt.Fprintf(&b, "%s=%v", cols[i], v)
			}
			lines = append(lines, t+": "+b.String())
		}
		if err := rows.Err(); err != nil {
			tb.Fatalf("dump %s: %v", t, err)
		}
		rows.Close()
		sort.Strings(lines)
		out = append(out, fmt.Sprintf("%s (%d rows)", t, len(lines)))
		out = append(out, lines...)
	}
	return strings.Join(out, "\n")
}
