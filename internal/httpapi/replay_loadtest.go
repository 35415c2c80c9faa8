//go:build loadtest

package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/gin-gonic/gin"
)

// The replay routes exist only in servers built with -tags loadtest. They
// give the web journey of the load tool (cmd/dyad-load) its ceiling: the
// tool records the pages of one real journey (each answer's status,
// headers and gzip body, as sent), uploads them here, and then runs the
// same virtual respondents against /api/v1/public/replay/..., where a
// handler that does nothing reads the request body and writes back the
// recorded answer for its method and path. Everything but the work of
// Dyad's respondent pages is the same: the engine and its middleware, the
// connection handling, the client's cost. Never in a production build.

// ReplayPage is one recorded answer, keyed by method and path.
type ReplayPage struct {
	Method string      `json:"method"`
	Path   string      `json:"path"` // under /api/v1/public/replay
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

var replayPages atomic.Pointer[map[string]*ReplayPage]

func init() {
	extraPublicRoutes = append(extraPublicRoutes, func(g *gin.RouterGroup) {
		g.PUT("/replay-pages", func(c *gin.Context) {
			var pages []*ReplayPage
			if err := json.NewDecoder(c.Request.Body).Decode(&pages); err != nil {
				writeError(c, err)
				return
			}
			m := make(map[string]*ReplayPage, len(pages))
			for _, p := range pages {
				m[p.Method+" "+p.Path] = p
			}
			replayPages.Store(&m)
			c.Status(http.StatusNoContent)
		})
		replay := func(c *gin.Context) {
			if _, err := io.Copy(io.Discard, c.Request.Body); err != nil {
				writeError(c, err)
				return
			}
			m := replayPages.Load()
			if m == nil {
				c.Status(http.StatusNotFound)
				return
			}
			p := (*m)[c.Request.Method+" "+c.Param("path")]
			if p == nil {
				c.Status(http.StatusNotFound)
				return
			}
			h := c.Writer.Header()
			for k, vs := range p.Header {
				h[k] = vs
			}
			c.Writer.WriteHeader(p.Status)
			_, _ = c.Writer.Write(p.Body)
		}
		g.GET("/replay/*path", replay)
		g.POST("/replay/*path", replay)
	})
}
