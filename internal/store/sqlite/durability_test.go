package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
)

// seedSurvey stores and publishes a one-item instrument and opens a survey.
func seedSurvey(t testing.TB, st *sqlite.Store) *survey.Survey {
	t.Helper()
	ctx := context.Background()
	in := &survey.Instrument{Key: "durability", Version: 1, Title: "Durability",
		Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{{ID: "note", Type: survey.Text, Text: "Note"}}}}}
	now := time.Now().UTC()
	if _, err := st.CreateInstrument(ctx, in, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetInstrumentStatus(ctx, "durability", 1, []string{survey.StatusDraft}, survey.StatusPublished, now); err != nil {
		t.Fatal(err)
	}
	sv := &survey.Survey{ID: "durable001", InstrumentKey: "durability", InstrumentVersion: 1, Title: "D",
		Access: survey.AccessOpen, Status: survey.SurveyOpen, CreatedAt: now}
	if err := st.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	return sv
}

func response(sv *survey.Survey, i int) *survey.Response {
	now := time.Now().UTC().Truncate(time.Microsecond)
	a := survey.Answers{"note": survey.TextVal(fmt.Sprintf("answer %d with some text", i))}
	return &survey.Response{ID: survey.NewUUID(), SurveyID: sv.ID, InstrumentKey: sv.InstrumentKey,
		InstrumentVersion: sv.InstrumentVersion, Status: survey.ResponseComplete, Answers: a,
		StartedAt: now, SubmittedAt: &now, Digest: []byte{byte(i)}}
}

// TestBackupWhileWriting takes an online backup while eight goroutines
// submit, restores it, and finds every response acknowledged before the
// backup began.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sv := seedSurvey(t, st)

	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := response(sv, w*100000+i)
				if _, created, err := st.CreateResponse(ctx, r, nil); err != nil || !created {
					t.Errorf("create: %v", err)
					return
				}
				mu.Lock()
				acked = append(acked, r.ID)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	out := filepath.Join(dir, "backup.db")
	if err := st.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(before) == 0 {
		t.Fatal("nothing was written before the backup")
	}
	if err := st.Backup(ctx, out); err == nil {
		t.Fatal("a backup over an existing file succeeded")
	}

	restored, err := sqlite.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	for _, id := range before {
		if _, err := restored.FindResponse(ctx, id); err != nil {
			t.Fatalf("response %s acknowledged before the backup is not in it: %v", id, err)
		}
	}
	complete, _, _, err := restored.CountResponses(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d acknowledged before the backup, %d in the backup, %d in all", len(before), complete, len(acked))
}

// TestFullDisk fills the database to a cap: writes fail as unavailable
// (503), nothing stored is lost, and writes succeed again once space
// returns.
func TestFullDisk(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "full.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sv := seedSurvey(t, st)
	var stored []string
	for i := range 20 {
		r := response(sv, i)
		if _, _, err := st.CreateResponse(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, r.ID)
	}
	if err := st.SetMaxSize(ctx, 1); err != nil { // no room for one more page
		t.Fatal(err)
	}
	failed := 0
	for i := range 200 {
		r := response(sv, 1000+i)
		r.Answers["note"] = survey.TextVal(fmt.Sprintf("%04d %0500d", i, i)) // fill pages fast
		_, _, err := st.CreateResponse(ctx, r, nil)
		if err == nil {
			stored = append(stored, r.ID)
			continue
		}
		if code := survey.ErrorCode(err); code != survey.EUnavailable {
			t.Fatalf("full database: error %v (code %s), want %s", err, code, survey.EUnavailable)
		}
		failed++
	}
	if failed == 0 {
		t.Fatal("no write failed against a full database")
	}
	for _, id := range stored {
		if _, err := st.FindResponse(ctx, id); err != nil {
			t.Fatalf("stored response %s lost after the disk filled: %v", id, err)
		}
	}
	if err := st.SetMaxSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, created, err := st.CreateResponse(ctx, response(sv, 9999), nil); err != nil || !created {
		t.Fatalf("after space returned: %v", err)
	}
	t.Logf("%d writes refused while full, all %d stored responses intact, writes resumed", failed, len(stored))
}
