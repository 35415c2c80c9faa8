package stats

// Results: the statistics flow, run once for every reader of it.
//
// The API's GET /surveys/{id}/stats and the dashboard's results page ask
// the same question (this survey's responses, filtered by status, perhaps
// grouped by a single-choice item) and must get the same answer: so both
// call Service.Results, which finds the survey and its form, reads the
// query, streams the responses through a Builder and returns the Report.
// The adapters only turn the Results into JSON or a page.
//
// Why here and not in package survey: the flow's product is a Report,
// computed with gonum, and survey imports only the standard library. The
// rules the flow applies are survey's (survey.ParseStatusFilter,
// survey.Form.GroupingItem, the scoring); this file only orders them.

import (
	"context"
	"errors"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Query selects the responses a Results reports on, as given by the
// caller (query parameters or form fields).
type Query struct {
	SurveyID string
	// Status is complete (the default, also for ""), in_progress or all.
	Status string
	// IncludeTest is survey.ParseIncludeTest's: "true" includes the
	// responses made in test mode.
	IncludeTest string
	// By is the id of a single-choice item to group by; "" for none.
	By string
	// Exclude is "" or dq: leave out the responses a data-quality rule
	// flags (survey/quality.go); SpeederFraction is the speeder rule's
	// fraction of the median ("" for the default, 0.3).
	Exclude, SpeederFraction string
}

// Results is a survey's report for one Query.
type Results struct {
	Survey *survey.Survey
	Form   *survey.Form
	// Status is the filter applied.
	Status survey.StatusFilter
	Report *Report
	// Exclude is "dq" when flagged responses were left out, and Excluded
	// how many.
	Exclude  string
	Excluded int
}

// Service runs the statistics flow over the survey service and a
// response scanner.
type Service struct {
	surveys   *survey.Service
	responses survey.ResponseScanner
}

// NewService returns a Service. A nil scanner makes every Results
// EUnavailable: a server without statistics configured.
func NewService(surveys *survey.Service, responses survey.ResponseScanner) *Service {
	return &Service{surveys: surveys, responses: responses}
}

// Results computes the report for q. Errors: EUnavailable without a
// scanner; the survey service's for the survey and its form (ENotFound
// for an unknown survey); EInvalid with every bad parameter at once
// (status, by); and the scanner's.
func (s *Service) Results(ctx context.Context, q Query) (*Results, error) {
	if s.responses == nil {
		return nil, survey.Errorf(survey.EUnavailable, "statistics are not configured on this server")
	}
	var p survey.Problems
	status := survey.ParseStatusFilter(&p, q.Status, survey.StatusComplete)
	includeTest := survey.ParseIncludeTest(&p, q.IncludeTest)
	quality := survey.ParseQualityOptions(&p, q.Exclude, q.SpeederFraction)
	sv, err := s.surveys.Survey(ctx, q.SurveyID)
	if err != nil {
		return nil, err
	}
	form, err := s.surveys.Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		return nil, err
	}
	b, err := New(form, Options{By: q.By})
	var se *survey.Error
	switch {
	case errors.As(err, &se) && se.Code == survey.EInvalid:
		p = append(p, se.Details...) // reported with a bad status at once
	case err != nil:
		return nil, err
	}
	if err := p.Err(survey.EInvalid, "the query is not valid"); err != nil {
		return nil, err
	}
	filter := survey.ExportFilter{SurveyID: sv.ID, Status: status.Status(), IncludeTest: includeTest}
	sc, ex, err := survey.ExcludeIfAsked(ctx, s.responses, form, filter, quality)
	if err != nil {
		return nil, err
	}
	if err := b.Scan(ctx, sc, filter); err != nil {
		return nil, err
	}
	res := &Results{Survey: sv, Form: form, Status: status, Report: b.Report()}
	if ex != nil {
		res.Exclude, res.Excluded = "dq", ex.Excluded()
	}
	return res, nil
}
