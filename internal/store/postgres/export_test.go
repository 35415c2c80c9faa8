package postgres

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/storetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestScanResponsesFlatMemory: an export of 40,000 responses (about 40 MB
// of stored answers) reads them as a stream: the heap never holds more
// than a small, fixed amount above where it started, far below the data's
// size, and every row arrives in order.
func TestScanResponsesFlatMemory(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	ctx := context.Background()
	sv := storetest.SeedSurvey(t, s, survey.AccessOpen)
	const rows = 40_000
	// The rows are made by the server (generate_series), for speed; their
	// answers are the canonical JSON of a q1 answer and a 1 KB text.
	text := strings.Repeat("word ", 200)
	answers := `{"q1":1,"q2":"` + text + `"}`
	if _, err := s.db.ExecContext(ctx, `INSERT INTO responses
		(id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at)
		SELECT 'r' || lpad(g::text, 6, '0'), $1, $2, $3, 'complete', $4, '\x00'::bytea, $5, $5
		FROM generate_series(1, $6::integer) g`,
		sv.ID, sv.InstrumentKey, sv.InstrumentVersion, answers, formatTime(time.Now()), rows); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	n, start := 0, time.Now()
	err := s.ScanResponses(ctx, survey.ExportFilter{SurveyID: sv.ID}, func(r *survey.Response) error {
		n++
		if want := fmt.Sprintf("r%06d", n); r.ID != want {
			t.Fatalf("row %d is %s, want %s", n, r.ID, want)
		}
		if len(r.Answers["q2"].Text) != len(text) {
			t.Fatalf("row %d: q2 has %d bytes", n, len(r.Answers["q2"].Text))
		}
		if n%2000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		return nil
	})
	elapsed := time.Since(start)
	if err != nil || n != rows {
		t.Fatalf("scanned %d rows, %v", n, err)
	}
	// Garbage between collections counts too, so the bound is generous;
	// a reader that loaded the result would hold all 40 MB.
	growth := int64(peak) - int64(base)
	t.Logf("%d rows in %v; heap grew by at most %d KB", rows, elapsed, growth>>10)
	if growth > 16<<20 {
		t.Errorf("heap grew by %d MB while scanning; want a flat stream (< 16 MB)", growth>>20)
	}
}
