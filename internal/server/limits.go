package server

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// clientLimiter keeps one token bucket per client address. Buckets idle for
// longer than idleAfter are dropped, so a flood of addresses cannot grow the
// map without bound.
type clientLimiter struct {
	limit rate.Limit
	burst int

	mu        sync.Mutex
	clients   map[clientID]*clientBucket
	lastSweep time.Time
}

type clientBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

const idleAfter = 5 * time.Minute

func newClientLimiter(perSecond float64) *clientLimiter {
	// A burst of a few seconds' worth lets a person page quickly through a
	// form; the rate bounds a script.
	burst := max(1, int(math.Ceil(perSecond*3)))
	return &clientLimiter{limit: rate.Limit(perSecond), burst: burst, clients: map[clientID]*clientBucket{}}
}

// allow reports whether the client may proceed now, and if not, how long it
// should wait.
func (l *clientLimiter) allow(client clientID, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(client, now)
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// bucket returns the client's bucket, sweeping idle ones first now and
// then; l.mu is held.
func (l *clientLimiter) bucket(client clientID, now time.Time) *rate.Limiter {
	if now.Sub(l.lastSweep) > time.Minute {
		for k, b := range l.clients {
			if now.Sub(b.seen) > idleAfter {
				delete(l.clients, k)
			}
		}
		l.lastSweep = now
	}
	b := l.clients[client]
	if b == nil {
		b = &clientBucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.clients[client] = b
	}
	b.seen = now
	return b.lim
}

// clientKey is whom a request is counted against: the client's IPv4
// address, or the /64 network of its IPv6 address. A /64 is what one
// subscriber line or host is given (RFC 6177 recommends it as the
// smallest end-site assignment, and SLAAC needs it), so one client can
// pick among 2^64 addresses at will: keyed by full address, it would get
// a fresh budget with every request. Keying by /64 treats a household or
// a host as one client, which is also how the IPv4 address of a shared
// NAT is treated. The client address is gin's ClientIP: the connection's,
// or X-Forwarded-For from a trusted proxy.
func clientKey(c *gin.Context) string { return clientOf(c).String() }

// clientID is clientKey's client as a comparable value, the rate
// limiter's map key: the address's network (a /32 or a /64), or the
// client address as gin gave it when it is not an address. Keying by it
// rather than by its string saves formatting the address on every
// request.
type clientID struct {
	net netip.Prefix
	raw string
}

func clientOf(c *gin.Context) clientID {
	addr := c.ClientIP()
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return clientID{raw: addr}
	}
	ip = ip.Unmap().WithZone("")
	bits := 64
	if ip.Is4() {
		bits = 32
	}
	p, _ := ip.Prefix(bits)
	return clientID{net: p}
}

// String is clientKey's form: an IPv4 address, an IPv6 /64 in CIDR
// notation, or the raw client address.
func (id clientID) String() string {
	switch {
	case !id.net.IsValid():
		return id.raw
	case id.net.Addr().Is4():
		return id.net.Addr().String()
	}
	return id.net.String()
}

// AuthGuard limits failed authentication per client (clientKey): the
// bearer token on the researcher routes and /metrics, and the dashboard's
// sign-in, which share one guard so that guesses on either draw on one
// budget. It works whether or not the general rate limit is on, and
// /metrics is not exempt from it. The same guard keeps the budget of each
// e-mail address the dashboard's sign-in is tried with (Auth.SignIn).
//
// The budget is a survey.Backoff of 10 failures at once, one more every
// 6 s. A person who mistypes or pastes the wrong token does not fail ten
// times in a minute; a program guessing gets 10 guesses a minute per
// client, about 14,000 a day, against a token of at least 32 characters
// (DYAD_ADMIN_TOKEN, checked at start) or 256 random bits (generated).
// While the budget is spent every attempt is refused with 429 before the
// token is compared, the right token too: otherwise the limit would only
// slow the reporting of wrong guesses, not the guessing.
//
// Where the state lives: in the database when the server has one
// (Config.AuthFailures: every instance and every restart sees the same
// budgets, and each instance's failures count against them; keys are
// hashed and deleted minutes after the last failure), in process memory
// otherwise (a restart forgets it). A database error while checking is
// logged and lets the attempt through: the guard must not make a failing
// database lock everyone out of the researcher token.
type AuthGuard struct {
	client survey.Backoff
	store  survey.AuthFailures
	now    func() time.Time
}

// DefaultAuthFailures is the failed-authentication budget of a client per
// minute (see AuthGuard).
const DefaultAuthFailures = 10

// accountBackoff is the budget of failed sign-ins per e-mail address,
// whether an account has it or not (so that the answers tell nothing
// about which addresses have accounts): 5 at once, then one more every
// 90 s. The real user waits at most 90 s for the next try, however long
// an attacker keeps failing, while a guesser gets under a thousand tries
// a day at one account whatever its number of addresses.
var accountBackoff = survey.Backoff{Burst: 5, Every: 90 * time.Second}

// NewAuthGuard returns a guard that allows each client failures attempts
// at once, refilled at failures per window, kept in process memory until
// the server is given a store (Config.AuthFailures). Dyad uses
// NewAuthGuard(DefaultAuthFailures, time.Minute).
func NewAuthGuard(failures int, window time.Duration) *AuthGuard {
	if window <= 0 {
		window = time.Minute // a zero window would refill at once: no limit
	}
	failures = max(1, failures)
	return &AuthGuard{client: survey.Backoff{Burst: failures, Every: window / time.Duration(failures)},
		store: newMemFailures(), now: time.Now}
}

// withStore returns a copy of g that keeps its budgets in s.
func (g *AuthGuard) withStore(s survey.AuthFailures) *AuthGuard {
	c := *g
	c.store = s
	return &c
}

// wait returns how long key must wait under b before its next attempt.
func (g *AuthGuard) wait(c *gin.Context, key string, b survey.Backoff) time.Duration {
	until, err := g.store.FindAuthFailures(c.Request.Context(), survey.HashSecret(key))
	if err != nil {
		Logger(c).ErrorContext(c.Request.Context(), "failed-authentication budget: read failed", "error", err)
		return 0
	}
	return b.Wait(until, g.now())
}

// fail counts a failure of key under b.
func (g *AuthGuard) fail(c *gin.Context, key string, b survey.Backoff) {
	if err := g.store.AddAuthFailure(context.WithoutCancel(c.Request.Context()), survey.HashSecret(key), g.now(), b); err != nil {
		Logger(c).ErrorContext(c.Request.Context(), "failed-authentication budget: write failed", "error", err)
	}
}

// Blocked reports whether the request's client has used up its failures,
// and if so how long until it may try again.
func (g *AuthGuard) Blocked(c *gin.Context) (time.Duration, bool) {
	w := g.wait(c, "client:"+clientKey(c), g.client)
	return w, w > 0
}

// Failed counts a failed attempt against the request's client.
func (g *AuthGuard) Failed(c *gin.Context) { g.fail(c, "client:"+clientKey(c), g.client) }

// accountKey is the budget key of an e-mail address.
func accountKey(email string) string { return "acct:" + strings.ToLower(strings.TrimSpace(email)) }

// memFailures keeps the budgets in process memory (survey.AuthFailures),
// for a server without a store. Passed keys are swept at most once a
// minute, so a flood of addresses cannot grow the map without bound.
type memFailures struct {
	mu        sync.Mutex
	until     map[string]time.Time
	lastSweep time.Time
}

func newMemFailures() *memFailures { return &memFailures{until: map[string]time.Time{}} }

// FindAuthFailures implements survey.AuthFailures.
func (m *memFailures) FindAuthFailures(_ context.Context, key []byte) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.until[string(key)], nil
}

// AddAuthFailure implements survey.AuthFailures.
func (m *memFailures) AddAuthFailure(_ context.Context, key []byte, now time.Time, b survey.Backoff) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.lastSweep) > time.Minute {
		for k, u := range m.until {
			if u.Before(now) {
				delete(m.until, k)
			}
		}
		m.lastSweep = now
	}
	m.until[string(key)] = b.Next(m.until[string(key)], now)
	return nil
}

// RetryAfter sets the Retry-After header to wait, in whole seconds (at
// least 1).
func RetryAfter(c *gin.Context, wait time.Duration) {
	c.Header("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
}

// rateLimit answers 429 with Retry-After to a client over its rate. Health
// and metrics probes are exempt: they come from the operator's monitoring.
func rateLimit(perSecond float64) gin.HandlerFunc {
	if perSecond <= 0 {
		return func(c *gin.Context) { c.Next() }
	}
	l := newClientLimiter(perSecond)
	return func(c *gin.Context) {
		switch c.Request.URL.Path {
		case "/healthz", "/readyz", "/metrics":
			c.Next()
			return
		}
		ok, wait := l.allow(clientOf(c), time.Now())
		if !ok {
			RetryAfter(c, wait)
			Fail(c, survey.Errorf(survey.ERateLimited, "too many requests from this address; retry in %s", wait.Round(time.Second).String()))
			return
		}
		c.Next()
	}
}

// Slow bodies. A submission slot (httpapi's admitSubmission) is a scarce thing: if it
// were taken before the body arrived, a client trickling its body a byte at
// a time would hold one for as long as the server's read timeout, and a
// thousand such clients would deny service to everyone else. Two rules
// prevent that:
//
//   - every request body must arrive within a deadline of its own
//     (bodyDeadline; 10 s by default, Config.BodyReadTimeout): 1 MiB in
//     10 s is 100 KB/s, and a real submission is a few KB, which a phone
//     on a poor link sends in well under a second. A client slower than
//     that is cut off, whatever route it is sending to (the respondent
//     and dashboard forms included, as they share this engine);
//   - a submission takes its slot only after its whole body has been read
//     (httpapi's admitSubmission), so slots are held by requests the
//     server is working on, never by ones it is waiting for.
//
// The memory a slow client holds is only the bytes it has sent, at most
// MaxBodyBytes, for at most the deadline.

// defaultBodyReadTimeout is the deadline for receiving a request body.
const defaultBodyReadTimeout = 10 * time.Second

// bodyDeadline gives the reading of every request body its own deadline,
// counted from the end of the headers. Once the body has been read to its
// end the deadline is lifted, so it cannot cut off a response that takes
// longer to make (net/http's background read of an idle connection would
// otherwise see the deadline pass and cancel the request).
func bodyDeadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body == nil || c.Request.Body == http.NoBody || c.Request.ContentLength == 0 {
			c.Next()
			return
		}
		// The controller is kept by value in the body: one allocation.
		b := &deadlineBody{ReadCloser: c.Request.Body, rc: *http.NewResponseController(c.Writer)}
		// Not every ResponseWriter supports deadlines (httptest's recorder
		// does not); then the server's own ReadTimeout is the bound.
		if err := b.rc.SetReadDeadline(time.Now().Add(d)); err == nil {
			c.Request.Body = b
		}
		c.Next()
	}
}

// deadlineBody lifts the read deadline when the body has been read.
type deadlineBody struct {
	io.ReadCloser
	rc   http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !b.done {
		b.done = true
		if err == io.EOF {
			_ = b.rc.SetReadDeadline(time.Time{})
		}
	}
	return n, err
}
