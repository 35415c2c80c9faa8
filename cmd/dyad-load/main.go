// Command dyad-load measures Dyad's submission path against a running
// server, side by side with the machine's ceiling measured in the same run.
//
// For each client count it runs, for a fixed time each:
//   - ceiling: the same bodies POSTed to a handler that reads and discards
//     them (only in a server built with -tags loadtest; see
//     internal/httpapi/discard_loadtest.go);
//   - submit: complete responses to the study instrument through the real
//     public API (validation, group commit, synchronous=FULL, 201);
//   - form: GET of the public survey definition.
//
// It prints requests/s, p50 and p99 latency and errors for each, and the
// ratio of each to the ceiling. scripts/loadtest.sh builds and starts a
// server and runs this against it.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	target := flag.String("target", "http://127.0.0.1:8080", "base URL of the server")
	surveyID := flag.String("survey", "", "id of an open survey of the study instrument")
	clients := flag.String("clients", "1,16,64", "comma-separated numbers of concurrent clients")
	dur := flag.Duration("duration", 5*time.Second, "how long each measurement runs")
	paths := flag.String("paths", "ceiling,submit,form,page", "which measurements to run: ceiling, submit, form (JSON definition), page (welcome page)")
	flag.Parse()
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
	fmt.Printf("%-8s %-8s %10s %9s %9s %7s  %s\n", "clients", "path", "req/s", "p50", "p99", "errors", "vs ceiling")

	base := strings.TrimRight(*target, "/")
	failed := false
	for _, cs := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(cs))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "dyad-load: bad client count %q\n", cs)
			os.Exit(2)
		}
		var ceiling float64
		for _, p := range strings.Split(*paths, ",") {
			var tr vegeta.Targeter
			switch p {
			case "ceiling":
				tr = postTargeter(base+"/api/v1/public/surveys/"+*surveyID+"/discard", bodies)
			case "submit":
				tr = postTargeter(base+"/api/v1/public/surveys/"+*surveyID+"/responses", bodies)
			case "form":
				tr = vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/public/surveys/" + *surveyID, Header: gzipHeader})
			case "page":
				tr = vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: base + "/s/" + *surveyID, Header: gzipHeader})
			default:
				fmt.Fprintf(os.Stderr, "dyad-load: unknown path %q\n", p)
				os.Exit(2)
			}
			m := attack(tr, n, *dur)
			ratio := ""
			if p == "ceiling" {
				ceiling = m.Throughput
			} else if ceiling > 0 {
				ratio = fmt.Sprintf("%.0f %%", 100*m.Throughput/ceiling)
			}
			errs := int(m.Requests) - successes(m)
			if errs > 0 {
				failed = true
			}
			fmt.Printf("%-8d %-8s %10.0f %9s %9s %7d  %s%s\n", n, p, m.Throughput,
				m.Latencies.P50.Round(10*time.Microsecond), m.Latencies.P99.Round(10*time.Microsecond), errs, ratio, codes(m))
		}
	}
	if failed {
		os.Exit(1)
	}
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
