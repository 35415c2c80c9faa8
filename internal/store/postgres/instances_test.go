package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/store/storetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// Several instances on one database: the store's guarantees must hold
// between Stores that share nothing but the database, as two Dyad
// processes do. Each test opens two Stores on one fresh database.

func openInstances(t *testing.T) (a, b *Store) {
	t.Helper()
	dsn := pgtest.URL(t)
	open := func() *Store {
		s, err := Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return open(), open()
}

// TestInstancesSpendACodeOnce: 40 concurrent submissions of one code,
// spread across two instances: exactly one is stored.
func TestInstancesSpendACodeOnce(t *testing.T) {
	t.Parallel()
	a, b := openInstances(t)
	ctx := context.Background()
	sv := storetest.SeedSurvey(t, a, survey.AccessInvitation)
	code := survey.HashSecret("TWO-INSTANCES")
	if err := a.CreateInvitations(ctx, sv.ID, [][]byte{code}); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		won, conflicts int
		start          = make(chan struct{})
		instances      = []*Store{a, b}
	)
	for i := range n {
		wg.Go(func() {
			<-start
			_, created, err := instances[i%2].CreateResponse(ctx, storetest.NewResponse(sv, int64(1+i%2)), code)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && created:
				won++
			case survey.ErrorCode(err) == survey.EConflict:
				conflicts++
			default:
				t.Errorf("submission %d: created %v, %v", i, created, err)
			}
		})
	}
	close(start)
	wg.Wait()
	c, p, _, err := b.CountResponses(ctx, sv.ID)
	if won != 1 || conflicts != n-1 || err != nil || c+p != 1 {
		t.Errorf("%d stored, %d refused, %d rows (%v); want 1, %d, 1", won, conflicts, c+p, err, n-1)
	}
}

// TestInstancesStoreAnIDOnce: the same response sent to both instances at
// once, many times over: one row each, one of the two told created.
func TestInstancesStoreAnIDOnce(t *testing.T) {
	t.Parallel()
	a, b := openInstances(t)
	ctx := context.Background()
	sv := storetest.SeedSurvey(t, a, survey.AccessOpen)
	const rounds = 20
	for i := range rounds {
		r := storetest.NewResponse(sv, int64(1+i%2))
		var (
			wg      sync.WaitGroup
			created [2]bool
			errs    [2]error
		)
		for k, s := range []*Store{a, b} {
			wg.Go(func() {
				copy := *r
				_, created[k], errs[k] = s.CreateResponse(ctx, &copy, nil)
			})
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || created[0] == created[1] {
			t.Fatalf("round %d: created %v, errors %v; want exactly one created and no error", i, created, errs)
		}
	}
	if c, p, _, err := a.CountResponses(ctx, sv.ID); c+p != rounds || err != nil {
		t.Errorf("%d rows (%v), want %d", c+p, err, rounds)
	}
}

// TestInstancesCloseInsideTheWrite: while both instances take responses,
// one closes the survey: every response either is stored with a
// submission time no later than closed_at, or is refused as closed; none
// is lost after its acknowledgement.
func TestInstancesCloseInsideTheWrite(t *testing.T) {
	t.Parallel()
	a, b := openInstances(t)
	ctx := context.Background()
	sv := storetest.SeedSurvey(t, a, survey.AccessOpen)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		acked = map[string]bool{}
		stop  = make(chan struct{})
	)
	for w := range 8 {
		s := []*Store{a, b}[w%2]
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := storetest.NewResponse(sv, 1)
				_, created, err := s.CreateResponse(ctx, r, nil)
				switch {
				case err == nil && created:
					mu.Lock()
					acked[r.ID] = true
					mu.Unlock()
				case survey.ErrorCode(err) == survey.EConflict:
					return // closed
				default:
					t.Errorf("submit: created %v, %v", created, err)
					return
				}
			}
		})
	}
	time.Sleep(150 * time.Millisecond)
	closed, err := b.CloseSurvey(ctx, sv.ID, time.Now())
	close(stop)
	wg.Wait()
	if err != nil || closed.ClosedAt == nil {
		t.Fatalf("close: %+v, %v", closed, err)
	}
	seen := 0
	err = a.ScanResponses(ctx, survey.ExportFilter{SurveyID: sv.ID}, func(r *survey.Response) error {
		seen++
		if !acked[r.ID] {
			t.Errorf("response %s stored but not acknowledged", r.ID)
		}
		if r.SubmittedAt.After(*closed.ClosedAt) {
			t.Errorf("response %s submitted at %v, after the close at %v", r.ID, r.SubmittedAt, closed.ClosedAt)
		}
		return nil
	})
	if err != nil || seen != len(acked) || seen == 0 {
		t.Errorf("%d stored (%v), %d acknowledged", seen, err, len(acked))
	}
}

// TestInstancesPagingSkipsNothing: a reader paging by cursor while two
// instances insert (group commits and web-form starts) sees every row:
// seq order is commit order (lockInserts), so no row commits behind a
// cursor that has passed its seq.
func TestInstancesPagingSkipsNothing(t *testing.T) {
	t.Parallel()
	a, b := openInstances(t)
	ctx := context.Background()
	sv := storetest.SeedSurvey(t, a, survey.AccessOpen)
	var (
		wg   sync.WaitGroup
		stop = make(chan struct{})
	)
	for w := range 8 {
		s := []*Store{a, b}[w%2]
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if w%4 == 3 { // a web-form start: its own transaction, not the group commit
					r := storetest.NewResponse(sv, 1)
					p := &survey.Progress{Response: *r, UpdatedAt: r.StartedAt}
					p.Status, p.SubmittedAt = survey.ResponseInProgress, nil
					err = s.CreateProgress(ctx, p, []byte(r.ID), nil)
				} else {
					_, _, err = s.CreateResponse(ctx, storetest.NewResponse(sv, 1), nil)
				}
				if err != nil {
					t.Errorf("insert: %v", err)
					return
				}
			}
		})
	}
	seen := map[string]bool{}
	var after int64
	page := func() int {
		rs, last, err := b.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			seen[r.ID] = true
		}
		after = last
		return len(rs)
	}
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		page()
	}
	close(stop)
	wg.Wait()
	for page() > 0 {
	}
	c, p, _, err := a.CountResponses(ctx, sv.ID)
	if err != nil || len(seen) != c+p {
		t.Errorf("the pager saw %d rows of %d (%v)", len(seen), c+p, err)
	}
}

// TestInstancesStartTogether: instances started at once on a new database
// apply the migrations once between them (goose's session lock), and all
// open.
func TestInstancesStartTogether(t *testing.T) {
	t.Parallel()
	dsn := pgtest.URL(t)
	var (
		wg   sync.WaitGroup
		errs [4]error
	)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(context.Background(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
}

// TestBatchFailureFailsAlone: a response whose insert fails (here its
// instrument version does not exist, so the foreign key refuses it), sent
// among good ones that share its batch, fails alone; the others are all
// stored. Responses without a code are written without a savepoint, so
// this is the batch written again with savepoints (writeBatch).
func TestBatchFailureFailsAlone(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	ctx := context.Background()
	sv := storetest.SeedSurvey(t, s, survey.AccessOpen)
	for round := range 5 {
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  [24]error
		)
		for i := range errs {
			wg.Go(func() {
				r := storetest.NewResponse(sv, 1)
				if i == len(errs)/2 {
					r.InstrumentVersion = 99
				}
				<-start
				_, _, errs[i] = s.CreateResponse(ctx, r, nil)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if bad := i == len(errs)/2; bad != (err != nil) {
				t.Errorf("round %d, response %d (bad %v): %v", round, i, bad, err)
			}
		}
	}
	if c, p, _, err := s.CountResponses(ctx, sv.ID); c+p != 5*23 || err != nil {
		t.Errorf("%d stored (%v), want %d", c+p, err, 5*23)
	}
}

// TestInstancesSeeACloseWithinTheCacheTTL: a survey closed through one
// instance is shown closed by another within its survey cache's expiry
// (survey.SurveyCacheTTL, shortened here), and no response submitted
// through the other is stored after the close, even while its cache is
// stale.
func TestInstancesSeeACloseWithinTheCacheTTL(t *testing.T) {
	t.Parallel()
	a, b := openInstances(t)
	ctx := context.Background()
	const ttl = 300 * time.Millisecond
	svcA := survey.NewService(a, survey.WithSurveyCacheTTL(ttl))
	svcB := survey.NewService(b, survey.WithSurveyCacheTTL(ttl))
	sv := storetest.SeedSurvey(t, a, survey.AccessOpen)
	if got, err := svcA.PublicSurvey(ctx, sv.ID); err != nil || got.Status != survey.SurveyOpen {
		t.Fatalf("before the close: %+v, %v", got, err)
	}
	closedAt := time.Now()
	if _, err := svcB.CloseSurvey(ctx, sv.ID); err != nil {
		t.Fatal(err)
	}
	// While A's entry may still say open, the store refuses the write.
	if _, _, err := a.CreateResponse(ctx, storetest.NewResponse(sv, 1), nil); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("a response through A after the close: %v, want the closed survey's conflict", err)
	}
	for {
		got, err := svcA.PublicSurvey(ctx, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == survey.SurveyClosed {
			break
		}
		if time.Since(closedAt) > ttl+200*time.Millisecond {
			t.Fatalf("A still shows the survey open %v after the close; want closed within %v", time.Since(closedAt), ttl)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
