package admin

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/survey"
)

// Sessions live in the store (survey.Sessions), by the SHA-256 of their
// id: the cookie carries a random id, never the researcher token, and
// neither the database nor a backup of it holds a value that could be
// replayed as a cookie. Kept in the store rather than in this process's
// memory, a session survives a restart and is known to every instance
// serving the same database, which a second instance behind a load
// balancer needs (issue 13: PostgreSQL). The lifetimes are this package's
// rule; the store applies them at each sign-in and in valid below.
//
// Each request checks its session with one read; the last use is written
// back at most once a minute (touchEvery), not on every request, so that
// a dashboard page with many requests costs the single SQLite writer
// (and its fsync) one small write a minute per researcher. The idle
// lifetime is therefore exact to within a minute: a session expires
// between SessionIdle-touchEvery and SessionIdle after its last use.
// The cap drops the least recently used session by the same stored last
// use, so "least recently" is also to within a minute.

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
	// touchEvery is how stale a session's stored last use may get.
	touchEvery = time.Minute
)

// sessionStore applies the dashboard's session rules over the store. It
// is safe for concurrent use: the store serialises the writes.
type sessionStore struct {
	st  survey.Sessions
	now func() time.Time
}

func newSessionStore(st survey.Sessions, now func() time.Time) *sessionStore {
	return &sessionStore{st: st, now: now}
}

func sessionKey(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// create starts a session and returns its id: 256 random bits. In the same
// transaction it drops the expired sessions, and the least recently used
// ones when the table is full.
func (s *sessionStore) create(ctx context.Context) (string, error) { return s.createFor(ctx, 0) }

// createFor is create for an account (userID 0: the researcher token).
func (s *sessionStore) createFor(ctx context.Context, userID int64) (string, error) {
	id := pagekit.RandomValue()
	now := s.now()
	err := s.st.CreateSession(ctx, &survey.Session{IDHash: sessionKey(id), CreatedAt: now, SeenAt: now, UserID: userID},
		survey.SessionLimits{IdleBefore: now.Add(-SessionIdle), CreatedBefore: now.Add(-SessionMax), Max: maxSessions})
	if err != nil {
		return "", err
	}
	return id, nil
}

// valid tells whether id names a live session, and marks it used. An
// expired session is deleted.
func (s *sessionStore) valid(ctx context.Context, id string) (bool, error) {
	v, err := s.lookup(ctx, id)
	return v != nil, err
}

// lookup is valid that returns the live session, or nil.
func (s *sessionStore) lookup(ctx context.Context, id string) (*survey.Session, error) {
	if id == "" {
		return nil, nil
	}
	k := sessionKey(id)
	v, err := s.st.FindSession(ctx, k)
	switch {
	case survey.ErrorCode(err) == survey.ENotFound:
		return nil, nil
	case err != nil:
		return nil, err
	}
	now := s.now()
	if expired(v, now) {
		return nil, s.st.DeleteSession(ctx, k)
	}
	if now.Sub(v.SeenAt) >= touchEvery {
		err := s.st.TouchSession(ctx, k, now)
		if survey.ErrorCode(err) == survey.ENotFound {
			return nil, nil // ended meanwhile
		}
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

// end removes a session; ending an unknown one does nothing.
func (s *sessionStore) end(ctx context.Context, id string) error {
	return s.st.DeleteSession(ctx, sessionKey(id))
}

func expired(v *survey.Session, now time.Time) bool {
	return now.Sub(v.SeenAt) >= SessionIdle || now.Sub(v.CreatedAt) >= SessionMax
}
