package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/store/storetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// BenchmarkCreateResponse: submissions through the group commit from 1, 16
// and 64 concurrent clients, each a response of the study's size (about
// 1.4 KB of answers, no invitation code) on a durable PostgreSQL
// (synchronous_commit on). It reports responses per commit beside the time
// per response; compare builds with benchstat on alternating runs:
//
//	scripts/pg-test-cluster.sh go test -run '^$' -bench CreateResponse -count 5 ./internal/store/postgres
func BenchmarkCreateResponse(b *testing.B) {
	for _, clients := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			var commits atomic.Int64
			s, err := Open(context.Background(), pgtest.URL(b), WithBatchObserver(func(int, time.Duration) { commits.Add(1) }))
			if err != nil {
				b.Fatalf("Open: %v", err)
			}
			b.Cleanup(func() { s.Close() })
			ctx := context.Background()
			sv := storetest.SeedSurvey(b, s, survey.AccessOpen)
			text := survey.TextVal(strings.Repeat("x", 1400))
			commits.Store(0)
			var (
				left atomic.Int64
				wg   sync.WaitGroup
			)
			left.Store(int64(b.N))
			b.ResetTimer()
			for range clients {
				wg.Go(func() {
					for left.Add(-1) >= 0 {
						r := storetest.NewResponse(sv, 1)
						r.Answers["q2"] = text
						if _, _, err := s.CreateResponse(ctx, r, nil); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if c := commits.Load(); c > 0 {
				b.ReportMetric(float64(b.N)/float64(c), "responses/commit")
			}
		})
	}
}
