package admin

import (
	"net/http"
	"strconv"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Studies: the researcher's studies with their role in each and links to
// each study's surveys, members, new instrument and tokens (the pages
// take ?study=N: internal/server/study.go); an owner makes a new study
// (and is its owner) and requires a second factor of its members.

type studiesView struct {
	CSRF    string
	Studies []studyRow
	// CanCreate: the policy admits the researcher to POST /admin/studies.
	CanCreate bool
	Error     string
	Name      string // the name typed, kept after an error
}

type studyRow struct {
	ID          int64
	Name        string
	Role        string
	RequireTOTP bool
	// Owner: may require a second factor (the policy's row for it).
	Owner bool
}

// studies: GET /admin/studies.
func (p *Pages) studies(c *gin.Context) { p.studiesPage(c, http.StatusOK, nil) }

func (p *Pages) studiesPage(c *gin.Context, status int, edit func(*studiesView)) {
	ctx := c.Request.Context()
	all, err := p.svc.Studies(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	act, _ := server.ActorFrom(ctx)
	sv := &studiesView{CSRF: p.sessionToken(c), CanCreate: server.Allowed(server.RuleFor(http.MethodPost, "/admin/studies"), act)}
	for _, st := range all {
		if !server.InList(ctx, st.ID) {
			continue
		}
		role := act.Studies[st.ID]
		if act.Studies == nil && act.Admin {
			role = survey.RoleOwner // the researcher token
		}
		in := act
		in.StudyID, in.Role = st.ID, role
		sv.Studies = append(sv.Studies, studyRow{ID: st.ID, Name: st.Name, Role: string(role), RequireTOTP: st.RequireTOTP,
			Owner: server.Allowed(server.RuleFor(http.MethodPost, "/admin/studies/:study/totp"), in)})
	}
	if edit != nil {
		edit(sv)
	}
	v := p.newView(c, tr("admin.studies.title"))
	v.page, v.status, v.Studies = "studies", status, sv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {"", tr("admin.studies.title")}}
	p.render(c, v)
}

// createStudy: POST /admin/studies (name). The researcher becomes its
// owner.
func (p *Pages) createStudy(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	act, _ := server.ActorFrom(c.Request.Context())
	st, err := p.svc.CreateStudy(c.Request.Context(), c.PostForm("name"), act.UserID)
	if code := survey.ErrorCode(err); code == survey.EInvalid || code == survey.EConflict {
		status := http.StatusUnprocessableEntity
		msg := tr("admin.studies.bad_name")
		if code == survey.EConflict {
			status, msg = http.StatusConflict, tr("admin.studies.name_taken")
		}
		p.studiesPage(c, status, func(sv *studiesView) { sv.Error, sv.Name = msg, c.PostForm("name") })
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	server.AuditNote(c, "study", strconv.FormatInt(st.ID, 10))
	pagekit.Headers(c.Writer.Header())
	c.Redirect(http.StatusSeeOther, "/admin/studies")
}

// requireTOTP: POST /admin/studies/{study}/totp (require=1 or 0).
func (p *Pages) requireTOTP(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	id, err := strconv.ParseInt(c.Param("study"), 10, 64)
	if err != nil {
		p.fail(c, survey.Errorf(survey.ENotFound, "study %q not found", c.Param("study")))
		return
	}
	require := c.PostForm("require") == "1"
	if err := p.svc.SetStudyRequireTOTP(c.Request.Context(), id, require); err != nil {
		p.fail(c, err)
		return
	}
	server.AuditNote(c, "require_totp", strconv.FormatBool(require))
	pagekit.Headers(c.Writer.Header())
	c.Redirect(http.StatusSeeOther, "/admin/studies")
}
