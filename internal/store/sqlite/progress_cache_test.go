package sqlite

import (
	"context"
	"reflect"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// fromSQLite reads the response to surveyID with the resume token as
// SQLite has it, past the progress cache.
func fromSQLite(t *testing.T, st *Store, surveyID, token string) *survey.Progress {
	t.Helper()
	p, err := st.ReadProgress(st.findProgress.QueryRowContext(context.Background(), survey.HashSecret(token), surveyID), surveyID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sameAsSQLite checks that FindProgress answers what SQLite has, and
// whether it answered from the cache.
func sameAsSQLite(t *testing.T, f *progressFixture, surveyID, token string, kept bool, what string) {
	t.Helper()
	hits := f.st.progress.hits.Load()
	got, err := f.st.FindProgress(context.Background(), surveyID, survey.HashSecret(token))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if hit := f.st.progress.hits.Load() > hits; hit != kept {
		t.Errorf("%s: answered from the cache %v, want %v", what, hit, kept)
	}
	if want := fromSQLite(t, f.st, surveyID, token); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: FindProgress gave\n%+v\nSQLite has\n%+v", what, got, want)
	}
}

// The rows the writer keeps are exactly what FindProgress reads from
// SQLite: after a start (open and test-mode surveys, with and without a
// language), after saves that change the language or leave it, and
// after a hold's start on an invitation survey.
func TestProgressCacheKeepsWhatSQLiteHas(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	if _, _, err := f.st.SetSurveyMode(ctx, f.open.ID, survey.ModeTest, false); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"", "de"} {
		_, token, err := f.svc.StartProgress(ctx, f.open.ID, "", lang)
		if err != nil {
			t.Fatal(err)
		}
		if !fromSQLite(t, f.st, f.open.ID, token).Test {
			t.Fatal("a start in test mode is not a test response")
		}
		sameAsSQLite(t, f, f.open.ID, token, true, "after the start")
		steps := []struct {
			lang    string
			answers survey.Answers
		}{
			{"", survey.Answers{"uses": survey.IntVal(1), "why": survey.TextVal("Zeit für Gespräche, \"mehr\" als <vorher>")}},
			{"fr", survey.Answers{"uses": survey.IntVal(0)}},
			{"", survey.Answers{"uses": survey.IntVal(1), "why": survey.TextVal("")}},
		}
		for _, s := range steps {
			prog, err := f.svc.FindProgress(ctx, f.open.ID, token)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.SaveSection(ctx, survey.SaveSectionInput{SurveyID: f.open.ID, Token: token, Progress: prog,
				Section: 0, Answers: s.answers, Language: s.lang})
			if err != nil {
				t.Fatal(err)
			}
			sameAsSQLite(t, f, f.open.ID, token, true, "after a save with language "+s.lang)
		}
		// The store's own save with no language keeps the stored one.
		prog, err := f.st.FindProgress(ctx, f.open.ID, survey.HashSecret(token))
		if err != nil {
			t.Fatal(err)
		}
		prog.Language = ""
		prog.Answers = survey.Answers{"uses": survey.IntVal(0)}
		prog.AnswersJSON = nil
		if err := f.st.SaveProgress(ctx, prog); err != nil {
			t.Fatal(err)
		}
		sameAsSQLite(t, f, f.open.ID, token, true, "after a save without a language")
		if got := fromSQLite(t, f.st, f.open.ID, token).Language; got != "fr" {
			t.Fatalf("the language after a save without one is %q, want fr", got)
		}
	}
}

// Every other change of a row drops what is kept of it, whichever code
// makes it: the gorm code's SQL on the writer's pool, a deletion; and a
// completion keeps the complete row for one read. A mutation that removes the update
// hook fails this test.
func TestProgressCacheForgetsOtherChanges(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	p, token, err := f.svc.StartProgress(ctx, f.open.ID, "", "en")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SaveProgress(ctx, f.open.ID, token, survey.Answers{"uses": survey.IntVal(0)}); err != nil {
		t.Fatal(err)
	}
	sameAsSQLite(t, f, f.open.ID, token, true, "after a save")

	// A change outside the writer's batches, as the gorm code makes them.
	if err := f.st.write.Exec(`UPDATE responses SET answers = ?, language = 'nl' WHERE id = ?`, `{"uses":1,"why":"changed"}`, p.ID).Error; err != nil {
		t.Fatal(err)
	}
	sameAsSQLite(t, f, f.open.ID, token, false, "after an UPDATE through gorm")
	if got := fromSQLite(t, f.st, f.open.ID, token); got.Answers["why"].Text != "changed" || got.Language != "nl" {
		t.Fatalf("SQLite has %+v", got)
	}

	// A save of a row not kept keeps nothing (it would have had to guess
	// the rest of the row), and the next read asks SQLite.
	if _, err := f.svc.SaveProgress(ctx, f.open.ID, token, survey.Answers{"uses": survey.IntVal(0)}); err != nil {
		t.Fatal(err)
	}
	sameAsSQLite(t, f, f.open.ID, token, false, "after a save of a row not kept")

	// Kept again after the next start; then deleted behind the writer.
	_, token2, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	sameAsSQLite(t, f, f.open.ID, token2, true, "after a second start")
	if err := f.st.write.Exec(`DELETE FROM responses WHERE resume_hash = ?`, survey.HashSecret(token2)).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.FindProgress(ctx, f.open.ID, survey.HashSecret(token2)); survey.ErrorCode(err) != survey.ENotFound {
		t.Fatalf("a deleted response is still found: %v", err)
	}

	// A completion through the writer keeps the complete row for one
	// read (the thank-you page's, next), as SQLite has it; the reads
	// after it ask SQLite.
	_, token3, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SaveProgress(ctx, f.open.ID, token3, survey.Answers{"uses": survey.IntVal(0)}); err != nil {
		t.Fatal(err)
	}
	prog, err := f.svc.FindProgress(ctx, f.open.ID, token3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SaveSection(ctx, survey.SaveSectionInput{SurveyID: f.open.ID, Token: token3, Progress: prog,
		Section: 1, Answers: survey.Answers{"years": survey.IntVal(3)}}); err != nil {
		t.Fatal(err)
	}
	sameAsSQLite(t, f, f.open.ID, token3, true, "after completion")
	if got := fromSQLite(t, f.st, f.open.ID, token3); got.Status != survey.ResponseComplete {
		t.Fatalf("after the last page the response is %q, want complete", got.Status)
	}
	sameAsSQLite(t, f, f.open.ID, token3, false, "a second read after completion")
	if n := len(f.st.progress.rows); n != 0 {
		t.Fatalf("%d rows kept after the only response in progress completed", n)
	}
}

// Each read of a kept row is a Progress of its own: a caller changing
// everything a Progress holds (answers, a list's values, page times,
// digest) changes nothing the next read gets, whatever the cache keeps
// and however it hands it out.
func TestProgressCacheReadsShareNothing(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	_, token, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := f.st.FindProgress(ctx, f.open.ID, survey.HashSecret(token))
	if err != nil {
		t.Fatal(err)
	}
	// The store keeps what it is given; a list and page times, so that
	// every kind of value is copied.
	prog.Answers = survey.Answers{"uses": survey.IntVal(1), "why": survey.TextVal("time"), "many": survey.ListVal(1, 3), "none": survey.ListVal()}
	prog.AnswersJSON = nil
	prog.PageTimes = survey.PageTimes{"a": 1200}
	if err := f.st.SaveProgress(ctx, prog); err != nil {
		t.Fatal(err)
	}
	first, err := f.st.FindProgress(ctx, f.open.ID, survey.HashSecret(token))
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Answers["many"].List) != 2 {
		t.Fatalf("the list read back is %v", first.Answers["many"].List)
	}
	first.Answers["many"].List[0] = 9
	first.Answers["uses"] = survey.IntVal(0)
	delete(first.Answers, "why")
	first.PageTimes["a"] = 1
	first.Digest[0] ^= 0xff
	first.ID, first.Language = "changed", "xx"
	sameAsSQLite(t, f, f.open.ID, token, true, "after a caller changed an earlier read")
}

// Past its bound the cache lets go of the rows kept longest ago, so a
// respondent who keeps saving stays kept while one who left goes: three
// starts with room for two drop the first; a save of the second keeps it
// again, newest, and a fourth start then drops the third. A mutation that
// drops the newest rows, or any row at random, fails this test.
func TestProgressCacheDropsTheOldest(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	f.st.progress.mu.Lock()
	f.st.progress.maxRows = 2
	f.st.progress.mu.Unlock()
	start := func() string {
		t.Helper()
		_, token, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	t1, t2, t3 := start(), start(), start()
	sameAsSQLite(t, f, f.open.ID, t1, false, "the first of three starts")
	sameAsSQLite(t, f, f.open.ID, t2, true, "the second of three starts")
	sameAsSQLite(t, f, f.open.ID, t3, true, "the third of three starts")
	if _, err := f.svc.SaveProgress(ctx, f.open.ID, t2, survey.Answers{"uses": survey.IntVal(1)}); err != nil {
		t.Fatal(err)
	}
	t4 := start()
	sameAsSQLite(t, f, f.open.ID, t3, false, "the third start, after the second's save and a fourth start")
	sameAsSQLite(t, f, f.open.ID, t2, true, "the second start, saved")
	sameAsSQLite(t, f, f.open.ID, t4, true, "the fourth start")
	for range 200 { // many keeps of one row: the order stays compact
		if _, err := f.svc.SaveProgress(ctx, f.open.ID, t4, survey.Answers{"uses": survey.IntVal(0)}); err != nil {
			t.Fatal(err)
		}
	}
	f.st.progress.mu.Lock()
	n, rows := len(f.st.progress.order), len(f.st.progress.rows)
	f.st.progress.mu.Unlock()
	if rows != 2 || n > 2*rows+64 {
		t.Fatalf("%d rows kept, %d entries in their order", rows, n)
	}
}
