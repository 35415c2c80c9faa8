package admin

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/admin.css
var adminCSS []byte

// templateFuncs gives the templates the dashboard's message catalog:
// {{t "admin.audit.heading"}}, with named arguments as pairs
// ({{t "admin.text.range" "From" .From "To" .To}}); the messages are in
// internal/i18n/dashboard/en.json; n words a count with the plural form
// English needs ({{n "admin.print.minutes" .Minutes}}); forms gives a
// script a plural message's forms. field builds a settings form's field
// (settings.go); unused counts the codes neither spent nor held.
// tr and trn are t and n for the texts the Go code builds: page titles,
// breadcrumbs, form errors and notices.
var tr, trn = i18n.Dashboard().T, i18n.Dashboard().N

var templateFuncs = template.FuncMap{"t": i18n.Dashboard().T, "n": i18n.Dashboard().N, "forms": pluralForms, "field": newFieldView,
	"unused": func(n *survey.InvitationCounts) int { return n.Issued - n.Spent - n.Held }}

// pluralForms is the template function forms: a plural message's forms
// as JSON ({"one":"# item","other":"# items"}), for a script's data
// attribute.
func pluralForms(id string) (string, error) {
	buf, err := json.Marshal(i18n.DashboardPluralForms(id))
	return string(buf), err
}

// pages holds each page's template set, parsed once: the layout, the
// shared partials and the page's own content.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "overview", "results", "text", "message", "participants", "tokens", "audit", "members", "signup", "totp", "instrument_new", "instrument_version", "validation", "studies", "diff", "preview", "settings", "print"} {
		out[name] = template.Must(template.New(name).Funcs(templateFuncs).ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", "templates/manage.html", "templates/"+name+".html"))
	}
	return out
}()

//go:embed static/editor.js
var editorJS []byte

// editorName is the instrument editor's script's content-hashed name
// (editor.js: problems move the cursor), like cssName.
var editorName = func() string {
	sum := sha256.Sum256(editorJS)
	return "editor." + hex.EncodeToString(sum[:4]) + ".js"
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

	Title string
	CSS   []string
	// Scripts are a page's own scripts, each an enhancement the page
	// works without.
	Scripts  []string
	Icon     string
	SignedIn bool
	CSRF     string // the session's token, for the sign-out form
	// Crumbs lead from the dashboard to the page (the last is the page).
	Crumbs []link
	// Nav links the signed-in researcher's pages the policy allows.
	Nav []link

	Login    *loginView
	Overview *overviewView
	Results  *resultsView
	Text     *textView
	Message  *messageView
	// Validation is the psychometrics page (validation.go).
	Validation *validationView
	// Participants is the mailing's tracking page (participants.go).
	Participants *participantsView
	Tokens       *tokensView
	Audit        *auditView
	Members      *membersView
	Signup       *signupView
	TOTP         *totpView
	// InstrumentNew and Version are the instrument pages (instruments.go).
	InstrumentNew *instrumentNewView
	Version       *versionView
	// Studies is the studies page (studies.go).
	Studies *studiesView
	// Diff is the changes between two versions (diff.go).
	Diff *diffView
	// Preview frames a version's preview (preview.go).
	Preview *previewView
	// Settings is a survey's settings page (settings.go).
	Settings *settingsView
	// Print is the printable instrument (print.go).
	Print *printView
}

// fieldView is one text field of a settings form, with its error.
type fieldView struct {
	Name, ID, Label, Help, Value, Error string
}

// newFieldView is the template function field: the field name, its input
// id, label, help and value, and the page's error for the name.
func newFieldView(v *view, name, id, label, help, value string) fieldView {
	fv := fieldView{Name: name, ID: id, Label: label, Help: help, Value: value}
	if v.Settings != nil {
		fv.Error = v.Settings.Errors[name]
	}
	return fv
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
		v.Nav = append(v.Nav, link{"/admin/studies", tr("admin.nav.studies")}, link{"/admin/tokens", tr("admin.nav.tokens")}, link{"/admin/totp", tr("admin.nav.totp")})
		if may(c, "/admin/members") {
			v.Nav = append(v.Nav, link{"/admin/members", tr("admin.nav.members")})
		}
		if may(c, "/admin/audit") {
			v.Nav = append(v.Nav, link{"/admin/audit", tr("admin.nav.audit")})
		}
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
		v.message(status, tr("admin.error.not_found"), tr("admin.error.not_found_text"))
	case err.Code == survey.EInvalid:
		v.message(status, tr("admin.error.cannot_show"), err.Error())
	case err.Code == survey.EUnavailable:
		if c.Writer.Header().Get("Retry-After") == "" {
			c.Header("Retry-After", "5")
		}
		v.message(status, tr("admin.error.busy"), tr("admin.error.busy_text"))
	case status < 500:
		v.message(status, tr("admin.error.cannot_do"), err.Error())
	default:
		v.message(status, tr("admin.error.internal"), tr("admin.error.internal_text"))
	}
	v.Message.Link, v.Message.LinkText = "/admin", tr("admin.error.to_dashboard")
	p.render(c, v)
}

func (p *Pages) notFoundPage(c *gin.Context) {
	v := p.newView(c, "")
	v.message(http.StatusNotFound, tr("admin.error.no_page"), tr("admin.error.no_page_text"))
	v.Message.Link, v.Message.LinkText = "/admin", tr("admin.error.to_dashboard")
	p.render(c, v)
}

// static serves the stylesheet and the editor's script under their
// hashed names.
func (p *Pages) static(c *gin.Context) {
	var body []byte
	var ct string
	switch c.Param("file") {
	case cssName:
		body, ct = adminCSS, "text/css; charset=utf-8"
	case editorName:
		body, ct = editorJS, "text/javascript; charset=utf-8"
	default:
		p.notFoundPage(c)
		return
	}
	hdr := c.Writer.Header()
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	hdr.Set("X-Content-Type-Options", "nosniff")
	pagekit.WriteBody(c, http.StatusOK, ct, body)
}

func itoa(n int) string { return strconv.Itoa(n) }
