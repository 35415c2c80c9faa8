//go:build integration

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestDeployExampleNginx runs the deployment of docs/deploy.md: two dyad
// binaries on one PostgreSQL database with one key file, behind Debian's
// nginx configured from docs/deploy/nginx.conf itself (only its ports
// changed). Through nginx: the welcome page, a submission, the same id
// twice (one row), /readyz; then one instance is killed and submissions
// through nginx go on succeeding, as the doc promises.
func TestDeployExampleNginx(t *testing.T) {
	dsn := pgtest.URL(t)
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		nginx = "/usr/sbin/nginx" // Debian's place, outside a non-root PATH
		if _, serr := os.Stat(nginx); serr != nil {
			if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
				t.Fatal("nginx is missing under CI (scripts/test.sh installs Debian's nginx package)")
			}
			t.Skip("nginx is missing: apt-get install nginx (scripts/test.sh does) to run the deployment example")
		}
	}

	portA, portB, portN := freePort(t), freePort(t), freePort(t)
	public := fmt.Sprintf("http://127.0.0.1:%d", portN)
	env := []string{
		"DYAD_DB=" + dsn,
		"DYAD_KEY_FILE=" + filepath.Join(t.TempDir(), "dyad.key"), // the same file for both, as its copies would be
		"DYAD_PUBLIC_URL=" + public,
		"DYAD_TRUSTED_PROXIES=127.0.0.1",
		"DYAD_ADMIN_TOKEN=" + processToken,
		"DYAD_RATE_LIMIT=0",
	}
	a := startInstance(t, portA, env)
	b := startInstance(t, portB, env)
	surveyID := a.survey

	// The doc's nginx file, ports substituted, inside a minimal main
	// configuration that keeps every path in a temporary prefix.
	tmpl, err := os.ReadFile("../../docs/deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	site := string(tmpl)
	for from, to := range map[string]string{
		"127.0.0.1:8081": fmt.Sprintf("127.0.0.1:%d", portA),
		"127.0.0.1:8082": fmt.Sprintf("127.0.0.1:%d", portB),
		"listen 80;":     fmt.Sprintf("listen 127.0.0.1:%d;", portN),
	} {
		if !strings.Contains(site, from) {
			t.Fatalf("docs/deploy/nginx.conf no longer has %q", from)
		}
		site = strings.ReplaceAll(site, from, to)
	}
	dir := t.TempDir()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root root;" // workers would otherwise run as nobody, who cannot write in the prefix
	}
	mainConf := fmt.Sprintf(`%s
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events { worker_connections 256; }
http {
    access_log %[2]s/access.log;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/dyad.conf;
}
`, user, dir)
	if err := os.WriteFile(filepath.Join(dir, "dyad.conf"), []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(mainConf), 0o644); err != nil {
		t.Fatal(err)
	}
	ng := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	var ngOut bytes.Buffer
	ng.Stdout, ng.Stderr = &ngOut, &ngOut
	if err := ng.Start(); err != nil {
		t.Fatal(err)
	}
	ngDone := make(chan error, 1)
	go func() { ngDone <- ng.Wait() }()
	t.Cleanup(func() {
		ng.Process.Signal(syscall.SIGQUIT)
		select {
		case <-ngDone:
		case <-time.After(10 * time.Second):
			ng.Process.Kill()
			<-ngDone
		}
	})
	waitReady(t, public, ngDone, func() string {
		errs, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		return ngOut.String() + string(errs)
	})

	client := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path string, body any) (int, []byte) {
		t.Helper()
		var r io.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			r = bytes.NewReader(raw)
		}
		req, _ := http.NewRequest(method, public+path, r)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s through nginx: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}

	if st, body := do("GET", "/s/"+surveyID, nil); st != http.StatusOK || !bytes.Contains(body, []byte("<form")) {
		t.Fatalf("welcome page through nginx: %d", st)
	}
	if st, body := do("GET", "/readyz", nil); st != http.StatusOK || !bytes.Contains(body, []byte(`"ready"`)) {
		t.Fatalf("/readyz through nginx: %d %s", st, body)
	}
	answers := realisticAnswers(t)
	submit := "/api/v1/public/surveys/" + surveyID + "/responses"
	if st, body := do("POST", submit, map[string]any{"answers": answers}); st != http.StatusCreated {
		t.Fatalf("submission through nginx: %d %s", st, body)
	}
	id := survey.NewUUID()
	st1, _ := do("POST", submit, map[string]any{"id": id, "answers": answers})
	st2, _ := do("POST", submit, map[string]any{"id": id, "answers": answers})
	if st1 != http.StatusCreated || st2 != http.StatusOK {
		t.Errorf("one id sent twice through nginx: %d then %d, want 201 then 200", st1, st2)
	}
	big := bytes.Repeat([]byte("x"), 2<<20)
	if st, _ := do("POST", submit, map[string]any{"answers": map[string]string{"a": string(big)}}); st != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MiB body through nginx: %d, want 413 (client_max_body_size 1m)", st)
	}

	// One instance gone: nginx's connection to it is refused, and it
	// passes every request, POST included, to the other one.
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.exited
	created := 0
	for i := range 20 {
		st, body := do("POST", submit, map[string]any{"id": survey.NewUUID(), "answers": answers})
		if st != http.StatusCreated {
			t.Errorf("submission %d with one instance killed: %d %s", i, st, body)
			continue
		}
		created++
	}
	if st, _ := do("GET", "/readyz", nil); st != http.StatusOK {
		t.Errorf("/readyz through nginx with one instance killed: %d", st)
	}

	var page struct{ Items []struct{ ID string } }
	getJSON(t, b.base+"/api/v1/surveys/"+surveyID+"/responses?limit=100", processToken, &page)
	if want := 2 + created; len(page.Items) != want {
		t.Errorf("%d responses stored, want %d (one per id)", len(page.Items), want)
	}
	t.Logf("through nginx: %d of 20 submissions created with one of two instances killed; %d rows", created, len(page.Items))
}

// freePort returns a port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

var seededSurvey = regexp.MustCompile(`/s/([a-z0-9]+)`)

// startInstance starts the dyad binary on port with env (as a systemd unit
// with an EnvironmentFile would) and waits until its /readyz answers.
// Its base is the direct address; the survey printed is the seeded one.
func startInstance(t *testing.T, port int, env []string) *proc {
	t.Helper()
	cmd := exec.Command(dyadBinary(t), "serve")
	cmd.Env = append(os.Environ(), append(env, fmt.Sprintf("DYAD_ADDR=127.0.0.1:%d", port))...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), exited: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := seededSurvey.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.exited
		}
	})
	select {
	case p.survey = <-found:
	case err := <-p.exited:
		t.Fatalf("dyad exited before serving: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("dyad did not start in 30 s")
	}
	waitReady(t, p.base, p.exited, func() string { return "" })
	return p
}

// waitReady polls base/readyz until it answers 200, failing if exited
// reports first or 30 s pass; logs adds what to show on failure.
func waitReady(t *testing.T, base string, exited <-chan error, logs func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("%s exited: %v\n%s", base, err, logs())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/readyz not ready in 30 s (%v)\n%s", base, err, logs())
		}
	}
}
