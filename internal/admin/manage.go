package admin

// The survey's actions on its results page: close it, and for an
// invitation survey make invitation codes. They call the same domain
// methods as the API (survey.Service CloseSurvey, CreateInvitations).
// The survey's other settings (renaming, reopening, a new closing date,
// test mode, the public title) are on its settings page (settings.go),
// which this card links.

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// manageView is the results page's card of actions.
type manageView struct {
	ID, CSRF   string
	CanClose   bool
	Invitation bool
	// Max is the most codes one request makes.
	Max int
	// Settings links the settings page (settings.go), for those who may
	// open it; Test says the survey is in test mode.
	Settings, Test bool
	// Codes counts the invitation codes of an invitation survey.
	Codes *survey.InvitationCounts
}

func newManageView(c *gin.Context, sv *survey.Survey, csrf string) *manageView {
	return &manageView{ID: sv.ID, CSRF: csrf, CanClose: sv.Status == survey.SurveyOpen,
		Invitation: sv.Access == survey.AccessInvitation && sv.Status == survey.SurveyOpen, Max: survey.MaxInvitationsPerRequest,
		Settings: may(c, "/admin/surveys/:id/settings"), Test: sv.Mode == survey.ModeTest}
}

// closeSurvey: POST /admin/surveys/{id}/close; 303 back to the results.
func (p *Pages) closeSurvey(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	sv, err := p.svc.CloseSurvey(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/surveys/"+url.PathEscape(sv.ID))
}

// makeInvitations: POST /admin/surveys/{id}/invitations. The codes exist
// only in this answer (the store keeps their hashes), so they come as a
// CSV download, each with its personal link, and are never shown again.
func (p *Pages) makeInvitations(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	id := c.Param("id")
	count, err := strconv.Atoi(strings.TrimSpace(c.PostForm("count")))
	if err != nil {
		count = 0 // refused by the domain's own rule, with its message
	}
	codes, err := p.svc.CreateInvitations(c.Request.Context(), id, count)
	if err != nil {
		se, status := server.Classify(c, err)
		if se.Code != survey.EInvalid {
			p.errorPage(c, status, se)
			return
		}
		v := p.newView(c, "")
		paras := []string{tr("admin.manage.no_codes")}
		for _, d := range se.Details {
			paras = append(paras, tr("admin.manage.count_problem", "Problem", d.Message))
		}
		v.message(status, tr("admin.manage.codes_failed"), paras...)
		v.Message.Link, v.Message.LinkText = "/admin/surveys/"+url.PathEscape(id), tr("admin.manage.back")
		p.render(c, v)
		return
	}
	base := p.baseURL(c) + "/s/" + url.PathEscape(id) + "?code="
	hdr := c.Writer.Header()
	pagekit.Headers(hdr)
	hdr.Set("Content-Type", "text/csv; charset=utf-8")
	hdr.Set("Content-Disposition", `attachment; filename="`+id+`-invitation-codes.csv"`)
	hdr.Set("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"code", "link"})
	for _, code := range codes {
		_ = w.Write([]string{code, base + url.QueryEscape(code)})
	}
	w.Flush()
}
