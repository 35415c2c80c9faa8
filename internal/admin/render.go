package admin

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"sync"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web"
	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/admin.css
var adminCSS []byte

// pages holds each page's template set, parsed once: the layout, the
// shared partials and the page's own content.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "overview", "results", "text", "message"} {
		out[name] = template.Must(template.New(name).ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html"))
	}
	return out
}()

// cssName is the stylesheet's content-hashed name: a changed file gets a
// new address, so it can be cached for a year.
var cssName = func() string {
	sum := sha256.Sum256(adminCSS)
	return "admin." + hex.EncodeToString(sum[:4]) + ".css"
}()

// view is what a page's templates read; one is filled per request.
type view struct {
	page   string
	status int

	Title    string
	CSS      []string
	Icon     string
	SignedIn bool
	CSRF     string // the session's token, for the sign-out form
	// Crumbs lead from the dashboard to the page (the last is the page).
	Crumbs []link

	Login    *loginView
	Overview *overviewView
	Results  *resultsView
	Text     *textView
	Message  *messageView
}

type link struct {
	Href, Text string
}

type messageView struct {
	Heading  string
	Paras    []string
	Link     string
	LinkText string
}

func (p *Pages) newView(c *gin.Context, title string) *view {
	v := &view{Title: title, CSS: []string{web.AssetURL("app.css"), "/admin/static/" + cssName}, Icon: web.AssetURL("icon.svg")}
	if id := c.GetString(ctxSession); id != "" {
		v.SignedIn, v.CSRF = true, p.sessionToken(c)
	}
	return v
}

// message makes v a page of a heading and a few paragraphs.
func (v *view) message(status int, heading string, paras ...string) {
	v.page, v.status, v.Title = "message", status, heading
	v.Message = &messageView{Heading: heading, Paras: paras}
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes the view's page into a buffer first, so that a template
// error becomes a clean 500 rather than half a page, then writes it with
// the respondent pages' headers and compression.
func (p *Pages) render(c *gin.Context, v *view) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	web.PageHeaders(c.Writer.Header())
	if v.status == 0 {
		v.status = http.StatusOK
	}
	if err := pages[v.page].ExecuteTemplate(buf, "layout", v); err != nil {
		p.log.ErrorContext(c.Request.Context(), "render admin page", "page", v.page, "request_id", c.GetString("request_id"), "error", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Internal error. Please try again."))
		return
	}
	web.WriteBody(c, v.status, "text/html; charset=utf-8", buf.Bytes())
}

// pageHeadersOnly sets the pages' security headers on an answer without
// a page, such as a redirect.
func pageHeadersOnly(c *gin.Context) { web.PageHeaders(c.Writer.Header()) }

// fail answers with the page for an error from the service.
func (p *Pages) fail(c *gin.Context, err error) {
	v := p.newView(c, "")
	switch survey.ErrorCode(err) {
	case survey.ENotFound:
		v.message(http.StatusNotFound, "Not found", "There is no survey or item at this address. It may have been deleted, or the address is incomplete.")
	case survey.EInvalid:
		v.message(http.StatusUnprocessableEntity, "This cannot be shown", err.Error())
	case survey.EUnavailable:
		c.Header("Retry-After", "5")
		v.message(http.StatusServiceUnavailable, "The server is busy", "The database did not answer in time. Please reload the page in a few seconds.")
	default:
		p.log.ErrorContext(c.Request.Context(), "admin page failed", "request_id", c.GetString("request_id"),
			"route", c.FullPath(), "error", err)
		v.message(http.StatusInternalServerError, "Something went wrong",
			"The server ran into a problem; the request id in the server log identifies it. Please try again in a moment.")
	}
	v.Message.Link, v.Message.LinkText = "/admin", "Go to the dashboard"
	p.render(c, v)
}

func (p *Pages) notFoundPage(c *gin.Context) {
	v := p.newView(c, "")
	v.message(http.StatusNotFound, "Page not found", "There is no dashboard page at this address.")
	v.Message.Link, v.Message.LinkText = "/admin", "Go to the dashboard"
	p.render(c, v)
}

// static serves the stylesheet under its hashed name.
func (p *Pages) static(c *gin.Context) {
	if c.Param("file") != cssName {
		p.notFoundPage(c)
		return
	}
	hdr := c.Writer.Header()
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	hdr.Set("X-Content-Type-Options", "nosniff")
	web.WriteBody(c, http.StatusOK, "text/css; charset=utf-8", adminCSS)
}

func itoa(n int) string { return strconv.Itoa(n) }
