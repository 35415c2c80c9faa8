package httpapi

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/stats"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// statsDoc is the answer of GET /surveys/{id}/stats: the survey's overall
// counts (every status, no grouping), the filter applied, and the report
// of package stats for the responses the filter selects.
type statsDoc struct {
	SurveyID   string        `json:"survey_id"`
	Instrument instrumentKey `json:"instrument"`
	Status     string        `json:"status"`
	Survey     surveyTotals  `json:"survey"`
	*stats.Report
}

type instrumentKey struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
}

type surveyTotals struct {
	Complete       int      `json:"complete"`
	InProgress     int      `json:"in_progress"`
	CompletionRate *float64 `json:"completion_rate"` // complete / all; null with no responses
}

// statusParam reads ?status=: complete (the default), in_progress or all,
// and returns the filter value ("" for all).
func statusParam(p *survey.Problems, q url.Values) (name, filter string) {
	switch s := q.Get("status"); s {
	case "", survey.ResponseComplete:
		return survey.ResponseComplete, survey.ResponseComplete
	case survey.ResponseInProgress:
		return s, s
	case "all":
		return s, ""
	default:
		p.Add("status", "must be one of complete, in_progress, all, got %q", s)
		return "", ""
	}
}

func (a *api) surveyStats(c *gin.Context) {
	if a.responses == nil {
		writeError(c, survey.Errorf(survey.EUnavailable, "statistics are not configured on this server"))
		return
	}
	ctx := c.Request.Context()
	q := c.Request.URL.Query()
	var p survey.Problems
	status, filter := statusParam(&p, q)
	s, err := a.svc.Survey(ctx, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	f, err := a.svc.Form(ctx, s.InstrumentKey, s.InstrumentVersion)
	if err != nil {
		writeError(c, err)
		return
	}
	b, err := stats.New(f, stats.Options{By: q.Get("by")})
	var se *survey.Error
	switch {
	case errors.As(err, &se) && se.Code == survey.EInvalid:
		p = append(p, se.Details...) // reported with a bad status at once
	case err != nil:
		writeError(c, err)
		return
	}
	if err := p.Err(survey.EInvalid, "the query is not valid"); err != nil {
		writeError(c, err)
		return
	}
	if err := b.Scan(ctx, a.responses, survey.ExportFilter{SurveyID: s.ID, Status: filter}); err != nil {
		writeError(c, err)
		return
	}
	totals := surveyTotals{Complete: s.Complete, InProgress: s.InProgress}
	if n := s.Complete + s.InProgress; n > 0 {
		rate := float64(s.Complete) / float64(n)
		totals.CompletionRate = &rate
	}
	c.JSON(http.StatusOK, statsDoc{
		SurveyID: s.ID, Instrument: instrumentKey{s.InstrumentKey, s.InstrumentVersion},
		Status: status, Survey: totals, Report: b.Report(),
	})
}

// textAnswerDoc is one answer listed by GET /surveys/{id}/text/{item_id}.
type textAnswerDoc struct {
	ResponseID  string     `json:"response_id"`
	Status      string     `json:"status"`
	SubmittedAt *time.Time `json:"submitted_at"`
	Text        string     `json:"text"`
}

// Text answer paging: the default page and the longest search.
const (
	defaultTextPage = 50
	maxQueryRunes   = 200
)

func (a *api) textAnswers(c *gin.Context) {
	q := c.Request.URL.Query()
	var p survey.Problems
	f := survey.TextAnswerFilter{SurveyID: c.Param("id"), ItemID: c.Param("item_id"), Limit: defaultTextPage,
		Query: q.Get("q"), By: q.Get("by")}
	_, f.Status = statusParam(&p, q)
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > survey.MaxTextAnswersPage {
			p.Add("limit", "must be an integer between 1 and %d, got %q", survey.MaxTextAnswersPage, s)
		}
		f.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			p.Add("cursor", "must be the next_cursor of an earlier page, got %q", s)
		}
		f.After = n
	}
	if n := utf8.RuneCountInString(f.Query); n > maxQueryRunes {
		p.Add("q", "must be at most %d characters, got %d", maxQueryRunes, n)
	}
	switch v := q.Get("value"); {
	case f.By == "" && v != "":
		p.Add("value", "needs by, the item whose value it is")
	case f.By != "" && v == "":
		p.Add("value", "is required with by: an option value of %s, or none", f.By)
	case f.By != "" && v != "none":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			p.Add("value", "must be an option value (an integer) or none, got %q", v)
		}
		f.ByValue = &n
	}
	if err := p.Err(survey.EInvalid, "the query is not valid"); err != nil {
		writeError(c, err)
		return
	}
	list, next, err := a.svc.TextAnswers(c.Request.Context(), f)
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]textAnswerDoc, len(list))
	for i, t := range list {
		items[i] = textAnswerDoc{ResponseID: t.ResponseID, Status: t.Status, SubmittedAt: t.SubmittedAt, Text: t.Text}
	}
	var cursor *string
	if next > 0 {
		s := strconv.FormatInt(next, 10)
		cursor = &s
	}
	c.JSON(http.StatusOK, gin.H{"item_id": f.ItemID, "items": items, "next_cursor": cursor})
}
