package stats

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestReportMemoryFlat holds the statistics' memory flat in the number of
// responses: from 20,000 to 200,000 responses to the study instrument the
// live heap may grow by the completion times only (8 bytes per complete
// response, for their exact median), far under the bound. Keeping every
// complete case's item values and every score, as the figures were once
// computed, grew it by about 0.5 KB per response (90 MB here).
func TestReportMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("adds 200,000 responses")
	}
	f := studyForm(t)
	rng := rand.New(rand.NewPCG(3, 4))
	const distinct = 2000
	base := make([]*survey.Response, distinct)
	for i := range base {
		sub := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 7 * time.Minute)
		base[i] = &survey.Response{Status: survey.ResponseComplete, Answers: sample.Answers(f, rng),
			StartedAt: sub.Add(-12 * time.Minute), SubmittedAt: &sub}
	}
	b, err := New(f, Options{By: "specialty"})
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	const first, last = 20000, 200000
	var at uint64
	for i := range last {
		if i == first {
			at = heap()
		}
		b.Add(base[i%distinct])
	}
	grew := int64(heap()) - int64(at)
	const bound = 8 << 20
	t.Logf("heap grew %d bytes from %d to %d responses", grew, first, last)
	if grew > bound {
		t.Errorf("heap grew %d bytes from %d to %d responses; want at most %d", grew, first, last, bound)
	}
	rep := b.Report()
	if rep.Groups[0].Subscales[0].Reliability.Alpha == nil && rep.Groups[1].Subscales[0].Reliability.Alpha == nil {
		t.Error("no alpha in the first groups")
	}
}
