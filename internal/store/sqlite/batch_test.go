package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestBatchJobFailsAlone runs one batch of the group-commit writer whose
// jobs fail in every way a job can, between jobs that succeed: a job that
// writes with one statement runs without a savepoint (SQLite undoes its
// failed statement alone), one that writes with several runs in its own
// (writer.go). Every failed job is answered with its own error and leaves
// nothing behind; every other job of the batch commits.
func TestBatchJobFailsAlone(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	st := f.st
	now := time.Now().UTC().Truncate(time.Microsecond)

	// Made before the batch, each in a batch of its own: a complete
	// response (which refuses a page save) and two in progress.
	_, doneTok, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.CompleteProgress(ctx, f.open.ID, doneTok, survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(1)}); err != nil {
		t.Fatal(err)
	}
	done, err := f.svc.FindProgress(ctx, f.open.ID, doneTok)
	if err != nil {
		t.Fatal(err)
	}
	p2, _, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	p3, _, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}

	submission := func(note string) *survey.Response {
		a := survey.Answers{"uses": survey.IntVal(1), "why": survey.TextVal(note), "years": survey.IntVal(3)}
		return &survey.Response{ID: survey.NewUUID(), SurveyID: f.open.ID, InstrumentKey: f.open.InstrumentKey,
			InstrumentVersion: f.open.InstrumentVersion, Status: survey.ResponseComplete, Answers: a,
			StartedAt: now, SubmittedAt: &now, Digest: []byte(note)}
	}
	start := func() *survey.Progress {
		return &survey.Progress{Response: survey.Response{ID: survey.NewUUID(), SurveyID: f.open.ID,
			InstrumentKey: f.open.InstrumentKey, InstrumentVersion: f.open.InstrumentVersion,
			Status: survey.ResponseInProgress, Answers: survey.Answers{}, StartedAt: now, Digest: []byte("start")},
			UpdatedAt: now}
	}
	completion := func(p *survey.Progress, years int64) *survey.Response {
		r := p.Response
		r.Status = survey.ResponseComplete
		r.Answers = survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(years)}
		r.AnswersJSON = nil // the start's canonical empty answers
		r.SubmittedAt = &now
		return &r
	}

	a := submission("a")
	aAgain := submission("a again")
	aAgain.ID = a.ID
	p1 := start()
	p1Again := start()
	p1Again.ID = p1.ID
	p1Saved := *p1
	p1Saved.Answers = survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(5)}
	p1Saved.AnswersJSON = nil
	p1Saved.UpdatedAt = now.Add(time.Second)
	doneSaved := *done
	doneSaved.Answers = survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(99)}
	doneSaved.AnswersJSON = nil
	b := submission("b")
	c := submission("c")
	unknownCode := []byte("no such invitation code hash....")

	submit := func(r *survey.Response, codeHash []byte) *writeJob { // as CreateResponse makes it
		j := newJob(ctx)
		j.r, j.codeHash = r, codeHash
		return j
	}
	type want struct {
		created, dup bool
		code         string // the error's code; "" for none
	}
	jobs := []struct {
		name string
		job  *writeJob
		want want
	}{
		{"submission", submit(a, nil), want{created: true}},
		{"submission of an id in the batch", submit(aAgain, nil), want{dup: true}},
		{"start", st.startJob(ctx, p1, []byte("resume p1"), nil), want{created: true}},
		{"start with an id in the batch", st.startJob(ctx, p1Again, []byte("resume p1 again"), nil), want{code: survey.EConflict}},
		{"page save", st.saveJob(ctx, &p1Saved), want{created: true}},
		{"page save of a complete response", st.saveJob(ctx, &doneSaved), want{code: survey.EConflict}},
		{"submission with an unknown code", submit(b, unknownCode), want{code: survey.EForbidden}},
		{"completion", st.completeJob(ctx, completion(p2, 7), nil), want{created: true}},
		{"completion with an unknown code", st.completeJob(ctx, completion(p3, 8), unknownCode), want{code: survey.EForbidden}},
		{"submission after the failures", submit(c, nil), want{created: true}},
	}
	batch := make([]*writeJob, len(jobs))
	for i, j := range jobs {
		batch[i] = j.job
	}
	// The writer goroutine is idle (no job waits), so the test can run a
	// batch itself, in the order it chose.
	st.commitBatch(batch)
	for _, j := range jobs {
		res := <-j.job.done
		if got := (want{res.created, res.dup, survey.ErrorCode(res.err)}); got != j.want {
			t.Errorf("%s: created %v, dup %v, error %v; want %+v", j.name, res.created, res.dup, res.err, j.want)
		}
	}

	// What the failed jobs would have written is not there.
	if _, err := st.FindResponse(ctx, b.ID); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("the submission with an unknown code was stored: %v", err)
	}
	var status string
	if err := st.readSQL.QueryRow(`SELECT status FROM responses WHERE id = ?`, p3.ID).Scan(&status); err != nil || status != survey.ResponseInProgress {
		t.Errorf("the completion with an unknown code left status %q (%v); want it in progress", status, err)
	}
	var resume []byte
	if err := st.readSQL.QueryRow(`SELECT resume_hash FROM responses WHERE id = ?`, p1.ID).Scan(&resume); err != nil || !bytes.Equal(resume, []byte("resume p1")) {
		t.Errorf("p1's resume hash is %q (%v); the second start with its id overwrote the first", resume, err)
	}
	if got, err := st.FindResponse(ctx, done.ID); err != nil || got.Answers["years"].Int != 1 {
		t.Errorf("the complete response was changed by a refused save: %+v (%v)", got, err)
	}
	// What the other jobs wrote is.
	if got, err := st.FindResponse(ctx, a.ID); err != nil || got.Answers["why"].Text != "a" {
		t.Errorf("the first submission: %+v (%v)", got, err)
	}
	if got, err := st.FindResponse(ctx, c.ID); err != nil || got.Status != survey.ResponseComplete {
		t.Errorf("the last submission: %+v (%v)", got, err)
	}
	if got, err := st.FindResponse(ctx, p1.ID); err != nil || got.Answers["years"].Int != 5 || got.Status != survey.ResponseInProgress {
		t.Errorf("the saved start: %+v (%v)", got, err)
	}
	if got, err := st.FindResponse(ctx, p2.ID); err != nil || got.Status != survey.ResponseComplete || got.Answers["years"].Int != 7 {
		t.Errorf("the completion: %+v (%v)", got, err)
	}
	complete, inProgress, _, err := st.CountResponses(ctx, f.open.ID)
	if err != nil || complete != 4 || inProgress != 2 {
		t.Errorf("counts %d complete, %d in progress (%v); want 4 (done, a, c, p2) and 2 (p1, p3)", complete, inProgress, err)
	}
}

// TestCommitDelay holds the writer's commit delay (writer.go): on a quiet
// server a write commits at once; once a batch of commitSiblings or more
// shows load, the next batch waits for more writes to share its commit (two
// writes sent 100 ms apart commit together) until it is as large as the
// largest recent batch, and a smaller batch ends the waiting again; closing
// the store ends a wait at once, and the writes taken are still committed
// and answered. The delay here is a second, so that "at once" (well under
// half of it) cannot be confused with a wait.
func TestCommitDelay(t *testing.T) {
	ctx := context.Background()
	const delay = time.Second
	sizes := make(chan int, 64)
	f := newProgressFixture(t, WithCommitDelay(delay), WithBatchObserver(func(size int, _ time.Duration) { sizes <- size }))
	st := f.st
	drain := func() {
		for len(sizes) > 0 {
			<-sizes
		}
	}
	start := func() error {
		_, _, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
		return err
	}
	quick := func(what string) {
		t.Helper()
		began := time.Now()
		if err := start(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(began); d > delay/2 {
			t.Errorf("%s took %v: it waited for the commit delay", what, d)
		}
		if n := <-sizes; n != 1 {
			t.Errorf("%s committed in a batch of %d, want 1", what, n)
		}
	}
	// load holds the writer in a job of its own while n starts queue
	// behind it, so that they make the next batch together.
	load := func(n int) {
		t.Helper()
		release := make(chan struct{})
		blocker := newJob(ctx)
		blocker.oneStatement = true
		inside := make(chan struct{})
		blocker.write = func(context.Context, *sql.Tx) writeResult { close(inside); <-release; return written(nil) }
		blocked := make(chan writeResult, 1)
		go func() { blocked <- st.enqueue(blocker) }()
		<-inside // the writer is busy: the starts queue behind it
		errs := make(chan error, n)
		for range n {
			go func() { errs <- start() }()
		}
		time.Sleep(200 * time.Millisecond) // the starts reach the writer's channel
		close(release)
		if res := <-blocked; res.err != nil {
			t.Fatal(res.err)
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if got := []int{<-sizes, <-sizes}; got[1] != n {
			t.Fatalf("batches of %v under load; want the %d queued starts in one", got, n)
		}
	}

	drain()
	quick("a start on a quiet server")
	load(commitSiblings + 1)
	// Under load, a batch as large as the largest recent one (the
	// commitSiblings+1 just made) is written without waiting out the delay:
	// starts sent 20 ms apart commit as soon as the last has come.
	{
		n := commitSiblings + 1
		errs := make(chan error, n)
		began := time.Now()
		for range n {
			go func() { errs <- start() }()
			time.Sleep(20 * time.Millisecond)
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if d := time.Since(began); d > delay/2 {
			t.Errorf("%d starts 20 ms apart, as many as the largest recent batch, took %v: they waited out the delay", n, d)
		}
		if got := <-sizes; got != n {
			t.Errorf("%d starts 20 ms apart under load committed in a batch of %d, want all", n, got)
		}
	}
	// Under load: two starts 100 ms apart share the delayed batch.
	errs := make(chan error, 2)
	go func() { errs <- start() }()
	time.Sleep(100 * time.Millisecond)
	go func() { errs <- start() }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := <-sizes; n != 2 {
		t.Errorf("two starts 100 ms apart under load committed in a batch of %d, want 2", n)
	}
	// That batch was small: the next start commits at once again.
	quick("a start after a small batch")

	// Closing the store ends a wait: the start taken is answered, and
	// stored.
	load(commitSiblings + 1)
	var p *survey.Progress
	done := make(chan error, 1)
	go func() {
		var err error
		p, _, err = f.svc.StartProgress(ctx, f.open.ID, "", "")
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // the start is in the writer's wait
	began := time.Now()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the start waiting when the store closed: %v", err)
	}
	if d := time.Since(began); d > delay/2 {
		t.Errorf("closing took %v: the wait was not ended", d)
	}
	reopened, err := Open(ctx, st.path)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if got, err := reopened.FindResponse(ctx, p.ID); err != nil || got.Status != survey.ResponseInProgress {
		t.Errorf("the start answered during Close: %+v, %v; want it stored", got, err)
	}
}
