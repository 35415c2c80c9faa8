package web

import (
	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/gin-gonic/gin"
)

// static serves the pages' CSS, script and icon (pagekit's static files).
func (h *handler) static(c *gin.Context) {
	if !pagekit.ServeAsset(c, c.Param("file")) {
		h.notFound(c)
	}
}
