// Command dyad-load measures Dyad's submission path against a running
// server, side by side with the machine's ceiling measured in the same run.
//
// For each client count it runs, for a fixed time each:
//   - ceiling: the same bodies POSTed to a handler that reads and discards
//     them (only in a server built with -tags loadtest; see
//     internal/httpapi/discard_loadtest.go);
//   - submit: complete responses to the study instrument through the real
//     public API (validation, group commit, synchronous=FULL, 201);
//   - form: GET of the public survey definition;
//   - page: GET of the welcome page of the web form;
//   - replay: the web journey's ceiling, the same virtual respondents
//     against recorded pages served by a handler that does nothing (-tags
//     loadtest; journey.go);
//   - journey: virtual respondents through the web form, from the welcome
//     page to the thank-you page (journey.go).
//
// It prints requests/s, p50 and p99 latency and errors for each, and the
// ratio of each to its ceiling (the API's discard route for the API paths,
// the replay for journeys); journeys also get journeys/s. With --pid it
// reads the server's resident memory after each measurement and the CPU
// time it used per operation (cpu/op: per journey, or per request); with
// several process ids (instances behind a load balancer), the memory of
// each and their CPU time together. With --rounds N the paths are
// measured N times over, in turn, and each ratio's median is reported: a
// shared machine's speed drifts between measurements, and one pair of
// them can land several points either way.
// scripts/loadtest.sh builds and starts a server and runs this against it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	target := flag.String("target", "http://127.0.0.1:8080", "base URL of the server")
	surveyID := flag.String("survey", "", "id of an open survey of the study instrument")
	clients := flag.String("clients", "1,16,64", "comma-separated numbers of concurrent clients")
	dur := flag.Duration("duration", 5*time.Second, "how long each measurement runs")
	paths := flag.String("paths", "ceiling,submit,form,page,replay,journey", "which measurements to run: ceiling, submit, form (JSON definition), page (welcome page), replay (the journey's ceiling), journey (web form)")
	pidList := flag.String("pid", "", "the server's process id, to report its resident memory and CPU time (Linux); several, comma-separated, for instances behind a load balancer")
	profileDir := flag.String("profile", "", "save a CPU profile of the server during each measurement into this directory, as PATH-CLIENTS.pprof (a server built with -tags loadtest)")
	writeBodies := flag.String("write-bodies", "", "write the submission bodies to this file, one a line, and exit (for wrk)")
	rounds := flag.Int("rounds", 1, "measure the paths this many times over at each client count, in turn, and report the median of each ratio (a shared machine's speed drifts from one measurement to the next)")
	flag.Parse()
	var pids []int
	for _, f := range strings.FieldsFunc(*pidList, func(r rune) bool { return r == ',' }) {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "dyad-load: bad process id %q\n", f)
			os.Exit(2)
		}
		pids = append(pids, n)
	}
	if *writeBodies != "" {
		bodies, err := makeBodies(512)
		if err == nil {
			err = os.WriteFile(*writeBodies, append(bytes.Join(bodies, []byte("\n")), '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "dyad-load:", err)
			os.Exit(1)
		}
		return
	}
	if *surveyID == "" {
		fmt.Fprintln(os.Stderr, "dyad-load: --survey is required")
		os.Exit(2)
	}
	bodies, err := makeBodies(512)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dyad-load:", err)
		os.Exit(1)
	}
	avg := 0
	for _, b := range bodies {
		avg += len(b)
	}
	fmt.Printf("target %s, survey %s, %d bodies of %d bytes on average, %s per measurement\n\n",
		*target, *surveyID, len(bodies), avg/len(bodies), *dur)
	base := strings.TrimRight(*target, "/")
	form, err := sample.StudyForm()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dyad-load:", err)
		os.Exit(1)
	}
	if strings.Contains(*paths, "replay") {
		if err := recordJourney(base, *surveyID, form, http.DefaultTransport); err != nil {
			fmt.Fprintln(os.Stderr, "dyad-load:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("%-8s %-8s %10s %10s %9s %9s %7s %9s %10s  %s\n", "clients", "path", "req/s", "journeys/s", "p50", "p99", "errors", "rss MB", "cpu/op", "vs ceiling")
	r := &run{base: base, surveyID: *surveyID, form: form, bodies: bodies, pids: pids, profileDir: *profileDir, dur: *dur}
	failed := false
	for _, cs := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(cs))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "dyad-load: bad client count %q\n", cs)
			os.Exit(2)
		}
		ratios := map[string][]float64{} // by path, one a round
		for range max(*rounds, 1) {
			rates := map[string]float64{} // this round's, for the ratios
			for _, p := range strings.Split(*paths, ",") {
				ceiling := rates[ceilingOf(p)]
				rate, ok := r.measure(p, n, ceiling)
				failed = failed || !ok
				rates[p] = rate
				if ceiling > 0 {
					ratios[p] = append(ratios[p], rate/ceiling)
				}
			}
		}
		if *rounds > 1 {
			for _, p := range strings.Split(*paths, ",") {
				if r := ratios[p]; len(r) > 0 {
					slices.Sort(r)
					fmt.Printf("%-8d %-8s median of %d rounds: %.0f %% of its ceiling (%.0f-%.0f %%)\n", n, p, len(r), 100*median(r), 100*r[0], 100*r[len(r)-1])
				}
			}
		}
	}
	if failed {
		os.Exit(1)
	}
}

// ceilingOf names the measurement that path is compared with ("" for a
// ceiling itself): the journeys with their replay, the API paths with
// the discard route.
func ceilingOf(path string) string {
	switch path {
	case "ceiling", "replay":
		return ""
	case "journey":
		return "replay"
	}
	return "ceiling"
}

// run holds what every measurement of one invocation shares.
type run struct {
	base, surveyID string
	form           *survey.Form
	bodies         [][]byte
	pids           []int
	profileDir     string
	dur            time.Duration
}

// measure runs path with n clients once and prints its row, with its
// ratio to ceiling (the rate of the path it is compared with, measured
// just before; 0 for none). It returns the path's rate (journeys/s for
// the journeys, requests/s for the rest) and false if any request failed.
func (r *run) measure(path string, n int, ceiling float64) (float64, bool) {
	ratio := func(rate float64) string {
		if ceiling <= 0 {
			return ""
		}
		return fmt.Sprintf("%.0f %%", 100*rate/ceiling)
	}
	if path == "replay" || path == "journey" {
		jc := &journeyClient{host: r.base, surveyID: r.surveyID, form: r.form, transport: &http.Transport{
			DisableCompression: true, MaxIdleConnsPerHost: n, MaxConnsPerHost: n}}
		if path == "replay" {
			jc.prefix = replayPrefix
		}
		cpu0 := cpuSeconds(r.pids)
		prof := profile(r.base, r.profileDir, path, n, r.dur)
		st := jc.runJourneys(n, r.dur)
		prof()
		cpu := cpuPer(r.pids, cpu0, st.journeys)
		rate := float64(st.journeys) / st.elapsed.Seconds()
		note := ratio(rate)
		if st.errors > 0 {
			note += "  (e.g. " + st.firstErr + ")"
		}
		fmt.Printf("%-8d %-8s %10.0f %10.1f %9s %9s %7d %9s %10s  %s\n", n, path, float64(st.requests)/st.elapsed.Seconds(), rate,
			st.quantile(0.5).Round(10*time.Microsecond), st.quantile(0.99).Round(10*time.Microsecond), st.errors, rss(r.pids), cpu, note)
		return rate, st.errors == 0
	}
	var tr vegeta.Targeter
	switch path {
	case "ceiling":
		tr = postTargeter(r.base+"/api/v1/public/surveys/"+r.surveyID+"/discard", r.bodies)
	case "submit":
		tr = postTargeter(r.base+"/api/v1/public/surveys/"+r.surveyID+"/responses", r.bodies)
	case "form":
		tr = vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: r.base + "/api/v1/public/surveys/" + r.surveyID, Header: gzipHeader})
	case "page":
		tr = vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: r.base + "/s/" + r.surveyID, Header: gzipHeader})
	default:
		fmt.Fprintf(os.Stderr, "dyad-load: unknown path %q\n", path)
		os.Exit(2)
	}
	cpu0 := cpuSeconds(r.pids)
	prof := profile(r.base, r.profileDir, path, n, r.dur)
	m := attack(tr, n, r.dur)
	prof()
	cpu := cpuPer(r.pids, cpu0, int64(m.Requests))
	errs := int(m.Requests) - successes(m)
	fmt.Printf("%-8d %-8s %10.0f %10s %9s %9s %7d %9s %10s  %s%s\n", n, path, m.Throughput, "",
		m.Latencies.P50.Round(10*time.Microsecond), m.Latencies.P99.Round(10*time.Microsecond), errs, rss(r.pids), cpu, ratio(m.Throughput), codes(m))
	return m.Throughput, errs == 0
}

// median is the median of sorted values.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// rss reports each server's resident memory now and its peak so far, in
// MB, from /proc (empty without a pid or off Linux): "now/peak", joined
// by "+" for several servers.
func rss(pids []int) string {
	parts := make([]string, len(pids))
	for i, pid := range pids {
		parts[i] = rssOf(pid)
	}
	return strings.Join(parts, "+")
}

func rssOf(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "?"
	}
	var now, peak int
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "VmRSS:" {
			now, _ = strconv.Atoi(f[1])
		} else if len(f) >= 2 && f[0] == "VmHWM:" {
			peak, _ = strconv.Atoi(f[1])
		}
	}
	return fmt.Sprintf("%d/%d", now>>10, peak>>10)
}

// profile starts fetching a CPU profile of the server for most of a
// measurement of d (the pprof route of a -tags loadtest build) into
// dir/PATH-CLIENTS.pprof; the returned function waits for it. Nothing
// without dir.
func profile(base, dir, path string, clients int, d time.Duration) func() {
	if dir == "" {
		return func() {}
	}
	secs := max(1, int(d.Seconds())-1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(base + "/api/v1/public/debug/pprof/profile?seconds=" + strconv.Itoa(secs))
		if err != nil {
			fmt.Fprintln(os.Stderr, "dyad-load: profile:", err)
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode == http.StatusOK {
			err = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", path, clients)), b, 0o644)
		} else if err == nil {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "dyad-load: profile:", err)
		}
	}()
	return func() { <-done }
}

// cpuSeconds is the CPU time (user and system) the servers have used so
// far, together, from /proc/PID/stat; -1 without a pid or off Linux.
func cpuSeconds(pids []int) float64 {
	if len(pids) == 0 {
		return -1
	}
	total := 0.0
	for _, pid := range pids {
		s := cpuSecondsOf(pid)
		if s < 0 {
			return -1
		}
		total += s
	}
	return total
}

func cpuSecondsOf(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after its closing one. utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / clockTicks
}

// clockTicks is USER_HZ, which Linux fixes at 100 for /proc.
const clockTicks = 100

// cpuPer is the server's CPU time per operation (journey or request) since
// before: a figure that other load on a shared machine disturbs less than
// throughput does.
func cpuPer(pids []int, before float64, ops int64) string {
	after := cpuSeconds(pids)
	if before < 0 || after < 0 || ops == 0 {
		return ""
	}
	per := time.Duration((after - before) / float64(ops) * float64(time.Second))
	return per.Round(time.Microsecond).String()
}

// makeBodies builds distinct complete responses to the shipped study
// instrument.
func makeBodies(n int) ([][]byte, error) {
	form, err := sample.StudyForm()
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, n)
	for i := range out {
		out[i] = sample.JSONBody(sample.Answers(form, rng))
	}
	return out, nil
}

var gzipHeader = http.Header{"Accept-Encoding": []string{"gzip"}}

func postTargeter(url string, bodies [][]byte) vegeta.Targeter {
	var i atomic.Uint64
	hdr := http.Header{"Content-Type": []string{"application/json"}}
	return func(t *vegeta.Target) error {
		t.Method = http.MethodPost
		t.URL = url
		t.Body = bodies[i.Add(1)%uint64(len(bodies))]
		t.Header = hdr
		return nil
	}
}

// attack runs n closed-loop clients for d: each sends its next request as
// soon as the previous one is answered.
func attack(tr vegeta.Targeter, n int, d time.Duration) vegeta.Metrics {
	// Reads ask for gzip as browsers do, and the client keeps the bytes
	// compressed: the measurement is of the server, and decompressing on
	// the same two cores would bill the server for the client's work.
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DisableCompression:  true,
			MaxIdleConnsPerHost: n,
			MaxConnsPerHost:     n,
		},
	}
	a := vegeta.NewAttacker(
		vegeta.Workers(uint64(n)), vegeta.MaxWorkers(uint64(n)),
		vegeta.Client(client),
	)
	var m vegeta.Metrics
	for r := range a.Attack(tr, vegeta.ConstantPacer{}, d, "") {
		m.Add(r)
	}
	m.Close()
	return m
}

func successes(m vegeta.Metrics) int {
	ok := 0
	for code, c := range m.StatusCodes {
		if code == "200" || code == "201" {
			ok += c
		}
	}
	return ok
}

func codes(m vegeta.Metrics) string {
	var parts []string
	for code, c := range m.StatusCodes {
		if code != "200" && code != "201" {
			parts = append(parts, fmt.Sprintf("%s×%d", code, c))
		}
	}
	sort.Strings(parts)
	if len(m.Errors) > 0 {
		parts = append(parts, "e.g. "+m.Errors[0])
	}
	if len(parts) == 0 {
		return ""
	}
	return "  (" + strings.Join(parts, ", ") + ")"
}
