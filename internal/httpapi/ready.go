package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// readyz answers GET /readyz: 200 {"status":"ready"} when ready reports
// nothing, else 503 in the usual error shape. An EUnavailable error's
// message is passed on, since it says what an operator must fix (the
// database file deleted, a full disk: store.Ping) and names no path or
// secret; any other error gets a generic message, as it may carry a
// driver's wording.
func readyz(ready func(context.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ready != nil {
			if err := ready(c.Request.Context()); err != nil {
				var se *survey.Error
				if !errors.As(err, &se) || se.Code != survey.EUnavailable {
					se = survey.Errorf(survey.EUnavailable, "the database is not reachable")
				}
				writeError(c, se)
				return
			}
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	}
}
