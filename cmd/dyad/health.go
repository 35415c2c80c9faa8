package main

// dyad health exists for the container's HEALTHCHECK: the runtime image
// (debian-slim) has no curl or wget, and the binary that serves can as
// well ask itself whether it is ready.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthTimeout bounds one check, so a hung server counts as unhealthy
// rather than leaving the check to Docker's own timeout.
const healthTimeout = 5 * time.Second

// cmdHealth asks a running server's GET /readyz and exits 0 when it
// answers 200, 1 otherwise (refused, timed out, or 503 because the
// database cannot take writes). The server is the one on this machine at
// DYAD_ADDR (the address dyad serve listens on), or --url.
func cmdHealth(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := ":8080"
	if v := getenv("DYAD_ADDR"); v != "" {
		addr = v
	}
	base := fs.String("url", "", "the server's base URL (default: this machine at DYAD_ADDR, "+addr+")")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: dyad health [--url URL]\n\nAsks a running dyad serve whether it is ready (GET /readyz): exit status 0\nwhen it is, 1 when it is not or does not answer. For a container's HEALTHCHECK.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		if fs.NArg() > 0 {
			fs.Usage()
		}
		return 2
	}
	if *base == "" {
		*base = loopbackURL(addr)
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	url := strings.TrimSuffix(*base, "/") + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "dyad health: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "dyad health: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "dyad health: %s answered %d: %s\n", url, resp.StatusCode, strings.TrimSpace(string(body)))
		return 1
	}
	fmt.Fprintf(stdout, "ready (%s)\n", url)
	return 0
}

// loopbackURL is the URL at which this machine reaches a server listening
// on addr: ":8080" and "0.0.0.0:8080" become http://127.0.0.1:8080 (an
// address, not "localhost", which may resolve to an IPv6 address the
// server does not listen on).
func loopbackURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
