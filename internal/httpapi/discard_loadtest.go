//go:build loadtest

package httpapi

import (
	"io"
	"net/http"
	"net/http/pprof"

	"github.com/gin-gonic/gin"
)

// The discard route exists only in servers built with -tags loadtest: it
// reads a body as the submission route does and throws it away, so the load
// tool can measure, in the same server and run, the ceiling that the real
// submission path is compared with. It is never in a production build.
func init() {
	extraPublicRoutes = append(extraPublicRoutes, func(g *gin.RouterGroup) {
		g.POST("/surveys/:id/discard", func(c *gin.Context) {
			if _, err := io.Copy(io.Discard, c.Request.Body); err != nil {
				writeError(c, err)
				return
			}
			c.Status(http.StatusCreated)
		})
		// Profiles of the server under load, for finding where time goes.
		g.GET("/debug/pprof/profile", gin.WrapF(pprof.Profile))
	})
}
