package httpapi

import (
	"github.com/dyad-survey/dyad/internal/export"
	"github.com/gin-gonic/gin"
)

// ExportFile is one export download: the last segment of its path under
// /surveys/{id}/ and the handler that streams it.
type ExportFile struct {
	Name    string // export.csv, codebook.csv, export.zip, export.R, export.sps, export.do
	Handler gin.HandlerFunc
}

// exportFiles lists the downloads once, from the format registry
// (export.Formats), for the API's routes and for ExportFiles.
func (a *api) exportFiles() []ExportFile {
	files := make([]ExportFile, len(export.Formats))
	for i, ft := range export.Formats {
		files[i] = ExportFile{Name: ft.Path, Handler: a.exportFile(ft)}
	}
	return files
}

// ExportFiles returns the export downloads for pages that serve them
// behind their own sign-in: the researcher dashboard mounts them at
// /admin/surveys/{id}/{name}. Each handler reads the survey from the path
// parameter "id" and its options from the query string, exactly as the
// API's routes do. Errors go through server.Fail, which answers by the
// path's prefix: under /admin with the dashboard's page, not JSON. It
// uses cfg.Service and cfg.Responses only.
func ExportFiles(cfg Config) []ExportFile {
	return (&api{svc: cfg.Service, responses: cfg.Responses}).exportFiles()
}
