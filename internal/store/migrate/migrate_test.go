package migrate_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/migrate"
	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/survey"
	_ "github.com/mattn/go-sqlite3"
)

// fillSQLite makes a study in a new SQLite database through the service:
// an instrument, an open and an invitation survey, codes spent and unspent,
// complete and in-progress responses, a dashboard session and a setting.
func fillSQLite(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dyad.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := survey.NewService(db, survey.WithInvitationKey(survey.NewInvitationKey()))
	data, err := os.ReadFile("../../../instruments/ai-therapeutic-relationship-short.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in, err := instrument.Parse(data, instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInstrument(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, in.Key, in.Version); err != nil {
		t.Fatal(err)
	}
	open, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: in.Key, InstrumentVersion: in.Version, Title: "Open", Access: "open"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: in.Key, InstrumentVersion: in.Version, Title: "Invited", Access: "invitation"})
	if err != nil {
		t.Fatal(err)
	}
	codes, err := svc.CreateInvitations(ctx, inv.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	answers := survey.Answers{"eff_1": survey.IntVal(4), "eff_2": survey.IntVal(2), "eff_3": survey.IntVal(3),
		"emp_1": survey.IntVal(5), "emp_2": survey.IntVal(1), "emp_3": survey.IntVal(2)}
	for i := 0; i < 30; i++ {
		if _, _, err := svc.Submit(ctx, open.ID, survey.Submission{Answers: answers}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := svc.Submit(ctx, inv.ID, survey.Submission{InvitationCode: codes[0], Answers: answers}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.StartProgress(ctx, open.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.StartProgress(ctx, inv.ID, codes[1], ""); err != nil { // holds the code
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := db.CreateSession(ctx, &survey.Session{IDHash: survey.HashSecret("s"), CreatedAt: now, SeenAt: now},
		survey.SessionLimits{IdleBefore: now.Add(-time.Hour), CreatedBefore: now.Add(-time.Hour), Max: 10}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSetting(ctx, survey.SettingAdminTokenHash, survey.HashSecret("token")); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMigrateDBCopiesVerifiesAndRefuses: a study moves from SQLite to
// PostgreSQL with equal counts and digests on both sides (computed again
// here, apart from Run); a second run verifies and copies nothing; a
// target holding other data is refused and left as it was.
func TestMigrateDBCopiesVerifiesAndRefuses(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.URL(t)
	path := fillSQLite(t)

	res, err := migrate.Run(ctx, path, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Copied {
		t.Fatal("first run into an empty database did not copy")
	}
	want := map[string]int64{"instruments": 1, "surveys": 2, "invitations": 5, "responses": 33, "sessions": 1}
	for _, s := range res.Sums {
		if n, ok := want[s.Table]; ok && s.Rows != n {
			t.Errorf("%s: %d rows, want %d", s.Table, s.Rows, n)
		}
	}
	src, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	a, err := migrate.Sums(ctx, src, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := migrate.Sums(ctx, dst, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i] != b[i] || a[i] != res.Sums[i] {
			t.Errorf("%s: source %d rows %x, target %d rows %x", a[i].Table, a[i].Rows, a[i].Digest, b[i].Rows, b[i].Digest)
		}
	}

	again, err := migrate.Run(ctx, path, dsn)
	if err != nil || again.Copied {
		t.Fatalf("second run: copied %v, err %v; want verified without copying", again.Copied, err)
	}

	if _, err := dst.ExecContext(ctx, "UPDATE invitations SET spent = 1 WHERE spent = 0 AND held = 0 AND ctid = (SELECT ctid FROM invitations WHERE spent = 0 AND held = 0 LIMIT 1)"); err != nil {
		t.Fatal(err)
	}
	before, err := migrate.Sums(ctx, dst, true)
	if err != nil {
		t.Fatal(err)
	}
	_, err = migrate.Run(ctx, path, dsn)
	if !errors.Is(err, migrate.ErrTargetDiffers) {
		t.Fatalf("a target with other data: err %v, want ErrTargetDiffers", err)
	}
	t.Logf("refused: %v", err)
	after, err := migrate.Sums(ctx, dst, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("%s changed by a refused run", before[i].Table)
		}
	}
}

// TestTablesCoverSchema: every column of every table in a fresh SQLite
// database is in migrate.Tables, so a new column cannot be left behind.
func TestTablesCoverSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dyad.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	known := map[string]map[string]bool{}
	for _, tb := range migrate.Tables {
		known[tb.Name] = map[string]bool{}
		for _, c := range tb.Columns {
			known[tb.Name][c.Name] = true
		}
	}
	rows, err := raw.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'goose_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		n++
		if !known[table][col] {
			t.Errorf("%s.%s is not in migrate.Tables: migrate-db would leave it behind", table, col)
		}
	}
	if n == 0 {
		t.Fatal("no columns read")
	}
}

// TestMigrateDBFailureLeavesTargetEmpty: a row PostgreSQL refuses (here a
// timestamp not in the stored layout, which SQLite does not check) fails
// the run with a message naming the table, and nothing of the copy stays
// in the target: a later run starts from an empty database again.
func TestMigrateDBFailureLeavesTargetEmpty(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.URL(t)
	path := fillSQLite(t)
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, "UPDATE responses SET started_at = 'yesterday' WHERE seq = (SELECT max(seq) FROM responses)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = migrate.Run(ctx, path, dsn)
	if err == nil || !strings.Contains(err.Error(), "copy responses") {
		t.Fatalf("err %v, want a failure copying responses", err)
	}
	t.Logf("failed as it should: %v", err)
	dst, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	sums, err := migrate.Sums(ctx, dst, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Rows != 0 {
			t.Errorf("%s: %d rows left by a failed run", s.Table, s.Rows)
		}
	}
}
