package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// page is the survey of the request, found once per request. The survey
// row and the form come from the service's caches.
type page struct {
	sv *survey.Survey
	// form is the survey's form in the page's language (setLang), base
	// the form in the instrument's own language.
	form, base *survey.Form
	// code is the chosen language (setLang): the interface's, or one of
	// the instrument's that the catalog lacks. Stored with the response.
	code string
	v    *view
	// later: a section page shown after Continue later (laterParam).
	later bool
	// order is the order the respondent's response is shown the form in
	// (survey.Order); set by respondent.
	order *survey.Order
	// preview is set on a preview's page (preview.go).
	preview *previewState
}

// load finds the survey in the URL, or renders the 404 page.
func (h *handler) load(c *gin.Context) (*page, bool) {
	id := c.Param("id")
	v := newView(id)
	ctx := c.Request.Context()
	sv, err := h.svc.PublicSurvey(ctx, id)
	if err != nil {
		v.setLang(h.chooseLang(c, "", nil))
		h.fail(c, v, err)
		return nil, false
	}
	form, err := h.svc.Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		v.setLang(h.chooseLang(c, "", nil))
		h.fail(c, v, err)
		return nil, false
	}
	// Respondents see the public title, never the internal name.
	v.TestMode = sv.Mode == survey.ModeTest
	p := &page{sv: sv, form: form, base: form, v: v}
	p.setLang(h.chooseCode(c, sv.ID, form))
	return p, true
}

// accepting renders the closed or not-yet-open page unless the survey
// takes responses now.
func (h *handler) accepting(c *gin.Context, p *page) bool {
	t := p.v.L.T
	switch p.sv.Availability(time.Now()) {
	case survey.NotYetOpen:
		// In the survey's time zone, named, so that nobody has to guess.
		loc := p.sv.Location()
		p.v.message(c, http.StatusForbidden, t("open.not_yet"),
			t("open.not_yet_text", "Date", p.v.L.Date(p.sv.OpensAt.In(loc)), "Zone", loc.String()))
	case survey.NoLongerOpen:
		p.v.message(c, http.StatusGone, t("open.closed"), t("open.closed_text"), t("open.closed_text2"))
	default:
		return true
	}
	h.render(c, p.v)
	return false
}

// progress returns this browser's response to the survey, from the resume
// cookie; nil if it has none (a stale cookie is cleared).
func (h *handler) progress(c *gin.Context, p *page) (*survey.Progress, string, error) {
	token := cookie(c, resumeCookie)
	if token == "" {
		return nil, "", nil
	}
	prog, err := h.svc.FindProgress(c.Request.Context(), p.sv.ID, token)
	if survey.ErrorCode(err) == survey.ENotFound {
		h.setCookie(c, p.sv.ID, resumeCookie, "", -1)
		return nil, "", nil
	}
	return prog, token, err
}

func (h *handler) sectionURL(p *page, si int) string {
	return "/s/" + p.sv.ID + "/p/" + strconv.Itoa(si+1)
}

func redirect(c *gin.Context, to string) { c.Redirect(http.StatusSeeOther, to) }

// continueAt sends a returning browser to where it left off: the thank-you
// page, or the first unanswered section.
func (h *handler) continueAt(c *gin.Context, p *page, prog *survey.Progress) {
	if prog.Status == survey.ResponseComplete {
		redirect(c, "/s/"+p.sv.ID+"/done")
		return
	}
	redirect(c, h.sectionURL(p, p.form.Order(prog.ID).ResumeSection(prog.Answers)))
}

// welcomeView is the welcome page: introduction, consent, Start.
type welcomeView struct {
	Title      string
	Intro      []string
	Consent    []string
	Minutes    int
	Sections   int
	Invitation bool
	Code       string
	CodeError  string
	Action     string
	// Hidden are a preview's own fields (preview.go).
	Hidden []hiddenField
}

func (h *handler) welcomePage(c *gin.Context, p *page, status int, code, codeErr string) {
	plain := code == "" && codeErr == "" && status == http.StatusOK
	if plain {
		// The plain welcome page differs between visitors only in its
		// CSRF token: it is rendered once per survey row (the service
		// replaces the row when it changes) and stitched per request.
		if st, ok := h.welcomes.Load(welcomeKey{p.sv, p.form, p.v.L.Code}); ok {
			h.writeStitched(c, st.(*stitched), h.csrfToken(c, p.sv.ID))
			return
		}
	}
	in := p.form.Instrument
	v := p.v
	v.page, v.status = "welcome", status
	v.Title = p.publicTitle()
	if codeErr != "" {
		v.Title = v.L.T("title.error", "Title", v.Title)
	}
	v.switcher(c)
	v.SurveyTitle = "" // the page's heading is the title
	v.Welcome = &welcomeView{Title: p.publicTitle(), Intro: paragraphs(p.publicDescription()), Consent: paragraphs(in.Consent),
		Minutes: in.EstimatedMinutes, Sections: len(in.Sections), Invitation: p.sv.Access == survey.AccessInvitation,
		Code: code, CodeError: codeErr, Action: "/s/" + p.sv.ID + "/start"}
	if plain {
		v.CSRF = holeMark
		if page, err := renderPage(v); err == nil {
			if s, ok := newStitched(page); ok {
				st, _ := h.welcomes.LoadOrStore(welcomeKey{p.sv, p.form, p.v.L.Code}, s)
				h.writeStitched(c, st.(*stitched), h.csrfToken(c, p.sv.ID))
				return
			}
		}
	}
	v.CSRF = h.csrfToken(c, p.sv.ID)
	h.render(c, v)
}

// welcome: GET /s/{id}.
func (h *handler) welcome(c *gin.Context) {
	p, ok := h.load(c)
	if !ok {
		return
	}
	prog, _, err := h.progress(c, p)
	if err != nil {
		h.fail(c, p.v, err)
		return
	}
	if prog != nil && prog.Status == survey.ResponseComplete {
		h.continueAt(c, p, prog)
		return
	}
	if !h.accepting(c, p) {
		return
	}
	if prog != nil {
		h.continueAt(c, p, prog)
		return
	}
	// A code in the invitation's link only fills the field: it is checked
	// when Start is pressed, before any question. Checking it here would
	// make a GET that silently tells anyone holding a list of codes which
	// are spent; Start tells it too, but holds an unspent code, so trying
	// codes there leaves a trace.
	h.welcomePage(c, p, http.StatusOK, c.Query("code"), "")
}

// toWelcome: GET /s/{id}/start, where a reload of a refused code lands.
func (h *handler) toWelcome(c *gin.Context) { redirect(c, "/s/"+c.Param("id")) }

// start: POST /s/{id}/start.
func (h *handler) start(c *gin.Context) {
	p, ok := h.load(c)
	if !ok || !h.csrfOK(c, p.v) || !h.accepting(c, p) {
		return
	}
	// A browser that has a response already goes back to it: a double
	// click on Start, or Start pressed again from the history.
	prog, _, err := h.progress(c, p)
	if err != nil {
		h.fail(c, p.v, err)
		return
	}
	if prog != nil {
		h.continueAt(c, p, prog)
		return
	}
	code := strings.TrimSpace(c.PostForm("code"))
	start := h.svc.StartProgress
	if c.PostForm(discardField) == "1" {
		start = h.svc.StartProgressOver // the "in use" page's choice
	}
	prog, token, err := start(c.Request.Context(), p.sv.ID, code, p.code)
	if err != nil {
		h.codeRefused(c, p, code, err)
		return
	}
	h.setCookie(c, p.sv.ID, resumeCookie, token, cookieMaxAge)
	h.continueAt(c, p, prog)
}

// discardField, set to 1 on the "code in use" page's form, asks Start to
// discard the unfinished response that holds the code.
const discardField = "discard"

// codeRefused answers a start that the service refused.
func (h *handler) codeRefused(c *gin.Context, p *page, code string, err error) {
	switch {
	case survey.IsCodeInUse(err):
		h.codeInUse(c, p, code)
	case survey.ErrorCode(err) == survey.EInvalid:
		h.welcomePage(c, p, http.StatusUnprocessableEntity, code, p.v.L.T("code.missing"))
	case survey.ErrorCode(err) == survey.EForbidden:
		h.welcomePage(c, p, http.StatusForbidden, code, p.v.L.T("code.invalid"))
	case survey.ErrorCode(err) == survey.EConflict:
		if p.sv.Availability(time.Now()) != survey.Accepting {
			h.accepting(c, p)
			return
		}
		h.welcomePage(c, p, http.StatusConflict, code, p.v.L.T("code.used"))
	default:
		h.fail(c, p.v, err)
	}
}

// codeInUse is the page for a code that an unfinished response holds. The
// person who has the code is the invitee, so they may discard that
// response and start again: otherwise a lost link (another browser, a
// cleared cookie) would leave them no way to answer. Discarding is a
// separate, explicit POST, never the default.
func (h *handler) codeInUse(c *gin.Context, p *page, code string) {
	t := p.v.L.T
	p.v.message(c, http.StatusConflict, t("inuse.title"), t("inuse.text"), t("inuse.text2"), t("inuse.text3"))
	p.v.button(formView{Action: "/s/" + p.sv.ID + "/start", Button: t("inuse.discard"),
		Hidden: []hiddenField{{"code", code}, {discardField, "1"}}})
	p.v.link("/s/"+p.sv.ID, t("inuse.back"))
	p.v.CSRF = h.csrfToken(c, p.sv.ID)
	h.render(c, p.v)
}

// Resume links.
//
// A resume link carries a response's token. Opening it never sets the
// cookie by itself: a link may come from someone else (who then could
// watch and change the answers of whoever continues, or plant their own
// response on the victim's browser past the consent page). The link's page
// says which response it continues, started and last saved when, and sets
// the cookie only when the person presses Continue (a POST with the CSRF
// token). If this browser already holds another response to the survey, the
// page says so and asks which to keep; keeping is the default and changes
// nothing. Only a link to the response this browser already holds goes
// straight on.

// resume: GET /s/{id}/resume?t=TOKEN, the resume link.
func (h *handler) resume(c *gin.Context) {
	p, ok := h.load(c)
	if !ok {
		return
	}
	token := c.Query("t")
	prog, ok := h.linkedProgress(c, p, token)
	if !ok {
		return
	}
	if prog.Status != survey.ResponseComplete && !h.accepting(c, p) {
		return
	}
	current, currentToken, err := h.progress(c, p)
	if err != nil {
		h.fail(c, p.v, err)
		return
	}
	if current != nil && currentToken == token {
		h.continueAt(c, p, prog) // this browser's own response
		return
	}
	v := p.v
	t := v.L.T
	if current == nil {
		v.message(c, http.StatusOK, t("resume.title"),
			t("resume.text", "Response", describe(v.L, prog)), t("resume.text2"))
		v.button(formView{Action: "/s/" + p.sv.ID + "/resume", Hidden: []hiddenField{{"t", token}}, Button: t("resume.continue"), Primary: true})
		v.link("/s/"+p.sv.ID, t("resume.not_you"))
	} else {
		v.message(c, http.StatusOK, t("other.title"),
			t("other.text", "Response", describe(v.L, current)),
			t("other.text2", "Response", describe(v.L, prog)), t("other.text3"))
		v.button(formView{Action: "/s/" + p.sv.ID + "/resume", Hidden: []hiddenField{{"t", token}}, Button: t("other.switch")})
		v.link("/s/"+p.sv.ID, t("other.keep"))
	}
	v.CSRF = h.csrfToken(c, p.sv.ID)
	h.render(c, v)
}

// continueResume: POST /s/{id}/resume, Continue on the resume link's page.
// The token moves into the cookie and out of the address bar.
func (h *handler) continueResume(c *gin.Context) {
	p, ok := h.load(c)
	if !ok || !h.csrfOK(c, p.v) {
		return
	}
	token := c.PostForm("t")
	prog, ok := h.linkedProgress(c, p, token)
	if !ok {
		return
	}
	maxAge := cookieMaxAge
	if prog.Status == survey.ResponseComplete {
		maxAge = doneMaxAge
	} else if !h.accepting(c, p) {
		return
	}
	h.setCookie(c, p.sv.ID, resumeCookie, token, maxAge)
	h.continueAt(c, p, prog)
}

// linkedProgress finds the response of a resume link's token, or renders
// the page for a link that is not valid.
func (h *handler) linkedProgress(c *gin.Context, p *page, token string) (*survey.Progress, bool) {
	prog, err := h.svc.FindProgress(c.Request.Context(), p.sv.ID, token)
	if survey.ErrorCode(err) == survey.ENotFound {
		p.v.message(c, http.StatusNotFound, p.v.L.T("badlink.title"), p.v.L.T("badlink.text"))
		p.v.link("/s/"+p.sv.ID, p.v.L.T("badlink.start"))
		h.render(c, p.v)
		return nil, false
	}
	if err != nil {
		h.fail(c, p.v, err)
		return nil, false
	}
	return prog, true
}

// describe says when a response was started and last saved or submitted,
// which is what a person recognises their own response by.
func describe(l *i18n.Lang, prog *survey.Progress) string {
	started := l.Date(prog.StartedAt.UTC())
	switch {
	case prog.Status == survey.ResponseComplete && prog.SubmittedAt != nil:
		return l.T("describe.submitted", "Started", started, "Date", l.Date(prog.SubmittedAt.UTC()))
	case len(prog.Answers) == 0:
		return l.T("describe.empty", "Started", started)
	default:
		return l.T("describe.saved", "Started", started, "Date", l.Date(prog.UpdatedAt.UTC()))
	}
}

// done: GET /s/{id}/done, the thank-you page.
func (h *handler) done(c *gin.Context) {
	p, ok := h.load(c)
	if !ok {
		return
	}
	prog, _, err := h.progress(c, p)
	switch {
	case err != nil:
		h.fail(c, p.v, err)
	case prog == nil:
		redirect(c, "/s/"+p.sv.ID)
	case prog.Status != survey.ResponseComplete:
		h.continueAt(c, p, prog)
	case p.sv.EndRedirect != "":
		// The researcher's address as given: nothing that identifies the
		// response is added, and pagekit's Referrer-Policy no-referrer
		// keeps even the survey's address from the next site.
		redirect(c, p.sv.EndRedirect)
	default:
		// The page depends only on the survey row and the language, but
		// for its language links, which carry the request's query: kept
		// and shared when there is none.
		key := welcomeKey{p.sv, p.form, p.v.L.Code}
		keep := c.Request.URL.RawQuery == ""
		if k, ok := h.dones.Load(key); ok && keep {
			writeKept(c, k.(*keptPage))
			return
		}
		// The end message is the researcher's, in the instrument's
		// language, between the catalog's own texts.
		paras := append([]string{p.v.L.T("done.text")}, paragraphs(p.sv.EndMessage)...)
		paras = append(paras, p.v.L.T("done.anonymous"))
		p.v.message(c, http.StatusOK, p.v.L.T("done.title"), paras...)
		p.v.page = "done"
		if keep {
			if page, err := renderPage(p.v); err == nil {
				k, _ := h.dones.LoadOrStore(key, newKeptPage(page))
				writeKept(c, k.(*keptPage))
				return
			}
		}
		h.render(c, p.v)
	}
}

// sectionView is one section page.
type sectionView struct {
	Number, Total int
	Title         string
	Description   []string
	Items         []template.HTML // each item's HTML (fragments.go)
	Errors        []summaryEntry
	Notice        string
	Shown         string
	First, Last   bool
	Action        string
	ResumeURL     string
	// Later: the page was saved by Continue later; show the resume link.
	Later bool
	// Hidden are a preview's own fields (preview.go).
	Hidden []hiddenField
}

type summaryEntry struct{ Target, Text string }

// sectionPage renders section si with the answers a (as saved, or as
// posted when something must be fixed) and the problems found.
func (h *handler) sectionPage(c *gin.Context, p *page, status, si int, a survey.Answers, problems []survey.Detail, notice, token string) {
	plain := len(problems) == 0 && notice == "" && !p.later && p.preview == nil
	if plain && h.writeFresh(c, p, status, si, a) {
		return
	}
	form := p.form
	sec := &form.Instrument.Sections[si]
	shown := form.Shown(a)
	errs := map[string]string{}
	for _, d := range problems {
		if id, ok := strings.CutPrefix(d.Path, "answers."); ok && form.Item(id) != nil {
			v, answered := a[id]
			if _, dup := errs[id]; !dup {
				errs[id] = respondentMessage(p.v.L, form.Item(id), v, answered)
				if !answered && form.IsOtherItem(id) {
					errs[id] = p.v.L.T("problem.specify")
				}
			}
		}
	}
	// The address names the section (its place in the instrument), the
	// heading its page in the respondent's order; skipped sections are
	// left out of "Section N of M".
	number, total, first, last := p.order.Nav(a, si)
	sv := &sectionView{Number: number, Total: total, Title: sec.Title,
		Description: paragraphs(sec.Description), Notice: notice, Action: h.sectionURL(p, si),
		First: first, Last: last,
		// The link carries the language, so that another browser or
		// device continues in it.
		ResumeURL: h.base(c) + "/s/" + p.sv.ID + "/resume?t=" + token + "&lang=" + p.code, Later: p.later}
	var visible []string
	fresh := true // none of the page's items answered
	for _, i := range p.order.Items(si) {
		it := &sec.Items[i]
		if _, answered := a[it.ID]; answered {
			fresh = false
		}
		iv := newItemView(p.v.L, form, it, a, shown, si, errs[it.ID])
		if !iv.Hidden {
			visible = append(visible, it.ID)
		}
		if iv.Error != "" {
			sv.Errors = append(sv.Errors, summaryEntry{Target: iv.Target, Text: it.Text + " – " + iv.Error})
		}
		if o := form.OtherItem(it.ID); o != nil && errs[o.ID] != "" && !iv.Hidden {
			iv.OtherError = errs[o.ID]
			sv.Errors = append(sv.Errors, summaryEntry{Target: "q-" + o.ID, Text: it.Text + " – " + iv.OtherError})
		}
		var html template.HTML
		var err error
		if p.preview != nil {
			html, err = renderItem(&iv) // a draft's items are not kept (preview.go)
		} else {
			html, err = h.fragments.item(form, p.v.L.Code, &iv)
		}
		if err != nil {
			h.fail(c, p.v, fmt.Errorf("render item %s: %w", it.ID, err))
			return
		}
		sv.Items = append(sv.Items, html)
	}
	sv.Shown = strings.Join(visible, " ")
	v := p.v
	v.page, v.status, v.Section = "section", status, sv
	v.Langs = switchButtons[v.L.Code]
	// A plain page is written from its shell (shell.go), which holds the
	// title already once kept. A preview is never kept (preview.go).
	plain = len(sv.Errors) == 0 && sv.Notice == "" && !sv.Later && p.preview == nil
	key := shellKey{sv: p.sv, form: form, lang: v.L.Code, section: si, page: p.order.Page(si), first: sv.First, last: sv.Last, number: sv.Number, total: sv.Total}
	if plain {
		v.CSRF = h.csrfToken(c, p.sv.ID)
		if s := h.shells.kept(key); s != nil {
			h.keepFresh(s, p, si, a, sv)
			h.shells.write(c, status, s, &shellValues{csrf: v.CSRF, shown: sv.Shown, items: sv.Items, fresh: fresh})
			return
		}
	}
	v.Title = v.L.T("title.section", "Section", sec.Title, "N", sv.Number, "Total", sv.Total, "Survey", p.publicTitle())
	if len(sv.Errors) > 0 {
		v.Title = v.L.T("title.error", "Title", v.Title)
	}
	if ps := p.preview; ps != nil {
		ps.answers = string(a.Canonical())
		sv.Action, sv.Hidden, sv.ResumeURL = ps.req.Action, previewHidden(ps, si), "(a preview has no resume link)"
		v.Langs, v.CSRF = nil, ps.req.CSRF
		h.previewPage(c, v, ps.req)
		return
	}
	if !plain {
		v.CSRF = h.csrfToken(c, p.sv.ID)
	}
	if plain {
		if s := h.shells.shell(key, v); s != nil {
			h.keepFresh(s, p, si, a, sv)
			h.shells.write(c, status, s, &shellValues{csrf: v.CSRF, shown: sv.Shown, items: sv.Items, fresh: fresh})
			return
		}
	}
	h.render(c, v)
}

// base is where respondents reach this server, for the resume link.
func (h *handler) base(c *gin.Context) string {
	return server.BaseURL(c)
}

// sectionParam reads {n}; it renders the 404 page for a bad one.
func (h *handler) sectionParam(c *gin.Context, p *page) (int, bool) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > len(p.form.Instrument.Sections) || strconv.Itoa(n) != c.Param("n") {
		p.v.message(c, http.StatusNotFound, p.v.L.T("error.page_not_found"), p.v.L.T("error.no_such_section"))
		p.v.link("/s/"+p.sv.ID, p.v.L.T("error.go_to_survey"))
		h.render(c, p.v)
		return 0, false
	}
	return n - 1, true
}

// respondent finds the survey, checks that it takes responses and finds
// this browser's response in progress. Without one it redirects to the
// welcome page; with a complete one, to the thank-you page.
func (h *handler) respondent(c *gin.Context, post bool) (*page, *survey.Progress, string, bool) {
	p, ok := h.load(c)
	if !ok || (post && !h.csrfOK(c, p.v)) || !h.accepting(c, p) {
		return nil, nil, "", false
	}
	prog, token, err := h.progress(c, p)
	switch {
	case err != nil:
		h.fail(c, p.v, err)
		return nil, nil, "", false
	case prog == nil:
		redirect(c, "/s/"+p.sv.ID)
		return nil, nil, "", false
	case prog.Status == survey.ResponseComplete:
		redirect(c, "/s/"+p.sv.ID+"/done")
		return nil, nil, "", false
	}
	p.order = p.form.Order(prog.ID)
	return p, prog, token, true
}

// section: GET /s/{id}/p/{n}.
func (h *handler) section(c *gin.Context) {
	p, prog, token, ok := h.respondent(c, false)
	if !ok {
		return
	}
	si, ok := h.sectionParam(c, p)
	if !ok {
		return
	}
	if !p.form.SectionShown(prog.Answers, si) {
		// Every item here is hidden by earlier answers: on to the next page.
		if n := p.order.NextSection(prog.Answers, si); n >= 0 {
			redirect(c, h.sectionURL(p, n))
		} else {
			h.continueAt(c, p, prog)
		}
		return
	}
	p.later = c.Query(laterParam) == "1"
	h.markViewed(c, p.sv.ID, si)
	h.sectionPage(c, p, http.StatusOK, si, prog.Answers, nil, "", token)
}

// laterParam marks the page that Continue later returns to: it shows the
// resume link, the page's answers having just been saved.
const laterParam = "later"

// saveSection: POST /s/{id}/p/{n}. survey.Service.SaveSection saves what
// can be saved and decides what comes next; this handler reads the page's
// fields and turns the outcome into a page (problems to fix, questions
// that the answers revealed) or a 303.
func (h *handler) saveSection(c *gin.Context) {
	p, prog, token, ok := h.respondent(c, true)
	if !ok {
		return
	}
	si, ok := h.sectionParam(c, p)
	if !ok {
		return
	}
	posted := readSection(p.form, si, c.Request.PostForm)
	if h.switchTo(c, p) {
		// The language switcher: the page again in the chosen language,
		// with what was typed on it, saving nothing.
		h.sectionPage(c, p, http.StatusOK, si, withSection(p.form, si, prog.Answers, posted), nil, "", token)
		return
	}
	in := survey.SaveSectionInput{SurveyID: p.sv.ID, Token: token, Progress: prog, Section: si, Answers: posted, Language: p.code,
		ViewedAt: h.viewedAt(c, p.sv.ID, si)}
	switch c.PostForm(actionField) {
	case "back":
		in.Action = survey.SectionBack
	case "later":
		in.Action = survey.SectionLater
	}
	if vals := c.Request.PostForm[shownField]; len(vals) > 0 {
		// The page's _shown field, which the script keeps up to date:
		// what the respondent saw when sending it.
		in.Seen = map[string]bool{}
		for _, id := range strings.Fields(vals[0]) {
			in.Seen[id] = true
		}
	}
	out, err := h.svc.SaveSection(c.Request.Context(), in)
	if err != nil {
		h.fail(c, p.v, err)
		return
	}
	// The time so far is counted: the page shown next starts its own.
	switch out.Kind {
	case survey.SectionFix, survey.SectionRevealed, survey.SectionMove, survey.SectionSaved:
		h.setStamp(c, p.sv.ID, out.Section, h.svc.Now())
	default:
		h.clearStamp(c, p.sv.ID)
	}
	switch out.Kind {
	case survey.SectionFix:
		h.sectionPage(c, p, http.StatusUnprocessableEntity, out.Section, out.Answers, out.Problems, "", token)
	case survey.SectionRevealed:
		notice := p.v.L.N("section.revealed", out.Revealed)
		h.sectionPage(c, p, http.StatusOK, out.Section, out.Answers, nil, notice, token)
	case survey.SectionMove:
		redirect(c, h.sectionURL(p, out.Section))
	case survey.SectionSaved:
		redirect(c, h.sectionURL(p, out.Section)+"?"+laterParam+"=1")
	case survey.SectionStart:
		redirect(c, "/s/"+p.sv.ID) // section 1's Back: no page before it
	case survey.SectionCompleted:
		h.setCookie(c, p.sv.ID, resumeCookie, token, doneMaxAge)
		redirect(c, "/s/"+p.sv.ID+"/done")
	case survey.SectionSubmitted:
		redirect(c, "/s/"+p.sv.ID+"/done")
	case survey.SectionClosed:
		p.sv = out.Survey
		if h.accepting(c, p) { // open again by this server's clock: say what the service said
			h.fail(c, p.v, out.Err)
		}
	case survey.SectionCodeRefused:
		status := http.StatusConflict
		if survey.ErrorCode(out.Err) == survey.EForbidden {
			status = http.StatusForbidden
		}
		p.v.message(c, status, p.v.L.T("codeused.title"), p.v.L.T("codeused.text"))
		h.render(c, p.v)
	default:
		h.fail(c, p.v, survey.Errorf(survey.EInternal, "unknown outcome %d of saving a page", out.Kind))
	}
}

// withSection returns the saved answers with section si's replaced by the
// posted ones: the page as the respondent left it, for the switcher.
func withSection(form *survey.Form, si int, saved, posted survey.Answers) survey.Answers {
	out := make(survey.Answers, len(saved)+len(posted))
	for id, v := range saved {
		if form.SectionOf(id) != si {
			out[id] = v
		}
	}
	for id, v := range posted {
		out[id] = v
	}
	return out
}

// welcomeKey keys the kept welcome and thank-you pages: one per survey
// row, form (a version that gains a translation has a new form) and
// language.
type welcomeKey struct {
	sv   *survey.Survey
	form *survey.Form
	lang string
}
