package web

import (
	"net/url"
	"slices"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// The respondent's language.
//
// Every string of the pages comes from the message catalog (internal/i18n)
// in the language chosen for the request, in this order:
//  1. ?lang=xx on the address (a link in an invitation, or the language
//     switcher's links), if the catalog or the survey has xx: remembered
//     in the dyad_lang cookie for the rest of the journey;
//  2. the section page's switcher (a _lang button of the page's form, so
//     that what was typed on the page is shown again, not lost);
//  3. the dyad_lang cookie;
//  4. the browser's Accept-Language, matched against the survey's
//     languages (surveyLanguages);
//  5. the instrument's default language, or English when the catalog has
//     none for it.
//
// The instrument's own texts (questions, options, introduction) are shown
// in the chosen language when the instrument has a translation into it
// (Form.In), else in the instrument's own language, marked with its lang
// attribute. A language of the survey that the catalog lacks (an
// instrument translated into Italian) is reached by its link or
// Accept-Language: the interface is then English around the Italian
// texts, and the response records "it". The switcher offers every
// language of the catalog. Accept-Language only picks among the survey's
// languages, so a German browser is not given a German interface around
// English questions that it did not ask for.
const (
	langCookie = "dyad_lang"
	langParam  = "lang"
	langField  = "_lang" // the section page's switcher buttons
)

// surveyLanguages are the languages a survey is offered in: the languages
// its instrument declares, its default first ("en" when it declares
// none).
func surveyLanguages(form *survey.Form) []string {
	if form == nil {
		return []string{i18n.Default}
	}
	return form.Instrument.AllLanguages()
}

// textLang is the language of form's texts when it is not the
// interface's language l, for the lang attributes that tell a screen
// reader to read them as such; "" when they are the same. form is the
// page's form, in the language chosen for it (Form.In).
func textLang(form *survey.Form, l *i18n.Lang) string {
	in := i18n.Default
	if form != nil {
		in = form.Lang
	}
	if in != l.Code {
		return in
	}
	return ""
}

// chooseLang picks the request's language (the order above, steps 1, 3-5)
// and remembers a ?lang= choice. surveyID and form are empty for pages
// outside a survey, which match Accept-Language against the catalog.
func (h *handler) chooseLang(c *gin.Context, surveyID string, form *survey.Form) *i18n.Lang {
	return i18n.Or(h.chooseCode(c, surveyID, form))
}

// chooseCode is chooseLang's choice as a code: a language of the catalog,
// or one of the survey's that the catalog lacks (an instrument translated
// into Italian), whose texts are then shown in an English interface.
func (h *handler) chooseCode(c *gin.Context, surveyID string, form *survey.Form) string {
	offered := surveyLanguages(form)
	known := func(code string) bool {
		return code != "" && (i18n.Get(code) != nil || form != nil && slices.Contains(offered, code))
	}
	if code := c.Query(langParam); known(code) {
		if surveyID != "" && cookie(c, langCookie) != code {
			h.setCookie(c, surveyID, langCookie, code, cookieMaxAge)
		}
		return code
	}
	if code := cookie(c, langCookie); known(code) {
		return code
	}
	if form == nil {
		offered = offered[:0]
		for _, l := range i18n.All() {
			offered = append(offered, l.Code)
		}
	}
	return i18n.Match(c.GetHeader("Accept-Language"), offered, offered[0])
}

// switchTo makes a posted _lang choice the request's language and
// remembers it; false if the post has none.
func (h *handler) switchTo(c *gin.Context, p *page) bool {
	l := i18n.Get(c.PostForm(langField))
	if l == nil {
		return false
	}
	h.setCookie(c, p.sv.ID, langCookie, l.Code, cookieMaxAge)
	p.setLang(l.Code)
	return true
}

// langLink is one language of the switcher.
type langLink struct {
	Code, Name, Dir, Href string
	Current               bool
}

// switchButtons are a section page's switcher, by the page's language:
// buttons of the page's form, the same on every section page, so made
// once (a section page is the most frequent page).
var switchButtons = func() map[string][]langLink {
	out := map[string][]langLink{}
	for _, cur := range i18n.All() {
		for _, l := range i18n.All() {
			out[cur.Code] = append(out[cur.Code], langLink{Code: l.Code, Name: l.Name, Dir: l.Dir, Current: l == cur})
		}
	}
	return out
}()

// setLang makes l the page's language.
func (v *view) setLang(l *i18n.Lang) {
	v.L, v.Lang, v.Dir = l, l.Code, l.Dir
}

// switcher fills the page's language switcher: links to the page's own
// address with ?lang= (other query parameters kept), or, for a page
// answered to a POST, to the survey's start, which leads back to where
// the respondent is. A section page's switcher is its form's buttons
// instead (section.html), and needs no links.
func (v *view) switcher(c *gin.Context) {
	u := url.URL{Path: c.Request.URL.Path}
	q := url.Values{}
	if c.Request.Method == "GET" {
		// Only the parameters a page reads: the links of a page that is
		// kept and shared (the welcome page, stitch.go) must not carry
		// one visitor's other parameters to the next.
		for _, k := range []string{"code", "t"} {
			if x := c.Query(k); x != "" {
				q.Set(k, x)
			}
		}
	} else if v.surveyID != "" {
		u.Path = "/s/" + v.surveyID
	}
	v.setSwitcher(u, q)
}

// setSwitcher fills the switcher with links to u with ?lang= set in q.
func (v *view) setSwitcher(u url.URL, q url.Values) {
	v.Langs = make([]langLink, 0, len(i18n.All())) // never appended to in place: a section page's may be shared (switchButtons)
	for _, l := range i18n.All() {
		q.Set(langParam, l.Code)
		u.RawQuery = q.Encode()
		v.Langs = append(v.Langs, langLink{Code: l.Code, Name: l.Name, Dir: l.Dir, Href: u.String(), Current: l == v.L})
	}
}

// setLang makes code the page's language: the interface's when the
// catalog has it (else English), the form's texts' where the instrument
// has it (else its own).
func (p *page) setLang(code string) {
	l := i18n.Or(code)
	p.code = code
	p.v.setLang(l)
	p.form = p.base.In(code)
	p.v.TextLang = textLang(p.form, l)
	p.v.SurveyTitle = p.publicTitle()
}

// publicTitle is the survey's title for respondents in the page's
// language (survey.Survey.PublicTexts).
func (p *page) publicTitle() string {
	title, _ := p.sv.PublicTexts(p.form)
	return title
}

// publicDescription is the welcome page's text, as publicTitle.
func (p *page) publicDescription() string {
	_, description := p.sv.PublicTexts(p.form)
	return description
}
