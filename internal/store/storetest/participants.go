package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// seedParticipants stores n participants of sv, with code hashes of their
// own, and returns them.
func seedParticipants(tb testing.TB, s survey.Store, sv *survey.Survey, n int, at time.Time) []*survey.Participant {
	tb.Helper()
	ps := make([]*survey.Participant, n)
	for i := range ps {
		id := fmt.Sprintf("p%s%04d", sv.ID, i)
		ps[i] = &survey.Participant{ID: id, SurveyID: sv.ID, Email: fmt.Sprintf("person%04d@example.org", i),
			FirstName: "First", LastName: fmt.Sprint(i), Attributes: map[string]string{"site": "A"}, CodeHash: testHash(sv.ID, id), CreatedAt: at}
	}
	if err := s.CreateParticipants(context.Background(), sv.ID, ps); err != nil {
		tb.Fatalf("CreateParticipants: %v", err)
	}
	return ps
}

// testHash stands for the Service's survey.ParticipantHash (a keyed hash
// under the invitation key): any function of the two ids will do for the
// store, which only compares its values with the invitations rows'.
func testHash(surveyID, participantID string) []byte {
	h := sha256.Sum256([]byte(surveyID + "\x00" + participantID))
	return h[:]
}

func newIDs(prefix string) func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("%s%06d", prefix, n) }
}

func mustCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if survey.ErrorCode(err) != code {
		tb.Fatalf("error %v, want code %s", err, code)
	}
}

func findP(tb testing.TB, s survey.Store, sv *survey.Survey, id string) *survey.Participant {
	tb.Helper()
	p, err := s.FindParticipant(context.Background(), sv.ID, id, testHash)
	if err != nil {
		tb.Fatalf("FindParticipant: %v", err)
	}
	return p
}

// testParticipants: the list's lifecycle; each participant's code is an
// invitation code of the survey, spent by a response without anything
// written on the participant's row; a duplicate address stores nothing.
func testParticipants(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessInvitation)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ps := seedParticipants(t, s, sv, 3, at)

	list, err := s.FindParticipants(ctx, sv.ID, testHash)
	if err != nil || len(list) != 3 {
		t.Fatalf("FindParticipants: %d, %v", len(list), err)
	}
	if p := list[0]; p.Email != "person0000@example.org" || p.Attributes["site"] != "A" || !p.CreatedAt.Equal(at) || p.Status() != "new" {
		t.Fatalf("read back %+v", p)
	}
	for _, p := range ps {
		if err := s.CheckInvitation(ctx, sv.ID, p.CodeHash); err != nil {
			t.Fatalf("participant's code is not an invitation code: %v", err)
		}
	}

	// A batch with a duplicate stores nothing, not even its good rows.
	h := sha256.Sum256([]byte("dup"))
	h2 := sha256.Sum256([]byte("fresh"))
	err = s.CreateParticipants(ctx, sv.ID, []*survey.Participant{
		{ID: "pfresh", SurveyID: sv.ID, Email: "fresh@example.org", CodeHash: h2[:], CreatedAt: at},
		{ID: "pdup", SurveyID: sv.ID, Email: ps[1].Email, CodeHash: h[:], CreatedAt: at}})
	mustCode(t, err, survey.EConflict)
	if list, _ := s.FindParticipants(ctx, sv.ID, testHash); len(list) != 3 {
		t.Fatalf("after a refused batch: %d participants", len(list))
	}
	mustCode(t, s.CheckInvitation(ctx, sv.ID, h2[:]), survey.EForbidden)

	// Update, and a clash with another's address.
	p := findP(t, s, sv, ps[0].ID)
	p.FirstName, p.Attributes = "Ann", map[string]string{"site": "B", "ward": "3"}
	if err := s.UpdateParticipant(ctx, p); err != nil {
		t.Fatalf("UpdateParticipant: %v", err)
	}
	if got := findP(t, s, sv, p.ID); got.FirstName != "Ann" || got.Attributes["ward"] != "3" {
		t.Fatalf("after update: %+v", got)
	}
	p.Email = ps[2].Email
	mustCode(t, s.UpdateParticipant(ctx, p), survey.EConflict)
	mustCode(t, s.UpdateParticipant(ctx, &survey.Participant{ID: "nobody", SurveyID: sv.ID, Email: "x@example.org"}), survey.ENotFound)
	_, err = s.FindParticipant(ctx, sv.ID, "nobody", testHash)
	mustCode(t, err, survey.ENotFound)

	// Completion is the code spent; started is the code held.
	r := NewResponse(sv, 1)
	if _, _, err := s.CreateResponse(ctx, r, ps[1].CodeHash); err != nil {
		t.Fatalf("CreateResponse with a participant's code: %v", err)
	}
	if got := findP(t, s, sv, ps[1].ID); !got.Completed || !got.Started || got.Status() != "completed" {
		t.Fatalf("after the code was spent: %+v", got)
	}
	if got := findP(t, s, sv, ps[2].ID); got.Completed || got.Started {
		t.Fatalf("another participant changed: %+v", got)
	}
	// The store knows whose code is whose only through the hash it is
	// given: without it, no tracking is read.
	if got, err := s.FindParticipant(ctx, sv.ID, ps[1].ID, nil); err != nil || got.Completed || got.Started || got.CodeHash != nil {
		t.Fatalf("read without the hash: %+v, %v", got, err)
	}
	// Started: the code held by a response in progress.
	held := NewResponse(sv, 3)
	pr := &survey.Progress{Response: *held, UpdatedAt: held.StartedAt}
	pr.Status, pr.SubmittedAt = survey.ResponseInProgress, nil
	if err := s.CreateProgress(ctx, pr, []byte("resume-"+held.ID), &survey.Hold{CodeHash: ps[2].CodeHash, Mark: []byte("mark-" + held.ID),
		Ref: []byte("ref-" + held.ID)}); err != nil {
		t.Fatalf("CreateProgress holding a participant's code: %v", err)
	}
	if got := findP(t, s, sv, ps[2].ID); got.Completed || !got.Started || got.Status() != "started" {
		t.Fatalf("after the code was held: %+v", got)
	}
	if _, c, err := s.FindParticipantsPage(ctx, sv.ID, 0, 1, testHash); err != nil || c.Started != 2 || c.Completed != 1 {
		t.Fatalf("counts with one completed and one started: %+v, %v", c, err)
	}

	// Opt-out: kept once, unknown participant is ENotFound.
	if err := s.OptOutParticipant(ctx, sv.ID, ps[2].ID, at.Add(time.Hour)); err != nil {
		t.Fatalf("OptOutParticipant: %v", err)
	}
	if err := s.OptOutParticipant(ctx, sv.ID, ps[2].ID, at.Add(2*time.Hour)); err != nil {
		t.Fatalf("second OptOutParticipant: %v", err)
	}
	if got := findP(t, s, sv, ps[2].ID); got.OptedOutAt == nil || !got.OptedOutAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("opted out at %v", got.OptedOutAt)
	}
	mustCode(t, s.OptOutParticipant(ctx, sv.ID, "nobody", at), survey.ENotFound)

	// Delete: an unspent code goes, a spent one stays (its response counts).
	if err := s.DeleteParticipant(ctx, sv.ID, ps[0].ID, ps[0].CodeHash); err != nil {
		t.Fatalf("DeleteParticipant: %v", err)
	}
	mustCode(t, s.CheckInvitation(ctx, sv.ID, ps[0].CodeHash), survey.EForbidden)
	if err := s.DeleteParticipant(ctx, sv.ID, ps[1].ID, ps[1].CodeHash); err != nil {
		t.Fatalf("DeleteParticipant of a completer: %v", err)
	}
	mustCode(t, s.CheckInvitation(ctx, sv.ID, ps[1].CodeHash), survey.EConflict)
	mustCode(t, s.DeleteParticipant(ctx, sv.ID, ps[0].ID, ps[0].CodeHash), survey.ENotFound)
	if list, _ := s.FindParticipants(ctx, sv.ID, testHash); len(list) != 1 {
		t.Fatalf("after deletes: %d participants", len(list))
	}
}

// testOutbox: a decision to send taken twice queues once; claims are
// exclusive; outcomes update the participant's tracking in the same
// write; reminders skip the completed, opted-out and bounced, and stop at
// the maximum; an opt-out cancels what was queued.
func testOutbox(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessInvitation)
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	ps := seedParticipants(t, s, sv, 6, t0)
	ids := newIDs("m" + sv.ID)
	if err := s.OptOutParticipant(ctx, sv.ID, ps[5].ID, t0); err != nil {
		t.Fatal(err)
	}

	n, err := s.QueueInvitations(ctx, sv.ID, t0, ids)
	if err != nil || n != 5 {
		t.Fatalf("QueueInvitations: %d, %v; want 5 (one opted out)", n, err)
	}
	if n, err := s.QueueInvitations(ctx, sv.ID, t0, ids); err != nil || n != 0 {
		t.Fatalf("QueueInvitations again: %d, %v; want 0", n, err)
	}
	due, err := s.DueMessages(ctx, t0.Add(-time.Second), 100, testHash)
	if err != nil || len(due) != 0 {
		t.Fatalf("due before their time: %d, %v", len(due), err)
	}
	due, err = s.DueMessages(ctx, t0, 100, testHash)
	if err != nil || len(due) != 5 {
		t.Fatalf("DueMessages: %d, %v", len(due), err)
	}
	for _, m := range due {
		if m.Participant == nil || m.Participant.ID != m.ParticipantID || m.Kind != survey.MessageInvitation || m.Status != survey.MessageQueued {
			t.Fatalf("due message %+v", m)
		}
	}
	ok, err := s.ClaimMessage(ctx, due[0].ID, t0, t0.Add(time.Minute))
	if err != nil || !ok {
		t.Fatalf("ClaimMessage: %v %v", ok, err)
	}
	if ok, _ := s.ClaimMessage(ctx, due[0].ID, t0, t0.Add(time.Minute)); ok {
		t.Fatal("a message was claimed twice")
	}
	if due2, _ := s.DueMessages(ctx, t0, 100, testHash); len(due2) != 4 {
		t.Fatalf("a claimed message is still due: %d", len(due2))
	}

	t1 := t0.Add(time.Hour)
	byP := map[string]*survey.OutboxMessage{}
	for _, m := range due {
		byP[m.ParticipantID] = m
	}
	send := func(pi int, at time.Time) {
		t.Helper()
		if err := s.FinishMessage(ctx, byP[ps[pi].ID].ID, survey.MessageOutcome{Status: survey.MessageSent, At: at}); err != nil {
			t.Fatalf("FinishMessage sent: %v", err)
		}
	}
	for i := range 4 {
		send(i, t1)
	}
	send(0, t1.Add(time.Hour)) // a second mark of the same message counts once
	// Participant 4: a temporary failure, then a bounce.
	m4 := byP[ps[4].ID]
	if err := s.FinishMessage(ctx, m4.ID, survey.MessageOutcome{Status: survey.MessageQueued, At: t1, NextAt: t1.Add(time.Minute), Error: "451 later"}); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueMessages(ctx, t1, 10, testHash); len(due) != 0 {
		t.Fatalf("a message to retry is due before its back-off: %d", len(due))
	}
	due, _ = s.DueMessages(ctx, t1.Add(time.Minute), 10, testHash)
	if len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "451 later" {
		t.Fatalf("after the back-off: %+v", due)
	}
	if err := s.FinishMessage(ctx, m4.ID, survey.MessageOutcome{Status: survey.MessageBounced, At: t1, Error: "550 no such user"}); err != nil {
		t.Fatal(err)
	}
	mustCode(t, s.FinishMessage(ctx, "nope", survey.MessageOutcome{Status: survey.MessageSent, At: t1}), survey.ENotFound)

	if p := findP(t, s, sv, ps[0].ID); p.InvitedAt == nil || !p.InvitedAt.Equal(t1) || !p.LastContactAt.Equal(t1) || p.Status() != "invited" {
		t.Fatalf("invited participant: %+v", p)
	}
	if p := findP(t, s, sv, ps[4].ID); p.BouncedAt == nil || p.InvitedAt != nil || p.Status() != "bounced" {
		t.Fatalf("bounced participant: %+v", p)
	}

	// Participant 1 completes; participant 3 opts out after being invited.
	if _, _, err := s.CreateResponse(ctx, NewResponse(sv, 2), ps[1].CodeHash); err != nil {
		t.Fatal(err)
	}
	if err := s.OptOutParticipant(ctx, sv.ID, ps[3].ID, t1); err != nil {
		t.Fatal(err)
	}
	// Reminders: contact before t1 reaches nobody; at t1, participants 0
	// and 2 (1 completed, 3 opted out, 4 bounced, 5 opted out).
	if n, err := s.QueueReminders(ctx, sv.ID, t1.Add(-time.Second), 2, t1, ids, testHash); err != nil || n != 0 {
		t.Fatalf("reminders before the wait: %d, %v", n, err)
	}
	t2 := t1.Add(72 * time.Hour)
	n, err = s.QueueReminders(ctx, sv.ID, t1, 2, t2, ids, testHash)
	if err != nil || n != 2 {
		t.Fatalf("QueueReminders: %d, %v; want 2", n, err)
	}
	if n, _ := s.QueueReminders(ctx, sv.ID, t1, 2, t2, ids, testHash); n != 0 {
		t.Fatalf("reminders queued twice: %d", n)
	}
	due, _ = s.DueMessages(ctx, t2, 10, testHash)
	if len(due) != 2 {
		t.Fatalf("due reminders: %d", len(due))
	}
	for _, m := range due {
		if m.Kind != survey.MessageReminder || m.Seq != 1 || (m.ParticipantID != ps[0].ID && m.ParticipantID != ps[2].ID) {
			t.Fatalf("reminder %+v", m)
		}
		if err := s.FinishMessage(ctx, m.ID, survey.MessageOutcome{Status: survey.MessageSent, At: t2}); err != nil {
			t.Fatal(err)
		}
	}
	if p := findP(t, s, sv, ps[2].ID); p.Reminders != 1 || !p.LastContactAt.Equal(t2) || !p.InvitedAt.Equal(t1) {
		t.Fatalf("reminded participant: %+v", p)
	}
	// The second and last reminder, then no more.
	t3 := t2.Add(72 * time.Hour)
	if n, _ := s.QueueReminders(ctx, sv.ID, t2, 2, t3, ids, testHash); n != 2 {
		t.Fatalf("second reminders: %d", n)
	}
	// An opt-out cancels what is queued.
	if err := s.OptOutParticipant(ctx, sv.ID, ps[2].ID, t3); err != nil {
		t.Fatal(err)
	}
	due, _ = s.DueMessages(ctx, t3, 10, testHash)
	if len(due) != 1 || due[0].ParticipantID != ps[0].ID || due[0].Seq != 2 {
		t.Fatalf("after an opt-out: %+v", due)
	}
	if err := s.FinishMessage(ctx, due[0].ID, survey.MessageOutcome{Status: survey.MessageSent, At: t3}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.QueueReminders(ctx, sv.ID, t3.Add(100*24*time.Hour), 2, t3.Add(100*24*time.Hour), ids, testHash); n != 0 {
		t.Fatalf("reminders past the maximum: %d", n)
	}

	// A test message has no participant.
	tm := &survey.OutboxMessage{ID: "mtest" + sv.ID, SurveyID: sv.ID, Kind: survey.MessageTest, To: "me@example.org",
		Status: survey.MessageQueued, NextAt: t3, CreatedAt: t3}
	if err := s.QueueMessage(ctx, tm); err != nil {
		t.Fatal(err)
	}
	due, _ = s.DueMessages(ctx, t3, 10, testHash)
	if len(due) != 1 || due[0].To != "me@example.org" || due[0].Participant != nil {
		t.Fatalf("test message: %+v", due)
	}

	out, err := s.FindOutbox(ctx, sv.ID, 100)
	if err != nil || len(out) != 10 {
		t.Fatalf("FindOutbox: %d, %v; want 10 (5 invitations, 4 reminders, a test)", len(out), err)
	}
	// The dashboard's page: counts over all, rows of the page only.
	all, err := s.FindParticipants(ctx, sv.ID, testHash)
	if err != nil {
		t.Fatal(err)
	}
	page, counts, err := s.FindParticipantsPage(ctx, sv.ID, 2, 3, testHash)
	want := survey.CountParticipants(all)
	if err != nil || counts != want || want.Completed != 1 || want.Bounced != 1 || want.OptedOut != 3 || want.Reminded != 2 {
		t.Fatalf("FindParticipantsPage counts %+v, %v; want %+v", counts, err, want)
	}
	if len(page) != 3 || page[0].ID != all[2].ID || page[2].ID != all[4].ID || page[0].Status() != all[2].Status() {
		t.Fatalf("FindParticipantsPage rows %v", page)
	}
	if rest, _, _ := s.FindParticipantsPage(ctx, sv.ID, 5, 10, testHash); len(rest) != 1 {
		t.Fatalf("last page: %d rows", len(rest))
	}
	contacts, err := s.ContactDays(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantDays := []survey.DayCount{{Day: "2026-03-02", Kind: "invitation", Count: 4}, {Day: "2026-03-05", Kind: "reminder", Count: 2}, {Day: "2026-03-08", Kind: "reminder", Count: 1}}
	if fmt.Sprint(contacts) != fmt.Sprint(wantDays) {
		t.Fatalf("ContactDays %v, want %v", contacts, wantDays)
	}
	days, err := s.ResponseDays(ctx, sv.ID)
	if err != nil || len(days) != 1 || days[0].Count != 1 {
		t.Fatalf("ResponseDays %v, %v", days, err)
	}
}

// testTemplatesAndMailings: put replaces, find returns what was put.
func testTemplatesAndMailings(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessInvitation)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tp := range []*survey.MessageTemplate{
		{SurveyID: sv.ID, Kind: survey.MessageInvitation, Subject: "a", Text: "b", UpdatedAt: at},
		{SurveyID: sv.ID, Kind: survey.MessageInvitation, Language: "de", Subject: "c", Text: "d", HTML: "<p>e</p>", UpdatedAt: at},
		{SurveyID: sv.ID, Kind: survey.MessageInvitation, Subject: "a2", Text: "b2", UpdatedAt: at.Add(time.Hour)},
	} {
		if err := s.PutTemplate(ctx, tp); err != nil {
			t.Fatalf("PutTemplate: %v", err)
		}
	}
	ts, err := s.FindTemplates(ctx, sv.ID)
	if err != nil || len(ts) != 2 || ts[0].Subject != "a2" || ts[1].HTML != "<p>e</p>" || !ts[0].UpdatedAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("FindTemplates: %+v, %v", ts, err)
	}
	_, err = s.FindMailing(ctx, sv.ID)
	mustCode(t, err, survey.ENotFound)
	inv := at.Add(24 * time.Hour)
	for _, m := range []*survey.Mailing{
		{SurveyID: sv.ID, ReminderDays: 7, MaxReminders: 2, UpdatedAt: at},
		{SurveyID: sv.ID, InviteAt: &inv, ReminderDays: 5, MaxReminders: 3, UpdatedAt: at},
	} {
		if err := s.PutMailing(ctx, m); err != nil {
			t.Fatalf("PutMailing: %v", err)
		}
	}
	m, err := s.FindMailing(ctx, sv.ID)
	if err != nil || m.InviteAt == nil || !m.InviteAt.Equal(inv) || m.ReminderDays != 5 || m.MaxReminders != 3 {
		t.Fatalf("FindMailing: %+v, %v", m, err)
	}
	if ms, err := s.FindMailings(ctx); err != nil || len(ms) != 1 {
		t.Fatalf("FindMailings: %d, %v", len(ms), err)
	}
}

// testOutboxRaces: two instances deciding at once queue each message once
// (QueueInvitations from several goroutines), and a due message is claimed
// by exactly one sender.
func testOutboxRaces(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessInvitation)
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	seedParticipants(t, s, sv, 50, t0)
	const racers = 4
	var wg sync.WaitGroup
	counts := make([]int, racers)
	errs := make([]error, racers)
	for i := range racers {
		wg.Go(func() {
			counts[i], errs[i] = s.QueueInvitations(ctx, sv.ID, t0, newIDs(fmt.Sprintf("m%s-%d-", sv.ID, i)))
		})
	}
	wg.Wait()
	total := 0
	for i := range racers {
		if errs[i] != nil && survey.ErrorCode(errs[i]) != survey.EConflict && survey.ErrorCode(errs[i]) != survey.EUnavailable {
			t.Fatalf("QueueInvitations %d: %v", i, errs[i])
		}
		total += counts[i]
	}
	due, err := s.DueMessages(ctx, t0, 1000, testHash)
	if err != nil || len(due) != 50 || total != 50 {
		t.Fatalf("racing decisions queued %d (reported %d), want 50 once each: %v", len(due), total, err)
	}
	wins := make([]bool, 8)
	for i := range wins {
		wg.Go(func() {
			ok, err := s.ClaimMessage(ctx, due[0].ID, t0, t0.Add(time.Minute))
			if err != nil {
				t.Errorf("ClaimMessage: %v", err)
			}
			wins[i] = ok
		})
	}
	wg.Wait()
	n := 0
	for _, w := range wins {
		if w {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d senders claimed one message", n)
	}
}
