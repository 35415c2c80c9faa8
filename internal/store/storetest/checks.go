package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// ManyRows is how many responses ScanResponses reads in one export: more
// than a driver's batches hold, so that they are reused (the SQLite
// driver checks that it is).
const ManyRows = 900

// Instrument is a minimal valid instrument: one likert item, one
// optional text item.
func Instrument(key string, version int) *survey.Instrument {
	return &survey.Instrument{
		Key: key, Version: version, Title: "Store test",
		Scales: []survey.Scale{{ID: "agree", Options: []survey.Option{{Value: 1, Label: "No"}, {Value: 2, Label: "Yes"}}}},
		Sections: []survey.Section{{ID: "main", Title: "Main", Items: []survey.Item{
			{ID: "q1", Type: survey.Likert, Text: "Agree?", Scale: "agree", Required: true},
			{ID: "q2", Type: survey.Text, Text: "Why?"},
		}}},
	}
}

// SeedSurvey stores a published instrument (once) and a survey of it.
func SeedSurvey(tb testing.TB, s survey.Store, access string) *survey.Survey {
	tb.Helper()
	ctx := context.Background()
	key := "store-test"
	if _, err := s.FindInstrument(ctx, key, 1); err != nil {
		if _, err := s.CreateInstrument(ctx, Instrument(key, 1), time.Now()); err != nil {
			tb.Fatalf("CreateInstrument: %v", err)
		}
		if _, err := s.SetInstrumentStatus(ctx, key, 1, []string{survey.StatusDraft}, survey.StatusPublished, time.Now()); err != nil {
			tb.Fatalf("publish: %v", err)
		}
	}
	sv := &survey.Survey{ID: survey.NewSurveyID(), InstrumentKey: key, InstrumentVersion: 1, Title: "Test",
		Access: access, Status: survey.SurveyOpen, CreatedAt: time.Now()}
	if err := s.CreateSurvey(ctx, sv); err != nil {
		tb.Fatalf("CreateSurvey: %v", err)
	}
	return sv
}

// NewResponse returns a complete response to sv with the answer q1 = v.
func NewResponse(sv *survey.Survey, v int64) *survey.Response {
	now := time.Now().UTC()
	a := survey.Answers{"q1": survey.IntVal(v), "q2": survey.TextVal("because <&> ü")}
	return &survey.Response{
		ID: survey.NewUUID(), SurveyID: sv.ID, InstrumentKey: sv.InstrumentKey, InstrumentVersion: sv.InstrumentVersion,
		Status: survey.ResponseComplete, Answers: a, StartedAt: now.Add(-time.Minute), SubmittedAt: &now,
		Digest: fmt.Appendf(nil, "digest-%d", v),
	}
}

// stored counts a survey's responses, complete and in progress, live and
// test.
func stored(tb testing.TB, s survey.Store, surveyID string) int {
	tb.Helper()
	c, p, test, err := s.CountResponses(context.Background(), surveyID)
	if err != nil {
		tb.Fatalf("CountResponses: %v", err)
	}
	return c + p + test
}

// spent tells whether a code of the survey is spent (CheckInvitation's
// EConflict that is not "in use").
func spent(tb testing.TB, s survey.Store, surveyID string, hash []byte) bool {
	tb.Helper()
	err := s.CheckInvitation(context.Background(), surveyID, hash)
	return survey.ErrorCode(err) == survey.EConflict && !survey.IsCodeInUse(err)
}

func testInstrumentLifecycle(t *testing.T, s survey.Store) {
	ctx := context.Background()
	now := time.Now()
	if _, err := s.CreateInstrument(ctx, Instrument("conflict-test", 1), now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateInstrument(ctx, Instrument("conflict-test", 1), now); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("second create: %v, want conflict", err)
	}
	if _, err := s.FindInstrument(ctx, "conflict-test", 2); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("missing version: %v, want not found", err)
	}
	edited := Instrument("conflict-test", 1)
	edited.Title = "Edited"
	if iv, err := s.UpdateDraft(ctx, edited); err != nil || iv.Title != "Edited" {
		t.Errorf("update draft: %+v, %v", iv, err)
	}
	if _, err := s.SetInstrumentStatus(ctx, "conflict-test", 1, []string{survey.StatusDraft}, survey.StatusPublished, now); err != nil {
		t.Fatal(err)
	}
	edited.Title = "Too late"
	if _, err := s.UpdateDraft(ctx, edited); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("update published: %v, want conflict", err)
	}
	if iv, _ := s.FindInstrument(ctx, "conflict-test", 1); iv.Title != "Edited" {
		t.Errorf("title %q after a refused update", iv.Title)
	}
	sv := &survey.Survey{ID: survey.NewSurveyID(), InstrumentKey: "conflict-test", InstrumentVersion: 1, Title: "x",
		Access: survey.AccessOpen, Status: survey.SurveyOpen, CreatedAt: now}
	if err := s.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteInstrument(ctx, "conflict-test", 1); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("delete with a survey: %v, want conflict", err)
	}
	if _, err := s.FindInstrument(ctx, "conflict-test", 1); err != nil {
		t.Errorf("instrument gone after a refused delete: %v", err)
	}
	// Retire, list, and delete a version no survey uses.
	if iv, err := s.SetInstrumentStatus(ctx, "conflict-test", 1, []string{survey.StatusPublished}, survey.StatusRetired, now); err != nil || iv.Status != survey.StatusRetired || iv.RetiredAt == nil {
		t.Errorf("retire: %+v, %v", iv, err)
	}
	if _, err := s.SetInstrumentStatus(ctx, "conflict-test", 1, []string{survey.StatusDraft}, survey.StatusPublished, now); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("publish a retired version: %v, want conflict", err)
	}
	if _, err := s.CreateInstrument(ctx, Instrument("conflict-test", 2), now); err != nil {
		t.Fatal(err)
	}
	list, err := s.FindInstruments(ctx)
	if err != nil || len(list) != 2 || list[0].Version != 1 || list[0].Surveys != 1 || list[1].Version != 2 || list[1].Status != survey.StatusDraft {
		t.Errorf("FindInstruments: %+v, %v", list, err)
	}
	if err := s.DeleteInstrument(ctx, "conflict-test", 2); err != nil {
		t.Errorf("delete an unused draft: %v", err)
	}
	if err := s.DeleteInstrument(ctx, "conflict-test", 2); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("delete it again: %v, want not found", err)
	}
}

// testTimesAreUTCMicroseconds: times come back in UTC at microsecond
// precision, whatever zone they were written in.
func testTimesAreUTCMicroseconds(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessOpen)
	zone := time.FixedZone("UTC+5", 5*3600)
	opens := time.Date(2030, 1, 2, 3, 4, 5, 123456789, zone)
	sv2 := &survey.Survey{ID: survey.NewSurveyID(), InstrumentKey: sv.InstrumentKey, InstrumentVersion: 1, Title: "t",
		Access: survey.AccessOpen, Status: survey.SurveyOpen, CreatedAt: opens, OpensAt: &opens}
	if err := s.CreateSurvey(ctx, sv2); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindSurvey(ctx, sv2.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := opens.UTC().Truncate(time.Microsecond)
	if got.OpensAt == nil || !got.OpensAt.Equal(want) || got.OpensAt.Location() != time.UTC || !got.CreatedAt.Equal(want) {
		t.Errorf("opens_at %v, created_at %v; want %v in UTC", got.OpensAt, got.CreatedAt, want)
	}
}

func testSurveyLifecycle(t *testing.T, s survey.Store) {
	ctx := context.Background()
	if _, err := s.FindSurvey(ctx, "nosuchsurv"); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("missing survey: %v, want not found", err)
	}
	a := SeedSurvey(t, s, survey.AccessOpen)
	b := SeedSurvey(t, s, survey.AccessOpen)
	if err := s.CreateSurvey(ctx, a); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("same id again: %v, want conflict", err)
	}
	if _, _, err := s.CreateResponse(ctx, NewResponse(a, 1), nil); err != nil {
		t.Fatal(err)
	}
	list, err := s.FindSurveys(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("FindSurveys: %d, %v", len(list), err)
	}
	for _, sv := range list {
		if want := map[string]int{a.ID: 1, b.ID: 0}[sv.ID]; sv.Complete != want {
			t.Errorf("survey %s lists %d complete, want %d", sv.ID, sv.Complete, want)
		}
	}
	at := time.Now().UTC()
	closed, err := s.CloseSurvey(ctx, a.ID, at)
	if err != nil || closed.Status != survey.SurveyClosed || closed.ClosedAt == nil || closed.ClosedAt.Before(at.Truncate(time.Microsecond)) {
		t.Fatalf("close: %+v, %v", closed, err)
	}
	again, err := s.CloseSurvey(ctx, a.ID, at.Add(time.Hour))
	if err != nil || !again.ClosedAt.Equal(*closed.ClosedAt) {
		t.Errorf("closing a closed survey changed it: %+v, %v", again, err)
	}
	if _, err := s.CloseSurvey(ctx, "nosuchsurv", at); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("close a missing survey: %v, want not found", err)
	}
}

// testCreateResponseSameID: a second write under an existing id writes
// nothing and hands back the stored response.
func testCreateResponseSameID(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessOpen)
	r := NewResponse(sv, 1)
	if _, created, err := s.CreateResponse(ctx, r, nil); err != nil || !created {
		t.Fatalf("first write: %v, created %v", err, created)
	}
	other := NewResponse(sv, 2)
	other.ID = r.ID
	st, created, err := s.CreateResponse(ctx, other, nil)
	if err != nil || created {
		t.Fatalf("second write: %v, created %v; want the stored response", err, created)
	}
	if string(st.Digest) != string(r.Digest) || string(st.Answers.Canonical()) != string(r.Answers.Canonical()) {
		t.Errorf("second write returned %+v, want the first %+v", st, r)
	}
	if n := stored(t, s, sv.ID); n != 1 {
		t.Errorf("%d responses stored, want 1", n)
	}
	got, err := s.FindResponse(ctx, r.ID)
	if err != nil || got.ID != r.ID || !got.SubmittedAt.Equal(r.SubmittedAt.Truncate(time.Microsecond)) {
		t.Errorf("FindResponse: %+v, %v", got, err)
	}
	if _, err := s.FindResponse(ctx, survey.NewUUID()); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("missing response: %v, want not found", err)
	}
}

// testCreateResponseSameIDWithCode: a retry of a response admitted by an
// invitation code carries the code, now spent. The store must recognise
// the retry (created false, the stored response) rather than refuse the
// spent code: concurrent retries race past the service's own look-up, and
// only the store can tell.
func testCreateResponseSameIDWithCode(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessInvitation)
	code := survey.HashSecret("CODE")
	if err := s.CreateInvitations(ctx, sv.ID, [][]byte{code}); err != nil {
		t.Fatal(err)
	}
	r := NewResponse(sv, 1)
	if _, created, err := s.CreateResponse(ctx, r, code); err != nil || !created {
		t.Fatalf("first write: %v, created %v", err, created)
	}
	st, created, err := s.CreateResponse(ctx, r, code)
	if err != nil || created || st == nil || st.ID != r.ID {
		t.Fatalf("retry: %v, created %v, stored %+v; want the stored response", err, created, st)
	}
	if n := stored(t, s, sv.ID); n != 1 {
		t.Errorf("%d responses stored, want 1", n)
	}
}

// testInvitationCodes: a code admits one response; a spent code is a
// conflict, an unknown one (or another survey's) forbidden, each naming
// invitation_code.
func testInvitationCodes(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessInvitation)
	other := SeedSurvey(t, s, survey.AccessInvitation)
	a, b := survey.HashSecret("A"), survey.HashSecret("B")
	if err := s.CreateInvitations(ctx, sv.ID, [][]byte{a}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInvitations(ctx, other.ID, [][]byte{b}); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckInvitation(ctx, sv.ID, a); err != nil {
		t.Fatalf("an unspent code: %v", err)
	}
	if _, created, err := s.CreateResponse(ctx, NewResponse(sv, 1), a); err != nil || !created {
		t.Fatalf("first use: %v", err)
	}
	for _, tc := range []struct {
		name string
		hash []byte
		code string
	}{
		{"spent", a, survey.EConflict},
		{"unknown", survey.HashSecret("C"), survey.EForbidden},
		{"another survey's", b, survey.EForbidden},
	} {
		_, _, err := s.CreateResponse(ctx, NewResponse(sv, 2), tc.hash)
		var se *survey.Error
		if survey.ErrorCode(err) != tc.code || !errors.As(err, &se) || len(se.Details) != 1 || se.Details[0].Path != "invitation_code" {
			t.Errorf("%s code: %v, want %s at invitation_code", tc.name, err, tc.code)
		}
	}
	if n := stored(t, s, sv.ID); n != 1 {
		t.Errorf("%d responses stored, want 1", n)
	}
	if !spent(t, s, sv.ID, a) || spent(t, s, other.ID, b) {
		t.Errorf("want exactly the used code spent")
	}
	if err := s.CreateInvitations(ctx, sv.ID, [][]byte{survey.HashSecret("D"), survey.HashSecret("E")}); err != nil {
		t.Fatal(err)
	}
	if issued, sp, held, err := s.CountInvitations(ctx, sv.ID); err != nil || issued != 3 || sp != 1 || held != 0 {
		t.Errorf("CountInvitations = %d issued, %d spent, %d held (%v); want 3, 1, 0", issued, sp, held, err)
	}
	if issued, sp, _, err := s.CountInvitations(ctx, "nosuchsurvey"); err != nil || issued != 0 || sp != 0 {
		t.Errorf("CountInvitations of no survey = %d, %d (%v); want 0, 0", issued, sp, err)
	}
}

// testCreateResponseIsAtomic: when the response cannot be stored, the
// code spent for it in the same transaction is not spent either.
func testCreateResponseIsAtomic(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessInvitation)
	code := survey.HashSecret("A")
	if err := s.CreateInvitations(ctx, sv.ID, [][]byte{code}); err != nil {
		t.Fatal(err)
	}
	r := NewResponse(sv, 1)
	r.InstrumentVersion = 99 // no such instrument version
	if _, _, err := s.CreateResponse(ctx, r, code); err == nil {
		t.Fatal("stored a response to a missing instrument version")
	}
	if spent(t, s, sv.ID, code) {
		t.Errorf("the code was spent for a response that was not stored")
	}
	if _, created, err := s.CreateResponse(ctx, NewResponse(sv, 1), code); err != nil || !created {
		t.Errorf("the code is no longer usable: %v", err)
	}
}

// testConcurrentCreateResponse: 32 goroutines submitting at once while
// others read, as a busy survey would. Every write succeeds (no lock
// error, which the store would report as unavailable) and every response
// is stored exactly once.
func testConcurrentCreateResponse(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessOpen)
	const n = 32
	errs := make([]error, 2*n)
	ids := make([]string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			r := NewResponse(sv, int64(1+i%2))
			ids[i] = r.ID
			_, created, err := s.CreateResponse(ctx, r, nil)
			if err == nil && !created {
				err = fmt.Errorf("not created")
			}
			errs[i] = err
		})
		wg.Go(func() {
			<-start
			_, _, err := s.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, Limit: 1000})
			if err == nil {
				_, err = s.FindSurvey(ctx, sv.ID)
			}
			errs[n+i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v (code %s)", i, err, survey.ErrorCode(err))
		}
	}
	list, _, err := s.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, Limit: 1000})
	if err != nil || len(list) != n {
		t.Errorf("%d responses listed (%v), want %d", len(list), err, n)
	}
	seen := map[string]int{}
	for _, r := range list {
		seen[r.ID]++
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("response %s listed %d times, want once", id, seen[id])
		}
	}
	if complete, _, _, err := s.CountResponses(ctx, sv.ID); err != nil || complete != n {
		t.Errorf("%d complete responses counted (%v), want %d", complete, err, n)
	}
}

// testSingleUseCodeRace: many goroutines spend one invitation code at
// once, each with a response of its own; exactly one is stored.
func testSingleUseCodeRace(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessInvitation)
	code := survey.HashSecret("RACE")
	if err := s.CreateInvitations(ctx, sv.ID, [][]byte{code}); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		won       int
		conflicts int
		start     = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			_, created, err := s.CreateResponse(ctx, NewResponse(sv, int64(1+i%2)), code)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && created:
				won++
			case survey.ErrorCode(err) == survey.EConflict:
				conflicts++
			default:
				t.Errorf("goroutine %d: created %v, %v", i, created, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if won != 1 || conflicts != n-1 {
		t.Errorf("%d stored and %d refused as spent; want 1 and %d", won, conflicts, n-1)
	}
	if n := stored(t, s, sv.ID); n != 1 {
		t.Errorf("%d responses stored, want 1", n)
	}
}

// testHolds: a code holds one response in progress. A second start with
// it, or a submission through the API, is refused as in use; starting
// over discards the holder; completing spends and releases the code.
func testHolds(t *testing.T, s survey.Store) {
	ctx := context.Background()
	svc := survey.NewService(s)
	sv := SeedSurvey(t, s, survey.AccessInvitation)
	codes, err := svc.CreateInvitations(ctx, sv.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	code := codes[0]
	hash := svc.InvitationHash(sv.ID, code)
	p1, tok1, err := svc.StartProgress(ctx, sv.ID, code, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.StartProgress(ctx, sv.ID, code, ""); !survey.IsCodeInUse(err) {
		t.Fatalf("second start with one code: %v, want in use", err)
	}
	if err := s.CheckInvitation(ctx, sv.ID, hash); !survey.IsCodeInUse(err) {
		t.Fatalf("CheckInvitation of a held code: %v, want in use", err)
	}
	if _, _, err := s.CreateResponse(ctx, NewResponse(sv, 1), hash); !survey.IsCodeInUse(err) {
		t.Fatalf("submission with a held code: %v, want in use", err)
	}
	_, tok2, err := svc.StartProgressOver(ctx, sv.ID, code, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FindProgress(ctx, sv.ID, tok1); survey.ErrorCode(err) != survey.ENotFound {
		t.Fatalf("the discarded holder %s: %v, want not found", p1.ID, err)
	}
	if n := stored(t, s, sv.ID); n != 1 {
		t.Fatalf("%d responses stored, want the one holder", n)
	}
	if _, created, err := svc.CompleteProgress(ctx, sv.ID, tok2, survey.Answers{"q1": survey.IntVal(1)}); err != nil || !created {
		t.Fatalf("complete: created %v, %v", created, err)
	}
	if !spent(t, s, sv.ID, hash) {
		t.Error("the code is not spent after the holder completed")
	}
	if _, _, err := svc.StartProgress(ctx, sv.ID, code, ""); survey.ErrorCode(err) != survey.EConflict || survey.IsCodeInUse(err) {
		t.Fatalf("start with a spent code: %v, want spent", err)
	}
}

// testProgressSaveAndComplete: an in-progress response keeps its saves,
// completes once, and then takes no more saves.
func testProgressSaveAndComplete(t *testing.T, s survey.Store) {
	ctx := context.Background()
	svc := survey.NewService(s)
	sv := SeedSurvey(t, s, survey.AccessOpen)
	p, tok, err := svc.StartProgress(ctx, sv.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if c, ip, _, err := s.CountResponses(ctx, sv.ID); err != nil || c != 0 || ip != 1 {
		t.Fatalf("counts %d complete, %d in progress (%v); want 0 and 1", c, ip, err)
	}
	if _, err := svc.SaveProgress(ctx, sv.ID, tok, survey.Answers{"q2": survey.TextVal("draft")}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.FindProgress(ctx, sv.ID, tok)
	if err != nil || got.ID != p.ID || got.Answers["q2"].Text != "draft" || got.Status != survey.ResponseInProgress {
		t.Fatalf("resumed %+v, %v", got, err)
	}
	if _, err := s.FindProgress(ctx, sv.ID, survey.HashSecret("not a token")); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown resume token: %v, want not found", err)
	}
	r, created, err := svc.CompleteProgress(ctx, sv.ID, tok, survey.Answers{"q1": survey.IntVal(2), "q2": survey.TextVal("final")})
	if err != nil || !created || r.SubmittedAt == nil {
		t.Fatalf("complete: %+v, created %v, %v", r, created, err)
	}
	if _, created, err := svc.CompleteProgress(ctx, sv.ID, tok, survey.Answers{"q1": survey.IntVal(2), "q2": survey.TextVal("final")}); err != nil || created {
		t.Errorf("complete again: created %v, %v; want the stored response", created, err)
	}
	got.Answers = survey.Answers{"q2": survey.TextVal("late")}
	if err := s.SaveProgress(ctx, got); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("save after completion: %v, want conflict", err)
	}
	done, err := s.FindResponse(ctx, p.ID)
	if err != nil || done.Status != survey.ResponseComplete || done.Answers["q2"].Text != "final" {
		t.Errorf("stored %+v, %v", done, err)
	}
	if c, ip, _, err := s.CountResponses(ctx, sv.ID); err != nil || c != 1 || ip != 0 {
		t.Errorf("counts %d complete, %d in progress (%v); want 1 and 0", c, ip, err)
	}
}

// testClosedInsideTheWrite: a close and submissions racing it never leave
// a response submitted after the survey's closed_at; a response refused
// for the close gets the closed survey's conflict, and writes nothing.
func testClosedInsideTheWrite(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessOpen)
	const n = 24
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, _, errs[i] = s.CreateResponse(ctx, NewResponse(sv, 1), nil)
		})
	}
	close(start)
	closed, err := s.CloseSurvey(ctx, sv.ID, time.Now().UTC())
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for i, err := range errs {
		switch {
		case err == nil:
		case survey.ErrorCode(err) == survey.EConflict:
			refused++
		default:
			t.Errorf("submission %d: %v", i, err)
		}
	}
	list, _, err := s.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, Limit: 1000})
	if err != nil || len(list) != n-refused {
		t.Fatalf("%d responses stored (%v), want %d accepted", len(list), err, n-refused)
	}
	for _, r := range list {
		if r.SubmittedAt.After(*closed.ClosedAt) {
			t.Errorf("response submitted at %v, after the close at %v", r.SubmittedAt, closed.ClosedAt)
		}
	}
	if _, _, err := s.CreateResponse(ctx, NewResponse(sv, 1), nil); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("a submission after the close: %v, want conflict", err)
	}
}

func testScanResponses(t *testing.T, s survey.Store) {
	ctx := context.Background()
	in := &survey.Instrument{
		Key: "scan-test", Version: 1, Title: "Scan",
		Sections: []survey.Section{{ID: "main", Title: "Main", Items: []survey.Item{{ID: "q", Type: survey.Text, Text: "Q"}}}},
	}
	if _, err := s.CreateInstrument(ctx, in, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetInstrumentStatus(ctx, in.Key, 1, []string{survey.StatusDraft}, survey.StatusPublished, time.Now()); err != nil {
		t.Fatal(err)
	}
	var surveys []string
	for _, id := range []string{"survey0001", "survey0002"} {
		if err := s.CreateSurvey(ctx, &survey.Survey{ID: id, InstrumentKey: in.Key, InstrumentVersion: 1, Title: id,
			Access: survey.AccessOpen, Status: survey.SurveyOpen, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		surveys = append(surveys, id)
	}
	day := func(d int) time.Time { return time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC) }
	type row struct {
		id, survey, status, text string
		submitted                int // day, 0 for none
	}
	rows := []row{
		{"00000000-0000-4000-8000-000000000001", surveys[0], survey.ResponseComplete, "first", 3},
		{"00000000-0000-4000-8000-000000000002", surveys[1], survey.ResponseComplete, "other survey", 3},
		{"00000000-0000-4000-8000-000000000003", surveys[0], survey.ResponseInProgress, "in progress", 0},
		{"00000000-0000-4000-8000-000000000004", surveys[0], survey.ResponseComplete, "fourth", 5},
		{"00000000-0000-4000-8000-000000000005", surveys[0], survey.ResponseComplete, "fifth", 7},
	}
	for _, r := range rows {
		resp := &survey.Response{ID: r.id, SurveyID: r.survey, InstrumentKey: in.Key, InstrumentVersion: 1, Status: r.status,
			Answers: survey.Answers{"q": survey.TextVal(r.text)}, StartedAt: day(1), Digest: []byte{1}}
		if r.submitted > 0 {
			at := day(r.submitted)
			resp.SubmittedAt = &at
		}
		if _, _, err := s.CreateResponse(ctx, resp, nil); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(f survey.ExportFilter) []string {
		t.Helper()
		var got []string
		err := s.ScanResponses(ctx, f, func(r *survey.Response) error {
			if r.SurveyID != f.SurveyID || r.InstrumentKey != in.Key || !r.StartedAt.Equal(day(1)) {
				t.Errorf("response %s: %+v", r.ID, r)
			}
			got = append(got, r.Answers["q"].Text)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	ptr := func(t time.Time) *time.Time { return &t }
	for _, tc := range []struct {
		name string
		f    survey.ExportFilter
		want []string
	}{
		{"All", survey.ExportFilter{SurveyID: surveys[0]}, []string{"first", "in progress", "fourth", "fifth"}},
		{"Complete", survey.ExportFilter{SurveyID: surveys[0], Status: survey.ResponseComplete}, []string{"first", "fourth", "fifth"}},
		{"InProgress", survey.ExportFilter{SurveyID: surveys[0], Status: survey.ResponseInProgress}, []string{"in progress"}},
		{"SinceInclusive", survey.ExportFilter{SurveyID: surveys[0], Since: ptr(day(5))}, []string{"fourth", "fifth"}},
		{"UntilExclusive", survey.ExportFilter{SurveyID: surveys[0], Until: ptr(day(5))}, []string{"first"}},
		{"Window", survey.ExportFilter{SurveyID: surveys[0], Since: ptr(day(4)), Until: ptr(day(6))}, []string{"fourth"}},
		{"OtherSurvey", survey.ExportFilter{SurveyID: surveys[1]}, []string{"other survey"}},
		{"NoSuchSurvey", survey.ExportFilter{SurveyID: "nosuchsurv"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := scan(tc.f); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("ManyBatchesInOrder", func(t *testing.T) {
		const n = ManyRows
		for i := range n {
			at := day(10)
			r := &survey.Response{ID: fmt.Sprintf("20000000-0000-4000-8000-%012d", i), SurveyID: surveys[1], InstrumentKey: in.Key,
				InstrumentVersion: 1, Status: survey.ResponseComplete, Answers: survey.Answers{"q": survey.TextVal(strconv.Itoa(i))},
				StartedAt: day(1), SubmittedAt: &at, Digest: []byte{1}}
			if _, _, err := s.CreateResponse(ctx, r, nil); err != nil {
				t.Fatal(err)
			}
		}
		got := scan(survey.ExportFilter{SurveyID: surveys[1], Since: ptr(day(10))})
		if len(got) != n {
			t.Fatalf("%d rows, want %d", len(got), n)
		}
		for i, v := range got {
			if v != strconv.Itoa(i) {
				t.Fatalf("row %d is %q: out of order", i, v)
			}
		}
		var raw []string
		err := s.ScanResponses(ctx, survey.ExportFilter{SurveyID: surveys[1], Since: ptr(day(10)), RawAnswers: true}, func(r *survey.Response) error {
			if len(r.Answers) != 0 {
				t.Fatal("RawAnswers filled Answers")
			}
			raw = append(raw, string(r.AnswersJSON))
			return nil
		})
		if err != nil || len(raw) != n || raw[n-1] != fmt.Sprintf(`{"q":"%d"}`, n-1) {
			t.Fatalf("raw: %v, %d rows, last %q", err, len(raw), raw[len(raw)-1])
		}
		// FindResponses pages through the same order.
		var paged []string
		for after := int64(0); ; {
			page, last, err := s.FindResponses(ctx, survey.ResponseFilter{SurveyID: surveys[1], After: after, Limit: 250})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				paged = append(paged, r.Answers["q"].Text)
			}
			after = last
		}
		if len(paged) != n+1 || paged[0] != "other survey" || paged[n] != strconv.Itoa(n-1) {
			t.Fatalf("paged %d rows, first %q", len(paged), paged[0])
		}
	})
	t.Run("CallbackErrorStops", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := s.ScanResponses(ctx, survey.ExportFilter{SurveyID: surveys[0]}, func(*survey.Response) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("err %v after %d rows", err, n)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		n := 0
		err := s.ScanResponses(cctx, survey.ExportFilter{SurveyID: surveys[0]}, func(*survey.Response) error {
			n++
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v after %d rows, want context.Canceled", err, n)
		}
		if n != 1 {
			t.Errorf("fn called %d times, want once: nothing after the cancel", n)
		}
	})
}

// testTextAnswersPaging: the answers to a free-text item come in arrival
// order, a page at a time, with a cursor to the next page and 0 after the
// last; a search ignores case beyond ASCII.
func testTextAnswersPaging(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessOpen)
	texts := []string{"Ärzte eins", "zwei", "", "drei ärzte", "vier"}
	for i, text := range texts {
		r := NewResponse(sv, int64(1+i%2))
		r.Answers = survey.Answers{"q1": survey.IntVal(int64(1 + i%2))}
		if text != "" {
			r.Answers["q2"] = survey.TextVal(text)
		}
		if _, _, err := s.CreateResponse(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for after, pages := int64(0), 0; ; pages++ {
		page, next, err := s.FindTextAnswers(ctx, survey.TextAnswerFilter{SurveyID: sv.ID, ItemID: "q2", After: after, Limit: 2})
		if err != nil || pages > 3 {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, a := range page {
			got = append(got, a.Text)
		}
		if next == 0 {
			break
		}
		after = next
	}
	if want := []string{"Ärzte eins", "zwei", "drei ärzte", "vier"}; !reflect.DeepEqual(got, want) {
		t.Errorf("pages %q, want %q", got, want)
	}
	found, next, err := s.FindTextAnswers(ctx, survey.TextAnswerFilter{SurveyID: sv.ID, ItemID: "q2", Query: "ÄRZTE", Limit: 10})
	if err != nil || next != 0 || len(found) != 2 {
		t.Errorf("search: %+v, next %d, %v", found, next, err)
	}
	one := int64(1)
	by, _, err := s.FindTextAnswers(ctx, survey.TextAnswerFilter{SurveyID: sv.ID, ItemID: "q2", By: "q1", ByValue: &one, Limit: 10})
	if err != nil || len(by) != 2 || by[0].Text != "Ärzte eins" || by[1].Text != "vier" {
		t.Errorf("by q1 = 1: %+v, %v", by, err)
	}
}

func testSettings(t *testing.T, s survey.Store) {
	ctx := context.Background()
	if v, err := s.Setting(ctx, survey.SettingWebKey); err != nil || v != nil {
		t.Fatalf("unset setting: %q, %v; want nil", v, err)
	}
	for _, v := range [][]byte{[]byte("first"), {0, 1, 2, 255}} {
		if err := s.PutSetting(ctx, survey.SettingWebKey, v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Setting(ctx, survey.SettingWebKey); err != nil || !bytes.Equal(got, v) {
			t.Fatalf("read back %q, %v; want %q", got, err, v)
		}
	}
	if v, err := s.Setting(ctx, survey.SettingAdminTokenHash); err != nil || v != nil {
		t.Errorf("another setting: %q, %v; want nil", v, err)
	}
}

func testSessions(t *testing.T, s survey.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	hash := func(i int) []byte { h := survey.HashSecret(strconv.Itoa(i)); return []byte(h) }
	none := survey.SessionLimits{IdleBefore: t0.Add(-time.Hour), CreatedBefore: t0.Add(-time.Hour), Max: 3}
	create := func(i int, at time.Time, lim survey.SessionLimits) {
		t.Helper()
		if err := s.CreateSession(ctx, &survey.Session{IDHash: hash(i), CreatedAt: at, SeenAt: at}, lim); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	held := func() (ids []int) {
		for i := range 10 {
			if _, err := s.FindSession(ctx, hash(i)); err == nil {
				ids = append(ids, i)
			} else if survey.ErrorCode(err) != survey.ENotFound {
				t.Fatalf("find %d: %v", i, err)
			}
		}
		return ids
	}
	create(0, t0, none)
	got, err := s.FindSession(ctx, hash(0))
	if err != nil || !got.CreatedAt.Equal(t0) || !got.SeenAt.Equal(t0) || !bytes.Equal(got.IDHash, hash(0)) {
		t.Fatalf("found %+v, %v", got, err)
	}
	if err := s.TouchSession(ctx, hash(0), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindSession(ctx, hash(0)); !got.SeenAt.Equal(t0.Add(time.Minute)) || !got.CreatedAt.Equal(t0) {
		t.Errorf("touched: %+v", got)
	}
	if err := s.TouchSession(ctx, hash(9), t0); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("touch an unknown session: %v, want not found", err)
	}
	// Full: the least recently seen make room, the new one included in Max.
	create(1, t0.Add(2*time.Second), none)
	create(2, t0.Add(3*time.Second), none)
	create(3, t0.Add(4*time.Second), none)
	if ids := held(); !reflect.DeepEqual(ids, []int{0, 2, 3}) {
		t.Errorf("held %v after a sign-in on a full table; want 0 (touched), 2, 3", ids)
	}
	// Expired sessions go at the next sign-in.
	later := t0.Add(time.Hour)
	create(4, later, survey.SessionLimits{IdleBefore: t0.Add(3500 * time.Millisecond), CreatedBefore: t0.Add(-time.Hour), Max: 3})
	if ids := held(); !reflect.DeepEqual(ids, []int{0, 3, 4}) {
		t.Errorf("held %v after pruning those idle since before 3.5s; want 0, 3, 4", ids)
	}
	create(5, later, survey.SessionLimits{IdleBefore: t0.Add(-time.Hour), CreatedBefore: later, Max: 3})
	if ids := held(); !reflect.DeepEqual(ids, []int{4, 5}) {
		t.Errorf("held %v after pruning those created before the hour; want 4, 5", ids)
	}
	if err := s.DeleteSession(ctx, hash(4)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, hash(4)); err != nil {
		t.Errorf("delete an unknown session: %v", err)
	}
	if ids := held(); !reflect.DeepEqual(ids, []int{5}) {
		t.Errorf("held %v after a delete; want 5", ids)
	}
}

// testDeleteAbandoned: responses in progress last saved before the cutoff
// are deleted, oldest first and at most the limit per call, and the codes
// they held are free again; recent ones and complete ones (however old)
// are kept, and a code held by a kept response stays held.
func testDeleteAbandoned(t *testing.T, s survey.Store) {
	ctx := context.Background()
	now := time.Now().UTC()
	old := now.Add(-100 * 24 * time.Hour)
	svc := survey.NewService(s)
	at := func(t time.Time) { svc.Now = func() time.Time { return t } }
	open := SeedSurvey(t, s, survey.AccessOpen)
	invi := SeedSurvey(t, s, survey.AccessInvitation)
	codes, err := svc.CreateInvitations(ctx, invi.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	start := func(sv *survey.Survey, code string) string {
		t.Helper()
		_, tok, err := svc.StartProgress(ctx, sv.ID, code, "")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	at(old)
	untouched := start(open, "") // abandoned, the oldest
	at(old.Add(time.Second))
	heldOld := start(invi, codes[0]) // abandoned, holds a code
	savedSince := start(open, "")    // started long ago, saved recently
	completedOld := start(open, "")  // complete long ago
	abandonedToo := start(open, "")  // abandoned
	if _, _, err := svc.CompleteProgress(ctx, open.ID, completedOld, survey.Answers{"q1": survey.IntVal(1)}); err != nil {
		t.Fatal(err)
	}
	at(now.Add(-time.Hour))
	if _, err := svc.SaveProgress(ctx, open.ID, savedSince, survey.Answers{"q1": survey.IntVal(2)}); err != nil {
		t.Fatal(err)
	}
	at(now)
	heldNew := start(invi, codes[1])
	cutoff := now.Add(-90 * 24 * time.Hour)

	if n, err := s.DeleteAbandoned(ctx, cutoff, 1, nil); err != nil || n != 1 {
		t.Fatalf("DeleteAbandoned with limit 1: %d, %v; want 1", n, err)
	}
	if _, err := svc.FindProgress(ctx, open.ID, untouched); survey.ErrorCode(err) != survey.ENotFound {
		t.Fatalf("the oldest abandoned response after a sweep of one: %v, want deleted first", err)
	}
	n, err := svc.DeleteAbandoned(ctx, cutoff)
	if err != nil || n != 2 {
		t.Fatalf("DeleteAbandoned: %d, %v; want the 2 left of 3 abandoned", n, err)
	}
	for name, tok := range map[string]string{"abandoned holder": heldOld, "abandoned": untouched, "abandoned too": abandonedToo} {
		if _, err := svc.FindProgress(ctx, open.ID, tok); survey.ErrorCode(err) != survey.ENotFound {
			if _, err := svc.FindProgress(ctx, invi.ID, tok); survey.ErrorCode(err) != survey.ENotFound {
				t.Errorf("%s response: still stored (%v)", name, err)
			}
		}
	}
	if p, err := svc.FindProgress(ctx, open.ID, savedSince); err != nil || p.Status != survey.ResponseInProgress {
		t.Errorf("response saved an hour ago: %+v, %v; want kept", p, err)
	}
	if p, err := svc.FindProgress(ctx, open.ID, completedOld); err != nil || p.Status != survey.ResponseComplete {
		t.Errorf("complete response of 100 days ago: %+v, %v; want kept", p, err)
	}
	if p, err := svc.FindProgress(ctx, invi.ID, heldNew); err != nil || p.Status != survey.ResponseInProgress {
		t.Errorf("recent holder: %+v, %v; want kept", p, err)
	}
	if err := s.CheckInvitation(ctx, invi.ID, svc.InvitationHash(invi.ID, codes[0])); err != nil {
		t.Errorf("the abandoned holder's code: %v, want free again", err)
	}
	if err := s.CheckInvitation(ctx, invi.ID, svc.InvitationHash(invi.ID, codes[1])); !survey.IsCodeInUse(err) {
		t.Errorf("the recent holder's code: %v, want still in use", err)
	}
	if _, _, err := svc.StartProgress(ctx, invi.ID, codes[0], ""); err != nil {
		t.Errorf("start with the released code: %v", err)
	}
	if n, err := svc.DeleteAbandoned(ctx, cutoff); err != nil || n != 0 {
		t.Errorf("second sweep: %d, %v; want nothing left to delete", n, err)
	}
	if c, ip, _, err := s.CountResponses(ctx, open.ID); err != nil || c != 1 || ip != 1 {
		t.Errorf("open survey: %d complete, %d in progress (%v); want 1 and 1", c, ip, err)
	}
}

// testUpdateSurvey: the settings are written and read back as given,
// status and access are left alone unless reopening, and a reopen clears
// closed_at.
func testUpdateSurvey(t *testing.T, s survey.Store) {
	ctx := context.Background()
	sv := SeedSurvey(t, s, survey.AccessInvitation)
	got, err := s.FindSurvey(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.TimeZone != survey.DefaultTimeZone {
		t.Errorf("time zone %q of a survey created without one, want %q", got.TimeZone, survey.DefaultTimeZone)
	}
	opens := time.Date(2030, 3, 1, 0, 0, 0, 0, time.UTC)
	closes := time.Date(2030, 4, 1, 22, 0, 0, 0, time.UTC)
	next := *got
	next.Title, next.PublicTitle, next.PublicDescription = "Renamed", "Schlaf – wie geht's?", "Zwei Fragen.\n\nDanke."
	next.TimeZone, next.OpensAt, next.ClosesAt = "Europe/Berlin", &opens, &closes
	next.EndMessage, next.EndRedirect = "Merci ü", "https://example.org/x?y=1"
	next.Access, next.Status = survey.AccessOpen, survey.SurveyClosed // neither is written
	out, err := s.UpdateSurvey(ctx, &next, false)
	if err != nil {
		t.Fatal(err)
	}
	reread, err := s.FindSurvey(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*survey.Survey{out, reread} {
		if r.Title != "Renamed" || r.PublicTitle != next.PublicTitle || r.PublicDescription != next.PublicDescription ||
			r.TimeZone != "Europe/Berlin" || r.EndMessage != next.EndMessage || r.EndRedirect != next.EndRedirect ||
			r.OpensAt == nil || !r.OpensAt.Equal(opens) || r.ClosesAt == nil || !r.ClosesAt.Equal(closes) {
			t.Errorf("read back %+v", r)
		}
		if r.Access != survey.AccessInvitation || r.Status != survey.SurveyOpen {
			t.Errorf("access %s, status %s: UpdateSurvey wrote them", r.Access, r.Status)
		}
	}
	next.OpensAt, next.ClosesAt = nil, nil
	if out, err = s.UpdateSurvey(ctx, &next, false); err != nil || out.OpensAt != nil || out.ClosesAt != nil {
		t.Errorf("dates removed: %+v, %v", out, err)
	}
	if _, err := s.CloseSurvey(ctx, sv.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	next.Status = survey.SurveyOpen
	out, err = s.UpdateSurvey(ctx, &next, true)
	if err != nil || out.Status != survey.SurveyOpen || out.ClosedAt != nil {
		t.Errorf("reopened: %+v, %v; want open without closed_at", out, err)
	}
	if _, _, err := s.CreateResponse(ctx, NewResponse(sv, 1), nil); err != nil {
		t.Errorf("a response after the reopen: %v", err)
	}
	ghost := next
	ghost.ID = "nosuchsurv"
	if _, err := s.UpdateSurvey(ctx, &ghost, false); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown survey: %v, want not found", err)
	}
}

// testDeleteSurvey: a survey without responses goes with its codes; one
// with a response, complete or in progress, stays with a conflict.
func testDeleteSurvey(t *testing.T, s survey.Store) {
	ctx := context.Background()
	if err := s.DeleteSurvey(ctx, "nosuchsurv"); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown survey: %v, want not found", err)
	}
	empty := SeedSurvey(t, s, survey.AccessInvitation)
	hash := survey.HashSecret("a code")
	if err := s.CreateInvitations(ctx, empty.ID, [][]byte{hash}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSurvey(ctx, empty.ID); err != nil {
		t.Fatalf("delete a survey without responses: %v", err)
	}
	if _, err := s.FindSurvey(ctx, empty.ID); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("deleted survey: %v, want not found", err)
	}
	if err := s.CheckInvitation(ctx, empty.ID, hash); survey.ErrorCode(err) != survey.EForbidden {
		t.Errorf("a code of the deleted survey: %v, want unknown (forbidden)", err)
	}

	answered := SeedSurvey(t, s, survey.AccessOpen)
	if _, _, err := s.CreateResponse(ctx, NewResponse(answered, 1), nil); err != nil {
		t.Fatal(err)
	}
	started := SeedSurvey(t, s, survey.AccessOpen)
	if _, _, err := survey.NewService(s).StartProgress(ctx, started.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	for _, sv := range []*survey.Survey{answered, started} {
		if err := s.DeleteSurvey(ctx, sv.ID); survey.ErrorCode(err) != survey.EConflict {
			t.Errorf("delete a survey with a response: %v, want conflict", err)
		}
		if n := stored(t, s, sv.ID); n != 1 {
			t.Errorf("%d responses left after a refused delete, want 1", n)
		}
		if _, err := s.FindSurvey(ctx, sv.ID); err != nil {
			t.Errorf("survey gone after a refused delete: %v", err)
		}
	}
	if _, err := s.CloseSurvey(ctx, answered.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSurvey(ctx, answered.ID); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("delete a closed survey with a response: %v, want conflict", err)
	}
}

// testDeleteSurveyRacesResponses: a delete racing submissions either
// wins (no response stored, every submission refused) or loses (the
// survey and every accepted response stay); never a response without its
// survey, never a lost accepted response.
func testDeleteSurveyRacesResponses(t *testing.T, s survey.Store) {
	ctx := context.Background()
	for range 4 {
		sv := SeedSurvey(t, s, survey.AccessOpen)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, _, errs[i] = s.CreateResponse(ctx, NewResponse(sv, 1), nil)
			})
		}
		close(start)
		delErr := s.DeleteSurvey(ctx, sv.ID)
		wg.Wait()
		accepted := 0
		for i, err := range errs {
			switch {
			case err == nil:
				accepted++
			case survey.ErrorCode(err) == survey.EConflict || survey.ErrorCode(err) == survey.ENotFound:
			default:
				t.Errorf("submission %d: %v", i, err)
			}
		}
		switch {
		case delErr == nil:
			if accepted != 0 {
				t.Errorf("survey deleted, yet %d submissions were accepted", accepted)
			}
			if n := stored(t, s, sv.ID); n != 0 {
				t.Errorf("%d responses of a deleted survey", n)
			}
		case survey.ErrorCode(delErr) == survey.EConflict:
			if _, err := s.FindSurvey(ctx, sv.ID); err != nil {
				t.Errorf("refused delete, survey gone: %v", err)
			}
			if got := stored(t, s, sv.ID); got != accepted {
				t.Errorf("%d responses stored, %d accepted", got, accepted)
			}
		default:
			t.Errorf("delete: %v", delErr)
		}
	}
}

// testTestMode: a response is marked test by its survey's mode when it is
// written (by the group commit and by the web form's start); every read
// leaves marked responses out unless IncludeTest; they are deleted in
// bulk, or when going live; a survey with only test responses may be
// deleted.
func testTestMode(t *testing.T, s survey.Store) {
	ctx := context.Background()
	svc := survey.NewService(s)
	sv := SeedSurvey(t, s, survey.AccessOpen)
	if got, _ := s.FindSurvey(ctx, sv.ID); got.Mode != survey.ModeLive {
		t.Errorf("mode %q of a survey created without one, want live", got.Mode)
	}
	out, n, err := s.SetSurveyMode(ctx, sv.ID, survey.ModeTest, false)
	if err != nil || out.Mode != survey.ModeTest || n != 0 {
		t.Fatalf("into test mode: %+v, %d, %v", out, n, err)
	}
	if _, _, err := s.CreateResponse(ctx, NewResponse(sv, 1), nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.StartProgress(ctx, sv.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetSurveyMode(ctx, sv.ID, survey.ModeLive, false); err != nil {
		t.Fatal(err)
	}
	live := NewResponse(sv, 2)
	if _, _, err := s.CreateResponse(ctx, live, nil); err != nil {
		t.Fatal(err)
	}
	if c, ip, test, err := s.CountResponses(ctx, sv.ID); err != nil || c != 1 || ip != 0 || test != 2 {
		t.Errorf("counts %d complete, %d in progress, %d test (%v); want 1, 0, 2", c, ip, test, err)
	}
	list, err := s.FindSurveys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range list {
		if l.ID == sv.ID && (l.Complete != 1 || l.InProgress != 0 || l.Test != 2) {
			t.Errorf("listed counts %d, %d, %d; want 1, 0, 2", l.Complete, l.InProgress, l.Test)
		}
	}
	reads := func(includeTest bool) (found, scanned, texts int) {
		t.Helper()
		rs, _, err := s.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, Limit: 100, IncludeTest: includeTest})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ScanResponses(ctx, survey.ExportFilter{SurveyID: sv.ID, IncludeTest: includeTest}, func(*survey.Response) error {
			scanned++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		ta, _, err := s.FindTextAnswers(ctx, survey.TextAnswerFilter{SurveyID: sv.ID, ItemID: "q2", Limit: 100, IncludeTest: includeTest})
		if err != nil {
			t.Fatal(err)
		}
		return len(rs), scanned, len(ta)
	}
	if f, sc, ta := reads(false); f != 1 || sc != 1 || ta != 1 {
		t.Errorf("without test responses: %d listed, %d exported, %d text answers; want 1 each (the live one)", f, sc, ta)
	}
	if rs, _, _ := s.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, Limit: 100}); len(rs) != 1 || rs[0].ID != live.ID {
		t.Errorf("listed %+v, want the live response only", rs)
	}
	if f, sc, ta := reads(true); f != 3 || sc != 3 || ta != 2 {
		t.Errorf("with test responses: %d listed, %d exported, %d text answers; want 3, 3, 2", f, sc, ta)
	}
	all, _, err := s.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, Limit: 100, IncludeTest: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if r.Test != (r.ID != live.ID) {
			t.Errorf("response %s read back with test %v", r.ID, r.Test)
		}
	}
	if err := s.DeleteSurvey(ctx, sv.ID); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("delete a survey with a live response: %v, want conflict", err)
	}
	if n, err := s.DeleteTestResponses(ctx, sv.ID); err != nil || n != 2 {
		t.Errorf("delete test responses: %d, %v; want 2", n, err)
	}
	if c, ip, test, err := s.CountResponses(ctx, sv.ID); err != nil || c != 1 || ip != 0 || test != 0 {
		t.Errorf("after the bulk delete: %d, %d, %d (%v); want 1, 0, 0", c, ip, test, err)
	}

	// Going live deletes the test responses in the same transaction.
	if _, _, err := s.SetSurveyMode(ctx, sv.ID, survey.ModeTest, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateResponse(ctx, NewResponse(sv, 1), nil); err != nil {
		t.Fatal(err)
	}
	if out, n, err := s.SetSurveyMode(ctx, sv.ID, survey.ModeLive, true); err != nil || n != 1 || out.Mode != survey.ModeLive {
		t.Errorf("go live deleting: %+v, %d, %v; want live, 1 deleted", out, n, err)
	}
	if n := stored(t, s, sv.ID); n != 1 {
		t.Errorf("%d responses after going live, want the live one", n)
	}

	// A survey that only ever had test responses may be deleted.
	tried := SeedSurvey(t, s, survey.AccessOpen)
	if _, _, err := s.SetSurveyMode(ctx, tried.ID, survey.ModeTest, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateResponse(ctx, NewResponse(tried, 1), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSurvey(ctx, tried.ID); err != nil {
		t.Errorf("delete a survey with test responses only: %v", err)
	}
	if n := stored(t, s, tried.ID); n != 0 {
		t.Errorf("%d responses of a deleted survey", n)
	}
	if _, _, err := s.SetSurveyMode(ctx, "nosuchsurv", survey.ModeTest, false); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("mode of an unknown survey: %v, want not found", err)
	}
	if _, err := s.DeleteTestResponses(ctx, "nosuchsurv"); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("test responses of an unknown survey: %v, want not found", err)
	}
}
