package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestHardening07FullDiskNotReady: a full disk (simulated with the size
// cap) makes Ping, and so /readyz, fail with a reason that names it, until
// space returns; a database file deleted under the running store makes
// every later write and Ping fail as unavailable, naming the deletion,
// instead of acknowledging responses that a restart would lose.
func TestHardening07FullDiskNotReady(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ready.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sv := seedSurvey(t, st)
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("fresh store not ready: %v", err)
	}

	if err := st.SetMaxSize(ctx, 1); err != nil {
		t.Fatal(err)
	}
	full := false
	for i := range 200 {
		r := response(sv, i)
		r.Answers["note"] = survey.TextVal(fmt.Sprintf("%04d %0500d", i, i))
		if _, _, err := st.CreateResponse(ctx, r, nil); err != nil {
			if survey.ErrorCode(err) != survey.EUnavailable {
				t.Fatalf("full disk: %v, want %s", err, survey.EUnavailable)
			}
			full = true
			break
		}
	}
	if !full {
		t.Fatal("no write failed against the size cap")
	}
	err = st.Ping(ctx)
	if survey.ErrorCode(err) != survey.EUnavailable || !strings.Contains(err.Error(), "full") {
		t.Fatalf("Ping with a full disk: %v, want %s naming the full disk", err, survey.EUnavailable)
	}
	if err := st.SetMaxSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping after space returned: %v", err)
	}
	if _, created, err := st.CreateResponse(ctx, response(sv, 9999), nil); err != nil || !created {
		t.Fatalf("write after space returned: %v", err)
	}

	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	_, _, err = st.CreateResponse(ctx, response(sv, 10000), nil)
	if survey.ErrorCode(err) != survey.EUnavailable || !strings.Contains(err.Error(), "deleted") {
		t.Fatalf("write after the file was deleted: %v, want %s naming the deletion", err, survey.EUnavailable)
	}
	err = st.Ping(ctx)
	if survey.ErrorCode(err) != survey.EUnavailable || !strings.Contains(err.Error(), "deleted") {
		t.Fatalf("Ping after the file was deleted: %v, want %s naming the deletion", err, survey.EUnavailable)
	}
}

// TestHardening08CloseRacesSubmissions closes a survey while sixteen API
// submitters and four web-form completers write to it, five times over.
// Afterwards every stored complete response was submitted no later than
// the survey's closed_at, and every response acknowledged as created is
// stored; a submission that lost the race got the closed survey's usual
// conflict error.
func TestHardening08CloseRacesSubmissions(t *testing.T) {
	for round := range 5 {
		closeRace(t, round)
	}
}

func closeRace(t *testing.T, round int) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), fmt.Sprintf("close%d.db", round)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sv := seedSurvey(t, st)
	svc := survey.NewService(st)
	var tokens []string
	for range 80 {
		_, tok, err := svc.StartProgress(ctx, sv.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}

	var (
		mu      sync.Mutex
		acked   []string
		refused int
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	record := func(id string, created bool, err error) bool {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil && created:
			acked = append(acked, id)
		case survey.ErrorCode(err) == survey.EConflict && strings.Contains(err.Error(), "closed"):
			refused++
			return false
		default:
			t.Errorf("round %d: unexpected outcome created=%v err=%v", round, created, err)
			return false
		}
		return true
	}
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; ; i++ {
				a := survey.Answers{"note": survey.TextVal(fmt.Sprintf("api %d %d", w, i))}
				r, created, err := svc.Submit(ctx, sv.ID, survey.Submission{Answers: a})
				id := ""
				if r != nil {
					id = r.ID
				}
				if !record(id, created, err) {
					return
				}
			}
		}()
	}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := w; i < len(tokens); i += 4 {
				a := survey.Answers{"note": survey.TextVal(fmt.Sprintf("web %d", i))}
				r, created, err := svc.CompleteProgress(ctx, sv.ID, tokens[i], a)
				id := ""
				if r != nil {
					id = r.ID
				}
				if !record(id, created, err) {
					return
				}
				time.Sleep(200 * time.Microsecond)
			}
		}()
	}
	close(start)
	// Close once the writes are well under way, however slow the machine.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 20 {
			break
		}
	}
	closed, err := svc.CloseSurvey(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if closed.ClosedAt == nil {
		t.Fatal("closed survey has no closed_at")
	}

	late, complete := 0, 0
	var after int64
	for {
		page, last, err := st.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, Status: survey.ResponseComplete, After: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			complete++
			if r.SubmittedAt.After(*closed.ClosedAt) {
				late++
				if late <= 3 {
					t.Errorf("round %d: response %s submitted at %s, after the survey closed at %s",
						round, r.ID, r.SubmittedAt.Format(time.RFC3339Nano), closed.ClosedAt.Format(time.RFC3339Nano))
				}
			}
		}
		if len(page) < 500 {
			break
		}
		after = last
	}
	if late > 0 {
		t.Errorf("round %d: %d of %d complete responses submitted after closed_at", round, late, complete)
	}
	for _, id := range acked {
		if _, err := st.FindResponse(ctx, id); err != nil {
			t.Errorf("round %d: acknowledged response %s is not stored: %v", round, id, err)
		}
	}
	if len(acked) == 0 || refused == 0 {
		t.Errorf("round %d: no race: %d acknowledged, %d refused", round, len(acked), refused)
	}
	t.Logf("round %d: %d acknowledged, %d refused as closed, %d complete stored, %d after closed_at", round, len(acked), refused, complete, late)
}

// BenchmarkCreateResponseParallel measures group-committed submissions
// from many goroutines: the cost of the survey check in the insert and of
// the file check per batch shows here.
func BenchmarkCreateResponseParallel(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sv := seedSurvey(b, st)
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, _, err := st.CreateResponse(ctx, response(sv, i), nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
