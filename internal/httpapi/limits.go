package httpapi

import (
	"math"
	"strconv"
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
	clients   map[string]*clientBucket
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
	return &clientLimiter{limit: rate.Limit(perSecond), burst: burst, clients: map[string]*clientBucket{}}
}

// allow reports whether the client may proceed now, and if not, how long it
// should wait.
func (l *clientLimiter) allow(client string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
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
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
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
		ok, wait := l.allow(c.ClientIP(), time.Now())
		if !ok {
			c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeError(c, survey.Errorf(survey.ERateLimited, "too many requests from this address; retry in %s", wait.Round(time.Second).String()))
			return
		}
		c.Next()
	}
}

// capConcurrent lets at most n requests run the wrapped handlers at once;
// the rest get 503 with Retry-After at once rather than queueing without
// bound while the database writer catches up.
func capConcurrent(n int) gin.HandlerFunc {
	if n <= 0 {
		return func(c *gin.Context) { c.Next() }
	}
	slots := make(chan struct{}, n)
	return func(c *gin.Context) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			c.Next()
		default:
			c.Header("Retry-After", "1")
			writeError(c, survey.Errorf(survey.EUnavailable, "the server is at its limit of %d submissions in progress; please retry in a second", n))
		}
	}
}
