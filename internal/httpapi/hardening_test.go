package httpapi_test

// Regression tests for the hardening findings of issue 10 that the API
// answers: error amplification (01), slow bodies holding submission slots
// (02), token guessing (05), IPv6 rate-limit keys (06) and impossible
// started_at times (09).

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/metrics"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
)

// openSurvey creates, publishes and deploys the test instrument and
// returns the open survey's id.
func openSurvey(tb testing.TB, e *testEnv) string {
	tb.Helper()
	e.createInstrument(tb, testInstrument(), ctJSON)
	e.publish(tb, "wellbeing-test", 1)
	return e.createSurvey(tb, map[string]any{"access": "open"})
}

// TestHardening01ErrorDetailsCapped sends 1 MiB submissions built to make
// one problem per few bytes, and checks that the error stays small: a
// multiple-choice list longer than the item's options is one problem, and
// any error carries at most 50 details plus one "and N more".
func TestHardening01ErrorDetailsCapped(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		id := openSurvey(t, e)
		url := "/api/v1/public/surveys/" + id + "/responses"

		// 500,000 values that are not options of q_tools (which has 3).
		var b strings.Builder
		b.WriteString(`{"answers":{"q_like":4,"q_rev":2,"q_use":1,"q_years":3,"q_tools":[9`)
		for range 500_000 - 1 {
			b.WriteString(",9")
		}
		b.WriteString("]}}")
		status, _, body := e.do(t, request{Method: "POST", URL: url, Body: b.String(), ContentType: ctJSON})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("long list: status %d, want 422; body %s", status, truncate(body))
		}
		if len(body) > 16<<10 {
			t.Fatalf("long list: error body of %d bytes for a %d-byte request, want under 16 KiB", len(body), b.Len())
		}
		t.Logf("long list: %d-byte request, %d-byte error", b.Len(), len(body))
		ae := decodeError(t, body)
		if len(ae.Error.Details) != 1 || ae.Error.Details[0].Path != "answers.q_tools" ||
			!strings.Contains(ae.Error.Details[0].Message, "lists 500000 values; this item has only 3 options") {
			t.Fatalf("long list: details %+v, want one at answers.q_tools naming the list's length", ae.Error.Details)
		}

		// 80,000 unknown items: one problem each, of which 50 are shown.
		const unknown = 80_000
		b.Reset()
		b.WriteString(`{"answers":{"q_like":4,"q_rev":2,"q_use":1,"q_years":3,"q_tools":[1]`)
		for i := range unknown {
			fmt.Fprintf(&b, `,"x%06d":1`, i)
		}
		b.WriteString("}}")
		status, _, body = e.do(t, request{Method: "POST", URL: url, Body: b.String(), ContentType: ctJSON})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown items: status %d, want 422; body %s", status, truncate(body))
		}
		if len(body) > 16<<10 {
			t.Fatalf("unknown items: error body of %d bytes, want under 16 KiB", len(body))
		}
		t.Logf("unknown items: %d-byte request, %d-byte error", b.Len(), len(body))
		ae = decodeError(t, body)
		d := ae.Error.Details
		if len(d) != 51 {
			t.Fatalf("unknown items: %d details, want 50 and one that counts the rest", len(d))
		}
		if d[0].Path != "answers.x000000" || d[49].Path != "answers.x000049" {
			t.Errorf("unknown items: the first details are %q ... %q, want the first 50 in order", d[0].Path, d[49].Path)
		}
		if want := fmt.Sprintf("and %d more problems", unknown-50); d[50].Path != "" || d[50].Message != want {
			t.Errorf("last detail %+v, want path \"\" and %q", d[50], want)
		}
		if e.responseCount(t, id) != 0 {
			t.Error("a rejected submission was stored")
		}
	})
}

// TestHardening02SlowBodiesHoldNoSlots opens more connections than there
// are submission slots, each trickling its body, and checks that normal
// submissions still get 201 at once and that the slow clients are dropped
// after the body deadline.
func TestHardening02SlowBodiesHoldNoSlots(t *testing.T) {
	t.Parallel()
	const slots = 2
	// SQLite only: the server's limits are under test, not the store.
	e := newEnvWith(t, enginetest.SQLite, func(c *config) {
		c.API.MaxConcurrentSubmissions = slots
		c.BodyReadTimeout = time.Second
	})
	id := openSurvey(t, e)
	addr := strings.TrimPrefix(e.Srv.URL, "http://")

	var slow []net.Conn
	for range 4 * slots {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		fmt.Fprintf(conn, "POST /api/v1/public/surveys/%s/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"answers\":", id)
		slow = append(slow, conn)
	}
	// The deadline holds on every route with a body, not only submissions.
	other, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	fmt.Fprintf(other, "POST /api/v1/instruments HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", bearer)
	slow = append(slow, other)
	time.Sleep(100 * time.Millisecond) // let the server start on every one

	for i := range 5 {
		start := time.Now()
		status, _, body := e.do(t, request{Method: "POST", URL: "/api/v1/public/surveys/" + id + "/responses",
			Body: submission(nil, nil), ContentType: ctJSON})
		if status != http.StatusCreated {
			t.Fatalf("normal submission %d during the slow-body flood: status %d, want 201; body %s", i, status, body)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("normal submission %d took %s", i, d)
		}
	}

	// Each slow client is answered (or cut off) soon after the deadline.
	var wg sync.WaitGroup
	for i, conn := range slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode < 400 {
					t.Errorf("slow client %d: status %d", i, resp.StatusCode)
				}
				return
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Errorf("slow client %d still held open 5 s after the 1 s body deadline", i)
			}
		}()
	}
	wg.Wait()
}

// TestHardening05FailedAuthLimited tries wrong tokens on /metrics and an
// API route with general rate limiting off: after the budget of failures,
// the client gets 429 with Retry-After, even with the right token, while
// another client is unaffected.
func TestHardening05FailedAuthLimited(t *testing.T) {
	t.Parallel()
	// SQLite only: the server's limits are under test, not the store.
	e := newEnvWith(t, enginetest.SQLite, func(c *config) {
		c.Metrics = metrics.New()
		c.RateLimit = 0
		c.TrustedProxies = []string{"127.0.0.1"}
	})
	get := func(path, client, token string) (int, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.Srv.URL+path, nil)
		req.Header.Set("X-Forwarded-For", client)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := e.Srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, res.Header
	}
	const attacker, other = "198.51.100.7", "198.51.100.8"
	var codes []int
	for i := range 30 {
		path := "/metrics"
		if i%2 == 1 {
			path = "/api/v1/surveys"
		}
		code, h := get(path, attacker, fmt.Sprintf("guess-%d", i))
		codes = append(codes, code)
		if code == http.StatusTooManyRequests {
			if n, err := strconv.Atoi(h.Get("Retry-After")); err != nil || n < 1 {
				t.Fatalf("429 with Retry-After %q, want a positive number of seconds", h.Get("Retry-After"))
			}
		}
	}
	unauthorized := 0
	for _, c := range codes {
		if c == http.StatusUnauthorized {
			unauthorized++
		}
	}
	if unauthorized > 10 || codes[len(codes)-1] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v: want at most 10 wrong tokens checked, then 429", codes)
	}
	if code, _ := get("/metrics", attacker, researcherToken); code != http.StatusTooManyRequests {
		t.Errorf("the right token from a blocked client: %d, want 429 (else guessing goes on)", code)
	}
	if code, _ := get("/metrics", other, researcherToken); code != http.StatusOK {
		t.Errorf("another client with the right token: %d, want 200", code)
	}
}

// TestHardening06IPv6KeyedBy64 checks that the rate limiter counts every
// address of one IPv6 /64 as one client, and IPv4 addresses one by one.
func TestHardening06IPv6KeyedBy64(t *testing.T) {
	t.Parallel()
	// SQLite only: the server's limits are under test, not the store.
	e := newEnvWith(t, enginetest.SQLite, func(c *config) {
		c.RateLimit = 1 // burst of 3
		c.TrustedProxies = []string{"127.0.0.1"}
	})
	get := func(client string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.Srv.URL+"/api/v1/public/surveys/nosuchsurvey", nil)
		req.Header.Set("X-Forwarded-For", client)
		res, err := e.Srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	var codes []int
	for i := 1; i <= 4; i++ {
		codes = append(codes, get(fmt.Sprintf("2001:db8:1:2::%x", i*0x1111)))
	}
	if codes[3] != http.StatusTooManyRequests {
		t.Errorf("four addresses of one /64: statuses %v, want the fourth limited", codes)
	}
	if c := get("2001:db8:1:3::1"); c == http.StatusTooManyRequests {
		t.Errorf("an address of another /64 was limited")
	}
	for i := 1; i <= 4; i++ {
		if c := get(fmt.Sprintf("192.0.2.%d", i)); c == http.StatusTooManyRequests {
			t.Errorf("IPv4 192.0.2.%d limited for its neighbours' requests", i)
		}
	}
}

// TestHardening09StartedAtBeforeSurvey rejects a started_at before the
// survey existed (beyond the clock-skew allowance) or after the
// submission, at the path started_at.
func TestHardening09StartedAtBeforeSurvey(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		id := openSurvey(t, e)
		url := "/api/v1/public/surveys/" + id + "/responses"
		now := time.Now().UTC()
		for _, tc := range []struct {
			started string
			want    int
		}{
			{"0000-01-01T00:00:00Z", http.StatusUnprocessableEntity},
			{now.Add(-25 * time.Hour).Format(time.RFC3339), http.StatusUnprocessableEntity},
			{now.Add(time.Hour).Format(time.RFC3339), http.StatusUnprocessableEntity},
			{now.Add(-time.Hour).Format(time.RFC3339), http.StatusCreated}, // a client clock behind the server's
			{now.Add(-time.Second).Format(time.RFC3339), http.StatusCreated},
		} {
			status, _, body := e.do(t, request{Method: "POST", URL: url, ContentType: ctJSON,
				Body: submission(map[string]any{"started_at": tc.started}, nil)})
			if status != tc.want {
				t.Errorf("started_at %s: status %d, want %d; body %s", tc.started, status, tc.want, body)
				continue
			}
			if status == http.StatusUnprocessableEntity {
				if p := decodeError(t, body).detailPaths(); len(p) != 1 || p[0] != "started_at" {
					t.Errorf("started_at %s: detail paths %v, want [started_at]", tc.started, p)
				}
			}
		}
		if n := e.responseCount(t, id); n != 2 {
			t.Errorf("%d responses stored, want the 2 valid ones", n)
		}
	})
}
