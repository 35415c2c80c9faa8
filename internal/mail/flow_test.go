package mail

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

var linkCode = regexp.MustCompile(`/s/[a-z0-9]+\?code=([0-9A-Z-]+)`)
var optOutLink = regexp.MustCompile(`/optout/([a-z0-9]+\.[a-z0-9]+\.[a-z0-9]+)`)

// TestMailingFlow is a whole mailing through the real store and an SMTP
// server: 200 rows uploaded with 5 bad ones reported and skipped, the
// invitation to the other 195, 50 of them answer with the code from their
// message, 10 others opt out through the link in theirs; a week later the
// schedule reminds exactly the 135 who did neither, once, with the same
// personal link; the completers and the opted out get nothing more.
func TestMailingFlow(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("email,first_name,last_name,ward\n")
	for i := range 200 {
		switch i {
		case 10, 20, 30:
			fmt.Fprintf(&csv, "broken-address-%d,X,Y,1\n", i)
		case 40:
			csv.WriteString("person0001@example.org,Dup,Licate,2\n")
		case 50:
			csv.WriteString("short@example.org,Only\n")
		default:
			fmt.Fprintf(&csv, "person%04d@example.org,First%d,Last%d,%d\n", i, i, i, i%5)
		}
	}
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.svc.ImportParticipants(ctx, f.sv.ID, strings.NewReader(csv.String()), false)
	if survey.ErrorCode(err) != survey.EInvalid || res != nil {
		t.Fatalf("an upload with bad rows: %v", err)
	}
	if e, _ := err.(*survey.Error); len(e.Details) != 5 {
		t.Fatalf("reported %d rows, want 5: %+v", len(e.Details), e.Details)
	}
	if ps, _ := f.svc.Participants(ctx, f.sv.ID); len(ps) != 0 {
		t.Fatalf("a refused upload imported %d", len(ps))
	}
	res, err = f.svc.ImportParticipants(ctx, f.sv.ID, strings.NewReader(csv.String()), true)
	if err != nil || res.Imported != 195 || len(res.Skipped) != 5 {
		t.Fatalf("import skipping bad rows: %+v, %v", res, err)
	}
	if _, err := f.svc.PutMailing(ctx, &survey.Mailing{SurveyID: f.sv.ID, InviteAt: &f.now, ReminderDays: 7, MaxReminders: 1}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.RunSchedules(ctx); err != nil || n != 195 {
		t.Fatalf("invitations queued: %d, %v", n, err)
	}
	if n := f.drain(t); n != 195 || f.relay.count() != 195 {
		t.Fatalf("sent %d, relay got %d", n, f.relay.count())
	}

	// Each message's link carries its participant's code; the first 50
	// answer with it, the next 10 opt out.
	links := map[string]string{}
	completed, optedOut := map[string]bool{}, map[string]bool{}
	for i, m := range f.relay.received {
		to := strings.Trim(m.Header.Get("To"), "<>")
		body := f.relay.bodies[i]
		code := linkCode.FindStringSubmatch(body)
		tok := optOutLink.FindStringSubmatch(body)
		if code == nil || tok == nil {
			t.Fatalf("message to %s has no link:\n%s", to, body)
		}
		links[to] = code[0]
		switch {
		case i < 50:
			_, _, err := f.svc.Submit(ctx, f.sv.ID, survey.Submission{InvitationCode: code[1],
				Answers: survey.Answers{"q1": survey.IntVal(1)}})
			if err != nil {
				t.Fatalf("submit with %s's code: %v", to, err)
			}
			completed[to] = true
		case i < 60:
			if _, err := f.svc.OptOut(ctx, tok[1]); err != nil {
				t.Fatal(err)
			}
			optedOut[to] = true
		}
	}
	c := counts(t, f)
	if c.Completed != 50 || c.Started != 50 || c.OptedOut != 10 || c.Invited != 195 {
		t.Fatalf("counts %+v", c)
	}

	// Six days on: nothing is due. Seven: the 135 who did nothing.
	f.now = f.now.Add(6 * 24 * time.Hour)
	if n, _ := f.svc.RunSchedules(ctx); n != 0 {
		t.Fatalf("reminders before their day: %d", n)
	}
	f.now = f.now.Add(24 * time.Hour)
	if n, err := f.svc.RunSchedules(ctx); err != nil || n != 135 {
		t.Fatalf("reminders queued: %d, %v; want 135", n, err)
	}
	if n := f.drain(t); n != 135 || f.relay.count() != 330 {
		t.Fatalf("sent %d; relay has %d", n, f.relay.count())
	}
	for i, m := range f.relay.received[195:] {
		to := strings.Trim(m.Header.Get("To"), "<>")
		if completed[to] || optedOut[to] {
			t.Fatalf("a reminder went to %s (completed %v, opted out %v)", to, completed[to], optedOut[to])
		}
		if !strings.Contains(f.relay.bodies[195+i], links[to]) {
			t.Fatalf("the reminder to %s does not repeat the personal link %s", to, links[to])
		}
	}
	// At most one reminder: nothing more, however long one waits.
	f.now = f.now.Add(30 * 24 * time.Hour)
	if n, _ := f.svc.RunSchedules(ctx); n != 0 {
		t.Fatalf("more reminders than the maximum: %d", n)
	}
	if c := counts(t, f); c.Reminded != 135 {
		t.Fatalf("reminded %d", c.Reminded)
	}
}

func counts(t *testing.T, f *fixture) survey.ParticipantCounts {
	t.Helper()
	ps, err := f.svc.Participants(context.Background(), f.sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return survey.CountParticipants(ps)
}
