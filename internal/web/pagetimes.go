package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/pagekit"
	"github.com/gin-gonic/gin"
)

// Page times (survey/pagetimes.go): when a section page is first shown,
// the dyad_view cookie gets the section's number and the server's time,
// signed with the CSRF key, so the browser carries the stamp and nothing
// is written to the database for a page view; the page's save reads it
// back and hands the time to SaveSection, which adds the time from it to
// the save to the section's page time.
//
// "First": showing the page again (a reload, the language switcher)
// keeps a stamp of the same section younger than survey.MaxPageVisit; a
// save renews it (the time so far has been counted), for the page shown
// next. A stamp of another section (a second tab) or a bad signature
// counts nothing. The cookie holds a section number and a time, nothing
// of the answers (docs/security.md).

// viewCookie holds the stamp of the section page on screen.
const viewCookie = "dyad_view"

// viewScope keeps stamps' signatures apart from CSRF tokens.
func viewScope(surveyID string) string { return "view:" + surveyID }

// stampValue is the cookie's value: "{section}.{unix ms}.{signature}".
func (h *handler) stampValue(surveyID string, si int, at time.Time) string {
	payload := strconv.Itoa(si) + "." + strconv.FormatInt(at.UnixMilli(), 10)
	return payload + "." + h.csrf.Sign(viewScope(surveyID), payload)
}

// readStamp returns the section and time of this browser's stamp for the
// survey; ok is false for none or one not signed by this server.
func (h *handler) readStamp(c *gin.Context, surveyID string) (si int, at time.Time, ok bool) {
	v := pagekit.Cookie(c, viewCookie)
	i := strings.LastIndexByte(v, '.')
	if i < 0 || !h.csrf.Verify(viewScope(surveyID), v[:i], v[i+1:]) {
		return 0, time.Time{}, false
	}
	sec, ms, found := strings.Cut(v[:i], ".")
	n, err1 := strconv.Atoi(sec)
	t, err2 := strconv.ParseInt(ms, 10, 64)
	if !found || err1 != nil || err2 != nil {
		return 0, time.Time{}, false
	}
	return n, time.UnixMilli(t).UTC(), true
}

// markViewed stamps section si as first shown now, unless this browser
// has a stamp of si already that still counts (see the top).
func (h *handler) markViewed(c *gin.Context, surveyID string, si int) {
	now := h.svc.Now()
	if s, at, ok := h.readStamp(c, surveyID); ok && s == si && !at.After(now) && now.Sub(at) < pageStampMaxAge {
		return
	}
	h.setStamp(c, surveyID, si, now)
}

// pageStampMaxAge is how long a stamp counts: a visit counts at most
// survey.MaxPageVisit anyway.
const pageStampMaxAge = time.Hour

// setStamp stamps section si as shown at.
func (h *handler) setStamp(c *gin.Context, surveyID string, si int, at time.Time) {
	h.setCookie(c, surveyID, viewCookie, h.stampValue(surveyID, si, at), int(pageStampMaxAge/time.Second))
}

// clearStamp removes the stamp once the form is done with.
func (h *handler) clearStamp(c *gin.Context, surveyID string) {
	if pagekit.Cookie(c, viewCookie) != "" {
		h.setCookie(c, surveyID, viewCookie, "", -1)
	}
}

// viewedAt is when section si was first shown to this browser, zero when
// it does not know.
func (h *handler) viewedAt(c *gin.Context, surveyID string, si int) time.Time {
	if s, at, ok := h.readStamp(c, surveyID); ok && s == si {
		return at
	}
	return time.Time{}
}
