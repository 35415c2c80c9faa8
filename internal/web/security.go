package web

import (
	"net/http"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/gin-gonic/gin"
)

const (
	resumeCookie = "dyad_resume"
	csrfCookie   = "dyad_csrf"
	cookieMaxAge = 30 * 24 * 60 * 60 // seconds: a respondent may come back weeks later
	// doneMaxAge keeps the resume cookie of a submitted response for a day:
	// long enough that reload and back show the thank-you page, short
	// enough that a shared ward computer is free for the next physician.
	doneMaxAge = 24 * 60 * 60
)

// setCookie sets a cookie of the survey's pages: scoped to /s/{id},
// SameSite=Lax, so that a resume link opened from an e-mail (a
// cross-site top-level navigation) carries it (pagekit.SetCookie).
func (h *handler) setCookie(c *gin.Context, surveyID, name, value string, maxAge int) {
	pagekit.SetCookie(c, name, value, "/s/"+surveyID, maxAge, http.SameSiteLaxMode)
}

func cookie(c *gin.Context, name string) string { return pagekit.Cookie(c, name) }

// csrfToken returns the token for this browser's forms of the survey,
// setting the browser's CSRF cookie first if it has none.
func (h *handler) csrfToken(c *gin.Context, surveyID string) string {
	secret := cookie(c, csrfCookie)
	if !pagekit.ValidRandom(secret) {
		secret = pagekit.RandomValue()
		h.setCookie(c, surveyID, csrfCookie, secret, cookieMaxAge)
	}
	return h.csrf.Sign(surveyID, secret)
}

// csrfOK checks a POST: the form's token must be the signature of this
// browser's cookie for this survey, and the browser must not report the
// request as cross-site. A request that fails gets the 403 page.
func (h *handler) csrfOK(c *gin.Context, v *view) bool {
	if !h.csrf.Check(c, v.surveyID, cookie(c, csrfCookie)) {
		v.message(c, http.StatusForbidden, v.L.T("error.expired"), v.L.T("error.expired_text"), v.L.T("error.expired_text2"))
		v.link("/s/"+v.surveyID, v.L.T("error.return"))
		h.render(c, v)
		return false
	}
	return true
}
