package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/storetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// relay is an in-process SMTP server (emersion/go-smtp) whose answer to
// each recipient the test decides.
type relay struct {
	mu       sync.Mutex
	received []*netmail.Message
	bodies   []string
	// refuse returns the error for a recipient, or nil to accept.
	refuse func(to string) error
	addr   string
	// user and pass, when set, are required (AUTH PLAIN) before MAIL.
	user, pass string
}

type relaySession struct {
	r      *relay
	to     []string
	authed bool
}

func (s *relaySession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *relaySession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.r.user || pass != s.r.pass {
			return errors.New("wrong credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }
func (s *relaySession) Mail(string, *smtp.MailOptions) error {
	if s.r.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.r.mu.Lock()
	refuse := s.r.refuse
	s.r.mu.Unlock()
	if refuse != nil {
		if err := refuse(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	m, err := netmail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(m.Body)
	if m.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
		body, _ = io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(body))))
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.received = append(s.r.received, m)
	s.r.bodies = append(s.r.bodies, string(body))
	return nil
}
func (s *relaySession) Reset()        { s.to = nil }
func (s *relaySession) Logout() error { return nil }

func startRelay(t testing.TB) *relay {
	t.Helper()
	r := &relay{}
	srv := smtp.NewServer(r)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r
}

func (r *relay) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.received)
}

// fixture is a service over a real SQLite file, a clock the test
// advances, an invitation survey with participants, and a loop sending
// through the in-process relay.
type fixture struct {
	svc   *survey.Service
	st    store.DB
	sv    *survey.Survey
	now   time.Time
	loop  *Loop
	relay *relay
}

func newFixture(t testing.TB, emails ...string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "dyad.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	f := &fixture{st: st, now: time.Now().UTC().Truncate(time.Second), relay: startRelay(t)}
	f.svc = survey.NewService(st, survey.WithInvitationKey(make([]byte, 32)))
	f.svc.Now = func() time.Time { return f.now }
	f.sv = storetest.SeedSurvey(t, st, survey.AccessInvitation)
	csv := "email,first_name\n"
	for _, e := range emails {
		csv += e + ",Pat\n"
	}
	if _, err := f.svc.ImportParticipants(ctx, f.sv.ID, strings.NewReader(csv), false); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(f.relay.addr)
	rl, err := ParseURL("smtp://" + host + ":" + port + "?tls=none&from=surveys@example.org")
	if err != nil {
		t.Fatal(err)
	}
	sender, err := NewSender(rl)
	if err != nil {
		t.Fatal(err)
	}
	f.loop = &Loop{Service: f.svc, Sender: sender, BaseURL: "https://surveys.example.org"}
	return f
}

// drain sends every due message and returns how many it handled.
func (f *fixture) drain(t *testing.T) int {
	t.Helper()
	n := 0
	for {
		sent, err := f.loop.Step(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !sent {
			return n
		}
		n++
	}
}

func (f *fixture) participant(t *testing.T, email string) *survey.Participant {
	t.Helper()
	ps, err := f.svc.Participants(context.Background(), f.sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Email == email {
			return p
		}
	}
	t.Fatalf("no participant %s", email)
	return nil
}

func TestSendInvitations(t *testing.T) {
	f := newFixture(t, "a@example.org", "b@example.org")
	ctx := context.Background()
	if n, err := f.svc.SendInvitations(ctx, f.sv.ID); err != nil || n != 2 {
		t.Fatalf("SendInvitations: %d, %v", n, err)
	}
	if n := f.drain(t); n != 2 || f.relay.count() != 2 {
		t.Fatalf("handled %d, relay got %d", n, f.relay.count())
	}
	out, _ := f.svc.Outbox(ctx, f.sv.ID, 10)
	ids := map[string]bool{}
	for _, m := range out {
		ids["<"+m.ID+"@surveys.example.org>"] = m.Status == survey.MessageSent
	}
	for i, m := range f.relay.received {
		if !ids[m.Header.Get("Message-Id")] {
			t.Errorf("Message-ID %q is no sent outbox row's", m.Header.Get("Message-Id"))
		}
		lu := m.Header.Get("List-Unsubscribe")
		if !strings.HasPrefix(lu, "<https://surveys.example.org/optout/"+f.sv.ID+".") || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe %q", lu)
		}
		body := f.relay.bodies[i]
		p := f.participant(t, m.Header.Get("To")[1:len(m.Header.Get("To"))-1])
		link := "https://surveys.example.org/s/" + f.sv.ID + "?code=" + f.svc.ParticipantCode(p)
		if !strings.Contains(body, link) || !strings.Contains(body, "Dear Pat") {
			t.Errorf("body lacks the personal link %s:\n%s", link, body)
		}
		if p.Status() != "invited" || p.InvitedAt == nil {
			t.Errorf("participant after sending: %+v", p)
		}
	}
}

// TestTemporaryFailureRetried: the relay answers 451 twice; the message
// waits its back-off each time and is delivered on the third attempt.
func TestTemporaryFailureRetried(t *testing.T) {
	f := newFixture(t, "a@example.org")
	ctx := context.Background()
	refusals := 2
	f.relay.refuse = func(string) error {
		if refusals > 0 {
			refusals--
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return nil
	}
	var results []string
	f.loop.Observe = func(r string) { results = append(results, r) }
	if _, err := f.svc.SendInvitations(ctx, f.sv.ID); err != nil {
		t.Fatal(err)
	}
	for attempt := 1; attempt <= 2; attempt++ {
		if n := f.drain(t); n != 1 {
			t.Fatalf("attempt %d: handled %d", attempt, n)
		}
		if f.relay.count() != 0 {
			t.Fatal("delivered despite 451")
		}
		f.now = f.now.Add(survey.RetryDelay(attempt) - time.Second)
		if n := f.drain(t); n != 0 {
			t.Fatalf("retried before the back-off of attempt %d", attempt)
		}
		f.now = f.now.Add(time.Second)
	}
	if n := f.drain(t); n != 1 || f.relay.count() != 1 {
		t.Fatalf("third attempt: handled %d, delivered %d", n, f.relay.count())
	}
	out, _ := f.svc.Outbox(ctx, f.sv.ID, 10)
	if len(out) != 1 || out[0].Status != survey.MessageSent || out[0].Attempts != 3 {
		t.Fatalf("outbox %+v", out[0])
	}
	if p := f.participant(t, "a@example.org"); p.Status() != "invited" {
		t.Fatalf("participant %+v", p)
	}
	if strings.Join(results, ",") != "retry,retry,sent" {
		t.Fatalf("observed %v", results)
	}
}

// TestPermanentFailureBounces: a 550 bounces the participant, who then
// gets no reminder; the others do.
func TestPermanentFailureBounces(t *testing.T) {
	f := newFixture(t, "gone@example.org", "here@example.org")
	ctx := context.Background()
	var logs bytes.Buffer
	f.loop.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	f.relay.refuse = func(to string) error {
		if to == "gone@example.org" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}
	if _, err := f.svc.PutMailing(ctx, &survey.Mailing{SurveyID: f.sv.ID, InviteAt: &f.now, ReminderDays: 3, MaxReminders: 1}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.RunSchedules(ctx); err != nil || n != 2 {
		t.Fatalf("RunSchedules: %d, %v", n, err)
	}
	f.drain(t)
	if p := f.participant(t, "gone@example.org"); p.Status() != "bounced" {
		t.Fatalf("after 550: %+v", p)
	}
	if !strings.Contains(logs.String(), `"smtp_code":550`) || strings.Contains(logs.String(), "gone@") {
		t.Fatalf("the log names the address or lacks the code: %s", logs.String())
	}
	f.now = f.now.Add(3 * 24 * time.Hour)
	if n, err := f.svc.RunSchedules(ctx); err != nil || n != 1 {
		t.Fatalf("reminders: %d, %v; want 1 (not the bounced)", n, err)
	}
	f.drain(t)
	if p := f.participant(t, "here@example.org"); p.Reminders != 1 || f.relay.count() != 2 {
		t.Fatalf("reminded %+v; relay got %d", p, f.relay.count())
	}
	if got := f.relay.received[1].Header.Get("Subject"); !strings.HasPrefix(got, "Reminder:") {
		t.Fatalf("second message's subject %q", got)
	}
}

// TestUnreachableRelayIsTemporary: no server listening is a temporary
// failure, never a bounce.
func TestUnreachableRelayIsTemporary(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().(*net.TCPAddr)
	_ = ln.Close()
	rl, _ := ParseURL("smtp://127.0.0.1:" + strconv.Itoa(addr.Port) + "?tls=none&from=s@example.org")
	s, err := NewSender(rl)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), &survey.RenderedMessage{To: "a@example.org", Subject: "x", Text: "y", MessageID: "m1@x"})
	var me *Error
	if !errors.As(err, &me) || me.Permanent {
		t.Fatalf("error %v", err)
	}
}

func TestParseURL(t *testing.T) {
	r, err := ParseURL("smtp://user:p%40ss@mail.example.org?from=surveys@example.org")
	if err != nil || r.Port != 587 || r.TLS != "starttls" || r.Password != "p@ss" || r.Username != "user" {
		t.Fatalf("%+v %v", r, err)
	}
	if r, err := ParseURL("smtp://mail.example.org:2525?tls=tls&from=a@example.org"); err != nil || r.Port != 2525 || r.TLS != "tls" {
		t.Fatalf("%+v %v", r, err)
	}
	for _, bad := range []string{"http://x?from=a@example.org", "smtp://x", "smtp://x?tls=maybe&from=a@example.org",
		"smtp://x:0?from=a@example.org", "smtp://:secret@?from=a@example.org", "smtp://x?from=Name <a@example.org>"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("accepted %q", bad)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("error repeats the password: %v", err)
		}
	}
}

// TestCrashBetweenSendAndMark: a message the relay accepted but that was
// never marked sent (the process died in between) goes out again once its
// claim's lease is over, under the same Message-ID; it is then marked once.
func TestCrashBetweenSendAndMark(t *testing.T) {
	f := newFixture(t, "a@example.org")
	ctx := context.Background()
	if _, err := f.svc.SendInvitations(ctx, f.sv.ID); err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.NextMessage(ctx, f.loop.BaseURL)
	if err != nil || m == nil {
		t.Fatalf("NextMessage: %v %v", m, err)
	}
	if err := f.loop.Sender.Send(ctx, m); err != nil { // sent, then the "crash": never marked
		t.Fatal(err)
	}
	f.now = f.now.Add(survey.MessageLease - time.Second)
	if n := f.drain(t); n != 0 {
		t.Fatal("a claimed message was taken again before its lease ran out")
	}
	f.now = f.now.Add(time.Second)
	if n := f.drain(t); n != 1 || f.relay.count() != 2 {
		t.Fatalf("after the lease: handled %d, relay has %d", n, f.relay.count())
	}
	first, second := f.relay.received[0].Header.Get("Message-Id"), f.relay.received[1].Header.Get("Message-Id")
	if first == "" || first != second {
		t.Fatalf("Message-IDs %q and %q", first, second)
	}
	out, _ := f.svc.Outbox(ctx, f.sv.ID, 10)
	if len(out) != 1 || out[0].Status != survey.MessageSent {
		t.Fatalf("outbox %+v", out)
	}
	if p := f.participant(t, "a@example.org"); p.Status() != "invited" || p.Reminders != 0 {
		t.Fatalf("participant %+v", p)
	}
}

// TestTestMessageAndHTML: a test send reaches the researcher's address
// with a sample participant and no opt-out header; a participant's message
// with an HTML template carries both parts, merge values escaped in HTML.
func TestTestMessageAndHTML(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.ImportParticipants(ctx, f.sv.ID, strings.NewReader("email,first_name\nb@example.org,<Bea & Co>\n"), false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PutTemplate(ctx, &survey.MessageTemplate{SurveyID: f.sv.ID, Kind: survey.MessageInvitation,
		Subject: "Hello {{first_name}}", Text: "Hi {{first_name}} {{survey_link}} {{opt_out_link}}",
		HTML: `<p>Hi {{first_name}}</p><a href="{{survey_link}}">Start</a>`}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendTest(ctx, f.sv.ID, survey.MessageInvitation, "me@example.org"); err != nil {
		t.Fatal(err)
	}
	if n := f.drain(t); n != 1 {
		t.Fatalf("handled %d", n)
	}
	m := f.relay.received[0]
	if m.Header.Get("To") != "<me@example.org>" || m.Header.Get("Subject") != "[Test] Hello Alex" || m.Header.Get("List-Unsubscribe") != "" {
		t.Fatalf("test message headers %v", m.Header)
	}
	if p := f.participant(t, "b@example.org"); p.InvitedAt != nil {
		t.Fatal("a test send counted as an invitation")
	}
	if _, err := f.svc.SendInvitations(ctx, f.sv.ID); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	raw := f.relay.bodies[1]
	if !strings.HasPrefix(f.relay.received[1].Header.Get("Content-Type"), "multipart/alternative") ||
		!strings.Contains(raw, "&lt;Bea &amp; Co&gt;") || !strings.Contains(raw, "Hi <Bea & Co>") {
		t.Fatalf("message:\n%v\n%s", f.relay.received[1].Header, raw)
	}
}

// TestRelayAuth: the URL's user and password (percent-decoded) log in to
// the relay; with wrong ones or none the message is refused, never sent.
func TestRelayAuth(t *testing.T) {
	r := startRelay(t)
	r.user, r.pass = "dyad", "p@ss:w/rd"
	host, port, _ := net.SplitHostPort(r.addr)
	msg := &survey.RenderedMessage{To: "a@example.org", Subject: "x", Text: "y", MessageID: "m1@example.org"}
	for _, tc := range []struct {
		userinfo string
		ok       bool
	}{{"dyad:p%40ss%3Aw%2Frd@", true}, {"dyad:wrong@", false}, {"", false}} {
		rl, err := ParseURL("smtp://" + tc.userinfo + host + ":" + port + "?tls=none&from=s@example.org")
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewSender(rl)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(context.Background(), msg)
		var me *Error
		if tc.ok && err != nil {
			t.Errorf("%q: %v", tc.userinfo, err)
		}
		if !tc.ok && (!errors.As(err, &me) || me.Permanent) {
			t.Errorf("%q: error %v; want a temporary refusal (a relay's setting, not a bounce)", tc.userinfo, err)
		}
		if me != nil {
			t.Logf("%q: permanent %v, code %d: %s", tc.userinfo, me.Permanent, me.Code, me.Reason)
		}
	}
	if r.count() != 1 {
		t.Fatalf("relay got %d messages, want 1", r.count())
	}
}
