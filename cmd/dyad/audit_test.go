package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/survey"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// auditVerifyCase tampers with a trail of five rows behind the store's
// back (dropping the append-only guard first, as someone with the
// database's password could) and expects dyad audit verify to name the
// first bad row.
type auditVerifyCase struct {
	name   string
	tamper []string // SQL, after the guard is dropped
	want   string   // in the report
}

var auditVerifyCases = []auditVerifyCase{
	{"Intact", nil, "audit trail intact: 5 rows"},
	{"RowEdited", []string{`UPDATE audit_events SET actor = 'someone else' WHERE id = 3`}, "BROKEN at row 3: row 3 does not match its hash"},
	{"StatusEdited", []string{`UPDATE audit_events SET status = 403 WHERE id = 4`}, "BROKEN at row 4: row 4 does not match its hash"},
	{"HashesSwapped", []string{`UPDATE audit_events SET prev_hash = NULL WHERE id = 5`}, "BROKEN at row 5: row 5 does not carry the hash"},
	{"RowDeleted", []string{`DELETE FROM audit_events WHERE id = 2`}, "BROKEN at row 3: row 3 follows row 1"},
	{"FirstRowDeleted", []string{`DELETE FROM audit_events WHERE id = 1`}, "BROKEN at row 2: row 2 does not carry the hash"},
	{"RowsRenumbered", []string{`DELETE FROM audit_events WHERE id = 2`, `UPDATE audit_events SET id = id - 1 WHERE id > 2`},
		"BROKEN at row 2"},
}

// appendFive writes five audit rows through the store.
func appendFive(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := range 5 {
		if err := st.AppendAudit(ctx, &survey.AuditEvent{At: time.Now(), Actor: "user:1 pi@example.org", Action: "export.download",
			Target: "id=abc", Details: fmt.Sprintf("status=all&n=%d", i), RequestID: fmt.Sprint("r", i), Status: 200}); err != nil {
			t.Fatal(err)
		}
	}
}

func runAuditVerify(t *testing.T, dsn string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"audit", "verify", "--db", dsn}, func(string) string { return "" }, &out, &errOut)
	return code, out.String() + errOut.String()
}

func checkAuditVerify(t *testing.T, tc auditVerifyCase, dsn string, raw *sql.DB, dropGuard []string) {
	t.Helper()
	// The guard holds first: the store's own connection cannot change a row.
	if _, err := raw.Exec(`UPDATE audit_events SET actor = 'x' WHERE id = 1`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("an UPDATE of the audit trail was not refused: %v", err)
	}
	if len(tc.tamper) > 0 {
		for _, q := range append(dropGuard, tc.tamper...) {
			if _, err := raw.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	code, out := runAuditVerify(t, dsn)
	wantCode := 1
	if tc.tamper == nil {
		wantCode = 0
	}
	if code != wantCode || !strings.Contains(out, tc.want) {
		t.Errorf("dyad audit verify: exit %d, %q; want exit %d with %q", code, out, wantCode, tc.want)
	}
}

// TestAuditVerifySQLite: dyad audit verify on SQLite.
func TestAuditVerifySQLite(t *testing.T) {
	for _, tc := range auditVerifyCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "dyad.db")
			appendFive(t, path)
			raw, err := sql.Open("sqlite3", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			checkAuditVerify(t, tc, path, raw, []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`})
		})
	}
}

// TestAuditVerifyPostgres: dyad audit verify on PostgreSQL.
func TestAuditVerifyPostgres(t *testing.T) {
	for _, tc := range auditVerifyCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dsn := pgtest.URL(t)
			appendFive(t, dsn)
			raw, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			checkAuditVerify(t, tc, dsn, raw, []string{`DROP TRIGGER audit_events_no_change ON audit_events`})
		})
	}
}
