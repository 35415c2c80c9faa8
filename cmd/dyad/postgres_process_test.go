//go:build integration

package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestKillOneOfTwoInstancesPostgres: two dyad processes on one PostgreSQL
// database take a load each; one is killed with SIGKILL mid-load. The
// other goes on without an error, and after the killed one restarts every
// response either acknowledged is stored with exactly the answers sent.
func TestKillOneOfTwoInstancesPostgres(t *testing.T) {
	dsn := pgtest.URL(t)
	t.Setenv("DYAD_KEY_FILE", filepath.Join(t.TempDir(), "dyad.key")) // one key for both, as their copies would be
	a := startDyad(t, dsn)
	b := startDyad(t, dsn)
	bodiesA, idsA := studyBodies(t, 3000, 11)
	bodiesB, idsB := studyBodies(t, 1500, 12)
	all := map[string][]byte{}
	for _, m := range []map[string][]byte{bodiesA, bodiesB} {
		for id, body := range m {
			all[id] = body
		}
	}
	stopA := make(chan struct{})
	doneA := make(chan *loadResult, 1)
	doneB := make(chan *loadResult, 1)
	go func() { doneA <- submitAll(a, bodiesA, idsA, 8, stopA) }()
	go func() { doneB <- submitAll(b, bodiesB, idsB, 8, nil) }()
	time.Sleep(400 * time.Millisecond)
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.exited
	close(stopA)
	resA, resB := <-doneA, <-doneB
	if len(resA.acked) == 0 {
		t.Fatal("no response was acknowledged by the killed instance before the kill")
	}
	if len(resB.other) > 0 || len(resB.acked) != len(idsB) {
		t.Errorf("the surviving instance: %d of %d acknowledged, errors %v", len(resB.acked), len(idsB), resB.other[:min(3, len(resB.other))])
	}
	a2 := startDyad(t, dsn)
	a2.cmd.Process.Signal(syscall.SIGTERM)
	<-a2.exited
	n := checkStoredPostgres(t, dsn, all, append(resA.acked, resB.acked...))
	t.Logf("killed instance: %d acknowledged before the kill; other instance: %d acknowledged; %d stored, all acknowledged present and intact",
		len(resA.acked), len(resB.acked), n)
}

// checkStoredPostgres is checkStored for a PostgreSQL database.
func checkStoredPostgres(t *testing.T, dsn string, bodies map[string][]byte, acked []string) int {
	t.Helper()
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query("SELECT id, status, answers FROM responses")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	stored := map[string]string{}
	for rows.Next() {
		var id, status, answers string
		if err := rows.Scan(&id, &status, &answers); err != nil {
			t.Fatal(err)
		}
		if status != survey.ResponseComplete {
			t.Errorf("response %s is %s", id, status)
		}
		stored[id] = answers
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for id, answers := range stored {
		var sent struct{ Answers json.RawMessage }
		json.Unmarshal(bodies[id], &sent)
		if answers != string(sent.Answers) {
			t.Errorf("response %s stored with answers that differ from those sent", id)
		}
	}
	for _, id := range acked {
		if _, ok := stored[id]; !ok {
			t.Errorf("acknowledged response %s is missing", id)
		}
	}
	return len(stored)
}
