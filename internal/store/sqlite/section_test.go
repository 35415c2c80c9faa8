package sqlite

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestSaveSection holds survey.Service.SaveSection, the web form's page
// step, against a real store: for each page as sent, the outcome, the
// section shown or moved to, the problems named, and the answers stored
// afterwards (what can be saved is saved, whatever the outcome).
//
// The fixture's form: section 0 asks uses (required; 1 Yes, 0 No) and
// why (text, shown if uses = 1); section 1 asks years (required).
func TestSaveSection(t *testing.T) {
	ctx := context.Background()
	i, s := survey.IntVal, survey.TextVal
	seen := func(ids ...string) map[string]bool {
		m := map[string]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	for _, tc := range []struct {
		name      string
		saved     survey.Answers // stored before the page is sent
		section   int
		posted    survey.Answers
		action    survey.SectionAction
		seen      map[string]bool
		want      survey.SectionOutcome
		wantAt    int      // Section of the outcome
		problems  []string // paths
		revealed  int
		wantSaved survey.Answers
	}{
		{name: "NextMoves", posted: survey.Answers{"uses": i(0)}, seen: seen("uses"),
			want: survey.SectionMove, wantAt: 1, wantSaved: survey.Answers{"uses": i(0)}},
		{name: "FollowUpRevealed", posted: survey.Answers{"uses": i(1)}, seen: seen("uses"),
			want: survey.SectionRevealed, revealed: 1, wantSaved: survey.Answers{"uses": i(1)}},
		{name: "FollowUpSeenMoves", posted: survey.Answers{"uses": i(1)}, seen: seen("uses", "why"),
			want: survey.SectionMove, wantAt: 1, wantSaved: survey.Answers{"uses": i(1)}},
		{name: "PageDidNotSayWhatWasSeen", posted: survey.Answers{"uses": i(1)},
			want: survey.SectionMove, wantAt: 1, wantSaved: survey.Answers{"uses": i(1)}},
		{name: "HiddenAnswerDropped", posted: survey.Answers{"uses": i(0), "why": s("x")}, seen: seen("uses"),
			want: survey.SectionMove, wantAt: 1, wantSaved: survey.Answers{"uses": i(0)}},
		{name: "ErrRequired", posted: survey.Answers{}, seen: seen("uses"),
			want: survey.SectionFix, problems: []string{"answers.uses"}, wantSaved: survey.Answers{}},
		{name: "ErrWrongValueOthersSaved", saved: survey.Answers{"uses": i(0)}, section: 1, posted: survey.Answers{"years": s("ten")},
			want: survey.SectionFix, wantAt: 1, problems: []string{"answers.years"}, wantSaved: survey.Answers{"uses": i(0)}},
		{name: "BackFromFirst", posted: survey.Answers{}, action: survey.SectionBack,
			want: survey.SectionStart, wantSaved: survey.Answers{}},
		{name: "BackSavesWithoutRequired", saved: survey.Answers{"uses": i(0)}, section: 1, posted: survey.Answers{}, action: survey.SectionBack,
			want: survey.SectionMove, wantAt: 0, wantSaved: survey.Answers{"uses": i(0)}},
		{name: "BackStillChecksValues", saved: survey.Answers{"uses": i(0)}, section: 1, posted: survey.Answers{"years": s("ten")}, action: survey.SectionBack,
			want: survey.SectionFix, wantAt: 1, problems: []string{"answers.years"}, wantSaved: survey.Answers{"uses": i(0)}},
		{name: "LastPageSubmits", saved: survey.Answers{"uses": i(0)}, section: 1, posted: survey.Answers{"years": i(7)},
			want: survey.SectionCompleted, wantAt: 1, wantSaved: survey.Answers{"uses": i(0), "years": i(7)}},
		{name: "ErrEarlierPageOnSubmit", section: 1, posted: survey.Answers{"years": i(7)},
			want: survey.SectionFix, wantAt: 0, problems: []string{"answers.uses"}, wantSaved: survey.Answers{"years": i(7)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newProgressFixture(t)
			_, token, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if tc.saved != nil {
				if _, err := f.svc.SaveProgress(ctx, f.open.ID, token, tc.saved); err != nil {
					t.Fatal(err)
				}
			}
			prog, err := f.svc.FindProgress(ctx, f.open.ID, token)
			if err != nil {
				t.Fatal(err)
			}
			out, err := f.svc.SaveSection(ctx, survey.SaveSectionInput{SurveyID: f.open.ID, Token: token, Progress: prog,
				Section: tc.section, Answers: tc.posted, Action: tc.action, Seen: tc.seen})
			if err != nil {
				t.Fatal(err)
			}
			if out.Kind != tc.want || out.Section != tc.wantAt || out.Revealed != tc.revealed {
				t.Fatalf("outcome %d at section %d (revealed %d), want %d at %d (revealed %d); problems %v",
					out.Kind, out.Section, out.Revealed, tc.want, tc.wantAt, tc.revealed, out.Problems)
			}
			var paths []string
			for _, d := range out.Problems {
				paths = append(paths, d.Path)
			}
			if len(paths) != len(tc.problems) || (len(paths) > 0 && paths[0] != tc.problems[0]) {
				t.Fatalf("problems %v, want %v", paths, tc.problems)
			}
			after, err := f.svc.FindProgress(ctx, f.open.ID, token)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(after.Answers.Canonical()), string(tc.wantSaved.Canonical()); got != want {
				t.Fatalf("stored answers %s, want %s", got, want)
			}
			if complete := after.Status == survey.ResponseComplete; complete != (tc.want == survey.SectionCompleted) {
				t.Fatalf("stored status %s after outcome %d", after.Status, out.Kind)
			}
		})
	}
}

// TestSaveSectionRefusals: what a respondent can meet when the world
// changed under the page (the survey closed, a second click submitted the
// response, the invitation code was spent meanwhile) comes back as an
// outcome, with the error's code where the page depends on it, not as a
// failure; and a section the form does not have is ENotFound.
func TestSaveSectionRefusals(t *testing.T) {
	ctx := context.Background()
	last := func(f *progressFixture, surveyID, token string) (survey.SaveSectionOutcome, error) {
		prog, err := f.svc.FindProgress(ctx, surveyID, token)
		if err != nil {
			t.Fatal(err)
		}
		prog.Answers = survey.Answers{"uses": survey.IntVal(0)}
		return f.svc.SaveSection(ctx, survey.SaveSectionInput{SurveyID: surveyID, Token: token, Progress: prog,
			Section: 1, Answers: survey.Answers{"years": survey.IntVal(3)}})
	}
	t.Run("Closed", func(t *testing.T) {
		f := newProgressFixture(t)
		_, token, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CloseSurvey(ctx, f.open.ID); err != nil {
			t.Fatal(err)
		}
		out, err := last(f, f.open.ID, token)
		if err != nil || out.Kind != survey.SectionClosed || out.Survey == nil || out.Survey.Status != survey.SurveyClosed ||
			survey.ErrorCode(out.Err) != survey.EConflict {
			t.Fatalf("outcome %+v, error %v", out, err)
		}
	})
	t.Run("SubmittedByAnotherRequest", func(t *testing.T) {
		f := newProgressFixture(t)
		_, token, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		stale, err := f.svc.FindProgress(ctx, f.open.ID, token)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.CompleteProgress(ctx, f.open.ID, token, survey.Answers{"uses": survey.IntVal(1), "years": survey.IntVal(1)}); err != nil {
			t.Fatal(err)
		}
		out, err := f.svc.SaveSection(ctx, survey.SaveSectionInput{SurveyID: f.open.ID, Token: token, Progress: stale,
			Answers: survey.Answers{"uses": survey.IntVal(0)}})
		if err != nil || out.Kind != survey.SectionSubmitted {
			t.Fatalf("outcome %+v, error %v", out, err)
		}
	})
	t.Run("CodeSpentMeanwhile", func(t *testing.T) {
		f := newProgressFixture(t)
		codes, err := f.svc.CreateInvitations(ctx, f.invi.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := f.svc.StartProgress(ctx, f.invi.ID, codes[0], "")
		if err != nil {
			t.Fatal(err)
		}
		// Spent by a path this process does not see (another server, an
		// older version): the row says so.
		if _, err := f.st.writeSQL.Exec(`UPDATE invitations SET spent = 1, held = 0 WHERE survey_id = ?`, f.invi.ID); err != nil {
			t.Fatal(err)
		}
		out, err := last(f, f.invi.ID, token)
		if err != nil || out.Kind != survey.SectionCodeRefused || survey.ErrorCode(out.Err) != survey.EConflict {
			t.Fatalf("outcome %+v, error %v", out, err)
		}
		// Refused, the response stays in progress, its answers kept.
		after, err := f.svc.FindProgress(ctx, f.invi.ID, token)
		if err != nil || after.Status != survey.ResponseInProgress || len(after.Answers) != 2 {
			t.Fatalf("after a refused code: %+v, %v", after, err)
		}
	})
	t.Run("ErrNoSuchSection", func(t *testing.T) {
		f := newProgressFixture(t)
		_, token, err := f.svc.StartProgress(ctx, f.open.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		prog, _ := f.svc.FindProgress(ctx, f.open.ID, token)
		for _, si := range []int{-1, 2} {
			if _, err := f.svc.SaveSection(ctx, survey.SaveSectionInput{SurveyID: f.open.ID, Token: token, Progress: prog, Section: si}); survey.ErrorCode(err) != survey.ENotFound {
				t.Fatalf("section %d: %v, want %s", si, err, survey.ENotFound)
			}
		}
	})
}

// findCounter is the real store, counting the reads of a response by its
// resume token.
type findCounter struct {
	*Store
	finds atomic.Int32
}

func (c *findCounter) FindProgress(ctx context.Context, surveyID string, resumeHash []byte) (*survey.Progress, error) {
	c.finds.Add(1)
	return c.Store.FindProgress(ctx, surveyID, resumeHash)
}

// TestSaveSectionReadsNoResponse: SaveSection works from the response its
// caller found (the web handler reads it once per request to know whose
// page this is), so neither a page save nor the submission on the last
// page reads it again; the store's writes still decide whether it is in
// progress (TestSaveSectionRefusals).
func TestSaveSectionReadsNoResponse(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	st := &findCounter{Store: f.st}
	svc := survey.NewService(st)
	_, token, err := svc.StartProgress(ctx, f.open.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for si, posted := range []survey.Answers{{"uses": survey.IntVal(0)}, {"years": survey.IntVal(4)}} {
		prog, err := svc.FindProgress(ctx, f.open.ID, token)
		if err != nil {
			t.Fatal(err)
		}
		st.finds.Store(0)
		out, err := svc.SaveSection(ctx, survey.SaveSectionInput{SurveyID: f.open.ID, Token: token, Progress: prog, Section: si, Answers: posted})
		if err != nil {
			t.Fatal(err)
		}
		if want := []survey.SectionOutcome{survey.SectionMove, survey.SectionCompleted}[si]; out.Kind != want {
			t.Fatalf("section %d: outcome %d, want %d", si, out.Kind, want)
		}
		if n := st.finds.Load(); n != 0 {
			t.Fatalf("section %d: the response was read %d more times by the save", si, n)
		}
	}
	after, err := svc.FindProgress(ctx, f.open.ID, token)
	if err != nil || after.Status != survey.ResponseComplete || len(after.Answers) != 2 {
		t.Fatalf("after the last page: %+v, %v", after, err)
	}
}
