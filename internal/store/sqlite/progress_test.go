package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// progressFixture is a store in a fresh file with one published instrument
// and two surveys of it: one open to all, one by invitation.
type progressFixture struct {
	st         *Store
	svc        *survey.Service
	open, invi *survey.Survey
}

func newProgressFixture(tb testing.TB, opts ...Option) *progressFixture {
	tb.Helper()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(tb.TempDir(), "dyad.db"), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	svc := survey.NewService(st)
	one := int64(1)
	in := &survey.Instrument{Key: "progress", Version: 1, Title: "Progress",
		Sections: []survey.Section{
			{ID: "a", Title: "A", Items: []survey.Item{
				{ID: "uses", Type: survey.SingleChoice, Text: "Uses?", Required: true, Options: []survey.Option{{Value: 1, Label: "Yes"}, {Value: 0, Label: "No"}}},
				{ID: "why", Type: survey.Text, Text: "Why?", ShowIf: &survey.Condition{Item: "uses", Equals: &one}},
			}},
			{ID: "b", Title: "B", Items: []survey.Item{{ID: "years", Type: survey.Integer, Text: "Years", Required: true}}},
		}}
	if _, err := svc.CreateInstrument(ctx, in); err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.Publish(ctx, in.Key, in.Version); err != nil {
		tb.Fatal(err)
	}
	f := &progressFixture{st: st, svc: svc}
	for _, access := range []string{survey.AccessOpen, survey.AccessInvitation} {
		sv, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: in.Key, InstrumentVersion: 1, Title: "S " + access, Access: access})
		if err != nil {
			tb.Fatal(err)
		}
		if access == survey.AccessOpen {
			f.open = sv
		} else {
			f.invi = sv
		}
	}
	return f
}

func TestProgressLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	p, token, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := f.st.readSQL.QueryRow(`SELECT resume_hash FROM responses WHERE id = ?`, p.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if string(stored) != string(survey.HashSecret(token)) {
		t.Fatal("the stored resume hash is not the token's SHA-256")
	}

	// Answers to a hidden item are dropped on save.
	_, err = f.svc.SaveProgress(ctx, f.open.ID, token, survey.Answers{"uses": survey.IntVal(0), "why": survey.TextVal("hidden")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.FindProgress(ctx, f.open.ID, token)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != survey.ResponseInProgress || len(got.Answers) != 1 || got.Answers["uses"].Int != 0 || got.UpdatedAt.IsZero() {
		t.Fatalf("after save: %+v", got)
	}
	if _, err := f.svc.FindProgress(ctx, f.invi.ID, token); survey.ErrorCode(err) != survey.ENotFound {
		t.Fatalf("token found under another survey: %v", err)
	}
	if _, err := f.svc.SaveProgress(ctx, f.open.ID, token, survey.Answers{"years": survey.TextVal("x")}); survey.ErrorCode(err) != survey.EInvalid {
		t.Fatalf("a wrong answer was saved: %v", err)
	}

	if _, _, err := f.svc.CompleteProgress(ctx, f.open.ID, token, survey.Answers{"uses": survey.IntVal(0)}); survey.ErrorCode(err) != survey.EInvalid {
		t.Fatalf("completed without a required answer: %v", err)
	}
	final := survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(7)}
	r, created, err := f.svc.CompleteProgress(ctx, f.open.ID, token, final)
	if err != nil || !created || r.Status != survey.ResponseComplete {
		t.Fatalf("complete: %v %v %+v", err, created, r)
	}
	// A second submit, even with other answers, changes nothing.
	r2, created, err := f.svc.CompleteProgress(ctx, f.open.ID, token, survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(9)})
	if err != nil || created || r2.ID != r.ID || r2.Answers["years"].Int != 7 {
		t.Fatalf("second complete: %v %v %+v", err, created, r2)
	}
	if _, err := f.svc.SaveProgress(ctx, f.open.ID, token, final); survey.ErrorCode(err) != survey.EConflict {
		t.Fatalf("saved into a complete response: %v", err)
	}
	list, _, err := f.svc.Responses(ctx, survey.ResponseFilter{SurveyID: f.open.ID, Limit: 10})
	if err != nil || len(list) != 1 || list[0].Status != survey.ResponseComplete || list[0].SubmittedAt == nil {
		t.Fatalf("responses: %v %+v", err, list)
	}
}

func TestProgressInvitation(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	codes, err := f.svc.CreateInvitations(ctx, f.invi.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ code, want string }{
		{"", survey.EInvalid},
		{"AAAA-BBBB-CCCC", survey.EForbidden},
	} {
		if _, _, err := f.svc.StartProgress(ctx, f.invi.ID, tc.code, ""); survey.ErrorCode(err) != tc.want {
			t.Fatalf("start with %q: %v, want %s", tc.code, err, tc.want)
		}
	}
	// A code holds one response in progress: a second start is told the
	// code is in use, until the code's holder starts over, which discards
	// the first response.
	p1, t1, err := f.svc.StartProgress(ctx, f.invi.ID, codes[0], "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.StartProgress(ctx, f.invi.ID, codes[0], ""); !survey.IsCodeInUse(err) {
		t.Fatalf("second start with one code: %v", err)
	}
	var sealed []byte
	f.st.readSQL.QueryRow(`SELECT sealed_code FROM responses WHERE id = ?`, p1.ID).Scan(&sealed)
	if len(sealed) == 0 || string(sealed) == codes[0] {
		t.Fatalf("sealed code: %q", sealed)
	}
	p2, t2, err := f.svc.StartProgressOver(ctx, f.invi.ID, codes[0], "")
	if err != nil {
		t.Fatal(err)
	}
	answers := survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(7)}
	if _, _, err := f.svc.CompleteProgress(ctx, f.invi.ID, t1, answers); survey.ErrorCode(err) != survey.ENotFound {
		t.Fatalf("complete a discarded response: %v", err)
	}
	if _, _, err := f.svc.CompleteProgress(ctx, f.invi.ID, t2, answers); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.StartProgress(ctx, f.invi.ID, codes[0], ""); survey.ErrorCode(err) != survey.EConflict || survey.IsCodeInUse(err) {
		t.Fatalf("start with a spent code: %v", err)
	}
	if _, _, err := f.svc.StartProgressOver(ctx, f.invi.ID, codes[0], ""); survey.ErrorCode(err) != survey.EConflict || survey.IsCodeInUse(err) {
		t.Fatalf("start over with a spent code: %v", err)
	}
	var mark []byte
	f.st.readSQL.QueryRow(`SELECT hold_mark FROM responses WHERE id = ?`, p2.ID).Scan(&mark)
	if mark != nil {
		t.Fatal("the hold mark outlived the submission")
	}
	p1 = p2
	// Nothing in the complete row points at the code.
	var sealedAfter []byte
	f.st.readSQL.QueryRow(`SELECT sealed_code FROM responses WHERE id = ?`, p1.ID).Scan(&sealedAfter)
	if sealedAfter != nil {
		t.Fatal("the sealed code outlived the submission")
	}
	// The other code is still good, typed the way people type.
	if _, _, err := f.svc.StartProgress(ctx, f.invi.ID, " "+codes[1][:4]+codes[1][5:]+" ", ""); err != nil {
		t.Fatalf("loosely typed code: %v", err)
	}
}

func TestProgressClosedSurvey(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	_, token, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CloseSurvey(ctx, f.open.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.StartProgress(ctx, f.open.ID, "", ""); survey.ErrorCode(err) != survey.EConflict {
		t.Fatalf("start on a closed survey: %v", err)
	}
	if _, err := f.svc.SaveProgress(ctx, f.open.ID, token, survey.Answers{}); survey.ErrorCode(err) != survey.EConflict {
		t.Fatalf("save on a closed survey: %v", err)
	}
}

// TestProgressWritesShareCommits holds that the web form's writes (starts,
// page saves, completions) go through the group-commit writer: a burst of
// respondents is answered from batches of more than one write, each write
// acknowledged only after its batch's commit, and every save is then read
// back.
func TestProgressWritesShareCommits(t *testing.T) {
	ctx := context.Background()
	var counting atomic.Bool
	var writes, batches, largest atomic.Int64
	f := newProgressFixture(t, WithBatchObserver(func(size int, _ time.Duration) {
		if !counting.Load() {
			return
		}
		writes.Add(int64(size))
		batches.Add(1)
		for {
			m := largest.Load()
			if int64(size) <= m || largest.CompareAndSwap(m, int64(size)) {
				break
			}
		}
	}))
	counting.Store(true)
	const respondents, saves = 32, 3
	var wg sync.WaitGroup
	errs := make(chan error, respondents)
	for i := range respondents {
		wg.Go(func() {
			_, tok, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
			if err != nil {
				errs <- err
				return
			}
			for k := range saves {
				if _, err := f.svc.SaveProgress(ctx, f.open.ID, tok, survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(int64(k))}); err != nil {
					errs <- err
					return
				}
				got, err := f.svc.FindProgress(ctx, f.open.ID, tok)
				if err != nil || got.Answers["years"].Int != int64(k) {
					errs <- fmt.Errorf("respondent %d: save %d read back as %+v (%v)", i, k, got, err)
					return
				}
			}
			if _, created, err := f.svc.CompleteProgress(ctx, f.open.ID, tok, survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(9)}); err != nil || !created {
				errs <- fmt.Errorf("respondent %d: complete: created %v, %v", i, created, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := int64(respondents * (saves + 2))
	if writes.Load() != want {
		t.Fatalf("the writer committed %d writes in %d batches; want all %d of the web form's writes", writes.Load(), batches.Load(), want)
	}
	if largest.Load() < 2 {
		t.Errorf("%d writes took %d commits (largest batch %d); want shared commits", writes.Load(), batches.Load(), largest.Load())
	}
	if c, ip, _, err := f.st.CountResponses(ctx, f.open.ID); err != nil || c != respondents || ip != 0 {
		t.Errorf("counts %d complete, %d in progress (%v); want %d and 0", c, ip, err, respondents)
	}
	t.Logf("%d writes in %d commits, largest batch %d", writes.Load(), batches.Load(), largest.Load())
}

// BenchmarkFindProgress reads back a response in progress with every
// answer of the study instrument, as each page of the web form does: as
// kept by the writer (progress_cache.go), and from SQLite (the row's
// pages in the read connection's cache, as they are not under load,
// when every commit makes that cache start over).
func BenchmarkFindProgress(b *testing.B) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(b.TempDir(), "dyad.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := survey.NewService(st)
	in, err := sample.Study()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateInstrument(ctx, in); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Publish(ctx, in.Key, in.Version); err != nil {
		b.Fatal(err)
	}
	sv, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: in.Key, InstrumentVersion: in.Version, Title: "S", Access: survey.AccessOpen})
	if err != nil {
		b.Fatal(err)
	}
	form, err := svc.Form(ctx, in.Key, in.Version)
	if err != nil {
		b.Fatal(err)
	}
	_, tok, err := svc.StartProgress(ctx, sv.ID, "", "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SaveProgress(ctx, sv.ID, tok, sample.Answers(form, rand.New(rand.NewPCG(1, 2)))); err != nil {
		b.Fatal(err)
	}
	hash := survey.HashSecret(tok)
	b.Run("kept", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.FindProgress(ctx, sv.ID, hash); err != nil {
				b.Fatal(err)
			}
		}
		if st.progress.misses.Load() > 0 {
			b.Fatal("the row was not kept")
		}
	})
	b.Run("sqlite", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.ReadProgress(st.findProgress.QueryRowContext(ctx, hash, sv.ID), sv.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestHoldReference holds the hold reference of migrations/0006: set on
// the invitation while a web response holds its code, neither the code's
// hash nor the response's mark, and erased when the code is spent, so a
// complete response's invitation keeps no trace of which response held it.
func TestHoldReference(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	codes, err := f.svc.CreateInvitations(ctx, f.invi.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	p, tok, err := f.svc.StartProgress(ctx, f.invi.ID, codes[0], "")
	if err != nil {
		t.Fatal(err)
	}
	var ref, hash, mark []byte
	if err := f.st.readSQL.QueryRow(`SELECT hold_ref, code_hash FROM invitations WHERE survey_id = ?`, f.invi.ID).Scan(&ref, &hash); err != nil {
		t.Fatal(err)
	}
	if err := f.st.readSQL.QueryRow(`SELECT hold_mark FROM responses WHERE id = ?`, p.ID).Scan(&mark); err != nil {
		t.Fatal(err)
	}
	if len(ref) == 0 || string(ref) == string(hash) || string(ref) == string(mark) {
		t.Fatalf("hold reference %x (code hash %x, mark %x): want a value of its own", ref, hash, mark)
	}
	if _, _, err := f.svc.CompleteProgress(ctx, f.invi.ID, tok, survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(3)}); err != nil {
		t.Fatal(err)
	}
	ref = nil
	if err := f.st.readSQL.QueryRow(`SELECT hold_ref FROM invitations WHERE survey_id = ?`, f.invi.ID).Scan(&ref); err != nil || ref != nil {
		t.Errorf("hold reference after the code was spent: %x (%v), want NULL", ref, err)
	}
}
