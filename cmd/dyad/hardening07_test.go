//go:build integration

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHardening07DeletedDatabaseFile deletes the database files under a
// running server: a submission is then refused with 503 rather than
// acknowledged into a file that no longer exists, and /readyz answers 503
// with the JSON error shape and a message naming the cause.
func TestHardening07DeletedDatabaseFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "deleted.db")
	p := startDyad(t, db)
	bodies, ids := studyBodies(t, 21, 7)
	before := submitAll(p, bodies, ids[:20], 4, nil)
	if len(before.acked) != 20 {
		t.Fatalf("before the deletion: %d of 20 acknowledged, errors %v", len(before.acked), before.other)
	}
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}

	type errorBody struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	get := func(method, path string, body []byte) (int, errorBody, string) {
		t.Helper()
		req, _ := http.NewRequest(method, p.base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var e errorBody
		json.Unmarshal(raw, &e)
		return resp.StatusCode, e, string(raw)
	}

	status, e, raw := get(http.MethodPost, "/api/v1/public/surveys/"+p.survey+"/responses", bodies[ids[20]])
	if status != http.StatusServiceUnavailable || e.Error.Code != "unavailable" || !strings.Contains(e.Error.Message, "deleted") {
		t.Errorf("submission after the database file was deleted: %d %s, want 503 unavailable naming the deletion", status, raw)
	}
	status, e, raw = get(http.MethodGet, "/readyz", nil)
	if status != http.StatusServiceUnavailable || e.Error.Code != "unavailable" || !strings.Contains(e.Error.Message, "deleted") {
		t.Errorf("/readyz after the database file was deleted: %d %s, want 503 unavailable naming the deletion", status, raw)
	}
	t.Logf("/readyz: %d %s", status, raw)
}
