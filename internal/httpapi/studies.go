package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Studies: list the ones the researcher is in, make one (its maker is
// its owner), read one, and require a second factor of its members.
// Which study a route is about, and the role there, is decided before
// the handler runs (internal/server/study.go).

type studyDoc struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"created_at"`
	RequireTOTP bool      `json:"require_totp"`
	// Role is the requester's role in the study, "" for an admin who is
	// not a member.
	Role string `json:"role"`
}

func toStudyDoc(c *gin.Context, st *survey.Study) studyDoc {
	act, _ := server.ActorFrom(c.Request.Context())
	role := act.Studies[st.ID]
	if act.Studies == nil && act.Admin {
		role = survey.RoleOwner // the researcher token
	}
	return studyDoc{ID: st.ID, Name: st.Name, CreatedAt: st.CreatedAt.UTC(), RequireTOTP: st.RequireTOTP, Role: string(role)}
}

type createStudyRequest struct {
	Name string `json:"name"`
}

type updateStudyRequest struct {
	RequireTOTP *bool `json:"require_totp"`
}

func (a *api) listStudies(c *gin.Context) {
	all, err := a.svc.Studies(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	items := []studyDoc{}
	for i := range all {
		if server.InList(c.Request.Context(), all[i].ID) {
			items = append(items, toStudyDoc(c, &all[i]))
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (a *api) createStudy(c *gin.Context) {
	var req createStudyRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	act, _ := server.ActorFrom(c.Request.Context())
	st, err := a.svc.CreateStudy(c.Request.Context(), req.Name, act.UserID)
	if err != nil {
		writeError(c, err)
		return
	}
	server.AuditNote(c, "study", strconv.FormatInt(st.ID, 10))
	if act.UserID != 0 {
		if act.Studies == nil {
			act.Studies = map[int64]survey.Role{}
		}
		act.Studies[st.ID] = survey.RoleOwner
		server.WithActor(c, act)
	}
	c.Header("Location", "/api/v1/studies/"+strconv.FormatInt(st.ID, 10))
	c.JSON(http.StatusCreated, toStudyDoc(c, st))
}

// studyParam reads the route's study id (the policy has checked its
// form already: an admin's request with a bad one reaches here).
func studyParam(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("study"), 10, 64)
	if err != nil || id <= 0 {
		return 0, survey.Errorf(survey.ENotFound, "study %q not found", c.Param("study"))
	}
	return id, nil
}

func (a *api) getStudy(c *gin.Context) {
	id, err := studyParam(c)
	if err != nil {
		writeError(c, err)
		return
	}
	st, err := a.svc.Study(c.Request.Context(), id)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, toStudyDoc(c, st))
}

func (a *api) updateStudy(c *gin.Context) {
	id, err := studyParam(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var req updateStudyRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.RequireTOTP == nil {
		var p survey.Problems
		p.Add("require_totp", "is required: true or false")
		writeError(c, p.Err(survey.EInvalid, "the study change is not valid"))
		return
	}
	if err := a.svc.SetStudyRequireTOTP(c.Request.Context(), id, *req.RequireTOTP); err != nil {
		writeError(c, err)
		return
	}
	server.AuditNote(c, "require_totp", strconv.FormatBool(*req.RequireTOTP))
	st, err := a.svc.Study(c.Request.Context(), id)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, toStudyDoc(c, st))
}
