package sqlite

import (
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/ormstore"
)

// TestProgressColumns holds progressColumns to ormstore.ProgressColumns,
// whose order ReadProgress scans: the same columns in the same order,
// each as +column AS column. (That they read back as written is storetest's
// FindProgressReadsAll.)
func TestProgressColumns(t *testing.T) {
	want := strings.Split(ormstore.ProgressColumns, ", ")
	got := strings.Split(progressColumns, ", ")
	if len(got) != len(want) {
		t.Fatalf("%d columns, ormstore.ProgressColumns has %d", len(got), len(want))
	}
	for i, c := range want {
		if got[i] != "+"+c+" AS "+c {
			t.Errorf("column %d is %q, want %q", i, got[i], "+"+c+" AS "+c)
		}
	}
}
