package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/metrics"
	httpserver "github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestSignInLimitsAcrossInstances: the failed sign-ins of an account are
// counted in the database, so two instances over one database share the
// budget (three failures on one and two on the other spend the five), and
// an instance started afterwards (a restart) still makes the account
// wait, while another account is not held back. The client's budget of
// wrong researcher tokens is shared the same way. On both engines.
func TestSignInLimitsAcrossInstances(t *testing.T) {
	enginetest.Run(t, testSignInLimitsAcrossInstances)
}

func testSignInLimitsAcrossInstances(t *testing.T, engine string) {
	ctx := context.Background()
	first := enginetest.Open(t, engine)
	token := survey.NewToken()
	serve := func(st store.DB) *httptest.Server {
		t.Helper()
		key, err := webKey(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(newHandler(serveConfig{}, st, survey.NewService(st), nil, survey.HashSecret(token), key,
			metrics.New(), slog.New(slog.DiscardHandler)))
		t.Cleanup(srv.Close)
		return srv
	}
	instance := func() *httptest.Server { t.Helper(); return serve(enginetest.OpenDSN(t, first.DSN).Store) }
	a, b := serve(first.Store), instance()
	st := first.Store
	if err := st.EnsureStudy(ctx, survey.DefaultStudy, "Study", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"viewer@example.org", "editor@example.org"} {
		if err := addUser(ctx, st, email, teamPassword, false, survey.RoleViewer); err != nil {
			t.Fatal(err)
		}
	}

	onA, onB := newBrowser(t, a.URL), newBrowser(t, b.URL)
	firstFailure := time.Now()
	for range 3 {
		if p := onA.signIn("viewer@example.org", "not the password"); p.status != http.StatusUnauthorized {
			t.Fatalf("a failure on the first instance: %d", p.status)
		}
	}
	for range 2 {
		if p := onB.signIn("Viewer@Example.org", "not the password"); p.status != http.StatusUnauthorized {
			t.Fatalf("a failure on the second instance: %d", p.status)
		}
	}
	if p := onA.signIn("viewer@example.org", teamPassword); p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Errorf("after 3 + 2 failures on two instances, the right password: %d, want 429 with Retry-After", p.status)
	}
	restarted := newBrowser(t, instance().URL)
	if p := restarted.signIn("viewer@example.org", teamPassword); p.status != http.StatusTooManyRequests {
		t.Errorf("on an instance started afterwards: %d, want 429", p.status)
	}
	if p := restarted.signIn("editor@example.org", teamPassword); p.status != http.StatusSeeOther {
		t.Errorf("another account: %d, want a sign-in", p.status)
	}

	// The client's budget of 10 (the test servers see one client,
	// 127.0.0.1), shared by sign-ins and tokens: 5 failed sign-ins above
	// and 5 wrong researcher tokens, across both instances, spend it.
	for i := range 5 {
		on := onA
		if i%2 == 1 {
			on = onB
		}
		if p := on.send("GET", "/api/v1/surveys", nil, "wrong-"+survey.NewToken()); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong token %d: %d", i+1, p.status)
		}
	}
	// The budget refills one failure every 6 s (10 a minute): a run slow
	// enough (password hashing under the race detector) to take longer
	// than that has earned one back per 6 s, spent here, alternating, so
	// that neither instance alone reaches 10 (at most 3 + 3 + 3 on A).
	every := time.Minute / httpserver.DefaultAuthFailures
	for i := 0; time.Duration(i)*every <= time.Since(firstFailure); i++ {
		if i == 5 {
			t.Fatalf("the failures took %s: too slow to tell a shared budget from two", time.Since(firstFailure))
		}
		on := onA
		if i%2 == 1 {
			on = onB
		}
		if p := on.send("GET", "/api/v1/surveys", nil, "wrong-"+survey.NewToken()); p.status != http.StatusUnauthorized && p.status != http.StatusTooManyRequests {
			t.Fatalf("wrong token after the budget's refill: %d", p.status)
		}
	}
	if p := onB.send("GET", "/api/v1/surveys", nil, token); p.status != http.StatusTooManyRequests {
		t.Errorf("the right token after 10 failures on two instances: %d, want 429", p.status)
	}
}
