package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds each page's template set, parsed once: the layout, the item
// partials and the page's own content.
var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{"paragraphs": paragraphs}
	out := map[string]*template.Template{}
	for _, name := range []string{"welcome", "section", "done", "message"} {
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/items.html", "templates/"+name+".html"))
	}
	return out
}()

// paragraphs splits instrument text at blank lines, the format's way of
// writing paragraphs, and joins the lines within each.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// view is what a page's templates read; one is filled per request.
type view struct {
	page     string // template set
	status   int
	surveyID string

	Lang  string     // <html lang>
	Dir   string     // <html dir>: ltr or rtl
	L     *i18n.Lang // the interface's language: {{.L.T "id"}}
	Langs []langLink // the language switcher
	// TextLang is the language of the instrument's texts (and the
	// survey's title) when it is not the interface's, for their lang
	// attributes; "" when they are the same.
	TextLang    string
	Title       string // the document's title
	SurveyTitle string // the header; empty for none
	// TestMode: the survey is in test mode; every page says so.
	TestMode bool
	// PreviewNote is the banner of a preview's page (preview.go).
	PreviewNote string
	CSS, JS     string
	Icon        string
	CSRF        string

	Welcome *welcomeView
	Section *sectionView
	Message *messageView
}

type messageView struct {
	Heading  string
	Paras    []string
	Forms    []formView // buttons that POST, each with the page's CSRF token
	Link     string
	LinkText string
}

// formView is a one-button form of a message page: a choice that changes
// something, so a POST, never a link.
type formView struct {
	Action  string
	Hidden  []hiddenField
	Button  string
	Primary bool
}

type hiddenField struct{ Name, Value string }

func newView(surveyID string) *view {
	l := i18n.Or(i18n.Default)
	return &view{surveyID: surveyID, Lang: l.Code, Dir: l.Dir, L: l, CSS: pagekit.AssetURL("app.css"), JS: pagekit.AssetURL("app.js"), Icon: pagekit.AssetURL("icon.svg")}
}

// message makes v a message page: a heading and a few paragraphs.
func (v *view) message(c *gin.Context, status int, heading string, paras ...string) {
	v.page, v.status, v.Title = "message", status, heading
	if v.SurveyTitle != "" {
		v.Title = v.L.T("title.with_survey", "Heading", heading, "Survey", v.SurveyTitle)
	}
	v.Message = &messageView{Heading: heading, Paras: paras}
	v.switcher(c)
}

func (v *view) link(href, text string) { v.Message.Link, v.Message.LinkText = href, text }

// button adds a one-button form to a message page.
func (v *view) button(f formView) { v.Message.Forms = append(v.Message.Forms, f) }

// render writes the view's page (pagekit.Render).
func (h *handler) render(c *gin.Context, v *view) {
	pagekit.Render(c, pages[v.page], v.status, v)
}

// renderPage executes the view's page into a new slice.
func renderPage(v *view) ([]byte, error) {
	var buf bytes.Buffer
	if err := pages[v.page].ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeStitched writes a stitched page (stitch.go) with the token in its
// hole: pre-compressed when the client takes gzip.
func (h *handler) writeStitched(c *gin.Context, s *stitched, token string) {
	pagekit.Headers(c.Writer.Header())
	if s.compressed && pagekit.AcceptsGzip(c.Request) {
		pagekit.WriteGzipped(c, http.StatusOK, "text/html; charset=utf-8", s.gzip(token))
		return
	}
	pagekit.WriteBody(c, http.StatusOK, "text/html; charset=utf-8", s.plain(token))
}

// writeKept writes a kept page (stitch.go), pre-compressed when the
// client takes gzip, with the headers pagekit.Render gives every page.
func writeKept(c *gin.Context, k *keptPage) {
	pagekit.Headers(c.Writer.Header())
	if k.gz != nil && pagekit.AcceptsGzip(c.Request) {
		pagekit.WriteGzipped(c, http.StatusOK, "text/html; charset=utf-8", k.gz)
		return
	}
	pagekit.WriteBody(c, http.StatusOK, "text/html; charset=utf-8", k.plain)
}

// fail answers with the page for an error from the service. Its status
// comes from the server's one table (server.Classify, which also logs an
// error that is not a survey.Error); the words are the respondent's.
func (h *handler) fail(c *gin.Context, v *view, err error) {
	se, status := server.Classify(c, err)
	h.errorPage(c, v, status, se)
}

// errorPage makes v the page for an error of the given status.
func (h *handler) errorPage(c *gin.Context, v *view, status int, err *survey.Error) {
	t := v.L.T
	switch {
	case err.Code == survey.ENotFound:
		v.message(c, status, t("error.not_found"), t("error.not_found_text"))
	case err.Code == survey.EConflict:
		v.message(c, status, t("error.conflict"), t("error.conflict_text"))
	case err.Code == survey.EUnavailable:
		if c.Writer.Header().Get("Retry-After") == "" {
			c.Header("Retry-After", "5")
		}
		v.message(c, status, t("error.busy"), t("error.busy_text"))
	case err.Code == survey.ERateLimited:
		v.message(c, status, t("error.slow"), t("error.slow_text"))
	case status < 500 && v.L.Code == i18n.Default:
		// The service's words are English (the JSON API's): shown as
		// they are on an English page, and in other languages replaced
		// by the catalog's general sentence rather than mixed in.
		v.message(c, status, t("error.conflict"), err.Message)
	case status < 500:
		v.message(c, status, t("error.conflict"), t("error.refused_text"))
	default:
		v.message(c, status, t("error.server"), t("error.server_text"))
	}
	h.render(c, v)
}

func (h *handler) notFound(c *gin.Context) {
	v := newView("")
	v.setLang(h.chooseLang(c, "", nil))
	v.message(c, http.StatusNotFound, v.L.T("error.page_not_found"), v.L.T("error.page_not_found_text"))
	h.render(c, v)
}
