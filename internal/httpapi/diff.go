package httpapi

import (
	"net/http"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// itemChangeDoc is one item of a diff.
type itemChangeDoc struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Section string   `json:"section"`
	Fields  []string `json:"fields,omitempty"`
	Scoring bool     `json:"scoring"`
}

// diffDoc is GET /api/v1/instruments/{key}/diff.
type diffDoc struct {
	Key     string          `json:"key"`
	From    int             `json:"from"`
	To      int             `json:"to"`
	Added   []itemChangeDoc `json:"added"`
	Removed []itemChangeDoc `json:"removed"`
	Changed []itemChangeDoc `json:"changed"`
	Scoring []string        `json:"scoring"`
	Other   []string        `json:"other"`
}

func itemChanges(cs []survey.ItemChange) []itemChangeDoc {
	out := make([]itemChangeDoc, 0, len(cs))
	for _, c := range cs {
		out = append(out, itemChangeDoc{ID: c.ID, Text: c.Text, Section: c.Section, Fields: c.Fields, Scoring: c.Scoring})
	}
	return out
}

// diffInstrument: GET /api/v1/instruments/{key}/diff?from=&to=.
func (a *api) diffInstrument(c *gin.Context) {
	var p survey.Problems
	from, to := survey.DiffVersionParams(&p, c.Query("from"), c.Query("to"))
	if err := p.Err(survey.EInvalid, "the versions to compare are not valid"); err != nil {
		writeError(c, err)
		return
	}
	d, err := a.svc.DiffVersions(c.Request.Context(), c.Param("key"), from, to)
	if err != nil {
		writeError(c, err)
		return
	}
	scoring, other := d.Scoring, d.Other
	if scoring == nil {
		scoring = []string{}
	}
	if other == nil {
		other = []string{}
	}
	c.JSON(http.StatusOK, diffDoc{Key: d.Key, From: d.From, To: d.To, Added: itemChanges(d.Added), Removed: itemChanges(d.Removed),
		Changed: itemChanges(d.Changed), Scoring: scoring, Other: other})
}
