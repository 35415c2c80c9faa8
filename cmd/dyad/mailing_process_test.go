//go:build integration

package main

// A mailing end to end: the real dyad binary sends participants' e-mails
// through a real mail server on loopback (mailpit, started here on free
// ports), and the test reads what arrived through mailpit's API.

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
)

// mailpit is a mailpit process: SMTP on smtp, its API at api.
type mailpit struct {
	smtp int
	api  string
}

func startMailpit(t *testing.T) *mailpit {
	t.Helper()
	bin, err := exec.LookPath("mailpit")
	if err != nil {
		out, _ := exec.Command("go", "env", "GOPATH").Output()
		bin = filepath.Join(strings.TrimSpace(string(out)), "bin", "mailpit")
		if _, serr := os.Stat(bin); serr != nil {
			if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
				t.Fatal("mailpit is missing under CI (scripts/test.sh installs it)")
			}
			t.Skip("mailpit is missing: go install github.com/axllent/mailpit@v1.33.1 (scripts/test.sh does)")
		}
	}
	m := &mailpit{smtp: freePort(t)}
	httpPort := freePort(t)
	m.api = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	cmd := exec.Command(bin, "--smtp", fmt.Sprintf("127.0.0.1:%d", m.smtp), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--quiet", "--disable-version-check")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get(m.api + "/api/v1/messages?limit=1"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("mailpit did not start in 20 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mpMessage is a message as mailpit lists it.
type mpMessage struct {
	ID        string
	MessageID string
	Subject   string
	To        []struct{ Address string }
}

func (m *mailpit) list(t *testing.T) []mpMessage {
	t.Helper()
	var out struct {
		Total    int
		Messages []mpMessage
	}
	mpGetJSON(t, m.api+"/api/v1/messages?limit=5000", &out)
	return out.Messages
}

func (m *mailpit) text(t *testing.T, id string) string {
	t.Helper()
	var out struct{ Text string }
	mpGetJSON(t, m.api+"/api/v1/message/"+id, &out)
	return out.Text
}

func mpGetJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// waitFor polls until cond holds, failing after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// apiCall sends a request with the researcher token.
func apiCall(t *testing.T, base, method, path, ctype, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+processToken)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func mustAPI(t *testing.T, base, method, path, ctype, body string, want int) []byte {
	t.Helper()
	status, b := apiCall(t, base, method, path, ctype, body)
	if status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, b)
	}
	return b
}

// mailingEnv starts dyad on a fresh database with the relay set, plus
// extra environment; it returns the env to restart with.
func mailingEnv(t *testing.T, m *mailpit, perMinute int) []string {
	return []string{
		"DYAD_DB=" + filepath.Join(t.TempDir(), "dyad.db"),
		"DYAD_ADMIN_TOKEN=" + processToken, "DYAD_RATE_LIMIT=0",
		fmt.Sprintf("DYAD_SMTP_URL=smtp://127.0.0.1:%d?tls=none&from=surveys@example.org", m.smtp),
		fmt.Sprintf("DYAD_SMTP_RATE=%d", perMinute),
	}
}

// invitationSurvey creates an invitation survey of the study instrument.
func invitationSurvey(t *testing.T, base string) string {
	t.Helper()
	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"instrument_key":%q,"instrument_version":%d,"title":"Physician panel","access":"invitation"}`,
		form.Instrument.Key, form.Instrument.Version)
	var sv struct{ ID string }
	if err := json.Unmarshal(mustAPI(t, base, "POST", "/api/v1/surveys", "application/json", body, 201), &sv); err != nil {
		t.Fatal(err)
	}
	return sv.ID
}

// participantList is n rows, bad holding the indexes of broken ones.
func participantList(n int, bad map[int]bool) string {
	var b strings.Builder
	b.WriteString("email,first_name,last_name,specialty\n")
	for i := range n {
		if bad[i] {
			fmt.Fprintf(&b, "not-an-address-%d,X,Y,Z\n", i)
			continue
		}
		fmt.Fprintf(&b, "doctor%03d@example.org,Dr,No%d,GP\n", i, i)
	}
	return b.String()
}

var (
	mailCode   = regexp.MustCompile(`\?code=([0-9A-Z-]+)`)
	mailOptOut = regexp.MustCompile(`/optout/(\S+)`)
)

// TestMailingEndToEnd: 200 participants uploaded with 5 bad rows
// reported (nothing imported), then the 195 good ones; the invitation
// reaches all 195 through mailpit; 50 follow their link and complete, 5
// opt out; the clock moves on a week (a restart with DYAD_CLOCK_OFFSET)
// and exactly the other 140 get one reminder, repeating their link.
func TestMailingEndToEnd(t *testing.T) {
	m := startMailpit(t)
	port := freePort(t)
	env := mailingEnv(t, m, 6000)
	p := startInstance(t, port, env)
	svID := invitationSurvey(t, p.base)

	bad := map[int]bool{7: true, 33: true, 90: true, 121: true, 188: true}
	list := participantList(200, bad)
	errBody := mustAPI(t, p.base, "POST", "/api/v1/surveys/"+svID+"/participants/upload", "text/csv", list, 422)
	if n := strings.Count(string(errBody), `"path":"rows[`); n != 5 {
		t.Fatalf("%d rows reported, want 5: %s", n, errBody)
	}
	got := mustAPI(t, p.base, "POST", "/api/v1/surveys/"+svID+"/participants/upload?skip_bad_rows=true", "text/csv", list, 201)
	if !strings.Contains(string(got), `"imported":195`) {
		t.Fatalf("upload: %s", got)
	}
	mustAPI(t, p.base, "PUT", "/api/v1/surveys/"+svID+"/mailing", "application/json", `{"reminder_days":7,"max_reminders":1}`, 200)
	if got := mustAPI(t, p.base, "POST", "/api/v1/surveys/"+svID+"/mailing/invitations", "", "", 202); string(got) != `{"queued":195}` {
		t.Fatalf("invitations: %s", got)
	}
	waitFor(t, 60*time.Second, "195 invitations in mailpit", func() bool { return len(m.list(t)) >= 195 })

	codes, optOuts := map[string]string{}, map[string]string{}
	ids := map[string]bool{}
	for _, msg := range m.list(t) {
		to := msg.To[0].Address
		if codes[to] != "" || ids[msg.MessageID] {
			t.Fatalf("a second invitation to %s (%s)", to, msg.MessageID)
		}
		ids[msg.MessageID] = true
		text := m.text(t, msg.ID)
		c, o := mailCode.FindStringSubmatch(text), mailOptOut.FindStringSubmatch(text)
		if c == nil || o == nil || !strings.HasPrefix(msg.Subject, "Invitation:") {
			t.Fatalf("invitation to %s lacks its links:\n%s", to, text)
		}
		codes[to], optOuts[to] = c[1], o[1]
	}
	if len(codes) != 195 {
		t.Fatalf("%d addresses invited", len(codes))
	}

	form, _ := sample.StudyForm()
	rng := rand.New(rand.NewPCG(16, 1))
	completed, optedOut := map[string]bool{}, map[string]bool{}
	i := 0
	for to, code := range codes {
		switch {
		case i < 50:
			body := fmt.Sprintf(`{"invitation_code":%q,"answers":%s}`, code, sample.Answers(form, rng).Canonical())
			resp, err := http.Post(p.base+"/api/v1/public/surveys/"+svID+"/responses", "application/json", strings.NewReader(body))
			if err != nil || resp.StatusCode != 201 {
				t.Fatalf("complete with %s's code: %v %v", to, resp.Status, err)
			}
			resp.Body.Close()
			completed[to] = true
		case i < 55:
			resp, err := http.Post(p.base+"/optout/"+optOuts[to], "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("opt out %s: %v %v", to, resp.Status, err)
			}
			resp.Body.Close()
			optedOut[to] = true
		}
		i++
	}

	// A week later: the same database, the clock moved on.
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited
	p = startInstance(t, port, append(env, "DYAD_CLOCK_OFFSET=169h"))
	waitFor(t, 60*time.Second, "140 reminders in mailpit", func() bool { return len(m.list(t)) >= 335 })
	time.Sleep(3 * time.Second) // nothing more may come
	all := m.list(t)
	if len(all) != 335 {
		t.Fatalf("%d messages in all, want 195 + 140", len(all))
	}
	reminded := map[string]bool{}
	for _, msg := range all {
		if !strings.HasPrefix(msg.Subject, "Reminder:") {
			continue
		}
		to := msg.To[0].Address
		if completed[to] || optedOut[to] || reminded[to] {
			t.Fatalf("a reminder to %s (completed %v, opted out %v, reminded before %v)", to, completed[to], optedOut[to], reminded[to])
		}
		reminded[to] = true
		if c := mailCode.FindStringSubmatch(m.text(t, msg.ID)); c == nil || c[1] != codes[to] {
			t.Fatalf("the reminder to %s does not repeat the personal link", to)
		}
	}
	if len(reminded) != 140 {
		t.Fatalf("%d reminded, want 140", len(reminded))
	}
	var list2 struct {
		Counts map[string]int
	}
	if err := json.Unmarshal(mustAPI(t, p.base, "GET", "/api/v1/surveys/"+svID+"/participants", "", "", 200), &list2); err != nil {
		t.Fatal(err)
	}
	if c := list2.Counts; c["total"] != 195 || c["invited"] != 195 || c["completed"] != 50 || c["opted_out"] != 5 || c["reminded"] != 140 {
		t.Fatalf("counts %v", c)
	}
	// The tracking page renders over it all.
	if status, body := apiCall(t, p.base, "GET", "/admin/surveys/"+svID+"/participants", "", ""); status != 303 && status != 200 {
		t.Fatalf("tracking page: %d %s", status, body)
	}
}

// TestMailingSurvivesKill: dyad is killed with SIGKILL in the middle of
// sending 200 invitations. After a restart (its clock past the lease of
// the message in flight), every participant has the invitation; a
// participant with two has them under one Message-ID (the documented
// at-least-once case), never two different messages.
func TestMailingSurvivesKill(t *testing.T) {
	m := startMailpit(t)
	port := freePort(t)
	env := mailingEnv(t, m, 600)
	p := startInstance(t, port, env)
	svID := invitationSurvey(t, p.base)
	mustAPI(t, p.base, "POST", "/api/v1/surveys/"+svID+"/participants/upload", "text/csv", participantList(200, nil), 201)
	start := time.Now()
	mustAPI(t, p.base, "POST", "/api/v1/surveys/"+svID+"/mailing/invitations", "", "", 202)
	waitFor(t, 60*time.Second, "40 invitations", func() bool { return len(m.list(t)) >= 40 })
	// The sender keeps to its rate: 600 a minute is one per 100 ms, so 40
	// cannot have arrived in less than 39 gaps (a lower bound only: a slow
	// machine may take longer).
	if took := time.Since(start); took < 39*100*time.Millisecond {
		t.Fatalf("40 messages in %v at 600 a minute", took)
	}
	p.cmd.Process.Kill()
	<-p.exited
	before := len(m.list(t))
	if before >= 200 {
		t.Fatalf("all %d sent before the kill: nothing tested", before)
	}
	p = startInstance(t, port, append(env, "DYAD_CLOCK_OFFSET=11m"))
	byTo := map[string]map[string]int{}
	waitFor(t, 90*time.Second, "an invitation for each of the 200", func() bool {
		byTo = map[string]map[string]int{}
		for _, msg := range m.list(t) {
			to := msg.To[0].Address
			if byTo[to] == nil {
				byTo[to] = map[string]int{}
			}
			byTo[to][msg.MessageID]++
		}
		return len(byTo) == 200
	})
	time.Sleep(2 * time.Second)
	dups := 0
	for to, ids := range byTo {
		if len(ids) != 1 {
			t.Errorf("%s got %d different messages: %v", to, len(ids), ids)
		}
		for _, n := range ids {
			dups += n - 1
		}
	}
	var out struct {
		Messages []struct{ Status string }
	}
	if err := json.Unmarshal(mustAPI(t, p.base, "GET", "/api/v1/surveys/"+svID+"/outbox", "", "", 200), &out); err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, msg := range out.Messages {
		if msg.Status == "sent" {
			sent++
		}
	}
	if sent != 200 {
		t.Fatalf("%d marked sent, want 200", sent)
	}
	t.Logf("killed after %d of 200 had arrived; %d sent twice under the same Message-ID", before, dups)
}

// TestMailingOnPostgres: the same mailing on PostgreSQL, two instances on
// one database each running the sender: every participant gets the
// invitation once, whichever instance claims it, and the schedule's
// reminders a week later go to the non-completers only.
func TestMailingOnPostgres(t *testing.T) {
	dsn := pgtest.URL(t)
	m := startMailpit(t)
	env := mailingEnv(t, m, 3000)
	env[0] = "DYAD_DB=" + dsn
	env = append(env, "DYAD_KEY_FILE="+filepath.Join(t.TempDir(), "dyad.key"))
	portA, portB := freePort(t), freePort(t)
	a := startInstance(t, portA, env)
	b := startInstance(t, portB, env)
	svID := invitationSurvey(t, a.base)
	mustAPI(t, a.base, "POST", "/api/v1/surveys/"+svID+"/participants/upload", "text/csv", participantList(80, nil), 201)
	mustAPI(t, b.base, "PUT", "/api/v1/surveys/"+svID+"/mailing", "application/json",
		`{"invite_at":"2020-01-01T00:00:00Z","reminder_days":7,"max_reminders":1}`, 200)
	// Both instances' schedules run at start; restart them so that the
	// stored schedule is seen now rather than in a minute.
	for _, p := range []*proc{a, b} {
		p.cmd.Process.Signal(syscall.SIGTERM)
		<-p.exited
	}
	a, b = startInstance(t, portA, env), startInstance(t, portB, env)
	waitFor(t, 60*time.Second, "80 invitations", func() bool { return len(m.list(t)) >= 80 })
	time.Sleep(2 * time.Second)
	codes := map[string]string{}
	for _, msg := range m.list(t) {
		to := msg.To[0].Address
		if codes[to] != "" {
			t.Fatalf("two invitations to %s", to)
		}
		codes[to] = mailCode.FindStringSubmatch(m.text(t, msg.ID))[1]
	}
	if len(codes) != 80 {
		t.Fatalf("%d invited", len(codes))
	}
	form, _ := sample.StudyForm()
	rng := rand.New(rand.NewPCG(3, 4))
	done := map[string]bool{}
	for to, code := range codes {
		if len(done) == 30 {
			break
		}
		body := fmt.Sprintf(`{"invitation_code":%q,"answers":%s}`, code, sample.Answers(form, rng).Canonical())
		resp, err := http.Post(b.base+"/api/v1/public/surveys/"+svID+"/responses", "application/json", strings.NewReader(body))
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("complete: %v %v", resp.Status, err)
		}
		resp.Body.Close()
		done[to] = true
	}
	for _, p := range []*proc{a, b} {
		p.cmd.Process.Signal(syscall.SIGTERM)
		<-p.exited
	}
	later := append(env, "DYAD_CLOCK_OFFSET=169h")
	startInstance(t, portA, later) // both send; the test reads mailpit
	startInstance(t, portB, later)
	waitFor(t, 60*time.Second, "50 reminders", func() bool { return len(m.list(t)) >= 130 })
	time.Sleep(2 * time.Second)
	reminded := map[string]bool{}
	for _, msg := range m.list(t) {
		if strings.HasPrefix(msg.Subject, "Reminder:") {
			to := msg.To[0].Address
			if done[to] || reminded[to] {
				t.Fatalf("a reminder to %s (completed %v)", to, done[to])
			}
			reminded[to] = true
		}
	}
	if len(reminded) != 50 {
		t.Fatalf("%d reminded, want 50", len(reminded))
	}
}
