package survey

import (
	"errors"
	"fmt"
)

// Error codes. Each names a class of failure; the HTTP layer maps each to a
// status in one table, so the domain never speaks HTTP.
const (
	EInvalid       = "invalid"        // the input breaks a rule (422)
	EMalformed     = "malformed"      // the input cannot be parsed at all (400)
	ENotFound      = "not_found"      // no such thing (404)
	EConflict      = "conflict"       // the request clashes with stored state (409)
	EUnauthorized  = "unauthorized"   // missing or wrong credentials (401)
	EForbidden     = "forbidden"      // credentials fine, action not allowed (403)
	ETooLarge      = "too_large"      // request body over the limit (413)
	EUnsupported   = "unsupported"    // unsupported media type (415)
	EUnavailable   = "unavailable"    // temporarily unable to serve (503)
	EInternal      = "internal"       // a bug or an unexpected failure (500)
	ERateLimited   = "rate_limited"   // too many requests (429)
	EMethodInvalid = "method_invalid" // route exists, method does not (405)
)

// Detail names one problem at one place in the input, such as
// "sections[1].items[3].scale" or "answers.eff_1".
type Detail struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Error is the error type every layer of Dyad speaks. Code is one of the
// E* constants, Message is safe to show to the client, and Details lists
// every problem found, so a client can fix all of them in one go.
type Error struct {
	Code    string
	Message string
	Details []Detail
}

func (e *Error) Error() string {
	if len(e.Details) == 0 {
		return e.Code + ": " + e.Message
	}
	return fmt.Sprintf("%s: %s (%d problems, first: %s: %s)", e.Code, e.Message, len(e.Details), e.Details[0].Path, e.Details[0].Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// Problems collects Details while a validator walks its input, so that all
// problems are reported at once instead of the first one only.
type Problems []Detail

// Add records a problem at path.
func (p *Problems) Add(path, format string, args ...any) {
	*p = append(*p, Detail{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was recorded, else an *Error with code and
// message carrying every recorded detail.
func (p Problems) Err(code, message string) error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: code, Message: message, Details: p}
}
