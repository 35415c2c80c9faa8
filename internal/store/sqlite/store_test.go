package sqlite

// Tests of the SQLite store on real files under tb.TempDir(). They sit in
// package sqlite to reach the two pools (writeSQL, readSQL): pragmas are
// per connection, so they are checked on every connection each pool opens.

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/dyad-survey/dyad/internal/store/storetest"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/migrations"
)

// openTestStore opens a fresh store in tb.TempDir() and closes it at the
// end of the test.
func openTestStore(tb testing.TB) (*Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "dyad.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, path
}

func countRows(tb testing.TB, db *sql.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// latestMigration is the highest NNNN of the embedded migration files.
func latestMigration(tb testing.TB) int64 {
	tb.Helper()
	return slices.Max(migrationNumbers(tb))
}

// migrationNumbers are the NNNN of the embedded migration files: goose
// applies them in order, and the numbers may have gaps.
func migrationNumbers(tb testing.TB) []int64 {
	tb.Helper()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(names) == 0 {
		tb.Fatalf("migration files: %v %v", names, err)
	}
	var out []int64
	for _, n := range names {
		v, err := strconv.ParseInt(strings.SplitN(n, "_", 2)[0], 10, 64)
		if err != nil {
			tb.Fatalf("migration %s has no number: %v", n, err)
		}
		out = append(out, v)
	}
	return out
}

func TestOpenAppliesMigrations(t *testing.T) {
	t.Parallel()
	s, path := openTestStore(t)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path given: %v", err)
	}
	latest := latestMigration(t)
	v, err := s.SchemaVersion(context.Background())
	if err != nil || v != latest {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, latest)
	}
	// goose records each applied migration in its own table. (Numbers
	// are reserved ahead for work under way, so the files may skip some.)
	for _, i := range migrationNumbers(t) {
		if n := countRows(t, s.readSQL, `SELECT count(*) FROM goose_db_version WHERE version_id = ? AND is_applied`, i); n != 1 {
			t.Errorf("migration %d recorded %d times in goose_db_version, want 1", i, n)
		}
	}
	rows, err := s.readSQL.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	for _, want := range []string{"goose_db_version", "settings", "instruments", "surveys", "invitations", "responses"} {
		if !slices.Contains(tables, want) {
			t.Errorf("table %s missing; tables: %v", want, tables)
		}
	}
}

// TestReopen closes a store and opens the file again: the migrations are
// not applied twice, and every row written before is there.
func TestReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := openTestStore(t)
	sv := storetest.SeedSurvey(t, s, survey.AccessInvitation)
	if err := s.CreateInvitations(ctx, sv.ID, [][]byte{survey.HashSecret("A"), survey.HashSecret("B")}); err != nil {
		t.Fatal(err)
	}
	r := storetest.NewResponse(sv, 2)
	if _, _, err := s.CreateResponse(ctx, r, survey.HashSecret("A")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSetting(ctx, survey.SettingAdminTokenHash, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	gooseRows := countRows(t, s.readSQL, `SELECT count(*) FROM goose_db_version`)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { s2.Close() })
	if n := countRows(t, s2.readSQL, `SELECT count(*) FROM goose_db_version`); n != gooseRows {
		t.Errorf("goose_db_version has %d rows after reopening, %d before", n, gooseRows)
	}
	if v, err := s2.SchemaVersion(ctx); err != nil || v != latestMigration(t) {
		t.Errorf("SchemaVersion after reopening = %d, %v", v, err)
	}
	if iv, err := s2.FindInstrument(ctx, sv.InstrumentKey, 1); err != nil || iv.Status != survey.StatusPublished || iv.PublishedAt == nil {
		t.Errorf("instrument after reopening: %+v, %v", iv, err)
	}
	got, err := s2.FindSurvey(ctx, sv.ID)
	if err != nil || got.Title != sv.Title || got.Access != survey.AccessInvitation {
		t.Errorf("survey after reopening: %+v, %v", got, err)
	}
	if complete, _, _, err := s2.CountResponses(ctx, sv.ID); err != nil || complete != 1 {
		t.Errorf("%d complete responses after reopening (%v), want 1", complete, err)
	}
	stored, err := s2.FindResponse(ctx, r.ID)
	if err != nil {
		t.Fatalf("response after reopening: %v", err)
	}
	if string(stored.Answers.Canonical()) != string(r.Answers.Canonical()) || string(stored.Digest) != string(r.Digest) {
		t.Errorf("response after reopening: %+v, want %+v", stored, r)
	}
	if !stored.StartedAt.Equal(r.StartedAt.Truncate(time.Microsecond)) || !stored.SubmittedAt.Equal(r.SubmittedAt.Truncate(time.Microsecond)) {
		t.Errorf("times after reopening: %v %v, want %v %v", stored.StartedAt, stored.SubmittedAt, r.StartedAt, r.SubmittedAt)
	}
	if h, err := s2.Setting(ctx, survey.SettingAdminTokenHash); err != nil || string(h) != "hash" {
		t.Errorf("setting after reopening: %q, %v", h, err)
	}
	// The spent code is still spent, the other still good.
	_, _, err = s2.CreateResponse(ctx, storetest.NewResponse(sv, 1), survey.HashSecret("A"))
	if survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("spent code after reopening: %v, want conflict", err)
	}
	if _, created, err := s2.CreateResponse(ctx, storetest.NewResponse(sv, 1), survey.HashSecret("B")); err != nil || !created {
		t.Errorf("unspent code after reopening: %v", err)
	}
}

// TestPragmas checks every pragma of the DSN on every connection of both
// pools. The read pool is made to open all its connections at once, since
// a pragma set with a one-off Exec would hold on the first one only.
func TestPragmas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTestStore(t)
	check := func(pool string, conn *sql.Conn, readOnly bool) {
		t.Helper()
		want := map[string]string{
			"journal_mode": "wal",
			"foreign_keys": "1",
			"busy_timeout": "5000",
			"synchronous":  "2", // FULL
			"query_only":   "0",
		}
		if readOnly {
			want["query_only"] = "1"
		}
		for pragma, w := range want {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("%s pool: PRAGMA %s: %v", pool, pragma, err)
			}
			if got != w {
				t.Errorf("%s pool: PRAGMA %s = %s, want %s", pool, pragma, got, w)
			}
		}
	}

	w, err := s.writeSQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check("write", w, false)
	w.Close()
	if st := s.writeSQL.Stats(); st.MaxOpenConnections != 1 {
		t.Errorf("write pool allows %d connections, want 1", st.MaxOpenConnections)
	}

	conns := make([]*sql.Conn, readConns)
	for i := range conns {
		if conns[i], err = s.readSQL.Conn(ctx); err != nil {
			t.Fatalf("read connection %d: %v", i, err)
		}
	}
	if st := s.readSQL.Stats(); st.OpenConnections != readConns {
		t.Errorf("read pool has %d open connections, want %d", st.OpenConnections, readConns)
	}
	for i, c := range conns {
		check(fmt.Sprintf("read (connection %d)", i), c, true)
		c.Close()
	}
}

func TestReadPoolRefusesWrites(t *testing.T) {
	t.Parallel()
	s, _ := openTestStore(t)
	if _, err := s.readSQL.Exec(`INSERT INTO settings (name, value) VALUES ('x', 'y')`); err == nil {
		t.Fatal("the read pool wrote a row")
	}
	if n := countRows(t, s.writeSQL, `SELECT count(*) FROM settings WHERE name = 'x'`); n != 0 {
		t.Errorf("%d rows written through the read pool", n)
	}
}

// TestForeignKeys: the schema's references hold, on the writer that the
// store uses for every change.
func TestForeignKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openTestStore(t)
	err := s.CreateSurvey(ctx, &survey.Survey{ID: "nosuchinstr", InstrumentKey: "missing", InstrumentVersion: 1,
		Title: "x", Access: survey.AccessOpen, Status: survey.SurveyOpen, CreatedAt: time.Now()})
	if survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("survey of a missing instrument: %v, want conflict", err)
	}
	sv := storetest.SeedSurvey(t, s, survey.AccessOpen)
	if _, err := s.writeSQL.Exec(`DELETE FROM instruments WHERE key = ?`, sv.InstrumentKey); err == nil {
		t.Error("deleted an instrument that a survey deploys")
	}
	r := storetest.NewResponse(sv, 1)
	r.SurveyID = "nosuchsurvey"
	if _, _, err := s.CreateResponse(ctx, r, nil); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("response to a missing survey: %v, want conflict", err)
	}
	if n := countRows(t, s.readSQL, `SELECT count(*) FROM responses`); n != 0 {
		t.Errorf("%d responses stored", n)
	}
}
