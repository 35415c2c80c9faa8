package postgres

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/store/storetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestBatchRepeatsAnID: one id sent several times at once lands, most
// often, in one batch, that is in one multi-row INSERT (writeMany): the
// first is stored and told created, every other is told it is a retry and
// given the stored response; one row per id. A response to a closed
// survey in the same batches is refused alone.
func TestBatchRepeatsAnID(t *testing.T) {
	t.Parallel()
	var largest atomic.Int64
	s, err := Open(context.Background(), pgtest.URL(t), WithBatchObserver(func(n int, _ time.Duration) {
		for {
			old := largest.Load()
			if int64(n) <= old || largest.CompareAndSwap(old, int64(n)) {
				return
			}
		}
	}))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	open := storetest.SeedSurvey(t, s, survey.AccessOpen)
	closed := storetest.SeedSurvey(t, s, survey.AccessOpen)
	if _, err := s.CloseSurvey(ctx, closed.ID, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	const rounds, ids, copies = 10, 6, 4
	for round := range rounds {
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			rs      [ids]*survey.Response
			created [ids][copies]bool
			errs    [ids][copies]error
			late    error
		)
		for i := range rs {
			rs[i] = storetest.NewResponse(open, int64(1+i%2))
		}
		for i := range ids {
			for k := range copies {
				wg.Go(func() {
					r := *rs[i]
					<-start
					var got *survey.Response
					got, created[i][k], errs[i][k] = s.CreateResponse(ctx, &r, nil)
					if errs[i][k] == nil && got.ID != r.ID {
						errs[i][k] = survey.Errorf(survey.EInternal, "got response %s for %s", got.ID, r.ID)
					}
				})
			}
		}
		wg.Go(func() {
			<-start
			_, _, late = s.CreateResponse(ctx, storetest.NewResponse(closed, 1), nil)
		})
		close(start)
		wg.Wait()
		for i := range ids {
			n := 0
			for k := range copies {
				if errs[i][k] != nil {
					t.Errorf("round %d, id %d, copy %d: %v", round, i, k, errs[i][k])
				}
				if created[i][k] {
					n++
				}
			}
			if n != 1 {
				t.Errorf("round %d, id %d: %d of %d copies told created, want 1", round, i, n, copies)
			}
		}
		if survey.ErrorCode(late) != survey.EConflict {
			t.Errorf("round %d: a response to the closed survey: %v, want %s", round, late, survey.EConflict)
		}
	}
	if c, p, _, err := s.CountResponses(ctx, open.ID); c+p != rounds*ids || err != nil {
		t.Errorf("%d rows (%v), want %d", c+p, err, rounds*ids)
	}
	if c, p, _, err := s.CountResponses(ctx, closed.ID); c+p != 0 || err != nil {
		t.Errorf("%d rows in the closed survey (%v), want 0", c+p, err)
	}
	if largest.Load() < 2 {
		t.Errorf("no batch held more than one response (largest %d): the test did not exercise a shared batch", largest.Load())
	}
}

// TestBatchOfOneFails: a response sent alone whose insert fails (its
// instrument version does not exist) gets its error, and the writer's
// connection is left usable: the next responses, alone and together, are
// stored.
func TestBatchOfOneFails(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	ctx := context.Background()
	sv := storetest.SeedSurvey(t, s, survey.AccessOpen)
	for round := range 3 {
		bad := storetest.NewResponse(sv, 1)
		bad.InstrumentVersion = 99
		if _, created, err := s.CreateResponse(ctx, bad, nil); err == nil || created {
			t.Fatalf("round %d: a response to a missing instrument version: created %v, %v", round, created, err)
		}
		if _, created, err := s.CreateResponse(ctx, storetest.NewResponse(sv, 2), nil); err != nil || !created {
			t.Fatalf("round %d: the next response alone: created %v, %v", round, created, err)
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, created, err := s.CreateResponse(ctx, storetest.NewResponse(sv, 1), nil); err != nil || !created {
					t.Errorf("round %d: created %v, %v", round, created, err)
				}
			})
		}
		wg.Wait()
	}
	if c, p, _, err := s.CountResponses(ctx, sv.ID); c+p != 3*9 || err != nil {
		t.Errorf("%d stored (%v), want %d", c+p, err, 3*9)
	}
}
