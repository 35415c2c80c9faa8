package admin

import (
	"testing"
	"time"
)

func TestSessionStore(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := newSessionStore(func() time.Time { return now })

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
		s := newSessionStore(func() time.Time { return now })
		first := s.create()
		now = now.Add(time.Second)
		for range maxSessions + 10 {
			s.create()
		}
		if n := s.count(); n != maxSessions {
			t.Errorf("%d sessions held, want at most %d", n, maxSessions)
		}
		if s.valid(first) {
			t.Error("the least recently used session was kept")
		}
		now = now.Add(SessionMax)
		s.create()
		if n := s.count(); n != 1 {
			t.Errorf("%d sessions after all expired and one sign-in", n)
		}
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
