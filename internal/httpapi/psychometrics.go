package httpapi

import (
	"net/http"

	"github.com/dyad-survey/dyad/internal/psychometrics"
	"github.com/gin-gonic/gin"
)

// psychometricsDoc is the answer of GET /surveys/{id}/psychometrics: the
// survey, and the report of package psychometrics for the responses and
// the analysis the query selects.
type psychometricsDoc struct {
	SurveyID   string        `json:"survey_id"`
	Instrument instrumentKey `json:"instrument"`
	*psychometrics.Report
}

// surveyPsychometrics: GET /surveys/{id}/psychometrics. psychometrics.Service
// runs the flow (the dashboard's validation page runs the same); this
// handler writes the JSON.
func (a *api) surveyPsychometrics(c *gin.Context) {
	q := c.Request.URL.Query()
	rep, err := psychometrics.NewService(a.svc, a.responses).Analyze(c.Request.Context(), psychometrics.Query{
		SurveyID: c.Param("id"), Status: q.Get("status"), Items: q.Get("items"), Factors: q.Get("factors"),
		Extraction: q.Get("extraction"), Rotation: q.Get("rotation"), Correlation: q.Get("correlation"),
		Deletion: q.Get("deletion"), Seed: q.Get("seed"), Resamples: q.Get("resamples"),
		Simulations: q.Get("simulations"), CFA: q.Get("cfa"),
		Exclude: q.Get("exclude"), SpeederFraction: q.Get("speeder_fraction"),
	})
	if err != nil {
		writeError(c, err)
		return
	}
	s := rep.Survey
	c.JSON(http.StatusOK, psychometricsDoc{SurveyID: s.ID, Instrument: instrumentKey{s.InstrumentKey, s.InstrumentVersion}, Report: rep})
}
