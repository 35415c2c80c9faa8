package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"

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

	Lang        string
	Title       string // the document's title
	SurveyTitle string // the header; empty for none
	// TestMode: the survey is in test mode; every page says so.
	TestMode bool
	CSS, JS  string
	Icon     string
	CSRF     string

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
	return &view{surveyID: surveyID, Lang: "en", CSS: pagekit.AssetURL("app.css"), JS: pagekit.AssetURL("app.js"), Icon: pagekit.AssetURL("icon.svg")}
}

// message makes v a message page: a heading and a few paragraphs.
func (v *view) message(c *gin.Context, status int, heading string, paras ...string) {
	v.page, v.status, v.Title = "message", status, heading
	if v.SurveyTitle != "" {
		v.Title = heading + " – " + v.SurveyTitle
	}
	v.Message = &messageView{Heading: heading, Paras: paras}
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
	hdr := c.Writer.Header()
	pagekit.Headers(hdr)
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Add("Vary", "Accept-Encoding")
	body := s.plain(token)
	if s.compressed && pagekit.AcceptsGzip(c.Request) {
		body = s.gzip(token)
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(http.StatusOK)
	c.Writer.Write(body)
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
	switch {
	case err.Code == survey.ENotFound:
		v.message(c, status, "Survey not found",
			"There is no survey at this address. Please check that the link is complete: a link copied from an e-mail is sometimes cut off at the end of a line.")
	case err.Code == survey.EConflict:
		v.message(c, status, "This could not be done",
			"The survey changed while you were answering (it may have closed). The answers you saved by moving to another page are kept.")
	case err.Code == survey.EUnavailable:
		if c.Writer.Header().Get("Retry-After") == "" {
			c.Header("Retry-After", "5")
		}
		v.message(c, status, "The survey is busy",
			"The server could not save your answers just now. Nothing is lost: please go back and try again in a few seconds.")
	case err.Code == survey.ERateLimited:
		v.message(c, status, "Please slow down",
			"Too many pages were asked for from your address in a short time. Nothing is lost: please wait a few seconds and try again.")
	case status < 500:
		v.message(c, status, "This could not be done", err.Message)
	default:
		v.message(c, status, "Something went wrong",
			"The server ran into a problem. The answers you saved by moving to another page are kept. Please try again in a moment.")
	}
	h.render(c, v)
}

func (h *handler) notFound(c *gin.Context) {
	v := newView("")
	v.message(c, http.StatusNotFound, "Page not found",
		"There is no page at this address. Please check that the link is complete: a link copied from an e-mail is sometimes cut off at the end of a line.")
	h.render(c, v)
}
