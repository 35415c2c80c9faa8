package httpapi

import (
	"github.com/dyad-survey/dyad/internal/server"
	"net/http"
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

type createSurveyRequest struct {
	InstrumentKey     string    `json:"instrument_key"`
	InstrumentVersion int       `json:"instrument_version"`
	Title             string    `json:"title"`
	Access            string    `json:"access"`
	OpensAt           timeField `json:"opens_at"`
	ClosesAt          timeField `json:"closes_at"`
}

type surveyDoc struct {
	ID                string      `json:"id"`
	URL               string      `json:"url"`
	Title             string      `json:"title"`
	InstrumentKey     string      `json:"instrument_key"`
	InstrumentVersion int         `json:"instrument_version"`
	Access            string      `json:"access"`
	Status            string      `json:"status"`
	Accepting         bool        `json:"accepting"`
	OpensAt           *time.Time  `json:"opens_at"`
	ClosesAt          *time.Time  `json:"closes_at"`
	CreatedAt         time.Time   `json:"created_at"`
	ClosedAt          *time.Time  `json:"closed_at"`
	Responses         surveyCount `json:"responses"`
}

type surveyCount struct {
	Complete   int `json:"complete"`
	InProgress int `json:"in_progress"`
}

func (a *api) toSurveyDoc(c *gin.Context, s *survey.Survey) surveyDoc {
	return surveyDoc{
		ID: s.ID, URL: a.baseURL(c) + "/s/" + s.ID, Title: s.Title,
		InstrumentKey: s.InstrumentKey, InstrumentVersion: s.InstrumentVersion,
		Access: s.Access, Status: s.Status, Accepting: s.CheckOpen(time.Now()) == nil,
		OpensAt: s.OpensAt, ClosesAt: s.ClosesAt, CreatedAt: s.CreatedAt, ClosedAt: s.ClosedAt,
		Responses: surveyCount{s.Complete, s.InProgress},
	}
}

func (a *api) createSurvey(c *gin.Context) {
	var req createSurveyRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	var p survey.Problems
	opens, closes := req.OpensAt.value(&p, "opens_at"), req.ClosesAt.value(&p, "closes_at")
	if err := p.Err(survey.EInvalid, "the survey is not valid"); err != nil {
		writeError(c, err)
		return
	}
	s, err := a.svc.CreateSurvey(c.Request.Context(), survey.NewSurvey{
		InstrumentKey: req.InstrumentKey, InstrumentVersion: req.InstrumentVersion,
		Title: req.Title, Access: req.Access, OpensAt: opens, ClosesAt: closes,
	})
	if err != nil {
		writeError(c, err)
		return
	}
	server.AuditNote(c, "survey", s.ID)
	server.AuditNote(c, "instrument", s.InstrumentKey+"@"+strconv.Itoa(s.InstrumentVersion))
	server.AuditNote(c, "access", s.Access)
	c.Header("Location", "/api/v1/surveys/"+s.ID)
	c.JSON(http.StatusCreated, a.toSurveyDoc(c, s))
}

func (a *api) listSurveys(c *gin.Context) {
	list, err := a.svc.Surveys(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]surveyDoc, len(list))
	for i, s := range list {
		items[i] = a.toSurveyDoc(c, s)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (a *api) getSurvey(c *gin.Context) {
	s, err := a.svc.Survey(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, a.toSurveyDoc(c, s))
}

func (a *api) closeSurvey(c *gin.Context) {
	s, err := a.svc.CloseSurvey(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	server.AuditNote(c, "after_status", s.Status)
	c.JSON(http.StatusOK, a.toSurveyDoc(c, s))
}

type invitationsRequest struct {
	Count int `json:"count"`
}

func (a *api) createInvitations(c *gin.Context) {
	var req invitationsRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	codes, err := a.svc.CreateInvitations(c.Request.Context(), c.Param("id"), req.Count)
	if err != nil {
		writeError(c, err)
		return
	}
	server.AuditNote(c, "count", strconv.Itoa(len(codes))) // how many, never the codes
	c.JSON(http.StatusCreated, gin.H{
		"survey_id": c.Param("id"),
		"codes":     codes,
		"note":      "These codes are shown once and stored only as hashes; keep them now.",
	})
}
