package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/ormstore"
)

// TestProgressColumns holds progressColumns to ormstore.ProgressColumns,
// whose order ReadProgress scans: the same columns in the same order, each
// as +column AS "", and checks on a real database that the query's columns
// have neither declared types nor names, which is what they are for. (That
// they read back as written is storetest's FindProgressReadsAll.)
func TestProgressColumns(t *testing.T) {
	want := strings.Split(ormstore.ProgressColumns, ", ")
	got := strings.Split(progressColumns, ", ")
	if len(got) != len(want) {
		t.Fatalf("%d columns, ormstore.ProgressColumns has %d", len(got), len(want))
	}
	for i, c := range want {
		if got[i] != "+"+c+` AS ""` {
			t.Errorf("column %d is %q, want %q", i, got[i], "+"+c+` AS ""`)
		}
	}
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "dyad.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.readSQL.Query(`SELECT ` + progressColumns + ` FROM responses`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	if len(types) != len(want) {
		t.Fatalf("%d columns", len(types))
	}
	for i, ct := range types {
		if ct.Name() != "" || ct.DatabaseTypeName() != "" {
			t.Errorf("column %d (%s): name %q, declared type %q", i, want[i], ct.Name(), ct.DatabaseTypeName())
		}
	}
}
