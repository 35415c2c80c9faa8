package postgres

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/store/storetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// BenchmarkCreateResponse: submissions through the group commit from 1, 16
// and 64 concurrent clients, each a response of the study's size (about
// 1.4 KB of answers, no invitation code) on a durable PostgreSQL
// (synchronous_commit on). It reports, beside the time per response,
// responses per commit and the CPU time per response of this process and
// of the PostgreSQL backends serving it; compare builds with benchstat on
// alternating runs:
//
//	scripts/pg-test-cluster.sh go test -run '^$' -bench CreateResponse -count 5 ./internal/store/postgres
func BenchmarkCreateResponse(b *testing.B) {
	for _, clients := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			var commits atomic.Int64
			dsn := pgtest.URL(b)
			s, err := Open(context.Background(), dsn, WithBatchObserver(func(int, time.Duration) { commits.Add(1) }))
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
			u, _ := url.Parse(dsn)
			db := strings.TrimPrefix(u.Path, "/")
			cpu, pgCPU := processCPU(), backendCPU(db)
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
			// CPU time per response, of this process (the store's side) and
			// of the PostgreSQL backends serving its database: figures that
			// other work on a shared machine moves far less than wall time.
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			if pgCPU >= 0 {
				b.ReportMetric(float64((backendCPU(db)-pgCPU).Microseconds())/float64(b.N), "pg-cpu-µs/op")
			}
			if c := commits.Load(); c > 0 {
				b.ReportMetric(float64(b.N)/float64(c), "responses/commit")
			}
		})
	}
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU is the CPU time the live PostgreSQL backends connected to
// database db have used (from /proc: a backend's command line names its
// database), or -1 where /proc cannot tell (not Linux, or another user's
// processes hidden). The test server is local: scripts/pg-test-cluster.sh.
func backendCPU(db string) time.Duration {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return -1
	}
	var ticks int64
	found := false
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + d.Name() + "/cmdline")
		if err != nil || !bytes.HasPrefix(cmd, []byte("postgres: ")) || !bytes.Contains(cmd, []byte(" "+db+" ")) {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += ut + st
		found = true
	}
	if !found {
		return -1
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ is 100 for /proc
}
