package admin

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// Sessions are held in memory, by the SHA-256 of their id: the cookie
// carries a random id, never the researcher token, and the process keeps
// no value a stolen memory dump could replay as a cookie. A restart signs
// every researcher out, which is the price of keeping nothing on disk;
// Dyad runs as one process, so there is no other instance to share them
// with.

// Session lifetimes.
const (
	// SessionIdle ends a session nobody has used for this long.
	SessionIdle = 2 * time.Hour
	// SessionMax ends a session this long after sign-in, used or not.
	SessionMax = 12 * time.Hour
	// maxSessions bounds the table; signing in when it is full drops the
	// session used least recently. Only holders of the token can add one,
	// and each sign-in first drops the expired ones.
	maxSessions = 1000
)

type session struct {
	created, seen time.Time
}

// sessionStore is the table of live sessions. It is safe for concurrent
// use.
type sessionStore struct {
	mu   sync.Mutex
	byID map[[32]byte]*session
	now  func() time.Time
}

func newSessionStore(now func() time.Time) *sessionStore {
	return &sessionStore{byID: map[[32]byte]*session{}, now: now}
}

func sessionKey(id string) [32]byte { return sha256.Sum256([]byte(id)) }

// create starts a session and returns its id: 256 random bits.
func (s *sessionStore) create() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand crashes instead)
	id := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prune(now)
	if len(s.byID) >= maxSessions {
		var oldest [32]byte
		var seen time.Time
		for k, v := range s.byID {
			if seen.IsZero() || v.seen.Before(seen) {
				oldest, seen = k, v.seen
			}
		}
		delete(s.byID, oldest)
	}
	s.byID[sessionKey(id)] = &session{created: now, seen: now}
	return id
}

// valid tells whether id names a live session, and marks it used.
func (s *sessionStore) valid(id string) bool {
	if id == "" {
		return false
	}
	k := sessionKey(id)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.byID[k]
	if v == nil {
		return false
	}
	if expired(v, now) {
		delete(s.byID, k)
		return false
	}
	v.seen = now
	return true
}

// end removes a session; ending an unknown one does nothing.
func (s *sessionStore) end(id string) {
	s.mu.Lock()
	delete(s.byID, sessionKey(id))
	s.mu.Unlock()
}

// count returns the number of sessions held, expired ones included.
func (s *sessionStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

// prune drops expired sessions; the caller holds mu.
func (s *sessionStore) prune(now time.Time) {
	for k, v := range s.byID {
		if expired(v, now) {
			delete(s.byID, k)
		}
	}
}

func expired(v *session, now time.Time) bool {
	return now.Sub(v.seen) >= SessionIdle || now.Sub(v.created) >= SessionMax
}
