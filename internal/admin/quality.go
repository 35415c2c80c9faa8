package admin

import (
	"net/url"
	"strconv"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// The results page's data-quality panel: how many complete responses
// each rule of survey/quality.go flags (speeders at the default fraction
// of the median, straightlining, failed attention checks, any), with a
// link that leaves flagged responses out of the figures (exclude=dq).
// Flags never delete a response; the exports carry them as dq_* columns.

// qualityView is the panel.
type qualityView struct {
	Complete int
	Median   string // the median time, "–" without responses
	Fraction string // the speeder rule's fraction, as a percentage
	Rows     []qualityRow
	// ExcludeHref shows the figures without the flagged responses.
	ExcludeHref string
}

type qualityRow struct {
	Flag, Rule string
	N          int
	Percent    string
}

// qualityPanel counts the flags of the survey's live complete responses.
func (p *Pages) qualityPanel(c *gin.Context, sv *survey.Survey, form *survey.Form) (*qualityView, error) {
	counts, err := survey.CountQuality(c.Request.Context(), p.responses, form,
		survey.ExportFilter{SurveyID: sv.ID}, survey.DefaultSpeederFraction)
	if err != nil {
		return nil, err
	}
	qv := &qualityView{Complete: counts.Complete, Median: "–", Fraction: strconv.Itoa(int(survey.DefaultSpeederFraction*100)) + " %"}
	if counts.Complete > 0 {
		qv.Median = duration(counts.Median)
	}
	pct := func(n int) string {
		if counts.Complete == 0 {
			return "–"
		}
		return strconv.FormatFloat(100*float64(n)/float64(counts.Complete), 'f', 1, 64) + " %"
	}
	q := form.Quality(survey.DefaultSpeederFraction, counts.Median)
	_, straight, attention := q.Describe()
	for _, r := range []qualityRow{
		{tr("admin.quality.speeders"), tr("admin.quality.speeders_rule", "Fraction", qv.Fraction, "Median", qv.Median), counts.Speeder, ""},
		{tr("admin.quality.straightlining"), straight, counts.Straightline, ""},
		{tr("admin.quality.attention"), attention, counts.Attention, ""},
		{tr("admin.quality.any"), tr("admin.quality.any_rule"), counts.AnyFlag, ""},
	} {
		r.Percent = pct(r.N)
		qv.Rows = append(qv.Rows, r)
	}
	v := url.Values{}
	for _, k := range []string{"status", "by"} {
		if s := c.Query(k); s != "" {
			v.Set(k, s)
		}
	}
	v.Set("exclude", "dq")
	qv.ExcludeHref = "/admin/surveys/" + url.PathEscape(sv.ID) + "?" + v.Encode()
	return qv, nil
}
