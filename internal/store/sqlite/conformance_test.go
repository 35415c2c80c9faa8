package sqlite

import (
	"testing"

	"github.com/dyad-survey/dyad/internal/store/storetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestConformance holds the SQLite driver to the survey.Store contract
// that every driver must keep (internal/store/storetest).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) survey.Store {
		s, _ := openTestStore(tb)
		return s
	})
}

// TestConformanceReusesScanBatches: the suite's long export reads more
// rows than the export reader's ring of batches holds, so that it checks
// their reuse.
func TestConformanceReusesScanBatches(t *testing.T) {
	if storetest.ManyRows <= scanRing*scanBatchSize {
		t.Fatalf("storetest.ManyRows = %d does not exceed the %d rows of the batch ring", storetest.ManyRows, scanRing*scanBatchSize)
	}
}
