package web

// Preview: the respondent pages of an instrument version (a draft
// included) as respondents see them, page by page, with skip logic, for
// the researcher's dashboard. The dashboard mounts it behind its session
// (cmd/dyad hands Pages.Preview over, as it hands the API's downloads),
// so this package needs no sign-in of its own.
//
// Nothing is stored: there is no survey and no response. The answers of
// the pages before travel with each page in a hidden field (_answers, the
// answers as JSON) and the page's index in another (_section); each POST
// takes the same steps as a respondent's (survey.Form.PreviewSection,
// which decides as SaveSection does). The page is rendered whole, without
// the shells and fragments kept for surveys (shell.go, fragments.go):
// drafts change, and kept copies of them would only fill those bounded
// caches. The preview's answers are the researcher's own test input,
// bounded by the server's body limit.
//
// Unlike a respondent page, a preview may be framed by the dashboard's
// own pages (frame-ancestors 'self'), which show it at phone and desktop
// widths side by side.

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Fields a preview page carries besides the items.
const (
	previewAnswersField = "_answers"
	previewSectionField = "_section"
	previewStartField   = "_start" // Start on the welcome page
)

// PreviewRequest is what the dashboard hands a preview.
type PreviewRequest struct {
	// Form is the version's form; Title the heading respondents would
	// see (a survey's public title; the instrument's title by default).
	Form  *survey.Form
	Title string
	// Action is where the page posts (the dashboard's preview route), CSRF
	// the dashboard's token for it, Hidden more fields to carry (such as
	// the editor's text for a preview of unsaved text).
	Action, CSRF string
	Hidden       map[string]string
	// Note is the banner above the page, saying it is a preview.
	Note string
	// Restart is the address of the preview's first page.
	Restart string
}

// previewState is the part of a page that a preview replaces.
type previewState struct {
	req     *PreviewRequest
	answers string
}

// Preview answers a GET (the first page) or a POST (a page sent) of a
// preview.
func (p *Pages) Preview(c *gin.Context, req PreviewRequest) {
	h := p.h
	form := req.Form
	v := newView("preview")
	v.setLang(h.chooseLang(c, "", form))
	v.TextLang = textLang(form, v.L)
	v.SurveyTitle = req.Title
	pg := &page{sv: &survey.Survey{ID: "preview", PublicTitle: req.Title}, form: form, v: v, preview: &previewState{req: &req}, order: form.DocumentOrder()}
	si, err := strconv.Atoi(c.PostForm(previewSectionField))
	switch {
	case c.Request.Method == http.MethodPost && c.PostForm(previewStartField) != "":
		// Start on the welcome page: the first page's questions.
		h.sectionPage(c, pg, http.StatusOK, form.ResumeSection(nil), nil, nil, "", "")
		return
	case c.Request.Method != http.MethodPost || err != nil:
		h.previewWelcome(c, pg)
		return
	}
	var saved survey.Answers
	if s := c.PostForm(previewAnswersField); s != "" {
		if json.Unmarshal([]byte(s), &saved) != nil {
			saved = nil // a damaged field starts the answers afresh
		}
	}
	if si < 0 || si >= len(form.Instrument.Sections) {
		si = form.ResumeSection(saved)
	}
	posted := readSection(form, si, c.Request.PostForm)
	act := survey.SectionNext
	switch c.PostForm(actionField) {
	case "back":
		act = survey.SectionBack
	case "later":
		act = survey.SectionLater
	}
	var seen map[string]bool
	if vals := c.Request.PostForm[shownField]; len(vals) > 0 {
		seen = map[string]bool{}
		for _, id := range strings.Fields(vals[0]) {
			seen[id] = true
		}
	}
	out, err := form.PreviewSection(saved, posted, si, act, seen)
	if err != nil {
		h.fail(c, v, err)
		return
	}
	switch out.Kind {
	case survey.SectionFix:
		h.sectionPage(c, pg, http.StatusUnprocessableEntity, out.Section, out.Answers, out.Problems, "", "")
	case survey.SectionRevealed:
		h.sectionPage(c, pg, http.StatusOK, out.Section, out.Answers, nil, v.L.N("section.revealed", out.Revealed), "")
	case survey.SectionMove, survey.SectionSaved:
		pg.later = out.Kind == survey.SectionSaved
		h.sectionPage(c, pg, http.StatusOK, out.Section, out.Answers, nil, "", "")
	case survey.SectionStart: // Back from the first page: the welcome page
		h.previewWelcome(c, pg)
	default: // completed: the thank-you page a respondent would see
		v.message(c, http.StatusOK, v.L.T("done.title"), v.L.T("done.text"), v.L.T("done.anonymous"))
		v.page = "done"
		v.link(req.Restart, "Preview again from the first page")
		h.previewPage(c, v, &req)
	}
}

// previewWelcome is the welcome page a respondent sees first: the title,
// the introduction, the consent and Start (an invitation survey's code
// field is not shown: a preview belongs to no survey).
func (h *handler) previewWelcome(c *gin.Context, pg *page) {
	in := pg.form.Instrument
	v, req := pg.v, pg.preview.req
	v.page, v.status, v.Title = "welcome", http.StatusOK, req.Title
	v.SurveyTitle = "" // the page's heading is the title
	hidden := []hiddenField{{previewStartField, "1"}}
	for k, val := range req.Hidden {
		hidden = append(hidden, hiddenField{k, val})
	}
	v.Welcome = &welcomeView{Title: req.Title, Intro: paragraphs(in.Introduction), Consent: paragraphs(in.Consent),
		Minutes: in.EstimatedMinutes, Sections: len(in.Sections), Action: req.Action, Hidden: hidden}
	v.CSRF = req.CSRF
	h.previewPage(c, v, req)
}

// previewPage writes a preview's page with the pages' headers, allowing
// the dashboard's own pages to frame it.
func (h *handler) previewPage(c *gin.Context, v *view, req *PreviewRequest) {
	v.PreviewNote = req.Note
	body, err := renderPage(v)
	if err != nil {
		h.fail(c, v, err)
		return
	}
	hdr := c.Writer.Header()
	pagekit.Headers(hdr)
	hdr.Set("Content-Security-Policy", strings.Replace(hdr.Get("Content-Security-Policy"), "frame-ancestors 'none'", "frame-ancestors 'self'", 1))
	hdr.Set("X-Frame-Options", "SAMEORIGIN")
	status := v.status
	if status == 0 {
		status = http.StatusOK
	}
	pagekit.WriteBody(c, status, "text/html; charset=utf-8", body)
}

// previewHidden are the fields a preview's section page carries: the
// answers so far, the page's index and the caller's own.
func previewHidden(ps *previewState, si int) []hiddenField {
	out := []hiddenField{{previewAnswersField, ps.answers}, {previewSectionField, strconv.Itoa(si)}}
	for k, val := range ps.req.Hidden {
		out = append(out, hiddenField{k, val})
	}
	return out
}
