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
	InstrumentKey     string      `json:"instrument_key"`
	InstrumentVersion int         `json:"instrument_version"`
	Title             string      `json:"title"`
	Access            string      `json:"access"`
	OpensAt           momentField `json:"opens_at"`
	ClosesAt          momentField `json:"closes_at"`
	PublicTitle       string      `json:"public_title"`
	PublicDescription string      `json:"public_description"`
	TimeZone          string      `json:"time_zone"`
	EndMessage        string      `json:"end_message"`
	EndRedirectURL    string      `json:"end_redirect_url"`
	Mode              string      `json:"mode"`
}

// updateSurveyRequest is PATCH /surveys/{id}: absent fields stay as they
// are; null removes a date.
type updateSurveyRequest struct {
	Title             *string     `json:"title"`
	PublicTitle       *string     `json:"public_title"`
	PublicDescription *string     `json:"public_description"`
	TimeZone          *string     `json:"time_zone"`
	OpensAt           momentField `json:"opens_at"`
	ClosesAt          momentField `json:"closes_at"`
	EndMessage        *string     `json:"end_message"`
	EndRedirectURL    *string     `json:"end_redirect_url"`
	Status            *string     `json:"status"`
	Access            *string     `json:"access"`
	Mode              *string     `json:"mode"`
	// DeleteTestResponses goes with mode live.
	DeleteTestResponses *bool `json:"delete_test_responses"`
}

type surveyDoc struct {
	ID                string      `json:"id"`
	URL               string      `json:"url"`
	Title             string      `json:"title"`
	PublicTitle       string      `json:"public_title"`
	PublicDescription string      `json:"public_description"`
	InstrumentKey     string      `json:"instrument_key"`
	InstrumentVersion int         `json:"instrument_version"`
	Access            string      `json:"access"`
	Status            string      `json:"status"`
	Mode              string      `json:"mode"`
	Accepting         bool        `json:"accepting"`
	TimeZone          string      `json:"time_zone"`
	OpensAt           *time.Time  `json:"opens_at"`
	ClosesAt          *time.Time  `json:"closes_at"`
	OpensAtLocal      *string     `json:"opens_at_local"`
	ClosesAtLocal     *string     `json:"closes_at_local"`
	EndMessage        string      `json:"end_message"`
	EndRedirectURL    string      `json:"end_redirect_url"`
	CreatedAt         time.Time   `json:"created_at"`
	ClosedAt          *time.Time  `json:"closed_at"`
	Responses         surveyCount `json:"responses"`
}

// inZone writes t in the survey's time zone, with its offset, so that an
// answer states the dates as the researcher set them.
func inZone(t *time.Time, loc *time.Location) *string {
	if t == nil {
		return nil
	}
	s := t.In(loc).Format(time.RFC3339)
	return &s
}

// surveyCount counts live responses by status, and those made in test
// mode apart.
type surveyCount struct {
	Complete   int `json:"complete"`
	InProgress int `json:"in_progress"`
	Test       int `json:"test"`
}

func (a *api) toSurveyDoc(c *gin.Context, s *survey.Survey) surveyDoc {
	return surveyDoc{
		ID: s.ID, URL: a.baseURL(c) + "/s/" + s.ID, Title: s.Title,
		PublicTitle: s.PublicTitle, PublicDescription: s.PublicDescription,
		InstrumentKey: s.InstrumentKey, InstrumentVersion: s.InstrumentVersion,
		Access: s.Access, Status: s.Status, Accepting: s.CheckOpen(time.Now()) == nil,
		TimeZone: s.TimeZone, OpensAt: s.OpensAt, ClosesAt: s.ClosesAt,
		OpensAtLocal: inZone(s.OpensAt, s.Location()), ClosesAtLocal: inZone(s.ClosesAt, s.Location()),
		EndMessage: s.EndMessage, EndRedirectURL: s.EndRedirect,
		CreatedAt: s.CreatedAt, ClosedAt: s.ClosedAt,
		Mode:      s.Mode,
		Responses: surveyCount{s.Complete, s.InProgress, s.Test},
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
	n := survey.NewSurvey{
		InstrumentKey: req.InstrumentKey, InstrumentVersion: req.InstrumentVersion,
		Title: req.Title, Access: req.Access,
		PublicTitle: req.PublicTitle, PublicDescription: req.PublicDescription, TimeZone: req.TimeZone,
		EndMessage: req.EndMessage, EndRedirect: req.EndRedirectURL, Mode: req.Mode,
	}
	if opens != nil {
		n.OpensAt, n.OpensOn = opens.At, opens.On
	}
	if closes != nil {
		n.ClosesAt, n.ClosesOn = closes.At, closes.On
	}
	// The survey joins its instrument's study: the policy table is asked
	// again with the actor's role there (a key that does not exist is
	// left to CreateSurvey to report).
	if study, err := a.svc.StudyOfInstrument(c.Request.Context(), req.InstrumentKey); err == nil {
		if err := server.AuthorizeIn(c, study, survey.Errorf(survey.ENotFound, "instrument %s version %d not found",
			req.InstrumentKey, req.InstrumentVersion)); err != nil {
			writeError(c, err)
			return
		}
		n.StudyID = study
	}
	s, err := a.svc.CreateSurvey(c.Request.Context(), n)
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
	studies, err := a.svc.InstrumentStudies(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]surveyDoc, 0, len(list))
	for _, s := range list {
		if server.InList(c.Request.Context(), survey.StudyOf(studies, s.InstrumentKey)) {
			items = append(items, a.toSurveyDoc(c, s))
		}
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

func (a *api) updateSurvey(c *gin.Context) {
	var req updateSurveyRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	var p survey.Problems
	u := survey.SurveyUpdate{
		Title: req.Title, PublicTitle: req.PublicTitle, PublicDescription: req.PublicDescription,
		TimeZone: req.TimeZone, OpensAt: req.OpensAt.value(&p, "opens_at"), ClosesAt: req.ClosesAt.value(&p, "closes_at"),
		EndMessage: req.EndMessage, EndRedirect: req.EndRedirectURL, Status: req.Status, Access: req.Access,
		Mode: req.Mode, DeleteTestResponses: req.DeleteTestResponses,
	}
	if len(p) > 0 { // report the dates that did not parse with every other problem
		u.Check(&p)
		writeError(c, p.Err(survey.EInvalid, "the survey change is not valid"))
		return
	}
	s, err := a.svc.UpdateSurvey(c.Request.Context(), c.Param("id"), u)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, a.toSurveyDoc(c, s))
}

func (a *api) deleteSurvey(c *gin.Context) {
	if err := a.svc.DeleteSurvey(c.Request.Context(), c.Param("id")); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type goLiveRequest struct {
	DeleteTestResponses *bool `json:"delete_test_responses"`
}

// goLive: POST /surveys/{id}/live ends test mode.
func (a *api) goLive(c *gin.Context) {
	var req goLiveRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.DeleteTestResponses == nil {
		writeError(c, invalid("delete_test_responses", "is required: true deletes the responses made in test mode, false keeps them (marked, left out of exports and statistics)"))
		return
	}
	s, n, err := a.svc.GoLive(c.Request.Context(), c.Param("id"), *req.DeleteTestResponses)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"survey": a.toSurveyDoc(c, s), "deleted_test_responses": n})
}

// deleteResponses: DELETE /surveys/{id}/responses?mode=test deletes the
// responses made in test mode; live responses are never deleted in bulk,
// so mode=test is required.
func (a *api) deleteResponses(c *gin.Context) {
	if mode := c.Query("mode"); mode != survey.ModeTest {
		writeError(c, invalid("mode", "must be test (only responses made in test mode are deleted in bulk), got %q", mode))
		return
	}
	n, err := a.svc.DeleteTestResponses(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"survey_id": c.Param("id"), "deleted": n})
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
