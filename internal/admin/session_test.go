package admin

import (
	"context"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
)

// sessionTestStore is a real store on a fresh database of engine: the
// sessions' rules are held against the storage they live in.
func sessionTestStore(tb testing.TB, engine string) store.DB {
	tb.Helper()
	return enginetest.Open(tb, engine).Store
}

// testSessions wraps the store's calls for the assertions below, which
// predate the store and read as they did.
type testSessions struct {
	*sessionStore
	tb testing.TB
}

func (s testSessions) create() string {
	id, err := s.sessionStore.create(context.Background())
	if err != nil {
		s.tb.Fatalf("create: %v", err)
	}
	return id
}

func (s testSessions) valid(id string) bool {
	ok, err := s.sessionStore.valid(context.Background(), id)
	if err != nil {
		s.tb.Fatalf("valid: %v", err)
	}
	return ok
}

func (s testSessions) end(id string) {
	if err := s.sessionStore.end(context.Background(), id); err != nil {
		s.tb.Fatalf("end: %v", err)
	}
}

// count returns how many of the given sessions the store holds, expired
// ones included (it reads without touching).
func (s testSessions) count(ids []string) int {
	n := 0
	for _, id := range ids {
		if _, err := s.st.FindSession(context.Background(), sessionKey(id)); err == nil {
			n++
		}
	}
	return n
}

func TestSessionStore(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		st := sessionTestStore(t, engine)
		s := testSessions{newSessionStore(st, func() time.Time { return now }), t}

		t.Run("OK", func(t *testing.T) {
			id := s.create()
			if !validRandom(id) || !s.valid(id) {
				t.Fatalf("a new session %q is not valid", id)
			}
			if s.valid(id+"x") || s.valid("") {
				t.Error("an unknown id is valid")
			}
			s.end(id)
			if s.valid(id) {
				t.Error("an ended session is valid")
			}
		})
		t.Run("Idle", func(t *testing.T) {
			id := s.create()
			now = now.Add(SessionIdle - time.Minute)
			if !s.valid(id) { // and this use keeps it alive
				t.Fatal("expired before the idle limit")
			}
			now = now.Add(SessionIdle - time.Minute)
			if !s.valid(id) {
				t.Fatal("a session in use expired")
			}
			now = now.Add(SessionIdle)
			if s.valid(id) {
				t.Fatal("an idle session is valid")
			}
		})
		t.Run("Max", func(t *testing.T) {
			id, start := s.create(), now
			for range int(SessionMax / time.Hour) {
				if !s.valid(id) {
					t.Fatalf("expired after %v in use", now.Sub(start))
				}
				now = now.Add(time.Hour)
			}
			if s.valid(id) {
				t.Fatalf("valid %v after sign-in", SessionMax)
			}
		})
		t.Run("Bounded", func(t *testing.T) {
			s := testSessions{newSessionStore(sessionTestStore(t, engine), func() time.Time { return now }), t}
			first := s.create()
			ids := []string{first}
			now = now.Add(time.Second)
			for range maxSessions + 10 {
				ids = append(ids, s.create())
			}
			if n := s.count(ids); n != maxSessions {
				t.Errorf("%d sessions held, want at most %d", n, maxSessions)
			}
			if s.valid(first) {
				t.Error("the least recently used session was kept")
			}
			now = now.Add(SessionMax)
			ids = append(ids, s.create())
			if n := s.count(ids); n != 1 {
				t.Errorf("%d sessions after all expired and one sign-in", n)
			}
		})
	})
}

func TestLocalNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"/admin", "/admin"},
		{"/admin/", "/admin/"},
		{"/admin/surveys/abc?by=specialty&status=all", "/admin/surveys/abc?by=specialty&status=all"},
		{"/admin/surveys/a%20b", "/admin/surveys/a%20b"},
		{"/admin/login?next=/admin", "/admin"},
		{"/admin/logout", "/admin"},
		{"/administrator", ""},
		{"/admin@evil.example", ""},
		{"//evil.example/admin", ""},
		{"///evil.example", ""},
		{"https://evil.example/admin", ""},
		{"http:/admin", ""},
		{"/\\evil.example", ""},
		{"/admin\\..\\evil", ""},
		{"/admin/../s/x", ""},
		{"/admin/./x", ""},
		{"/admin/%2e%2e/x", ""},
		{"/admin/x#frag", ""},
		{"/admin/x\nSet-Cookie: a=b", ""},
		{"/admin/x\x00", ""},
		{"/admin/" + string(make([]byte, maxNext)), ""},
		{"javascript:alert(1)", ""},
		{"admin", ""},
	} {
		if got := localNext(tc.in); got != tc.want {
			t.Errorf("localNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSessionsSurviveRestart: a sign-in is kept in the database, so a
// restarted server (a new store and dashboard on the same file), or a
// second instance on it, knows the session; ending it on one ends it for
// all.
func TestSessionsSurviveRestart(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		now := time.Now
		first := enginetest.Open(t, engine)
		id, err := newSessionStore(first.Store, now).create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Store.Close(); err != nil {
			t.Fatal(err)
		}
		second := enginetest.OpenDSN(t, first.DSN).Store
		other := enginetest.OpenDSN(t, first.DSN).Store
		if ok, err := newSessionStore(second, now).valid(ctx, id); err != nil || !ok {
			t.Fatalf("after a restart: valid %v, %v", ok, err)
		}
		if err := newSessionStore(other, now).end(ctx, id); err != nil {
			t.Fatal(err)
		}
		if ok, err := newSessionStore(second, now).valid(ctx, id); err != nil || ok {
			t.Fatalf("ended on another instance: valid %v, %v", ok, err)
		}
	})
}
