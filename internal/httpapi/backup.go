package httpapi

import (
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// backup streams a consistent copy of the whole database (GET
// /api/v1/backup). The copy is made into a temporary file first, so the
// snapshot is taken at once and the download's speed does not hold any
// lock; the file is removed when the download ends.
func (a *api) backup(c *gin.Context) {
	if a.backupTo == nil {
		writeError(c, survey.Errorf(survey.ENotFound, "backups are not available on this server"))
		return
	}
	dir, err := os.MkdirTemp("", "dyad-backup-")
	if err != nil {
		writeError(c, err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "backup.db")
	if err := a.backupTo(c.Request.Context(), path); err != nil {
		writeError(c, err)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		writeError(c, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		writeError(c, err)
		return
	}
	name := "dyad-backup-" + time.Now().UTC().Format("20060102-150405") + ".db"
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.DataFromReader(http.StatusOK, st.Size(), "application/vnd.sqlite3", f, nil)
}
