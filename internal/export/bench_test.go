package export_test

// Export benchmarks.
//
//   - BenchmarkExportWide: the wide export in process, from a database of
//     DYAD_BENCH_RESPONSES (default 10,000) complete responses to the study
//     instrument, to io.Discard. Runs under -bench only:
//     go test -run '^$' -bench ExportWide ./internal/export
//   - TestExportBenchmark: the acceptance measurement, off unless
//     DYAD_EXPORT_BENCH lists sizes (scripts/bench-export.sh sets
//     "10000,100000"). For each size it fills a database, then times
//     `dyad export` (the real binary, as a researcher runs it) against
//     `sqlite3 -csv` dumping the same responses table, alternating, three
//     runs each after a warm-up, and reports medians and peak RSS. It fails
//     when Dyad takes more than 1.5× the raw dump or more than 64 MB.
//     Then it times the data files beside the CSV (`--format csv, sav,
//     dta, xlsx --out`, three runs each, median) and fails when one peaks
//     above 100 MB.
//   - TestEngineBenchmark (engine_bench_test.go): the export and the
//     statistics on SQLite and on PostgreSQL side by side.

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/export/exporttest"
	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
)

var benchDB struct {
	once   sync.Once
	dir    string
	path   string
	survey *survey.Survey
	err    error
}

func benchDatabase(b *testing.B) (string, *survey.Survey) {
	n := 10000
	if v := os.Getenv("DYAD_BENCH_RESPONSES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("DYAD_BENCH_RESPONSES: %v", err)
		}
	}
	benchDB.once.Do(func() {
		// Shared by every benchmark of the run, so it outlives b.TempDir.
		if benchDB.dir, benchDB.err = os.MkdirTemp("", "dyad-bench-*"); benchDB.err != nil {
			return
		}
		benchDB.path = filepath.Join(benchDB.dir, "bench.db")
		benchDB.survey, benchDB.err = exporttest.Fill(context.Background(), benchDB.path, n, 1)
	})
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	return benchDB.path, benchDB.survey
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDB.dir != "" {
		os.RemoveAll(benchDB.dir)
	}
	os.Exit(code)
}

func BenchmarkExportWide(b *testing.B) {
	path, sv := benchDatabase(b)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	f, err := survey.NewService(st).Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		b.Fatal(err)
	}
	var rows int
	var bytes countWriter
	b.ResetTimer()
	for b.Loop() {
		rows = 0
		bytes = 0
		err := export.WriteCSV(ctx, &bytes, f, export.Options{}, func(ctx context.Context, fn func(*survey.Response) error) error {
			return st.ScanResponses(ctx, survey.ExportFilter{SurveyID: sv.ID, Status: survey.ResponseComplete, RawAnswers: true}, func(r *survey.Response) error {
				rows++
				return fn(r)
			})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(bytes)/float64(rows), "B/row")
}

type countWriter int64

func (w *countWriter) Write(p []byte) (int, error) { *w += countWriter(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// run is one timed process.
type run struct {
	wall   time.Duration
	cpu    time.Duration // user + system: steadier than wall time on a busy machine
	maxRSS int64         // bytes
}

func timeProcess(tb testing.TB, name string, args ...string) run {
	tb.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdout = nil // /dev/null
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	wall := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	var cpu time.Duration
	if ru != nil {
		rss = int64(ru.Maxrss) * 1024 // kilobytes on Linux
		cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return run{wall, cpu, rss}
}

func median(rs []run) run {
	ws := make([]time.Duration, len(rs))
	cs := make([]time.Duration, len(rs))
	var rss int64
	for i, r := range rs {
		ws[i], cs[i] = r.wall, r.cpu
		rss = max(rss, r.maxRSS)
	}
	slices.Sort(ws)
	slices.Sort(cs)
	return run{ws[len(ws)/2], cs[len(cs)/2], rss}
}

func TestExportBenchmark(t *testing.T) {
	spec := os.Getenv("DYAD_EXPORT_BENCH")
	if spec == "" {
		t.Skip("set DYAD_EXPORT_BENCH=10000,100000 (or run scripts/bench-export.sh) to measure")
	}
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from Linux's rusage")
	}
	sqlite, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Fatal("the comparison needs the sqlite3 command (apt-get install sqlite3)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "dyad")
	build := exec.Command("go", "build", "-o", bin, "github.com/dyad-survey/dyad/cmd/dyad")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var report strings.Builder
	var formats []string
	fmt.Fprintf(&report, "\n%-9s %-12s %-14s %-7s %-14s %-14s %s\n", "responses", "dyad export", "sqlite3 -csv", "ratio", "dyad peak RSS", "sqlite3 RSS", "CSV size")
	for _, s := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("DYAD_EXPORT_BENCH: %v", err)
		}
		path, sv := benchFile(t, dir, n)
		out := filepath.Join(dir, "out.csv")
		dyadArgs := []string{"export", "--db", path, "--survey", sv.ID}
		sqliteArgs := []string{"-csv", "-readonly", path, "SELECT * FROM responses"}
		timeProcess(t, bin, dyadArgs...) // warm the page cache and the binary
		timeProcess(t, sqlite, sqliteArgs...)
		var dyadRuns, sqliteRuns []run
		for range 3 {
			dyadRuns = append(dyadRuns, timeProcess(t, bin, dyadArgs...))
			sqliteRuns = append(sqliteRuns, timeProcess(t, sqlite, sqliteArgs...))
		}
		timeProcess(t, bin, append(dyadArgs, "--out", out)...)
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		d, q := median(dyadRuns), median(sqliteRuns)
		ratio := d.wall.Seconds() / q.wall.Seconds()
		fmt.Fprintf(&report, "%-9d %-12s %-14s %-7.2f %-14s %-14s %.1f MB\n", n, d.wall.Round(time.Millisecond), q.wall.Round(time.Millisecond),
			ratio, fmt.Sprintf("%.1f MB", float64(d.maxRSS)/1e6), fmt.Sprintf("%.1f MB", float64(q.maxRSS)/1e6), float64(fi.Size())/1e6)
		if ratio > 1.5 {
			t.Errorf("%d responses: dyad export took %.2f× sqlite3 -csv (target ≤ 1.5×)", n, ratio)
		}
		if d.maxRSS > 64<<20 {
			t.Errorf("%d responses: dyad export peaked at %.1f MB (target < 64 MB)", n, float64(d.maxRSS)/1e6)
		}
		formats = append(formats, benchFormats(t, bin, dir, path, sv, n)...)
	}
	t.Log(report.String())
	t.Logf("\n%-9s %-7s %-10s %-10s %-10s %s\n%s", "responses", "format", "time", "CPU", "peak RSS", "file size", strings.Join(formats, "\n"))
}

// benchFormats times `dyad export --out` in each data format, three runs
// each (median, and the highest peak RSS), and returns one report line per
// format.
func benchFormats(t *testing.T, bin, dir, path string, sv *survey.Survey, n int) []string {
	t.Helper()
	var lines []string
	for _, format := range []string{"csv", "sav", "dta", "xlsx"} {
		out := filepath.Join(dir, "out."+format)
		args := []string{"export", "--db", path, "--survey", sv.ID, "--format", format, "--out", out}
		var runs []run
		for range 3 {
			runs = append(runs, timeProcess(t, bin, args...))
		}
		m := median(runs)
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%-9d %-7s %-10s %-10s %-10s %.1f MB", n, format, m.wall.Round(10*time.Millisecond), m.cpu.Round(10*time.Millisecond),
			fmt.Sprintf("%.1f MB", float64(m.maxRSS)/1e6), float64(fi.Size())/1e6))
		if m.maxRSS > 100<<20 {
			t.Errorf("%d responses: dyad export --format %s peaked at %.1f MB (target < 100 MB)", n, format, float64(m.maxRSS)/1e6)
		}
	}
	return lines
}

// benchFile returns a database of n responses: filled anew in dir, or
// kept in DYAD_EXPORT_BENCH_DIR between runs when that is set (filling
// 100,000 responses takes most of a minute).
func benchFile(t *testing.T, dir string, n int) (string, *survey.Survey) {
	t.Helper()
	if keep := os.Getenv("DYAD_EXPORT_BENCH_DIR"); keep != "" {
		dir = keep
	}
	path := filepath.Join(dir, fmt.Sprintf("bench-%d.db", n))
	if _, err := os.Stat(path); err == nil {
		ctx := context.Background()
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		list, err := st.FindSurveys(ctx)
		if err != nil || len(list) != 1 || list[0].Complete != n {
			t.Fatalf("%s is not a benchmark database of %d responses; remove it", path, n)
		}
		return path, list[0]
	}
	start := time.Now()
	sv, err := exporttest.Fill(context.Background(), path, n, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("filled %d responses in %v", n, time.Since(start).Round(time.Millisecond))
	return path, sv
}

// BenchmarkExportWideWithMedian is what GET export.csv does: one scan for
// the speeder rule's median (survey.ScanQuality), then the export; against
// BenchmarkExportWide it shows what the first scan costs.
func BenchmarkExportWideWithMedian(b *testing.B) {
	path, sv := benchDatabase(b)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	f, err := survey.NewService(st).Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		b.Fatal(err)
	}
	filter := survey.ExportFilter{SurveyID: sv.ID, Status: survey.ResponseComplete, RawAnswers: true}
	var bytes countWriter
	var median, rows time.Duration
	for b.Loop() {
		t0 := time.Now()
		q, err := survey.ScanQuality(ctx, st, f, filter, survey.DefaultSpeederFraction)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		median += t1.Sub(t0)
		err = export.WriteCSV(ctx, &bytes, f, export.Options{Quality: q}, func(ctx context.Context, fn func(*survey.Response) error) error {
			return st.ScanResponses(ctx, filter, fn)
		})
		if err != nil {
			b.Fatal(err)
		}
		rows += time.Since(t1)
	}
	// The share of the first scan, measured side by side in one run.
	b.ReportMetric(float64(median)/float64(median+rows)*100, "%median-scan")
}
