package httpapi

import (
	"bytes"
	"runtime/debug"
	"sync"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Submissions. The server's body deadline and limit (internal/server,
// "Slow bodies" in limits.go) bound how long and how much a client may
// send; admitSubmission bounds how many submissions run at once.

// admittedBody is the request body once admitSubmission has read it: a
// reader over the bytes, which readBody returns whole. One value in place
// of the body, rather than a gin context key and a separate reader, so
// that keeping the bytes costs one allocation.
type admittedBody struct {
	bytes.Reader
	b []byte
}

func (*admittedBody) Close() error { return nil }

// admitSubmission reads a submission's whole (size-limited) body, then
// lets it run the handlers after it only if one of n slots is free (see
// "Slow bodies" above); the rest get 503 with Retry-After at once rather
// than queueing without bound while the database writer catches up.
// readBody then returns the bytes read here rather than a copy.
//
// Of those running, at most maxLarge may have a body over largeBody bytes.
// Decoding and checking a submission takes memory in proportion to its
// body, up to about 8 times (a list of numbers becomes 8 bytes per value),
// so 16 bad 1 MiB submissions at once took some 130 MB of live heap, three
// times that with the GC's headroom. A real submission is a few KB (the
// study instrument's, with its free text, under 16 KB), so large bodies
// are rare, and capping them bounds their memory at about maxLarge × 8 MiB
// while normal submissions keep their own slots; a large one over the cap
// gets the same 503 and may be sent again. A body announced as large
// (Content-Length) while the large ones are at their cap is refused
// before it is read: reading it would only cost memory.
func admitSubmission(n int) gin.HandlerFunc {
	slots := make(chan struct{}, max(n, 0))
	large := make(chan struct{}, maxLarge)
	release := &memoryRelease{}
	refuseLarge := func(c *gin.Context) {
		c.Header("Retry-After", "1")
		writeError(c, survey.Errorf(survey.EUnavailable, "the server is at its limit of %d submissions over %d KiB in progress; please retry in a second", maxLarge, largeBody>>10))
	}
	return func(c *gin.Context) {
		if c.Request.ContentLength > largeBody && len(large) == cap(large) {
			refuseLarge(c)
			return
		}
		b, err := readBody(c)
		if err != nil {
			writeError(c, err)
			return
		}
		ab := &admittedBody{b: b}
		ab.Reset(b)
		c.Request.Body = ab
		if len(b) > largeBody {
			select {
			case large <- struct{}{}:
				defer func() {
					<-large
					if len(large) == 0 {
						release.soon()
					}
				}()
			default:
				refuseLarge(c)
				return
			}
		}
		if n > 0 {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			default:
				c.Header("Retry-After", "1")
				writeError(c, survey.Errorf(survey.EUnavailable, "the server is at its limit of %d submissions in progress; please retry in a second", n))
				return
			}
		}
		c.Next()
	}
}

// memoryRelease gives memory back to the operating system after a burst
// of large submissions. The Go runtime keeps freed heap for reuse up to
// its GC goal (five times the live heap, at dyad serve's GOGC=400), and with little
// allocation afterwards no GC comes to lower the goal, so a burst would
// leave the process at its peak size for minutes. A second after the last
// large submission has finished, debug.FreeOSMemory runs a GC and returns
// what is free; it costs a few milliseconds on Dyad's small live heap, and
// runs at most once every 10 s, however many bursts come.
type memoryRelease struct {
	mu      sync.Mutex
	pending bool
	last    time.Time
}

func (m *memoryRelease) soon() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pending {
		return
	}
	m.pending = true
	wait := max(time.Second, time.Until(m.last.Add(10*time.Second)))
	time.AfterFunc(wait, func() {
		debug.FreeOSMemory()
		m.mu.Lock()
		m.pending, m.last = false, time.Now()
		m.mu.Unlock()
	})
}

// Large submissions: see admitSubmission.
const (
	largeBody = 64 << 10
	maxLarge  = 4
)
