package admin_test

import (
	"context"
	"fmt"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// mailing makes an invitation survey of the short instrument with n
// participants, sends the invitation to the first invited of them (the
// outbox marked sent as the sender would) and lets the first completed
// answer with their personal codes.
func (f *fixture) mailing(tb testing.TB, n, invited, completed int) *survey.Survey {
	tb.Helper()
	ctx := context.Background()
	sv, err := f.svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: f.empty.InstrumentKey, InstrumentVersion: f.empty.InstrumentVersion,
		Title: "Mailing <wave 1>", Access: survey.AccessInvitation})
	if err != nil {
		tb.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("email,first_name,last_name\n")
	for i := range n {
		fmt.Fprintf(&csv, "doctor%05d@example.org,Dr,No%d\n", i, i)
	}
	if _, err := f.svc.ImportParticipants(ctx, sv.ID, strings.NewReader(csv.String()), false); err != nil {
		tb.Fatal(err)
	}
	ps, err := f.svc.Participants(ctx, sv.ID)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := f.svc.SendInvitations(ctx, sv.ID); err != nil {
		tb.Fatal(err)
	}
	for range invited {
		m, err := f.svc.NextMessage(ctx, "http://dyad.test")
		if err != nil || m == nil {
			tb.Fatalf("NextMessage: %v, %v", m, err)
		}
		if err := f.svc.MessageSent(ctx, m.ID); err != nil {
			tb.Fatal(err)
		}
	}
	form, err := f.svc.Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range ps[:completed] {
		if _, _, err := f.svc.Submit(ctx, sv.ID, survey.Submission{InvitationCode: f.svc.ParticipantCode(p), Answers: sample.Answers(form, rng)}); err != nil {
			tb.Fatal(err)
		}
	}
	return sv
}

func TestParticipantsPage(t *testing.T) {
	enginetest.Run(t, testParticipantsPage)
}

func testParticipantsPage(t *testing.T, engine string) {
	f := newFixture(t, engine, seed{})
	sv := f.mailing(t, 30, 30, 6)
	c := f.signedIn(t)
	pg := c.get("/admin/surveys/" + sv.ID + "/participants")
	if pg.status != 200 {
		t.Fatalf("status %d: %s", pg.status, pg.body)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	for _, want := range []string{
		"Mailing &lt;wave 1&gt;", `<th scope="row">Completed</th><td class="num">6</td><td class="num">20%</td>`,
		`<th scope="row">Invited</th><td class="num">30</td>`, `class="contact"`, "Invitation</text>",
		`<th scope="row">` + today + `</th><td class="num">6</td><td class="num">20.0%</td><td class="num">30</td>`,
		"doctor00000@example.org", "Participants 1 to 30 of 30",
	} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(pg.body, "?code=") {
		t.Error("the page shows a personal link")
	}
	if res := c.get("/admin/surveys/" + sv.ID); !strings.Contains(res.body, `href="/admin/surveys/`+sv.ID+`/participants"`) {
		t.Error("the results page does not link the participants page")
	}
	csv := c.get("/admin/surveys/" + sv.ID + "/participants/export")
	if csv.status != 200 || strings.Count(csv.body, ",completed,") != 6 {
		t.Fatalf("export %d:\n%s", csv.status, csv.body)
	}
	if pg := c.get("/admin/surveys/" + f.empty.ID + "/participants"); pg.status != 409 {
		t.Fatalf("an open survey's participants page: %d", pg.status)
	}
	if pg := f.client(t).get("/admin/surveys/" + sv.ID + "/participants"); pg.status != 303 {
		t.Fatalf("without a session: %d", pg.status)
	}
}

// BenchmarkParticipantsPage renders the tracking page of a mailing of
// 10,000 participants (the first page of 500 rows, the counts and the
// chart over all of them), through the real router.
func BenchmarkParticipantsPage(b *testing.B) {
	f := newFixture(b, enginetest.SQLite, seed{})
	sv := f.mailing(b, 10_000, 300, 100)
	c := f.signedIn(b)
	path := "/admin/surveys/" + sv.ID + "/participants"
	for b.Loop() {
		if pg := c.get(path); pg.status != 200 {
			b.Fatal(pg.status)
		}
	}
}
