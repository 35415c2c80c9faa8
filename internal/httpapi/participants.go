package httpapi

// Participants, message templates, the mailing schedule and the outbox of
// an invitation survey (/api/v1/surveys/{id}/participants, templates,
// mailing, outbox), and the opt-out link's page (/optout/{token}).

import (
	"bytes"
	"html/template"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

func (a *api) mountParticipants(res, r *gin.RouterGroup) {
	res.GET("/surveys/:id/participants", a.listParticipants)
	res.POST("/surveys/:id/participants", a.addParticipant)
	res.POST("/surveys/:id/participants/upload", a.uploadParticipants)
	res.GET("/surveys/:id/participants/export", a.exportParticipants)
	res.GET("/surveys/:id/participants/:pid", a.getParticipant)
	res.PATCH("/surveys/:id/participants/:pid", a.updateParticipant)
	res.DELETE("/surveys/:id/participants/:pid", a.deleteParticipant)
	res.GET("/surveys/:id/templates", a.listTemplates)
	res.PUT("/surveys/:id/templates", a.putTemplate)
	res.POST("/surveys/:id/templates/preview", a.previewTemplate)
	res.POST("/surveys/:id/templates/test", a.testTemplate)
	res.GET("/surveys/:id/mailing", a.getMailing)
	res.PUT("/surveys/:id/mailing", a.putMailing)
	res.POST("/surveys/:id/mailing/invitations", a.sendInvitations)
	res.GET("/surveys/:id/outbox", a.listOutbox)
	r.GET("/optout/:token", a.optOutPage)
	r.POST("/optout/:token", a.optOut)
}

type participantDoc struct {
	ID            string            `json:"id"`
	Email         string            `json:"email"`
	FirstName     string            `json:"first_name"`
	LastName      string            `json:"last_name"`
	Language      string            `json:"language"`
	Attributes    map[string]string `json:"attributes"`
	Status        string            `json:"status"`
	InvitedAt     *time.Time        `json:"invited_at"`
	Reminders     int               `json:"reminders"`
	LastContactAt *time.Time        `json:"last_contact_at"`
	OptedOutAt    *time.Time        `json:"opted_out_at"`
	BouncedAt     *time.Time        `json:"bounced_at"`
	Started       bool              `json:"started"`
	Completed     bool              `json:"completed"`
}

func toParticipantDoc(p *survey.Participant) participantDoc {
	return participantDoc{ID: p.ID, Email: p.Email, FirstName: p.FirstName, LastName: p.LastName, Language: p.Language,
		Attributes: p.Attributes, Status: p.Status(), InvitedAt: p.InvitedAt, Reminders: p.Reminders,
		LastContactAt: p.LastContactAt, OptedOutAt: p.OptedOutAt, BouncedAt: p.BouncedAt, Started: p.Started, Completed: p.Completed}
}

type countsDoc struct {
	Total     int `json:"total"`
	Invited   int `json:"invited"`
	Reminded  int `json:"reminded"`
	OptedOut  int `json:"opted_out"`
	Bounced   int `json:"bounced"`
	Started   int `json:"started"`
	Completed int `json:"completed"`
}

// listParticipants answers a page of participants (?offset=, ?limit=, at
// most 5000, default 1000) and the survey's counts, so that a list of
// 50,000 is never one answer.
func (a *api) listParticipants(c *gin.Context) {
	var p survey.Problems
	number := func(name string, def, lo, hi int) int {
		v := c.Query(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			p.Add(name, "must be an integer from %d to %d, got %q", lo, hi, v)
		}
		return n
	}
	offset, limit := number("offset", 0, 0, survey.MaxParticipantsPerSurvey), number("limit", 1000, 1, 5000)
	if err := p.Err(survey.EInvalid, "the query is not valid"); err != nil {
		writeError(c, err)
		return
	}
	t, err := a.svc.Tracking(c.Request.Context(), c.Param("id"), offset, limit)
	if err != nil {
		writeError(c, err)
		return
	}
	docs := make([]participantDoc, len(t.Participants))
	for i, p := range t.Participants {
		docs[i] = toParticipantDoc(p)
	}
	var next *int
	if end := offset + len(docs); end < t.Counts.Total {
		next = &end
	}
	c.JSON(http.StatusOK, gin.H{"participants": docs, "counts": countsDoc(t.Counts), "next_offset": next})
}

type participantRequest struct {
	Email      *string           `json:"email"`
	FirstName  *string           `json:"first_name"`
	LastName   *string           `json:"last_name"`
	Language   *string           `json:"language"`
	Attributes map[string]string `json:"attributes"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (a *api) addParticipant(c *gin.Context) {
	var req participantRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	p, err := a.svc.AddParticipant(c.Request.Context(), c.Param("id"), &survey.Participant{Email: deref(req.Email),
		FirstName: deref(req.FirstName), LastName: deref(req.LastName), Language: deref(req.Language), Attributes: req.Attributes})
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Location", "/api/v1/surveys/"+p.SurveyID+"/participants/"+p.ID)
	c.JSON(http.StatusCreated, toParticipantDoc(p))
}

// uploadParticipants takes a CSV body (text/csv). Without
// skip_bad_rows=true a file with any bad row imports nothing (422, every
// row named); with it, the good rows are imported and the others listed.
func (a *api) uploadParticipants(c *gin.Context) {
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "text/csv" {
		writeError(c, &survey.Error{Code: survey.EUnsupported, Message: "upload the participant list as text/csv",
			Details: []survey.Detail{{Path: "", Message: "Content-Type must be text/csv"}}})
		return
	}
	skip := false
	if v := c.Query("skip_bad_rows"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(c, invalid("skip_bad_rows", "must be true or false"))
			return
		}
		skip = b
	}
	res, err := a.svc.ImportParticipants(c.Request.Context(), c.Param("id"), c.Request.Body, skip)
	if err != nil {
		writeError(c, err)
		return
	}
	type skipped struct {
		Row     int    `json:"row"`
		Line    int    `json:"line"`
		Path    string `json:"path"`
		Message string `json:"message"`
	}
	sk := make([]skipped, len(res.Skipped))
	for i, p := range res.Skipped {
		sk[i] = skipped(p)
	}
	c.JSON(http.StatusCreated, gin.H{"imported": res.Imported, "skipped": sk})
}

func (a *api) exportParticipants(c *gin.Context) {
	ps, err := a.svc.Participants(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	var b bytes.Buffer
	if err := survey.WriteParticipantsCSV(&b, ps); err != nil {
		writeError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="participants-`+c.Param("id")+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

func (a *api) getParticipant(c *gin.Context) {
	p, err := a.svc.Participant(c.Request.Context(), c.Param("id"), c.Param("pid"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, toParticipantDoc(p))
}

func (a *api) updateParticipant(c *gin.Context) {
	var req participantRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	p, err := a.svc.UpdateParticipant(c.Request.Context(), c.Param("id"), c.Param("pid"), survey.ParticipantUpdate{
		Email: req.Email, FirstName: req.FirstName, LastName: req.LastName, Language: req.Language, Attributes: req.Attributes})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, toParticipantDoc(p))
}

func (a *api) deleteParticipant(c *gin.Context) {
	if err := a.svc.DeleteParticipant(c.Request.Context(), c.Param("id"), c.Param("pid")); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type templateDoc struct {
	Kind     string `json:"kind"`
	Language string `json:"language"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
}

func (a *api) listTemplates(c *gin.Context) {
	ts, err := a.svc.Templates(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	docs := make([]templateDoc, len(ts))
	for i, t := range ts {
		docs[i] = templateDoc{t.Kind, t.Language, t.Subject, t.Text, t.HTML}
	}
	c.JSON(http.StatusOK, gin.H{"templates": docs})
}

func (a *api) putTemplate(c *gin.Context) {
	var req templateDoc
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	t, err := a.svc.PutTemplate(c.Request.Context(), &survey.MessageTemplate{SurveyID: c.Param("id"), Kind: req.Kind,
		Language: req.Language, Subject: req.Subject, Text: req.Text, HTML: req.HTML})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, templateDoc{t.Kind, t.Language, t.Subject, t.Text, t.HTML})
}

func (a *api) previewTemplate(c *gin.Context) {
	var req struct {
		Kind       string            `json:"kind"`
		Language   string            `json:"language"`
		Attributes map[string]string `json:"attributes"`
	}
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	m, err := a.svc.Preview(c.Request.Context(), c.Param("id"), req.Kind, req.Language, a.baseURL(c), req.Attributes)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"to": m.To, "subject": m.Subject, "text": m.Text, "html": m.HTML,
		"note": "a sample participant; the link in a preview works for no one"})
}

func (a *api) testTemplate(c *gin.Context) {
	var req struct {
		Kind string `json:"kind"`
		To   string `json:"to"`
	}
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	m, err := a.svc.SendTest(c.Request.Context(), c.Param("id"), req.Kind, req.To)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"message_id": m.ID, "status": m.Status})
}

type mailingDoc struct {
	InviteAt     *time.Time `json:"invite_at"`
	ReminderDays int        `json:"reminder_days"`
	MaxReminders int        `json:"max_reminders"`
}

func (a *api) getMailing(c *gin.Context) {
	m, err := a.svc.Mailing(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, mailingDoc{m.InviteAt, m.ReminderDays, m.MaxReminders})
}

func (a *api) putMailing(c *gin.Context) {
	var req struct {
		InviteAt     timeField `json:"invite_at"`
		ReminderDays int       `json:"reminder_days"`
		MaxReminders int       `json:"max_reminders"`
	}
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	var p survey.Problems
	at := req.InviteAt.value(&p, "invite_at")
	if err := p.Err(survey.EInvalid, "the schedule is not valid"); err != nil {
		writeError(c, err)
		return
	}
	m, err := a.svc.PutMailing(c.Request.Context(), &survey.Mailing{SurveyID: c.Param("id"), InviteAt: at,
		ReminderDays: req.ReminderDays, MaxReminders: req.MaxReminders})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, mailingDoc{m.InviteAt, m.ReminderDays, m.MaxReminders})
}

func (a *api) sendInvitations(c *gin.Context) {
	n, err := a.svc.SendInvitations(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"queued": n})
}

func (a *api) listOutbox(c *gin.Context) {
	ms, err := a.svc.Outbox(c.Request.Context(), c.Param("id"), 1000)
	if err != nil {
		writeError(c, err)
		return
	}
	type doc struct {
		ID            string     `json:"id"`
		ParticipantID string     `json:"participant_id"`
		Kind          string     `json:"kind"`
		Seq           int        `json:"seq"`
		Status        string     `json:"status"`
		Attempts      int        `json:"attempts"`
		NextAt        time.Time  `json:"next_at"`
		LastError     string     `json:"last_error"`
		CreatedAt     time.Time  `json:"created_at"`
		SentAt        *time.Time `json:"sent_at"`
	}
	docs := make([]doc, len(ms))
	for i, m := range ms {
		docs[i] = doc{m.ID, m.ParticipantID, m.Kind, m.Seq, m.Status, m.Attempts, m.NextAt, m.LastError, m.CreatedAt, m.SentAt}
	}
	c.JSON(http.StatusOK, gin.H{"messages": docs})
}

// The opt-out page: GET asks (so that a link scanner following the link
// opts no one out), POST opts out, both from a form and as RFC 8058's
// one-click unsubscribe that mail clients send.
var optOutTemplate = template.Must(template.New("optout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Heading}}</title></head><body><main>
<h1>{{.Heading}}</h1>
<p>{{.Text}}</p>
{{if .Ask}}<form method="post"><button type="submit">Stop messages about this survey</button></form>{{end}}
</main></body></html>`))

func (a *api) renderOptOut(c *gin.Context, status int, heading, text string, ask bool) {
	var b bytes.Buffer
	_ = optOutTemplate.Execute(&b, struct {
		Heading, Text string
		Ask           bool
	}{heading, text, ask})
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

func (a *api) optOutPage(c *gin.Context) {
	sv, err := a.svc.CheckOptOut(c.Request.Context(), c.Param("token"))
	if err != nil {
		a.optOutFailed(c, err)
		return
	}
	a.renderOptOut(c, http.StatusOK, "Stop messages", "You will receive no more invitations or reminders about the survey “"+sv.Title+"”.", true)
}

func (a *api) optOut(c *gin.Context) {
	sv, err := a.svc.OptOut(c.Request.Context(), c.Param("token"))
	if err != nil {
		a.optOutFailed(c, err)
		return
	}
	a.renderOptOut(c, http.StatusOK, "Done", "You will receive no more messages about the survey “"+sv.Title+"”.", false)
}

func (a *api) optOutFailed(c *gin.Context, err error) {
	if survey.ErrorCode(err) == survey.ENotFound {
		a.renderOptOut(c, http.StatusNotFound, "Link not valid", "This opt-out link is not valid, or the participant was removed from the list.", false)
		return
	}
	writeError(c, err)
}
