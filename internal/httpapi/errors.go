package httpapi

import (
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// writeError answers with err: its status comes from the one table in
// internal/server (errors.go), and under /api/v1 the body is the JSON
// error of api/openapi.yaml. The dashboard mounts the export handlers
// under /admin, where the same call answers with the dashboard's page.
func writeError(c *gin.Context, err error) { server.Fail(c, err) }

func invalid(path, format string, args ...any) error {
	var p survey.Problems
	p.Add(path, format, args...)
	return p.Err(survey.EInvalid, "the request is not valid")
}
