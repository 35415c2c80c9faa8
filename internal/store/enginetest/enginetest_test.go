package enginetest

import "testing"

// TestRebind: ? becomes $n on PostgreSQL, counted in order, but not inside
// a string or a quoted name; SQLite's queries are left as they are.
func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, sqlite, postgres string }{
		{`SELECT 1`, `SELECT 1`, `SELECT 1`},
		{`SELECT count(*) FROM t WHERE a = ? AND b = ?`, `SELECT count(*) FROM t WHERE a = ? AND b = ?`, `SELECT count(*) FROM t WHERE a = $1 AND b = $2`},
		{`SELECT '?', "a?b" FROM t WHERE c = ?`, `SELECT '?', "a?b" FROM t WHERE c = ?`, `SELECT '?', "a?b" FROM t WHERE c = $1`},
		{`SELECT 'it''s ?' WHERE x = ?`, `SELECT 'it''s ?' WHERE x = ?`, `SELECT 'it''s ?' WHERE x = $1`},
	} {
		if got := Rebind(SQLite, tc.in); got != tc.sqlite {
			t.Errorf("Rebind(sqlite, %q) = %q, want %q", tc.in, got, tc.sqlite)
		}
		if got := Rebind(Postgres, tc.in); got != tc.postgres {
			t.Errorf("Rebind(postgres, %q) = %q, want %q", tc.in, got, tc.postgres)
		}
	}
}
