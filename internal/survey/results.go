package survey

import (
	"context"
	"fmt"
	"time"
)

// Results: what a researcher reads while a survey runs. The figures
// themselves are computed by package stats from the responses a
// ResponseScanner streams; the answers to a free-text item are listed page
// by page by TextAnswers.

// MaxTextAnswersPage bounds one page of text answers.
const MaxTextAnswersPage = 1000

// TextAnswerFilter selects answers to one free-text item of a survey, in
// submission order. Empty answers are never listed.
type TextAnswerFilter struct {
	SurveyID string
	ItemID   string
	Status   string // "" means every status
	// IncludeTest includes responses made in test mode.
	IncludeTest bool
	// Query keeps answers containing it, ignoring case; "" keeps all.
	Query string
	// By, when set, keeps the responses whose answer to that single-choice
	// item is ByValue, or that did not answer it when ByValue is nil.
	By      string
	ByValue *int64
	After   int64 // keyset cursor: responses with a sequence number above it
	Limit   int
}

// TextAnswer is one response's answer to a free-text item.
type TextAnswer struct {
	ResponseID  string
	Status      string
	SubmittedAt *time.Time
	Text        string
}

// GroupingItem returns the item with the given id if responses can be
// grouped by it: a single-choice item, whose options split the responses
// into groups that do not overlap. Otherwise the error is an EInvalid
// *Error naming the query parameter "by".
func (f *Form) GroupingItem(id string) (*Item, error) {
	it := f.items[id]
	switch {
	case it == nil:
		return nil, invalidParam("by", "unknown item %q", id)
	case it.Type != SingleChoice:
		return nil, invalidParam("by", "%q is a %s item; responses can be grouped by a single_choice item only", id, it.Type)
	}
	return it, nil
}

func invalidParam(path, format string, args ...any) error {
	return &Error{Code: EInvalid, Message: "the query is not valid",
		Details: []Detail{{Path: path, Message: fmt.Sprintf(format, args...)}}}
}

// TextAnswers returns a page of the answers to a free-text item of a
// survey, and the cursor of the next page (0 when there is none). The item
// must be a text item of the survey's instrument (ENotFound for an unknown
// item, EInvalid naming item_id for another type), By a single-choice item
// and ByValue one of its options.
func (s *Service) TextAnswers(ctx context.Context, f TextAnswerFilter) ([]TextAnswer, int64, error) {
	sv, err := s.store.FindSurvey(ctx, f.SurveyID)
	if err != nil {
		return nil, 0, err
	}
	form, err := s.Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		return nil, 0, err
	}
	it := form.Item(f.ItemID)
	if it == nil {
		return nil, 0, Errorf(ENotFound, "survey %s has no item %q", sv.ID, f.ItemID)
	}
	if it.Type != Text {
		return nil, 0, invalidParam("item_id", "%q is a %s item; answers are listed for text items only", it.ID, it.Type)
	}
	if f.By != "" {
		by, err := form.GroupingItem(f.By)
		if err != nil {
			return nil, 0, err
		}
		if f.ByValue != nil && !hasValue(form.Options(by.ID), *f.ByValue) {
			return nil, 0, invalidParam("value", "%d is not an option of %s (allowed: %s, or none)", *f.ByValue, by.ID, valueList(form.Options(by.ID)))
		}
	}
	if f.Limit < 1 || f.Limit > MaxTextAnswersPage {
		return nil, 0, invalidParam("limit", "must be between 1 and %d, got %d", MaxTextAnswersPage, f.Limit)
	}
	return s.store.FindTextAnswers(ctx, f)
}
