package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// invitationCounts: GET /api/v1/surveys/{id}/invitations, how many codes
// were issued, spent, are in use by a response in progress and unused (the
// dashboard's counts; the codes themselves exist only in the answer that
// made them).
func (a *api) invitationCounts(c *gin.Context) {
	n, err := a.svc.CountInvitations(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"survey_id": c.Param("id"), "issued": n.Issued, "spent": n.Spent, "in_use": n.Held,
		"unused": n.Issued - n.Spent - n.Held})
}
