package survey

// The web form's step from one page to the next, as a domain method.
//
// SaveSection does what a respondent's POST of one page means, in this
// order, and tells the caller what happened as a SaveSectionOutcome; the
// caller only turns the outcome into a page or a redirect:
//
//  1. The page's answers replace the response's answers to that section
//     (answers to other sections are kept), and answers to items that the
//     result hides are dropped, whatever was posted.
//  2. What can be saved is saved first, whatever comes next, so an answer
//     given is never lost: the answers less those that break the rules of
//     a partial response (and less the answers that depended on those).
//  3. Follow-up questions that the answers revealed on this page, and that
//     the respondent has not seen, are asked before any is called missing.
//  4. Back moves to the previous shown section (checking only what was
//     answered); Continue later stays on the page, checked as Back; Next to the next shown section (checking the page); on
//     the last page, Next submits, after checking every page.
//
// Refusals that a respondent can meet (the survey has just closed, a
// second click submitted the response already, the invitation code was
// spent meanwhile) are outcomes, decided here by error codes and the
// survey's state; the error returned is for failures only.

import (
	"context"
	"errors"
	"maps"
	"strings"
	"time"
)

// SectionAction is the button a page was sent with.
type SectionAction uint8

// Section actions.
const (
	// SectionNext is Next, or Submit on the last page (Enter in a field
	// is the same).
	SectionNext SectionAction = iota
	// SectionBack is Back: nothing unanswered is a problem.
	SectionBack
	// SectionLater is Continue later: the page is saved as Back saves it
	// (nothing unanswered is a problem) and the respondent stays on it,
	// to be given the resume link.
	SectionLater
)

// SaveSectionInput is one page of the web form as sent.
type SaveSectionInput struct {
	SurveyID, Token string
	// Progress is the response the token resumes, as FindProgress
	// returned it (in progress); its answers are those saved so far.
	// SaveSection does not read it again: the caller found it with Token
	// in the same request, and the store's writes decide whether it is
	// still in progress.
	Progress *Progress
	// Section is the index of the page's section.
	Section int
	// Answers are the page's answers, to items of Section only.
	Answers Answers
	Action  SectionAction
	// Seen is the set of the section's items the respondent saw when
	// sending the page; nil when the page did not say (then no follow-up
	// counts as revealed).
	Seen map[string]bool
	// Language is the interface language the page was answered in (a
	// BCP 47 tag such as de or pt-BR), stored with the response by this
	// save or the submission; "" keeps the stored one.
	Language string
	// ViewedAt is when the page was first shown, by the server's clock
	// (pagetimes.go); the time from it to this save is added to the
	// section's page time. Zero when unknown: no time is added.
	ViewedAt time.Time
}

// SectionOutcome says what saving a page led to.
type SectionOutcome uint8

// Section outcomes.
const (
	// SectionFix: problems to fix; show section Section again with the
	// Answers as sent and the Problems (what could be saved was saved).
	SectionFix SectionOutcome = iota + 1
	// SectionRevealed: the answers revealed Revealed follow-up questions
	// on this page; show it again to ask them.
	SectionRevealed
	// SectionMove: go to section Section.
	SectionMove
	// SectionStart: Back from the first shown section; before it is the
	// survey's start.
	SectionStart
	// SectionCompleted: the response is submitted (Response).
	SectionCompleted
	// SectionClosed: the survey does not take responses now (Survey, as
	// read; Err says why); nothing more was saved.
	SectionClosed
	// SectionSubmitted: the response had already been submitted, by
	// another request such as a second click.
	SectionSubmitted
	// SectionCodeRefused: the invitation code could not be spent on
	// submission; Err is EConflict when it was spent meanwhile, EForbidden
	// when it is not (or no longer) one of the survey's codes.
	SectionCodeRefused // SectionSaved: Continue later saved the page; stay on section
	// Section and show the resume link.
	SectionSaved
)

// SaveSectionOutcome is what SaveSection did; which fields are set
// depends on Kind (see the SectionOutcome constants).
type SaveSectionOutcome struct {
	Kind     SectionOutcome
	Section  int
	Answers  Answers
	Problems []Detail
	Revealed int
	Response *Response
	Survey   *Survey
	Err      error
}

// SaveSection saves one page of the web form and decides where the
// respondent goes next (see the top of this file). Errors: ENotFound for
// a section the form does not have or a response that is not the
// survey's, and whatever the store fails with.
func (s *Service) SaveSection(ctx context.Context, in SaveSectionInput) (SaveSectionOutcome, error) {
	p := in.Progress
	if p == nil || p.SurveyID != in.SurveyID {
		return SaveSectionOutcome{}, Errorf(ENotFound, "no response to resume")
	}
	if in.Language != "" && in.Language != p.Language {
		if err := checkLanguage(in.Language); err != nil {
			return SaveSectionOutcome{}, err
		}
		cp := *p
		cp.Language = in.Language
		p = &cp
	}
	form, err := s.Form(ctx, p.InstrumentKey, p.InstrumentVersion)
	if err != nil {
		return SaveSectionOutcome{}, err
	}
	si := in.Section
	if si < 0 || si >= len(form.Instrument.Sections) {
		return SaveSectionOutcome{}, Errorf(ENotFound, "the form has no section %d", si+1)
	}
	merged := form.mergeSection(p.Answers, in.Answers, si)

	// The page's time, from its first view to this save.
	timed := !in.ViewedAt.IsZero()
	if timed {
		cp := *p
		cp.PageTimes = p.PageTimes.Added(form.Instrument.Sections[si].ID, s.now().Sub(in.ViewedAt))
		p = &cp
	}

	// Where the page leads is decided first, storing nothing, for its
	// check: answers that pass it pass Check(partial) too, and are saved
	// as they are without checking them again.
	out, submit, passed := form.decideSection(merged, si, in.Action, in.Seen, form.Order(p.ID))

	// Save, whatever comes next: an answer given is never lost.
	keep := merged
	if !passed {
		keep = form.keepValid(merged)
	}
	if canonical := keep.Canonical(); timed || string(canonical) != string(p.Answers.Canonical()) {
		saved := *p // keep is KeepShown's and passed Check(partial)
		if _, err := s.saveProgress(ctx, &saved, keep, canonical); err != nil {
			return s.sectionRefused(ctx, in, err)
		}
	}

	if !submit {
		return out, nil
	}
	done := *p // merged is KeepShown's and passed Check above
	r, _, codeRefused, err := s.completeProgress(ctx, in.SurveyID, in.Token, &done, merged, true)
	switch code := ErrorCode(err); {
	case err == nil:
		out.Kind, out.Response = SectionCompleted, r
		return out, nil
	case code == EConflict || code == EForbidden:
		if sv, closed := s.closedNow(ctx, in.SurveyID); closed {
			return SaveSectionOutcome{Kind: SectionClosed, Survey: sv, Err: err}, nil
		}
		if codeRefused {
			return SaveSectionOutcome{Kind: SectionCodeRefused, Err: err}, nil
		}
	}
	return SaveSectionOutcome{}, err
}

// mergeSection returns the saved answers with section si's replaced by
// the posted ones, less the answers to items the result hides (whatever
// was posted): step 1 of SaveSection.
func (f *Form) mergeSection(saved, posted Answers, si int) Answers {
	merged := make(Answers, len(saved)+len(posted))
	for id, v := range saved {
		if f.Item(id) != nil && f.SectionOf(id) != si {
			merged[id] = v
		}
	}
	for id, v := range posted {
		merged[id] = v
	}
	f.dropHidden(merged)
	return merged
}

// decideSection is where a page's merged answers lead (steps 3 and 4 of
// SaveSection), deciding without storing: the outcome, or submit when the
// last page passed the whole check and the response is to be completed.
// SaveSection and PreviewSection both decide by it.
//
// passed reports that its check found no problem anywhere, which implies
// that Check(merged, true) finds none either: merged is KeepShown's (no
// hidden item is answered, so no item's problem can excuse another's), and
// the check asked for at least what a partial one asks (required items
// besides; an empty list on a required item is a problem only then).
func (f *Form) decideSection(merged Answers, si int, action SectionAction, seen map[string]bool, ord *Order) (out SaveSectionOutcome, submit, passed bool) {
	out = SaveSectionOutcome{Section: si, Answers: merged}
	rev := 0
	if action == SectionNext {
		rev = f.revealed(merged, si, seen)
	}
	partial := action != SectionNext || rev > 0
	// One check serves both the page and, on the last page, the whole
	// response: it is whole whenever this save can submit. On Next with a
	// page to come, only this page's required items can hold it back.
	required, next := noSection, -1
	if !partial {
		required = everySection
		if next = ord.NextSection(merged, si); next >= 0 {
			required = si
		}
	}
	checked := f.check(merged, required)
	passed = checked == nil
	if err := f.sectionProblems(checked, si); err != nil {
		out.Kind, out.Problems = SectionFix, errDetails(err)
		return out, false, passed
	}
	switch {
	case action == SectionLater:
		out.Kind = SectionSaved
		return out, false, passed
	case action == SectionBack:
		out.Kind, out.Section = SectionMove, ord.PrevSection(merged, si)
		if out.Section < 0 {
			out.Kind, out.Section = SectionStart, 0
		}
		return out, false, passed
	case rev > 0:
		out.Kind, out.Revealed = SectionRevealed, rev
		return out, false, passed
	}
	// Only Next without a reveal gets here, so next is known.
	if next >= 0 {
		out.Kind, out.Section = SectionMove, next
		return out, false, passed
	}
	// The last page: submit. Neither Back nor a reveal got here, so
	// checked is Check(merged, false), the whole check of a submission.
	if checked != nil {
		// A problem on an earlier page (reached by typing its address, or
		// answers changed going back): show that page with its problems.
		first := ord.firstSectionWithProblem(errDetails(checked))
		out.Kind, out.Section, out.Problems = SectionFix, first, errDetails(f.sectionProblems(checked, first))
		return out, false, passed
	}
	out.Kind = SectionCompleted
	return out, true, passed
}

// PreviewSection is SaveSection for a preview of the form: the same
// merge, checks and moves, storing nothing. saved are the answers of the
// pages before (as the preview carries them); the outcome's Answers are
// the merged answers to carry on. A passing last page is
// SectionCompleted, without a Response; Continue later stays on the page
// (SectionSaved). ENotFound for a section the form does not have.
func (f *Form) PreviewSection(saved, posted Answers, si int, action SectionAction, seen map[string]bool) (SaveSectionOutcome, error) {
	if si < 0 || si >= len(f.Instrument.Sections) {
		return SaveSectionOutcome{}, Errorf(ENotFound, "the form has no section %d", si+1)
	}
	out, _, _ := f.decideSection(f.mergeSection(saved, posted, si), si, action, seen, f.DocumentOrder())
	return out, nil
}

// sectionRefused turns a refused save into an outcome where the
// respondent can be told what happened: the survey has closed, or the
// response has been submitted by another request.
func (s *Service) sectionRefused(ctx context.Context, in SaveSectionInput, err error) (SaveSectionOutcome, error) {
	if ErrorCode(err) == EConflict {
		if sv, closed := s.closedNow(ctx, in.SurveyID); closed {
			return SaveSectionOutcome{Kind: SectionClosed, Survey: sv, Err: err}, nil
		}
		if prog, ferr := s.FindProgress(ctx, in.SurveyID, in.Token); ferr == nil && prog.Status == ResponseComplete {
			return SaveSectionOutcome{Kind: SectionSubmitted}, nil
		}
	}
	return SaveSectionOutcome{}, err
}

// closedNow reads the survey and tells whether it does not take
// responses now.
func (s *Service) closedNow(ctx context.Context, surveyID string) (*Survey, bool) {
	sv, err := s.PublicSurvey(ctx, surveyID)
	if err != nil {
		return nil, false
	}
	return sv, sv.Availability(s.Now()) != Accepting
}

// NextSection and PrevSection step over sections whose items are all
// hidden, in the document's order; -1 when there is none. A response's
// pages follow its Order (order.go), whose methods these are.
func (f *Form) NextSection(a Answers, si int) int {
	return f.orders.identity.NextSection(a, si)
}

// PrevSection: see NextSection.
func (f *Form) PrevSection(a Answers, si int) int {
	return f.orders.identity.PrevSection(a, si)
}

// keepValid returns the answers less those that break the rules for a
// partial response (and less the answers that depend on those), which are
// what can be saved while the page is shown again for fixing. Answers
// that all pass (every save but one with a problem) are returned as they
// are, not copied: no one changes a map of answers once made.
func (f *Form) keepValid(a Answers) Answers {
	err := f.Check(a, true)
	if err == nil {
		return a
	}
	out := maps.Clone(a)
	for range len(f.order) {
		for _, d := range errDetails(err) {
			delete(out, strings.TrimPrefix(d.Path, "answers."))
		}
		f.dropHidden(out)
		if err = f.Check(out, true); err == nil {
			return out
		}
	}
	return Answers{}
}

// revealed counts the items of section si that the answers show but the
// respondent did not see when sending the page: without JavaScript, a
// follow-up question appears only when the page is sent, and must be
// asked before moving on. With seen nil (not told) it is 0.
func (f *Form) revealed(a Answers, si int, seen map[string]bool) int {
	if seen == nil {
		return 0
	}
	shown := f.shownList(a) // by position, as SectionShown
	n := 0
	for _, it := range f.Instrument.Sections[si].Items {
		if shown[f.index[it.ID]] && !seen[it.ID] {
			n++
		}
	}
	return n
}

// firstSectionWithProblem returns the section shown first, in this
// order, with an item named in ds; the last page's section when none is.
func (o *Order) firstSectionWithProblem(ds []Detail) int {
	f := o.form
	first := len(o.sections) - 1 // a page
	for _, d := range ds {
		if id, ok := strings.CutPrefix(d.Path, "answers."); ok && f.items[id] != nil && o.page[f.section[id]] < first {
			first = o.page[f.section[id]]
		}
	}
	return o.sections[first]
}

// errDetails returns the details of an *Error; nil for other errors.
func errDetails(err error) []Detail {
	var e *Error
	if errors.As(err, &e) {
		return e.Details
	}
	return nil
}
