package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// statusOf is the one place where error codes become HTTP statuses.
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

// errorBody is the JSON shape of every error:
// {"error":{"code","message","details":[{"path","message"}]}}.
type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Details []survey.Detail `json:"details"`
}

// writeError answers with err. Errors that are not *survey.Error are bugs or
// outages: they are logged with the request id and the client gets a
// generic 500 that leaks nothing.
func writeError(c *gin.Context, err error) {
	var se *survey.Error
	if !errors.As(err, &se) {
		slog.ErrorContext(c.Request.Context(), "request failed", "request_id", requestID(c), "route", c.FullPath(), "error", err)
		se = &survey.Error{Code: survey.EInternal, Message: "internal error; the request id identifies it in the server log"}
	}
	status, ok := statusOf[se.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusServiceUnavailable && c.Writer.Header().Get("Retry-After") == "" {
		c.Header("Retry-After", "5")
	}
	// Errors made by survey.Problems are capped already; this holds the
	// bound (survey.MaxDetails) for any built another way.
	details := survey.CapDetails(se.Details)
	if details == nil {
		details = []survey.Detail{}
	}
	c.AbortWithStatusJSON(status, errorBody{errorPayload{Code: se.Code, Message: se.Message, Details: details}})
}

func invalid(path, format string, args ...any) error {
	var p survey.Problems
	p.Add(path, format, args...)
	return p.Err(survey.EInvalid, "the request is not valid")
}
