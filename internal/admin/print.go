package admin

// The printable instrument: every section and item of a version with its
// answer options and their codes, its rules (required, shown only if ...),
// on one page whose print stylesheet leaves the dashboard's frame off
// paper; for an ethics board, or a paper copy of the form.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

type printView struct {
	Key, Title, Description string
	Version                 int
	Status                  status
	Introduction, Consent   []string
	Minutes                 int
	Sections                []printSection
	Href                    string
}

type printSection struct {
	Title, Description string
	Items              []printItem
}

type printItem struct {
	ID, Text, Help, Kind, Condition string
	Required                        bool
	Options                         []string
}

// kinds words the item types for a reader.
var kinds = map[string]string{survey.Likert: tr("admin.print.kind_likert"), survey.SingleChoice: tr("admin.print.kind_single"),
	survey.MultipleChoice: tr("admin.print.kind_multiple"), survey.Integer: tr("admin.print.kind_integer"), survey.Text: tr("admin.print.kind_text")}

// instrumentPrint: GET /admin/instruments/{key}/versions/{version}/print.
func (p *Pages) instrumentPrint(c *gin.Context) {
	iv, ok := p.loadVersion(c)
	if !ok {
		return
	}
	form, err := survey.NewForm(&iv.Instrument)
	if err != nil {
		p.fail(c, err)
		return
	}
	in := &iv.Instrument
	pv := &printView{Key: in.Key, Title: in.Title, Description: in.Description, Version: iv.Version, Status: instrumentStatus(iv.Status),
		Introduction: splitParas(in.Introduction), Consent: splitParas(in.Consent), Minutes: in.EstimatedMinutes, Href: versionHref(iv.Key, iv.Version)}
	for _, s := range in.Sections {
		ps := printSection{Title: s.Title, Description: s.Description}
		for i := range s.Items {
			it := &s.Items[i]
			pi := printItem{ID: it.ID, Text: it.Text, Help: it.Help, Kind: kinds[it.Type], Required: it.Required}
			if pi.Kind == "" {
				pi.Kind = it.Type
			}
			if it.ShowIf != nil {
				pi.Condition = form.DescribeCondition(it.ShowIf)
			}
			for _, o := range form.Options(it.ID) {
				label := strconv.FormatInt(o.Value, 10) + " = " + o.Label
				if o.Missing {
					label = tr("admin.print.missing_code", "Label", label)
				}
				pi.Options = append(pi.Options, label)
			}
			if it.Type == survey.Integer && (it.Min != nil || it.Max != nil) {
				pi.Kind += fmt.Sprintf(" (%s to %s)", bound(it.Min), bound(it.Max))
			}
			ps.Items = append(ps.Items, pi)
		}
		pv.Sections = append(pv.Sections, ps)
	}
	title := tr("admin.print.title", "Name", in.Title, "Version", iv.Version)
	v := p.newView(c, title)
	v.page, v.status, v.Print = "print", http.StatusOK, pv
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.instruments")}, {pv.Href, tr("admin.crumbs.version", "Name", in.Title, "Version", iv.Version)}, {"", tr("admin.print.crumb")}}
	p.render(c, v)
}

func bound(b *int64) string {
	if b == nil {
		return "any"
	}
	return strconv.FormatInt(*b, 10)
}

// splitParas splits a text at blank lines into paragraphs.
func splitParas(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
