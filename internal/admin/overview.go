package admin

import (
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// overviewView lists the surveys and the instruments.
type overviewView struct {
	Surveys     []surveyRow
	Instruments []instrumentRow
	// Deleted says a survey was just deleted (settings.go).
	Deleted bool
}

type surveyRow struct {
	ID, Title, Href string
	Instrument      string
	Access          string
	Status          status
	Complete        int
	InProgress      int
	Created         string
}

// status is a state shown as a badge; Kind picks its colour (open,
// closed, draft, waiting).
type status struct {
	Text, Kind string
}

type instrumentRow struct {
	Key, Title string
	// Href opens the version's page (instruments.go).
	Href       string
	Version    int
	Status     status
	Surveys    int
	Complete   int
	InProgress int
}

// surveyStatus words a survey's state at t.
func surveyStatus(s *survey.Survey, t time.Time) status {
	switch s.Availability(t) {
	case survey.NotYetOpen:
		return status{tr("admin.status.opens", "Date", s.OpensAt.UTC().Format("2 Jan 2006")), "waiting"}
	case survey.NoLongerOpen:
		if s.Status == survey.SurveyOpen { // past closes_at
			return status{tr("admin.status.closed_on", "Date", s.ClosesAt.UTC().Format("2 Jan 2006")), "closed"}
		}
		return status{tr("admin.status.closed"), "closed"}
	}
	return status{tr("admin.status.open"), "open"}
}

func instrumentStatus(s string) status {
	switch s {
	case survey.StatusPublished:
		return status{tr("admin.status.published"), "open"}
	case survey.StatusRetired:
		return status{tr("admin.status.retired"), "closed"}
	}
	return status{tr("admin.status.draft"), "draft"}
}

func accessText(a string) string {
	if a == survey.AccessInvitation {
		return tr("admin.status.invitation")
	}
	return tr("admin.status.open_link")
}

// overview: GET /admin.
func (p *Pages) overview(c *gin.Context) {
	ctx := c.Request.Context()
	surveys, err := p.svc.Surveys(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	instruments, err := p.svc.Instruments(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	// Only the studies the researcher is in (or the one ?study names).
	studies, err := p.svc.InstrumentStudies(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	now := p.svc.Now()
	ov := &overviewView{}
	type version struct {
		key string
		v   int
	}
	counts := map[version][2]int{}
	for _, s := range surveys {
		if !server.InList(ctx, survey.StudyOf(studies, s.InstrumentKey)) {
			continue
		}
		ov.Surveys = append(ov.Surveys, surveyRow{
			ID: s.ID, Title: s.Title, Href: "/admin/surveys/" + s.ID,
			Instrument: s.InstrumentKey + " v" + strconv.Itoa(s.InstrumentVersion),
			Access:     accessText(s.Access), Status: surveyStatus(s, now),
			Complete: s.Complete, InProgress: s.InProgress, Created: s.CreatedAt.UTC().Format("2 Jan 2006"),
		})
		k := version{s.InstrumentKey, s.InstrumentVersion}
		n := counts[k]
		counts[k] = [2]int{n[0] + s.Complete, n[1] + s.InProgress}
	}
	for _, in := range instruments {
		if !server.InList(ctx, survey.StudyOf(studies, in.Key)) {
			continue
		}
		n := counts[version{in.Key, in.Version}]
		ov.Instruments = append(ov.Instruments, instrumentRow{Key: in.Key, Title: in.Title, Href: versionHref(in.Key, in.Version), Version: in.Version,
			Status: instrumentStatus(in.Status), Surveys: in.Surveys, Complete: n[0], InProgress: n[1]})
	}
	v := p.newView(c, tr("admin.overview.title"))
	ov.Deleted = c.Query("deleted") == "1"
	v.page, v.Overview = "overview", ov
	p.render(c, v)
}
