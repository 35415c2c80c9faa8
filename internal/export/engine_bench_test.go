package export_test

// TestEngineBenchmark: the wide export and the statistics of the same
// responses on SQLite and on PostgreSQL, side by side in one run, off
// unless DYAD_ENGINE_BENCH lists sizes (scripts/bench-export.sh --engines
// sets "10000,100000" and starts a throw-away PostgreSQL cluster).
//
// For each size it fills a SQLite file (exporttest.Fill) and a PostgreSQL
// database (exporttest.FillPostgres, COPY) with the same generated
// responses, then, on each engine:
//   - export: `dyad export --survey ID --db ...` (the real binary, wide
//     CSV to /dev/null), a warm-up and then five runs alternating between
//     the engines; median wall time and the process's peak RSS;
//   - stats: a `dyad serve` on each database answering
//     GET /api/v1/surveys/ID/stats?status=all (every response read and
//     summarised), a warm-up and five requests, alternating between the
//     engines; median time, and each server's RSS before the first request
//     and its peak after the last.
// It fails when PostgreSQL takes more than twice SQLite's time, when an
// export peaks above 64 MB or its peak at the largest size is more than
// 16 MB above its peak at the smallest (memory not flat), or when the
// statistics server's peak grows more from the smallest size to the
// largest on PostgreSQL than on SQLite, by more than 16 MB. The statistics
// keep each complete case's scored items for the reliability figures
// (internal/stats), so their memory grows with the responses on either
// engine; what PostgreSQL must not add is memory of its own.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/export/exporttest"
	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
)

const engineBenchToken = "engine-benchmark-token-0123456789abcdef"

// rounds is how many times each measurement runs, alternating between the
// engines, after a warm-up: the median of five is steadier than of three
// on a shared machine.
const rounds = 5

func TestEngineBenchmark(t *testing.T) {
	spec := os.Getenv("DYAD_ENGINE_BENCH")
	if spec == "" {
		t.Skip("set DYAD_ENGINE_BENCH=10000,100000 with a PostgreSQL server (or run scripts/bench-export.sh --engines) to measure")
	}
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from Linux's rusage and /proc")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "dyad")
	build := exec.Command("go", "build", "-o", bin, "github.com/dyad-survey/dyad/cmd/dyad")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx := context.Background()
	type engine struct {
		name, db, survey string
		export           run
		stats            time.Duration
		rssBefore, peak  int64 // the stats server's, bytes
	}
	var (
		report strings.Builder
		peaks  = map[string][]int64{} // per engine, by size: the stats server's peak
		rss    = map[string][]int64{} // and the export's
	)
	fmt.Fprintf(&report, "\n%-9s %-9s %-9s %-11s %-12s %-10s %-19s %s\n", "responses", "engine", "fill", "export", "export RSS", "stats", "server RSS (MB)", "vs sqlite (export, stats)")
	for _, s := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("DYAD_ENGINE_BENCH: %v", err)
		}
		var engines [2]*engine
		start := time.Now()
		path := filepath.Join(dir, fmt.Sprintf("bench-%d.db", n))
		sv, err := exporttest.Fill(ctx, path, n, 1)
		if err != nil {
			t.Fatal(err)
		}
		fillSQLite := time.Since(start)
		engines[0] = &engine{name: "sqlite", db: path, survey: sv.ID}
		start = time.Now()
		dsn := pgtest.URL(t)
		if sv, err = exporttest.FillPostgres(ctx, dsn, n, 1); err != nil {
			t.Fatal(err)
		}
		fillPG := time.Since(start)
		engines[1] = &engine{name: "postgres", db: dsn, survey: sv.ID}

		args := func(e *engine) []string { return []string{"export", "--db", e.db, "--survey", e.survey} }
		for _, e := range engines {
			timeProcess(t, bin, args(e)...) // warm the caches and the binary
		}
		runs := map[string][]run{}
		for range rounds {
			for _, e := range engines {
				runs[e.name] = append(runs[e.name], timeProcess(t, bin, args(e)...))
			}
		}
		// The statistics: one server per engine, both up, asked in turn.
		var servers [2]*statsServer
		for i, e := range engines {
			servers[i] = startStats(t, bin, dir, e.db, e.survey)
			e.rssBefore, _ = procMemory(t, servers[i].pid)
			servers[i].get(t) // warm up
		}
		times := map[string][]time.Duration{}
		for range rounds {
			for i, e := range engines {
				times[e.name] = append(times[e.name], servers[i].get(t))
			}
		}
		for i, e := range engines {
			e.export = median(runs[e.name])
			slices.Sort(times[e.name])
			e.stats = times[e.name][rounds/2]
			_, e.peak = procMemory(t, servers[i].pid)
			peaks[e.name] = append(peaks[e.name], e.peak)
			rss[e.name] = append(rss[e.name], e.export.maxRSS)
		}
		sq, pg := engines[0], engines[1]
		exportRatio := pg.export.wall.Seconds() / sq.export.wall.Seconds()
		statsRatio := pg.stats.Seconds() / sq.stats.Seconds()
		for i, e := range engines {
			fill, ratio := fillSQLite, ""
			if i == 1 {
				fill, ratio = fillPG, fmt.Sprintf("%.2f×, %.2f×", exportRatio, statsRatio)
			}
			fmt.Fprintf(&report, "%-9d %-9s %-9s %-11s %-12s %-10s %-19s %s\n", n, e.name, fill.Round(100*time.Millisecond),
				e.export.wall.Round(time.Millisecond), fmt.Sprintf("%.1f MB", float64(e.export.maxRSS)/1e6), e.stats.Round(time.Millisecond),
				fmt.Sprintf("%.1f / %.1f", float64(e.rssBefore)/1e6, float64(e.peak)/1e6), ratio)
			if e.export.maxRSS > 64<<20 {
				t.Errorf("%d responses on %s: dyad export peaked at %.1f MB (target < 64 MB)", n, e.name, float64(e.export.maxRSS)/1e6)
			}
		}
		if exportRatio > 2 {
			t.Errorf("%d responses: the export took %.2f× as long on PostgreSQL as on SQLite (target ≤ 2×)", n, exportRatio)
		}
		if statsRatio > 2 {
			t.Errorf("%d responses: the statistics took %.2f× as long on PostgreSQL as on SQLite (target ≤ 2×)", n, statsRatio)
		}
	}
	mb := func(b int64) float64 { return float64(b) / 1e6 }
	growth := map[string]int64{}
	for _, name := range []string{"sqlite", "postgres"} {
		if e := rss[name]; len(e) > 1 && e[len(e)-1]-e[0] > 16<<20 {
			t.Errorf("%s: the export's peak RSS grew from %.1f to %.1f MB between the smallest and the largest size (memory not flat)",
				name, mb(e[0]), mb(e[len(e)-1]))
		}
		if p := peaks[name]; len(p) > 1 {
			growth[name] = p[len(p)-1] - p[0]
			fmt.Fprintf(&report, "%s statistics server: peak %.1f MB at the smallest size, %.1f MB at the largest\n", name, mb(p[0]), mb(p[len(p)-1]))
		}
	}
	if growth["postgres"]-growth["sqlite"] > 16<<20 {
		t.Errorf("the statistics server's peak grew by %.1f MB on PostgreSQL against %.1f MB on SQLite", mb(growth["postgres"]), mb(growth["sqlite"]))
	}
	t.Log(report.String())
}

// statsServer is a `dyad serve` on one database, for its statistics.
type statsServer struct {
	base, surveyID string
	pid            int
}

// startStats starts `dyad serve` on db and waits until it is ready; it is
// stopped when the test ends.
func startStats(t *testing.T, bin, dir, db, surveyID string) *statsServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", db)
	cmd.Env = append(os.Environ(), "DYAD_ADMIN_TOKEN="+engineBenchToken, "DYAD_RATE_LIMIT=0",
		"DYAD_KEY_FILE="+filepath.Join(dir, filepath.Base(addr)+".key"))
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("dyad serve on %s not ready in 30 s:\n%s", filepath.Base(db), logs.String())
		}
	}
	return &statsServer{base: base, surveyID: surveyID, pid: cmd.Process.Pid}
}

// get asks for the statistics of every response of the survey and
// returns how long the answer took.
func (s *statsServer) get(t *testing.T) time.Duration {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.base+"/api/v1/surveys/"+s.surveyID+"/stats?status=all", nil)
	req.Header.Set("Authorization", "Bearer "+engineBenchToken)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("stats: status %d, %v", resp.StatusCode, err)
	}
	return time.Since(start)
}

// procMemory reads a process's resident memory now and at its peak
// (VmRSS, VmHWM), in bytes.
func procMemory(t *testing.T, pid int) (now, peak int64) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			now = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return now, peak
}
