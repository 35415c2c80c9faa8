package httpapi

import (
	"net/http"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// checkProblemDoc is one problem of a checked instrument.
type checkProblemDoc struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Item    string `json:"item,omitempty"`
}

// checkDoc is POST /api/v1/instruments/check.
type checkDoc struct {
	Valid    bool              `json:"valid"`
	Format   string            `json:"format"`
	Message  string            `json:"message,omitempty"`
	Key      string            `json:"key,omitempty"`
	Version  int               `json:"version,omitempty"`
	Title    string            `json:"title,omitempty"`
	Items    int               `json:"items"`
	Problems []checkProblemDoc `json:"problems"`
	Warnings []survey.Detail   `json:"warnings"`
}

// checkInstrument: POST /api/v1/instruments/check, the verdict a save of
// the body would give, each problem at its line and column and with its
// item's id (instrument.Check, as the dashboard's editor checks); nothing
// is stored. 200 whatever the verdict; 415 for a body of no format Dyad
// reads.
func (a *api) checkInstrument(c *gin.Context) {
	body, err := readBody(c)
	if err != nil {
		writeError(c, err)
		return
	}
	res := instrument.Check(mediaType(c), body)
	if survey.ErrorCode(res.Err) == survey.EUnsupported {
		writeError(c, res.Err)
		return
	}
	out := checkDoc{Valid: res.Err == nil, Format: res.Format, Problems: []checkProblemDoc{}, Warnings: res.Warnings}
	if out.Warnings == nil {
		out.Warnings = []survey.Detail{}
	}
	if res.Err != nil {
		se, _ := server.Classify(c, res.Err)
		out.Message = se.Message
		for _, pr := range res.Problems {
			out.Problems = append(out.Problems, checkProblemDoc{pr.Path, pr.Message, pr.Line, pr.Column, pr.Item})
		}
	} else {
		in := res.Instrument
		out.Key, out.Version, out.Title = in.Key, in.Version, in.Title
		for _, s := range in.Sections {
			out.Items += len(s.Items)
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}
