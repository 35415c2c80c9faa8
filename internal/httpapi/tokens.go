package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/account"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// The API's share of an account's tokens: list, make (the password asked
// again, the one rule of account.IssueToken, which the dashboard also
// calls) and revoke. A token is the holder's own: the routes act on the
// authenticated account's tokens only.

type createTokenRequest struct {
	Name          string      `json:"name"`
	Role          survey.Role `json:"role"`
	ExpiresInDays int         `json:"expires_in_days"`
	Password      string      `json:"password"`
}

type tokenDoc struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	StudyID   int64      `json:"study_id"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	// Token is the secret, in the answer that made it only.
	Token string `json:"token,omitempty"`
}

func toTokenDoc(t *survey.APIToken) tokenDoc {
	return tokenDoc{ID: t.ID, Name: t.Name, Role: string(t.Role), StudyID: t.StudyID, CreatedAt: t.CreatedAt.UTC(), ExpiresAt: t.ExpiresAt.UTC(), RevokedAt: t.RevokedAt}
}

// holder returns the request's account, or EConflict for the researcher
// token (which has none).
func (a *api) holder(c *gin.Context) (server.Actor, error) {
	act, _ := server.ActorFrom(c.Request.Context())
	if act.UserID == 0 || a.accounts == nil {
		return act, survey.Errorf(survey.EConflict, "API tokens belong to accounts; the researcher token has none")
	}
	return act, nil
}

func (a *api) listTokens(c *gin.Context) {
	act, err := a.holder(c)
	if err != nil {
		writeError(c, err)
		return
	}
	list, err := a.accounts.FindAPITokens(c.Request.Context(), act.UserID)
	if err != nil {
		writeError(c, err)
		return
	}
	items := make([]tokenDoc, len(list))
	for i := range list {
		items[i] = toTokenDoc(&list[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (a *api) createToken(c *gin.Context) {
	act, err := a.holder(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var req createTokenRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	secret, tk, err := account.IssueToken(c.Request.Context(), a.accounts, account.Holder{UserID: act.UserID, Admin: act.Admin, Role: act.Role, StudyID: act.StudyID},
		account.TokenRequest{Name: req.Name, Role: req.Role, Days: req.ExpiresInDays, Password: req.Password}, time.Now())
	if err != nil {
		writeError(c, err)
		return
	}
	server.AuditNote(c, "token_id", strconv.FormatInt(tk.ID, 10))
	server.AuditNote(c, "role", string(tk.Role))
	doc := toTokenDoc(tk)
	doc.Token = secret
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, doc)
}

func (a *api) revokeToken(c *gin.Context) {
	act, err := a.holder(c)
	if err != nil {
		writeError(c, err)
		return
	}
	id, err := strconv.ParseInt(c.Param("token"), 10, 64)
	if err != nil || id <= 0 {
		writeError(c, survey.Errorf(survey.ENotFound, "token %q not found", c.Param("token")))
		return
	}
	if err := a.accounts.RevokeAPIToken(c.Request.Context(), act.UserID, id, time.Now()); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
