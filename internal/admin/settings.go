package admin

// The survey's settings page: what respondents see (public title and
// description, the end page's message or redirect), the dates in the
// survey's time zone, the internal name; and its state: close and reopen,
// test mode and going live, deleting a survey that never had a live
// response. Each form posts to the same domain call as the API's route
// (survey.Service UpdateSurvey for PATCH /api/v1/surveys/{id}, GoLive for
// POST .../live, DeleteSurvey for DELETE), so a change is checked by the
// same rules and refused with the same words.
//
// Dates are written and read in the survey's time zone, which the page
// names. A plain date is a day: an opening date its start, a closing date
// its end (survey.Moment). A closing moment at midnight is shown as the
// day it ends, so what was typed is what is shown again.

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// settingsView is the settings page.
type settingsView struct {
	ID, Href string
	// The form's fields, as stored or as sent.
	Title, PublicTitle, PublicDescription, TimeZone string
	OpensAt, ClosesAt, EndMessage, EndRedirect      string
	// OpensWas and ClosesWas are the dates as shown, sent back so that an
	// unchanged date (one now past, say) is not set again.
	OpensWas, ClosesWas string
	Access              string
	Open, Test          bool
	Status              status
	// Counts of responses: live complete, in progress, made in test mode.
	Complete, InProgress, TestCount int
	Problems                        []problem
	Errors                          map[string]string
	// Saved says the last change was stored; Deleted how many test
	// responses were deleted.
	Saved   string
	Deleted int
	// PrintHref is the printable instrument.
	PrintHref string
}

// settingsFields are the form's label and input id of each field a
// problem can name.
var settingsFields = map[string][2]string{
	"title": {tr("admin.settings.field_title"), "s-title"}, "public_title": {tr("admin.settings.field_public_title"), "s-public-title"},
	"public_description": {tr("admin.settings.field_public_description"), "s-public-description"}, "time_zone": {tr("admin.settings.field_time_zone"), "s-time-zone"},
	"opens_at": {tr("admin.settings.field_opens"), "s-opens"}, "closes_at": {tr("admin.settings.field_closes"), "s-closes"}, "end_message": {tr("admin.settings.field_end_message"), "s-end-message"},
	"end_redirect_url": {tr("admin.settings.field_redirect"), "s-end-redirect"}, "delete_test_responses": {tr("admin.settings.field_test_responses"), "live-delete"},
	"status": {tr("admin.settings.field_status"), "s-closes"}, "mode": {tr("admin.settings.field_mode"), "live-delete"},
}

func surveyHref(id string) string { return "/admin/surveys/" + url.PathEscape(id) }

// showMoment writes a stored moment in loc as the form takes it: a plain
// date when it falls on a midnight (a closing date is the day that ends
// there), else a date and time.
func showMoment(t *time.Time, loc *time.Location, closing bool) string {
	if t == nil {
		return ""
	}
	lt := t.In(loc)
	if lt.Hour() == 0 && lt.Minute() == 0 && lt.Second() == 0 {
		if closing {
			lt = lt.AddDate(0, 0, -1)
		}
		return lt.Format(time.DateOnly)
	}
	return lt.Format("2006-01-02 15:04")
}

// readMoment reads a date field: empty (no date), a plain date, a date
// and time in loc (2027-03-31 17:00, or the T of a datetime-local field),
// or an RFC 3339 time.
func readMoment(p *survey.Problems, path, s string, loc *time.Location) *survey.Moment {
	s = strings.TrimSpace(s)
	if s == "" {
		return &survey.Moment{}
	}
	if m, ok := survey.ParseMoment(s); ok {
		return &m
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return &survey.Moment{At: &t}
		}
	}
	p.Add(path, "%s", tr("admin.settings.bad_moment", "Got", strconv.Quote(s)))
	return nil
}

// surveySettings: GET /admin/surveys/{id}/settings.
func (p *Pages) surveySettings(c *gin.Context) {
	sv, err := p.svc.Survey(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	sw := p.newSettingsView(sv)
	sw.Saved = c.Query("saved")
	sw.Deleted, _ = strconv.Atoi(c.Query("n"))
	p.settingsPage(c, http.StatusOK, sv, sw)
}

func (p *Pages) newSettingsView(sv *survey.Survey) *settingsView {
	loc := sv.Location()
	sw := &settingsView{ID: sv.ID, Href: surveyHref(sv.ID), Title: sv.Title, PublicTitle: sv.PublicTitle, PublicDescription: sv.PublicDescription,
		TimeZone: sv.TimeZone, OpensAt: showMoment(sv.OpensAt, loc, false), ClosesAt: showMoment(sv.ClosesAt, loc, true),
		EndMessage: sv.EndMessage, EndRedirect: sv.EndRedirect}
	sw.OpensWas, sw.ClosesWas = sw.OpensAt, sw.ClosesAt
	return sw
}

func (p *Pages) settingsPage(c *gin.Context, status int, sv *survey.Survey, sw *settingsView) {
	sw.Access = accessText(sv.Access)
	sw.Open = sv.Status == survey.SurveyOpen
	sw.Test = sv.Mode == survey.ModeTest
	sw.Status = surveyStatus(sv, p.svc.Now())
	sw.Complete, sw.InProgress, sw.TestCount = sv.Complete, sv.InProgress, sv.Test
	sw.PrintHref = versionHref(sv.InstrumentKey, sv.InstrumentVersion) + "/print"
	if sw.TimeZone == "" {
		sw.TimeZone = survey.DefaultTimeZone
	}
	title := tr("admin.settings.title", "Survey", sv.Title)
	if len(sw.Problems) > 0 {
		title = tr("admin.crumbs.error_title", "Title", title)
	}
	v := p.newView(c, title)
	v.page, v.status, v.Settings = "settings", status, sw
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {sw.Href, sv.Title}, {"", tr("admin.settings.crumb")}}
	p.render(c, v)
}

// settingsFailed shows the page again with err's problems, in the form's
// words ("Closes must be in the future").
func (p *Pages) settingsFailed(c *gin.Context, sv *survey.Survey, sw *settingsView, err error) {
	se, status := server.Classify(c, err)
	if se.Code == survey.ENotFound {
		p.errorPage(c, status, se)
		return
	}
	sw.Problems = problemsOf(se.Details)
	if len(sw.Problems) == 0 {
		sw.Problems = []problem{{Message: se.Message}}
	}
	sw.Errors = map[string]string{}
	for i, pr := range sw.Problems {
		if f, ok := settingsFields[pr.Path]; ok {
			sw.Problems[i] = problem{Message: f[0] + " " + pr.Message, Anchor: f[1]}
			if _, dup := sw.Errors[pr.Path]; !dup {
				sw.Errors[pr.Path] = sw.Problems[i].Message
			}
		}
	}
	p.settingsPage(c, status, sv, sw)
}

// saveSettings: POST /admin/surveys/{id}/settings.
func (p *Pages) saveSettings(c *gin.Context) {
	sv, ok := p.postedSurvey(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	f := func(name string) string { return c.PostForm(name) }
	sw := &settingsView{ID: sv.ID, Href: surveyHref(sv.ID), Title: f("title"), PublicTitle: f("public_title"),
		PublicDescription: f("public_description"), TimeZone: strings.TrimSpace(f("time_zone")), OpensAt: f("opens_at"), ClosesAt: f("closes_at"),
		EndMessage: f("end_message"), EndRedirect: f("end_redirect_url"), OpensWas: f("opens_was"), ClosesWas: f("closes_was")}
	u := survey.SurveyUpdate{Title: &sw.Title, PublicTitle: &sw.PublicTitle, PublicDescription: &sw.PublicDescription,
		TimeZone: &sw.TimeZone, EndMessage: &sw.EndMessage, EndRedirect: &sw.EndRedirect}
	var probs survey.Problems
	loc := sv.Location()
	if l, err := survey.LoadTimeZone(sw.TimeZone); err == nil {
		loc = l // dates typed with a new time zone are read in it
	}
	// Only a date that was changed is set: an unchanged one, perhaps
	// passed, stays as stored.
	if strings.TrimSpace(sw.OpensAt) != sw.OpensWas {
		u.OpensAt = readMoment(&probs, "opens_at", sw.OpensAt, loc)
	}
	if strings.TrimSpace(sw.ClosesAt) != sw.ClosesWas {
		u.ClosesAt = readMoment(&probs, "closes_at", sw.ClosesAt, loc)
	}
	u.Check(&probs)
	err := probs.Err(survey.EInvalid, tr("admin.settings.change_invalid"))
	if err == nil {
		_, err = p.svc.UpdateSurvey(ctx, sv.ID, u)
	}
	if err != nil {
		p.settingsFailed(c, sv, sw, err)
		return
	}
	c.Redirect(http.StatusSeeOther, sw.Href+"/settings?saved=settings")
}

// reopenSurvey: POST /admin/surveys/{id}/reopen, with a new closing date
// (needed when the stored one has passed).
func (p *Pages) reopenSurvey(c *gin.Context) {
	sv, ok := p.postedSurvey(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	open := survey.SurveyOpen
	u := survey.SurveyUpdate{Status: &open}
	var probs survey.Problems
	if s := strings.TrimSpace(c.PostForm("closes_at")); s != "" {
		u.ClosesAt = readMoment(&probs, "closes_at", s, sv.Location())
	}
	err := probs.Err(survey.EInvalid, tr("admin.settings.change_invalid"))
	if err == nil {
		_, err = p.svc.UpdateSurvey(ctx, sv.ID, u)
	}
	if err != nil {
		sw := p.newSettingsView(sv)
		p.settingsFailed(c, sv, sw, err)
		return
	}
	c.Redirect(http.StatusSeeOther, surveyHref(sv.ID)+"/settings?saved=reopened")
}

// setMode: POST /admin/surveys/{id}/mode: mode=test, or mode=live with
// delete_test_responses yes or no (asked, never assumed).
func (p *Pages) setMode(c *gin.Context) {
	sv, ok := p.postedSurvey(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	mode := c.PostForm("mode")
	u := survey.SurveyUpdate{Mode: &mode}
	switch c.PostForm("delete_test_responses") {
	case "yes":
		u.DeleteTestResponses = new(bool)
		*u.DeleteTestResponses = true
	case "no":
		u.DeleteTestResponses = new(bool)
	}
	var err error
	if mode == survey.ModeLive && u.DeleteTestResponses != nil {
		// Going live is the API's POST .../live (survey.Service.GoLive).
		_, _, err = p.svc.GoLive(ctx, sv.ID, *u.DeleteTestResponses)
	} else {
		_, err = p.svc.UpdateSurvey(ctx, sv.ID, u)
	}
	if err != nil {
		p.settingsFailed(c, sv, p.newSettingsView(sv), err)
		return
	}
	c.Redirect(http.StatusSeeOther, surveyHref(sv.ID)+"/settings?saved="+url.QueryEscape(mode))
}

// deleteTestResponses: POST /admin/surveys/{id}/test-responses/delete,
// the responses made in test mode deleted in bulk (survey.Service
// DeleteTestResponses, as DELETE /api/v1/surveys/{id}/responses?mode=test).
func (p *Pages) deleteTestResponses(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	n, err := p.svc.DeleteTestResponses(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	server.AuditNote(c, "count", strconv.Itoa(n))
	c.Redirect(http.StatusSeeOther, surveyHref(c.Param("id"))+"/settings?saved=test-deleted&n="+strconv.Itoa(n))
}

// deleteSurvey: POST /admin/surveys/{id}/delete; refused (409, saying why)
// once the survey has a live response.
func (p *Pages) deleteSurvey(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	if c.PostForm("confirm") != "yes" {
		sv, err := p.svc.Survey(c.Request.Context(), c.Param("id"))
		if err != nil {
			p.fail(c, err)
			return
		}
		p.settingsFailed(c, sv, p.newSettingsView(sv), &survey.Error{Code: survey.EInvalid, Message: tr("admin.settings.not_deleted"),
			Details: []survey.Detail{{Path: "confirm", Message: tr("admin.settings.confirm_delete")}}})
		return
	}
	if err := p.svc.DeleteSurvey(c.Request.Context(), c.Param("id")); err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin?deleted=1")
}

// postedSurvey starts a settings form's POST: the session's CSRF check,
// then the survey of the address; false when either failed, the answer
// already written.
func (p *Pages) postedSurvey(c *gin.Context) (*survey.Survey, bool) {
	if !p.sessionCSRFOK(c) {
		return nil, false
	}
	sv, err := p.svc.Survey(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return nil, false
	}
	return sv, true
}
