package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestOpenPicksTheDriverByDSN: a file path opens SQLite, with its
// capabilities; a PostgreSQL URL goes to the PostgreSQL driver; an
// unknown kind is refused clearly; no error echoes what may be a
// password; MustExist creates nothing.
func TestOpenPicksTheDriverByDSN(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "dyad.db")
	if _, err := store.Open(ctx, path, store.Options{MustExist: true}); err == nil {
		t.Fatal("MustExist opened a missing file")
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("MustExist created the file")
	}
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if _, ok := db.(survey.Backuper); !ok {
		t.Error("the SQLite store offers no backup")
	}
	if sr, ok := db.(store.SizeReporter); !ok || sr.Size() <= 0 {
		t.Error("the SQLite store reports no size")
	}
	if err := store.Backup(ctx, path, filepath.Join(dir, "copy.db")); err != nil {
		t.Errorf("Backup: %v", err)
	}
	// A PostgreSQL URL goes to the PostgreSQL driver: here a server that
	// is not there, whose error must not echo the password.
	for _, dsn := range []string{"postgres://dyad:secret@127.0.0.1:1/dyad", "postgresql://dyad:secret@127.0.0.1:1/dyad"} {
		_, err := store.Open(ctx, dsn, store.Options{})
		if err == nil || errors.Is(err, store.ErrNotSupported) || strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%s): %v; want a connection error without the password", dsn[:8], err)
		}
		if err := store.Backup(ctx, dsn, filepath.Join(dir, "x.db")); !errors.Is(err, store.ErrNotSupported) {
			t.Errorf("Backup(%s): %v; want ErrNotSupported (pg_dump's job)", dsn[:8], err)
		}
	}
	if _, err := store.Open(ctx, "mysql://dyad:secret@db", store.Options{}); !errors.Is(err, store.ErrNotSupported) || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open(mysql://): %v; want ErrNotSupported without the DSN", err)
	}
}

// TestOpenPostgres: a PostgreSQL URL opens the PostgreSQL driver, which
// answers Ping, reports its size and offers no file backup.
func TestOpenPostgres(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.URL(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if _, ok := db.(survey.Backuper); ok {
		t.Error("the PostgreSQL store offers a file backup")
	}
	if sr, ok := db.(store.SizeReporter); !ok || sr.Size() <= 0 {
		t.Error("the PostgreSQL store reports no size")
	}
}

// TestDescribeHidesThePassword: what serve prints of its database never
// holds a PostgreSQL password or URL parameters.
func TestDescribeHidesThePassword(t *testing.T) {
	for dsn, want := range map[string]string{
		"/var/lib/dyad/dyad.db": "/var/lib/dyad/dyad.db",
		"postgres://dyad:secret@db.example.org:5433/dyad?sslmode=require&password=x": "postgres://dyad@db.example.org:5433/dyad",
		"postgresql://db/dyad": "postgresql://db/dyad",
	} {
		if got := store.Describe(dsn); got != want {
			t.Errorf("Describe(%q) = %q, want %q", dsn, got, want)
		}
	}
}
