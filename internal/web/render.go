package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

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
	return &view{surveyID: surveyID, Lang: "en", CSS: assetURL["app.css"], JS: assetURL["app.js"], Icon: assetURL["icon.svg"]}
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

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes the view's page into a buffer first, so that a template
// error becomes a clean 500 rather than half a page, then writes it.
func (h *handler) render(c *gin.Context, v *view) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := pages[v.page].ExecuteTemplate(buf, "layout", v); err != nil {
		h.log.ErrorContext(c.Request.Context(), "render page", "page", v.page, "request_id", c.GetString("request_id"), "error", err)
		pageHeaders(c.Writer.Header())
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Internal error. Please try again."))
		return
	}
	pageHeaders(c.Writer.Header())
	writeBody(c, v.status, "text/html; charset=utf-8", buf.Bytes())
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
	pageHeaders(hdr)
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Add("Vary", "Accept-Encoding")
	body := s.plain(token)
	if s.compressed && acceptsGzip(c.Request) {
		body = s.gzip(token)
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(http.StatusOK)
	c.Writer.Write(body)
}

// gzipPool compresses pages rendered per request at BestSpeed: on an 8 KB
// section page it takes a third of the default level's time (44-46 us
// against 127-144) for 6 % more bytes (2,043 against 1,924), and gzip was
// 15 % of the server's CPU on the web journey (docs/performance.md).
var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

// writeBody writes body, gzipped when the client takes it and it is worth
// it (a page is 5–20 KB of repetitive HTML and shrinks five- to tenfold).
func writeBody(c *gin.Context, status int, contentType string, body []byte) {
	hdr := c.Writer.Header()
	hdr.Set("Content-Type", contentType)
	hdr.Add("Vary", "Accept-Encoding")
	if len(body) < 1024 || !acceptsGzip(c.Request) {
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
		c.Status(status)
		c.Writer.Write(body)
		return
	}
	zbuf := bufPool.Get().(*bytes.Buffer)
	zbuf.Reset()
	defer bufPool.Put(zbuf)
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(zbuf)
	zw.Write(body)
	zw.Close()
	gzipPool.Put(zw)
	hdr.Set("Content-Encoding", "gzip")
	hdr.Set("Content-Length", strconv.Itoa(zbuf.Len()))
	c.Status(status)
	c.Writer.Write(zbuf.Bytes())
}

// acceptsGzip reads Accept-Encoding well enough: gzip listed and not
// refused with q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// fail answers with the page for an error from the service: the one place
// where error codes become statuses and words for respondents.
func (h *handler) fail(c *gin.Context, v *view, err error) {
	switch survey.ErrorCode(err) {
	case survey.ENotFound:
		v.message(c, http.StatusNotFound, "Survey not found",
			"There is no survey at this address. Please check that the link is complete: a link copied from an e-mail is sometimes cut off at the end of a line.")
	case survey.EConflict:
		v.message(c, http.StatusConflict, "This could not be done",
			"The survey changed while you were answering (it may have closed). The answers you saved by moving to another page are kept.")
	case survey.EUnavailable:
		c.Header("Retry-After", "5")
		v.message(c, http.StatusServiceUnavailable, "The survey is busy",
			"The server could not save your answers just now. Nothing is lost: please go back and try again in a few seconds.")
	default:
		h.log.ErrorContext(c.Request.Context(), "respondent page failed", "request_id", c.GetString("request_id"),
			"route", c.FullPath(), "error", err)
		v.message(c, http.StatusInternalServerError, "Something went wrong",
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
