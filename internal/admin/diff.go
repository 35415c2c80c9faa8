package admin

// The diff page: what changed between two versions of an instrument, from
// the same domain call as GET /api/v1/instruments/{key}/diff
// (survey.Service.DiffVersions), with the changes that alter scores
// called out first.

import (
	"net/http"
	"net/url"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// diffView is the diff page.
type diffView struct {
	Key                     string
	From, To                int
	FromHref, ToHref        string
	Added, Removed, Changed []survey.ItemChange
	Scoring, Other          []string
	// Versions are the key's versions, for the form that picks two.
	Versions []int
	Same     bool
}

// instrumentDiff: GET /admin/instruments/{key}/diff?from=&to=.
func (p *Pages) instrumentDiff(c *gin.Context) {
	key := c.Param("key")
	var probs survey.Problems
	from, to := survey.DiffVersionParams(&probs, c.Query("from"), c.Query("to"))
	if err := probs.Err(survey.EInvalid, tr("admin.diff.bad_versions")); err != nil {
		p.fail(c, err)
		return
	}
	d, err := p.svc.DiffVersions(c.Request.Context(), key, from, to)
	if err != nil {
		p.fail(c, err)
		return
	}
	list, err := p.svc.Instruments(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	dv := &diffView{Key: key, From: from, To: to, FromHref: versionHref(key, from), ToHref: versionHref(key, to),
		Added: d.Added, Removed: d.Removed, Changed: d.Changed, Scoring: d.Scoring, Other: d.Other,
		Same: len(d.Added)+len(d.Removed)+len(d.Changed)+len(d.Scoring)+len(d.Other) == 0}
	for _, s := range list {
		if s.Key == key {
			dv.Versions = append(dv.Versions, s.Version)
		}
	}
	title := tr("admin.diff.title", "Key", key, "To", to, "From", from)
	v := p.newView(c, title)
	v.page, v.status, v.Diff = "diff", http.StatusOK, dv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.instruments")}, {versionHref(key, to), tr("admin.crumbs.version", "Name", key, "Version", to)}, {"", tr("admin.diff.crumb")}}
	p.render(c, v)
}

// diffHref is the address of the diff page.
func diffHref(key string, from, to int) string {
	return "/admin/instruments/" + url.PathEscape(key) + "/diff?from=" + itoa(from) + "&to=" + itoa(to)
}
