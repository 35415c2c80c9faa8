package server

import (
	"errors"
	"net/http"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// statusOf is the one place where error codes become HTTP statuses, for
// the API and the pages alike.
var statusOf = map[string]int{
	survey.EMalformed:     http.StatusBadRequest,
	survey.EUnauthorized:  http.StatusUnauthorized,
	survey.EForbidden:     http.StatusForbidden,
	survey.ENotFound:      http.StatusNotFound,
	survey.EMethodInvalid: http.StatusMethodNotAllowed,
	survey.EConflict:      http.StatusConflict,
	survey.ETooLarge:      http.StatusRequestEntityTooLarge,
	survey.EUnsupported:   http.StatusUnsupportedMediaType,
	survey.EInvalid:       http.StatusUnprocessableEntity,
	survey.ERateLimited:   http.StatusTooManyRequests,
	survey.EInternal:      http.StatusInternalServerError,
	survey.EUnavailable:   http.StatusServiceUnavailable,
}

// internalMessage is all a client learns of an error that is not a
// *survey.Error: a bug or an outage.
const internalMessage = "internal error; the request id identifies it in the server log"

// Classify turns err into the *survey.Error a client may see and its
// status. An error that is not a *survey.Error is logged with the route
// (the log handler adds the request id) and becomes a generic 500 that
// leaks nothing.
func Classify(c *gin.Context, err error) (*survey.Error, int) {
	var se *survey.Error
	if !errors.As(err, &se) {
		Logger(c).ErrorContext(c.Request.Context(), "request failed", "route", c.FullPath(), "error", err)
		se = &survey.Error{Code: survey.EInternal, Message: internalMessage}
	}
	status, ok := statusOf[se.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return se, status
}

// Fail answers a request with err and stops its handler chain: an HTML
// page under the prefix of a module that is an ErrorPager, the JSON
// error {"error":{"code","message","details":[{"path","message"}]}}
// elsewhere (see the package overview). A 503 carries Retry-After.
func Fail(c *gin.Context, err error) {
	se, status := Classify(c, err)
	if status == http.StatusServiceUnavailable && c.Writer.Header().Get("Retry-After") == "" {
		c.Header("Retry-After", "5")
	}
	if s := from(c); s != nil {
		if p := s.pagerFor(c.Request.URL.Path); p != nil {
			p.ErrorPage(c, status, se)
			c.Abort()
			return
		}
	}
	// Errors made by survey.Problems are capped already; this holds the
	// bound (survey.MaxDetails) for any built another way.
	details := survey.CapDetails(se.Details)
	if details == nil {
		details = []survey.Detail{}
	}
	c.AbortWithStatusJSON(status, errorBody{errorPayload{Code: se.Code, Message: se.Message, Details: details}})
}

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Details []survey.Detail `json:"details"`
}
