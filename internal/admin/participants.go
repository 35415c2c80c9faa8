package admin

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/chart"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// participantsPageSize bounds the participant rows on one page: a list of
// 10,000 is paged rather than sent whole (the CSV export has it all).
const participantsPageSize = 500

type participantsView struct {
	ID, Title  string
	Counts     []countRow
	Chart      template.HTML // the response-rate chart
	Days       []survey.TrackingDay
	Rows       []participantRow
	From, To   int
	Total      int
	Prev, Next string
	ExportHref string
}

type countRow struct {
	Label   string
	N       int
	Percent string
}

type participantRow struct {
	Email, Name, Status, Invited, LastContact string
	Reminders                                 int
}

// participants is the tracking page of an invitation survey's mailing:
// counts, the response rate per day with the contact days marked (a chart
// and the same figures as a table), and the participants, a page at a time.
func (p *Pages) participants(c *gin.Context) {
	page, _ := strconv.Atoi(c.Query("page"))
	page = min(max(page, 1), survey.MaxParticipantsPerSurvey/participantsPageSize+1)
	from := (page - 1) * participantsPageSize
	t, err := p.svc.Tracking(c.Request.Context(), c.Param("id"), from, participantsPageSize)
	if err != nil {
		p.fail(c, err)
		return
	}
	pv := &participantsView{ID: t.Survey.ID, Title: t.Survey.Title, Total: t.Counts.Total,
		ExportHref: "/admin/surveys/" + url.PathEscape(t.Survey.ID) + "/participants/export"}
	n := t.Counts
	pct := func(k int) string {
		if n.Total == 0 {
			return "–"
		}
		return chart.Percent(100 * float64(k) / float64(n.Total))
	}
	for _, r := range []struct {
		label string
		k     int
	}{{tr("admin.participants.participants"), n.Total}, {tr("admin.participants.state_invited"), n.Invited},
		{tr("admin.participants.state_reminded"), n.Reminded}, {tr("admin.participants.state_started"), n.Started},
		{tr("admin.participants.state_completed"), n.Completed}, {tr("admin.participants.state_opted_out"), n.OptedOut},
		{tr("admin.participants.state_bounced"), n.Bounced}} {
		pv.Counts = append(pv.Counts, countRow{r.label, r.k, pct(r.k)})
	}
	var rd []chart.RateDay
	for _, d := range t.Days {
		contact := ""
		switch {
		case d.Invitations > 0 && d.Reminders > 0:
			contact = tr("admin.participants.contact_both")
		case d.Invitations > 0:
			contact = tr("admin.participants.contact_invitation")
		case d.Reminders > 0:
			contact = tr("admin.participants.contact_reminder")
		}
		rd = append(rd, chart.RateDay{Date: d.Date, Percent: d.Percent, Contact: contact})
		if d.Complete > 0 || d.Invitations > 0 || d.Reminders > 0 {
			pv.Days = append(pv.Days, d)
		}
	}
	pv.Chart = chart.Rate{ID: "rate", Title: tr("admin.participants.rate_per_day"), Days: rd}.Render()
	to := from + len(t.Participants)
	day := func(tm *time.Time) string {
		if tm == nil {
			return ""
		}
		return tm.UTC().Format("2 Jan 2006")
	}
	for _, pt := range t.Participants {
		pv.Rows = append(pv.Rows, participantRow{Email: pt.Email, Name: pt.FirstName + " " + pt.LastName, Status: statusText[pt.Status()],
			Invited: day(pt.InvitedAt), LastContact: day(pt.LastContactAt), Reminders: pt.Reminders})
	}
	pv.From, pv.To = min(from+1, to), to
	base := "/admin/surveys/" + url.PathEscape(t.Survey.ID) + "/participants"
	if page > 1 {
		pv.Prev = fmt.Sprintf("%s?page=%d", base, page-1)
	}
	if to < t.Counts.Total {
		pv.Next = fmt.Sprintf("%s?page=%d", base, page+1)
	}
	v := p.newView(c, tr("admin.participants.title", "Survey", t.Survey.Title))
	v.page, v.status, v.Participants = "participants", http.StatusOK, pv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {"/admin/surveys/" + url.PathEscape(t.Survey.ID), t.Survey.Title}, {"", tr("admin.participants.participants")}}
	p.render(c, v)
}

var statusText = map[string]string{"new": tr("admin.participants.state_new"), "invited": tr("admin.participants.state_invited"),
	"reminded": tr("admin.participants.state_reminded"), "started": tr("admin.participants.state_started"),
	"completed": tr("admin.participants.state_completed"), "opted_out": tr("admin.participants.state_opted_out"),
	"bounced": tr("admin.participants.state_bounced")}

// exportParticipants downloads the list with statuses (as the API's
// GET /api/v1/surveys/{id}/participants/export), behind the session.
func (p *Pages) exportParticipants(c *gin.Context) {
	ps, err := p.svc.Participants(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	var b bytes.Buffer
	if err := survey.WriteParticipantsCSV(&b, ps); err != nil {
		p.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="participants-`+c.Param("id")+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}
