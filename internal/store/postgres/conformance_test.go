package postgres

import (
	"context"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/store/storetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// openTestStore opens a store on a fresh database of its own.
func openTestStore(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(context.Background(), pgtest.URL(tb))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() }) // before the database is dropped: cleanups run last first
	return s
}

// TestConformance holds the PostgreSQL driver to the survey.Store
// contract that every driver must keep (internal/store/storetest).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) survey.Store { return openTestStore(tb) })
}
