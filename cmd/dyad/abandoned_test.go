package main

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestAbandonedSweep holds the serve command's sweep of abandoned
// responses: a response in progress not saved for the retention is
// deleted and counted, a recent one and a complete one of the same age are
// kept, the sweep stops when told (and returns only once stopped), and
// --abandoned-after / DYAD_ABANDONED_AFTER set the retention, 90 days by
// default.
func TestAbandonedSweep(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "dyad.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := survey.NewService(st)
	sv, err := seed(ctx, svc, st)
	if err != nil || sv == nil {
		t.Fatalf("seed: %v", err)
	}
	now := time.Now()
	svc.Now = func() time.Time { return now.Add(-31 * 24 * time.Hour) }
	_, oldTok, err := svc.StartProgress(ctx, sv.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	_, doneTok, err := svc.StartProgress(ctx, sv.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	form, err := svc.Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.CompleteProgress(ctx, sv.ID, doneTok, sample.Answers(form, rand.New(rand.NewPCG(1, 2)))); err != nil {
		t.Fatal(err)
	}
	svc.Now = func() time.Time { return now.Add(-29 * 24 * time.Hour) }
	_, recentTok, err := svc.StartProgress(ctx, sv.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	svc.Now = time.Now

	var counted atomic.Int64
	stop := startSweep(ctx, svc, 30*24*time.Hour, 10*time.Millisecond, func(n int) { counted.Add(int64(n)) }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	deadline := time.Now().Add(5 * time.Second)
	for counted.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the sweep did not stop")
	}
	if n := counted.Load(); n != 1 {
		t.Errorf("the sweep counted %d deleted, want the 1 response in progress not saved for 31 days", n)
	}
	if _, err := svc.FindProgress(ctx, sv.ID, oldTok); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("response in progress not saved for 31 days: %v, want deleted", err)
	}
	if p, err := svc.FindProgress(ctx, sv.ID, doneTok); err != nil || p.Status != survey.ResponseComplete {
		t.Errorf("response completed 31 days ago: %v, want kept", err)
	}
	if p, err := svc.FindProgress(ctx, sv.ID, recentTok); err != nil || p.Status != survey.ResponseInProgress {
		t.Errorf("response started 29 days ago: %v, want kept", err)
	}

	for _, tc := range []struct {
		args []string
		env  string
		want time.Duration
	}{
		{nil, "", 90 * 24 * time.Hour},
		{nil, "720h", 720 * time.Hour},
		{[]string{"--abandoned-after", "48h"}, "720h", 48 * time.Hour},
		{[]string{"--abandoned-after", "0"}, "", 0},
	} {
		cfg, err := parseServe(tc.args, func(k string) string {
			if k == "DYAD_ABANDONED_AFTER" {
				return tc.env
			}
			return ""
		}, io.Discard)
		if err != nil || cfg.AbandonedAfter != tc.want {
			t.Errorf("parseServe(%q, env %q): %v, %v; want %v", tc.args, tc.env, cfg.AbandonedAfter, err, tc.want)
		}
	}
	if _, err := parseServe(nil, func(k string) string {
		if k == "DYAD_ABANDONED_AFTER" {
			return "90 days"
		}
		return ""
	}, io.Discard); err == nil {
		t.Error(`DYAD_ABANDONED_AFTER="90 days" accepted; want an error naming the variable`)
	}
}
