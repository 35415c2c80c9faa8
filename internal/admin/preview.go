package admin

// Preview: an instrument version, a draft included, shown as respondents
// see it, page by page with skip logic, storing nothing. The respondent
// pages render it (web.Pages.Preview, handed over by cmd/dyad as
// Config.Preview, as the API's downloads are), so a preview is the real
// page, not an imitation; this package puts it behind the session and
// frames it at a phone's and a desktop's width. The editor previews its
// unsaved text the same way (POST /admin/preview with the text).

import (
	"net/http"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// PreviewRequest is one page of a preview, as the respondent pages take
// it (the same fields as web.PreviewRequest, which cmd/dyad converts it
// to).
type PreviewRequest struct {
	Form         *survey.Form
	Title        string
	Action, CSRF string
	Hidden       map[string]string
	Note         string
	Restart      string
}

// previewNote is the banner above every preview page.
var previewNote = tr("admin.preview.note")

// previewView is the page that frames a version's preview.
type previewView struct {
	Key     string
	Version int
	Title   string
	Href    string
	// Frame is the address of the framed first page.
	Frame string
}

// instrumentPreview: GET /admin/instruments/{key}/versions/{version}/preview,
// the preview at a desktop's and a phone's width.
func (p *Pages) instrumentPreview(c *gin.Context) {
	iv, ok := p.loadVersion(c)
	if !ok {
		return
	}
	href := versionHref(iv.Key, iv.Version)
	title := tr("admin.preview.title", "Name", iv.Title, "Version", iv.Version)
	v := p.newView(c, title)
	v.page, v.status = "preview", http.StatusOK
	v.Preview = &previewView{Key: iv.Key, Version: iv.Version, Title: iv.Title, Href: href, Frame: href + "/preview/page"}
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.instruments")}, {href, tr("admin.crumbs.version", "Name", iv.Title, "Version", iv.Version)}, {"", tr("admin.preview.crumb")}}
	p.render(c, v)
}

// previewPage: GET and POST /admin/instruments/{key}/versions/{version}/preview/page,
// one page of the preview (framed by instrumentPreview, or opened alone).
func (p *Pages) previewPage(c *gin.Context) {
	if c.Request.Method == http.MethodPost && !p.sessionCSRFOK(c) {
		return
	}
	iv, ok := p.loadVersion(c)
	if !ok {
		return
	}
	form, err := survey.NewForm(&iv.Instrument)
	if err != nil {
		p.fail(c, err)
		return
	}
	href := versionHref(iv.Key, iv.Version) + "/preview/page"
	p.showPreview(c, PreviewRequest{Form: form, Title: iv.Title, Action: href, CSRF: p.sessionToken(c), Note: previewNote, Restart: href})
}

// previewSource: POST /admin/preview, a preview of the editor's text as
// it is (source), saved or not. The text travels with every page.
func (p *Pages) previewSource(c *gin.Context) {
	if !p.sessionCSRFOK(c) {
		return
	}
	nv := &instrumentNewView{Source: c.PostForm("source")}
	in, err := parseSource(nv)
	if err != nil {
		p.fail(c, err)
		return
	}
	form, err := survey.NewForm(in)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.showPreview(c, PreviewRequest{Form: form, Title: in.Title, Action: "/admin/preview", CSRF: p.sessionToken(c),
		Hidden: map[string]string{"source": nv.Source}, Note: tr("admin.preview.note_editor", "Note", previewNote)})
}

func (p *Pages) showPreview(c *gin.Context, req PreviewRequest) {
	if p.preview == nil {
		p.fail(c, survey.Errorf(survey.EUnavailable, "the preview is not available in this configuration"))
		return
	}
	p.preview(c, req)
}
