package admin

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
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
	for _, name := range []string{"login", "overview", "results", "text", "message", "validation"} {
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

	Login      *loginView
	Overview   *overviewView
	Results    *resultsView
	Text       *textView
	Validation *validationView
	Message    *messageView
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
	v := &view{Title: title, CSS: []string{pagekit.AssetURL("app.css"), "/admin/static/" + cssName}, Icon: pagekit.AssetURL("icon.svg")}
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

// render writes the view's page (pagekit.Render).
func (p *Pages) render(c *gin.Context, v *view) {
	pagekit.Render(c, pages[v.page], v.status, v)
}

// fail answers with the page for an error from the service. Its status
// comes from the server's one table (server.Classify, which also logs an
// error that is not a survey.Error).
func (p *Pages) fail(c *gin.Context, err error) {
	se, status := server.Classify(c, err)
	p.errorPage(c, status, se)
}

// errorPage answers with the page for an error of the given status.
func (p *Pages) errorPage(c *gin.Context, status int, err *survey.Error) {
	v := p.newView(c, "")
	switch {
	case err.Code == survey.ENotFound:
		v.message(status, "Not found", "There is no survey or item at this address. It may have been deleted, or the address is incomplete.")
	case err.Code == survey.EInvalid:
		v.message(status, "This cannot be shown", err.Error())
	case err.Code == survey.EUnavailable:
		if c.Writer.Header().Get("Retry-After") == "" {
			c.Header("Retry-After", "5")
		}
		v.message(status, "The server is busy", "The database did not answer in time. Please reload the page in a few seconds.")
	case status < 500:
		v.message(status, "This cannot be done", err.Error())
	default:
		v.message(status, "Something went wrong",
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
	pagekit.WriteBody(c, http.StatusOK, "text/css; charset=utf-8", adminCSS)
}

func itoa(n int) string { return strconv.Itoa(n) }
