package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// The sweep of abandoned responses (internal/survey/abandoned.go says what
// and why): once at start and then every sweepEvery, responses in progress
// not saved for the retention are deleted and their codes released. One
// goroutine, stopped by the returned function, which waits for a sweep in
// progress to end (its writes are short batches) so that the store closes
// after it.

// sweepEvery is how often the sweep runs: far below any sensible
// retention, so a response is deleted within an hour of its term, and
// rarely enough that a sweep finding nothing (one indexed query) costs
// nothing measurable.
const sweepEvery = time.Hour

// startSweep starts the sweep, telling deleted the count of each run that
// deleted something; retention 0 starts nothing. It returns the function
// that stops it.
func startSweep(ctx context.Context, svc *survey.Service, retention, every time.Duration, deleted func(int), log *slog.Logger) (stop func()) {
	if retention <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			n, err := svc.DeleteAbandoned(ctx, svc.Now().Add(-retention))
			if n > 0 {
				deleted(n)
				log.Info("deleted abandoned responses in progress", "count", n, "retention", retention.String())
			}
			if err != nil && ctx.Err() == nil {
				log.Error("sweep of abandoned responses", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}
