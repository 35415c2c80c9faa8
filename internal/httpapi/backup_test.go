package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/httpapi"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
)

// SQLite only: a backup as a file is SQLite's capability (on PostgreSQL,
// pg_dump does the job and the route answers 404).
func TestBackupRoute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	svc := survey.NewService(st)
	srv := httptest.NewServer(newServer(config{Config: server.Config{TokenHash: survey.HashSecret("backup-token")},
		API: httpapi.Config{Service: svc, Backup: st.Backup}}))
	defer func() { srv.Close(); st.Close() }()

	in := &survey.Instrument{Key: "backup-check", Version: 1, Title: "B",
		Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{{ID: "q", Type: survey.Text, Text: "Q"}}}}}
	if _, err := svc.CreateInstrument(ctx, in); err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get(srv.URL + "/api/v1/backup")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("backup without a token: %d, want 401", resp.StatusCode)
	}

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/backup", nil)
	req.Header.Set("Authorization", "Bearer backup-token")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "dyad-backup-") {
		t.Fatalf("backup: %d %v", resp.StatusCode, resp.Header)
	}
	out := filepath.Join(dir, "downloaded.db")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		t.Fatal(err)
	}
	f.Close()
	restored, err := sqlite.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if _, err := restored.FindInstrument(ctx, "backup-check", 1); err != nil {
		t.Fatalf("the downloaded backup lacks the instrument: %v", err)
	}
}
