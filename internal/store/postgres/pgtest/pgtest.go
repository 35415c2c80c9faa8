// Package pgtest gives tests a fresh PostgreSQL database of their own, on
// the server that DYAD_TEST_POSTGRES_URL names (scripts/pg-test-cluster.sh
// starts a throw-away one and sets it; scripts/test.sh does so for CI).
//
// The URL's user must be allowed to create databases (the throw-away
// cluster's postgres user is). Without the variable the test skips, saying how to run it; under CI
// (CI set, and not "false" or "0") it fails instead, so that a CI run
// cannot pass with the PostgreSQL half silently left out.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvURL is the variable that names the test server.
const EnvURL = "DYAD_TEST_POSTGRES_URL"

// Require skips the test when DYAD_TEST_POSTGRES_URL is not set, saying
// how to run it, or fails it under CI. URL calls it; call it alone to skip
// a group of tests once rather than each of them.
func Require(tb testing.TB) {
	tb.Helper()
	if os.Getenv(EnvURL) != "" {
		return
	}
	msg := EnvURL + " is not set: the PostgreSQL tests need a server; run them with scripts/pg-test-cluster.sh go test ./..., which starts a throw-away one"
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// URL creates a new, empty database on the test server and returns its
// URL; the database is dropped when the test ends. Each call gets its own
// database (a random name), so tests run in parallel.
func URL(tb testing.TB) string {
	tb.Helper()
	Require(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, drop, err := Create(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := drop(ctx); err != nil {
			tb.Error(err)
		}
	})
	return u
}

// Create creates a new, empty database on the test server and returns its
// URL and the function that drops it, for callers that outlive one test
// (a pool of databases); tests call URL. It needs DYAD_TEST_POSTGRES_URL
// (see Require). Its errors never repeat the URL.
func Create(ctx context.Context) (dbURL string, drop func(context.Context) error, err error) {
	base := os.Getenv(EnvURL)
	if base == "" {
		return "", nil, errors.New(EnvURL + " is not set")
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("%s cannot be parsed as a URL", EnvURL) // never print it: it may hold a password
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, fmt.Errorf("open the test server: %w", err)
	}
	defer admin.Close()
	var b [8]byte
	rand.Read(b[:])
	name := "dyad_t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create a test database: %w", err)
	}
	drop = func(ctx context.Context) error {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return fmt.Errorf("drop test database: %w", err)
		}
		defer db.Close()
		// FORCE: a store the test left open (or a server it killed) must
		// not keep the database alive.
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop test database %s: %w", name, err)
		}
		return nil
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}
