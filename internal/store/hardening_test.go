package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store"
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
	st, err := store.Open(ctx, path)
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
