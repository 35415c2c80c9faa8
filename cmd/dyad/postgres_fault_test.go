//go:build integration

package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// privateCluster starts a PostgreSQL cluster of the test's own (Debian's
// postgresql package), so that the test can restart it without disturbing
// other tests' databases, and returns the URL of a database in it and a
// function that restarts it with -m immediate (a crash, as far as the
// data is concerned). Without PostgreSQL installed the test skips, except
// under CI.
func privateCluster(t *testing.T) (dsn string, restart func()) {
	t.Helper()
	initdbs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(initdbs) == 0 {
		msg := "PostgreSQL is not installed (apt-get install postgresql)"
		if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	sort.Strings(initdbs)
	bin := filepath.Dir(initdbs[len(initdbs)-1])
	dir, err := os.MkdirTemp("", "dyad-pgfault")
	if err != nil {
		t.Fatal(err)
	}
	var as []string
	if os.Geteuid() == 0 { // the server refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) {
		t.Helper()
		all := append(append([]string{}, as...), args...)
		if out, err := exec.Command(all[0], all[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", filepath.Base(args[0]), err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	data, opts := filepath.Join(dir, "data"), fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s", port, dir)
	run(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
	run(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-o", opts, "start")
	t.Cleanup(func() {
		all := append(append([]string{}, as...), filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		exec.Command(all[0], all[1:]...).Run()
		os.RemoveAll(dir)
	})
	admin, err := sql.Open("pgx", fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE dyad"); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/dyad?sslmode=disable", port), func() {
		run(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "server.log"), "-m", "immediate", "-w", "-o", opts, "restart")
	}
}

// TestPostgresRestartUnderLoad: PostgreSQL restarted with -m immediate
// while dyad takes submissions. While it is down, clients get 503 with
// Retry-After (never a 500); dyad recovers by itself, without a restart of
// its own; every submission is acknowledged in the end (clients retry a
// 503 with the same id), and every acknowledged response is stored intact.
func TestPostgresRestartUnderLoad(t *testing.T) {
	dsn, restart := privateCluster(t)
	t.Setenv("DYAD_KEY_FILE", filepath.Join(t.TempDir(), "dyad.key"))
	p := startDyad(t, dsn)
	bodies, ids := studyBodies(t, 2000, 21)
	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		acked    []string
		wg       sync.WaitGroup
		next     = make(chan string, len(ids))
		deadline = time.Now().Add(60 * time.Second)
	)
	for _, id := range ids {
		next <- id
	}
	close(next)
	client := &http.Client{Timeout: 20 * time.Second}
	for range 8 {
		wg.Go(func() {
			for id := range next {
				for time.Now().Before(deadline) {
					req, _ := http.NewRequest(http.MethodPost, p.base+"/api/v1/public/surveys/"+p.survey+"/responses", bytes.NewReader(bodies[id]))
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						t.Errorf("submission %s: %v", id, err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mu.Lock()
					statuses[resp.StatusCode]++
					mu.Unlock()
					if resp.StatusCode == http.StatusServiceUnavailable {
						if resp.Header.Get("Retry-After") == "" {
							t.Errorf("503 without Retry-After")
						}
						time.Sleep(100 * time.Millisecond) // a client's retry, much sooner than Retry-After asks
						continue
					}
					if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
						t.Errorf("submission %s: %d", id, resp.StatusCode)
						return
					}
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
					break
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	restarted := time.Now()
	restart()
	t.Logf("PostgreSQL restarted in %v", time.Since(restarted).Round(time.Millisecond))
	wg.Wait()
	if len(acked) != len(ids) {
		t.Errorf("%d of %d submissions acknowledged in the end", len(acked), len(ids))
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited
	n := checkStoredPostgres(t, dsn, bodies, acked)
	t.Logf("statuses %v; %d stored, all %d acknowledged present and intact", statuses, n, len(acked))
}
