package httpapi

import (
	"net/http"
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
	// Exclude is "dq" when flagged responses were left out (exclude=dq),
	// Excluded how many.
	Exclude  string `json:"exclude,omitempty"`
	Excluded *int   `json:"excluded,omitempty"`
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

// surveyStats: GET /surveys/{id}/stats. stats.Service runs the flow (the
// dashboard's results page runs the same); this handler writes the JSON.
func (a *api) surveyStats(c *gin.Context) {
	q := c.Request.URL.Query()
	res, err := stats.NewService(a.svc, a.responses).Results(c.Request.Context(),
		stats.Query{SurveyID: c.Param("id"), Status: q.Get("status"), IncludeTest: q.Get("include_test"), By: q.Get("by"),
			Exclude: q.Get("exclude"), SpeederFraction: q.Get("speeder_fraction")})
	if err != nil {
		writeError(c, err)
		return
	}
	s := res.Survey
	totals := surveyTotals{Complete: s.Complete, InProgress: s.InProgress}
	if n := s.Complete + s.InProgress; n > 0 {
		rate := float64(s.Complete) / float64(n)
		totals.CompletionRate = &rate
	}
	doc := statsDoc{
		SurveyID: s.ID, Instrument: instrumentKey{s.InstrumentKey, s.InstrumentVersion},
		Status: string(res.Status), Survey: totals, Report: res.Report, Exclude: res.Exclude,
	}
	if res.Exclude != "" {
		doc.Excluded = &res.Excluded
	}
	c.JSON(http.StatusOK, doc)
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
	f.Status = survey.ParseStatusFilter(&p, q.Get("status"), survey.StatusComplete).Status()
	f.IncludeTest = survey.ParseIncludeTest(&p, q.Get("include_test"))
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
