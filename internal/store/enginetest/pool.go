package enginetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
)

// A pool of PostgreSQL test databases (see Run), one per running postgres
// subtest of Run, found by Open through the name of the test that asks:
// the pool of the nearest enclosing Run.
var pools = struct {
	sync.Mutex
	byTest map[string]*pool
}{byTest: map[string]*pool{}}

type pool struct {
	mu    sync.Mutex
	free  []string                          // emptied databases, ready for a test
	drops []func(ctx context.Context) error // one per database made
	conns map[string]*pooledConns           // by database URL
}

// pooledConns are the connections the pool keeps to one of its databases.
type pooledConns struct {
	inspect *sql.DB // read-only, for DB.SQL
	admin   *sql.DB // for empty
}

// startPool gives the tests under t a pool, dropped with its databases
// when t ends (after all its subtests).
func startPool(t *testing.T) {
	p := &pool{conns: map[string]*pooledConns{}}
	pools.Lock()
	pools.byTest[t.Name()] = p
	pools.Unlock()
	t.Cleanup(func() {
		pools.Lock()
		delete(pools.byTest, t.Name())
		pools.Unlock()
		for _, c := range p.conns {
			c.inspect.Close()
			c.admin.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, drop := range p.drops {
			if err := drop(ctx); err != nil {
				t.Error(err)
			}
		}
	})
}

// poolOf returns the pool of the nearest Run enclosing tb, or nil.
func poolOf(tb testing.TB) *pool {
	pools.Lock()
	defer pools.Unlock()
	for name := tb.Name(); name != ""; {
		if p := pools.byTest[name]; p != nil {
			return p
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			break
		}
		name = name[:i]
	}
	return nil
}

// take returns the URL of an empty database: a free one, or a new one.
func (p *pool) take(tb testing.TB) string {
	tb.Helper()
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		dsn := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return dsn
	}
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsn, drop, err := pgtest.Create(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	admin.SetMaxOpenConns(1)
	p.mu.Lock()
	p.drops = append(p.drops, drop)
	p.conns[dsn] = &pooledConns{inspect: openInspection(tb, Postgres, dsn), admin: admin}
	p.mu.Unlock()
	return dsn
}

// inspection returns the pool's read-only connection to a database, or
// nil if the pool did not make it.
func (p *pool) inspection(dsn string) *sql.DB {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.conns[dsn]; c != nil {
		return c.inspect
	}
	return nil
}

// give empties a database a test has finished with (its stores closed)
// and makes it free again. One that cannot be emptied is not reused; the
// pool drops it at the end like the others.
func (p *pool) give(dsn string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p.mu.Lock()
	admin := p.conns[dsn].admin
	p.mu.Unlock()
	if err := empty(ctx, admin); err != nil {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, dsn)
	p.mu.Unlock()
}

// empty deletes every row of every table but goose's version table (the
// schema stays as migrated), tables that others refer to after those
// others, and restarts every sequence, in one transaction: afterwards the
// database holds what a fresh one holds after store.Open. DELETE rather
// than TRUNCATE: on a few rows it costs one commit, where TRUNCATE makes
// and syncs new files for every table.
func empty(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// A test that left a transaction open would hold its locks forever.
	if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '5s'`); err != nil {
		return err
	}
	tables, err := strings1(ctx, tx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'`)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
		WHERE contype = 'f' AND connamespace = current_schema()::regnamespace AND conrelid <> confrelid`)
	if err != nil {
		return err
	}
	refs := map[string][]string{} // table -> the tables that refer to it
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			rows.Close()
			return err
		}
		refs[to] = append(refs[to], from)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	done := map[string]bool{}
	for len(done) < len(tables) {
		progress := false
		for _, t := range tables {
			if done[t] || !allDone(refs[t], done) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM "`+t+`"`); err != nil {
				return err
			}
			done[t], progress = true, true
		}
		if !progress {
			return fmt.Errorf("foreign keys in a cycle among %v", tables)
		}
	}
	if _, err := tx.ExecContext(ctx, `SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
		FROM pg_sequences WHERE schemaname = current_schema()`); err != nil {
		return err
	}
	return tx.Commit()
}

func allDone(tables []string, done map[string]bool) bool {
	for _, t := range tables {
		if !done[t] {
			return false
		}
	}
	return true
}

// strings1 returns a query's one column.
func strings1(ctx context.Context, tx *sql.Tx, query string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
