package survey

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
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
	return fmt.Sprintf("%s: %s (%d problems, first: %s: %s)", e.Code, e.Message, Problems(e.Details).Count(), e.Details[0].Path, e.Details[0].Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return "" // before e, which errors.As moves to the heap
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// MaxDetails is how many details an error carries at most; past it, one
// more detail with the path "" (the input as a whole) says how many
// problems were left out: "and 12345 more problems".
//
// Why a cap: a validator reports every problem at once, so without one a
// 1 MiB request built to break a rule every few bytes (a list of 500,000
// bad values, 80,000 unknown items) gets an error tens of MB long, and a
// few such requests in parallel take gigabytes. Fifty problems are more
// than a person fixes in one go and enough for a program to see the
// pattern. The count detail's path is "" rather than the next problem's
// path because the problems left out may lie anywhere in the input.
const MaxDetails = 50

// Detail names one problem at one place in the input, such as
// "sections[1].items[3].scale" or "answers.eff_1".
type Detail struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	// more is set on the last detail of a capped list only: how many
	// problems it stands for.
	more int
}

// Problems collects Details while a validator walks its input, so that all
// problems are reported at once instead of the first one only. It keeps
// the first MaxDetails and counts the rest in one final detail, so that
// collecting costs constant memory however many problems an input has.
type Problems []Detail

// Add records a problem at path. Past MaxDetails it only counts it, without
// formatting the message.
func (p *Problems) Add(path, format string, args ...any) {
	if len(*p) >= MaxDetails {
		p.addMore(1)
		return
	}
	msg := format
	if len(args) > 0 || strings.Contains(format, "%") {
		msg = fmt.Sprintf(format, args...)
	}
	// A message without verbs ("is required", which Check says of every
	// required item left unanswered on the other pages of a web form's
	// save) is the format itself: no copy to make.
	*p = append(*p, clipDetail(Detail{Path: path, Message: msg}))
}

// Bounds of one detail. A path or message quoting the input (an unknown
// item's id, a value that is not a number) could otherwise be as long as
// the request; with them an error is at most about 51 × 1.3 KB.
const (
	maxPathBytes    = 256
	maxMessageBytes = 1024
)

func clipDetail(d Detail) Detail {
	d.Path = clip(d.Path, maxPathBytes)
	d.Message = clip(d.Message, maxMessageBytes)
	return d
}

// clip shortens s to at most n bytes, on a rune boundary, marking the cut
// with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// addMore counts n problems past the cap in the final detail.
func (p *Problems) addMore(n int) {
	if len(*p) == MaxDetails {
		*p = append(*p, Detail{})
	}
	last := &(*p)[len(*p)-1]
	last.more += n
	last.Path, last.Message = "", moreMessage(last.more)
}

func moreMessage(n int) string {
	if n == 1 {
		return "and 1 more problem"
	}
	return "and " + strconv.Itoa(n) + " more problems"
}

// Count is how many problems were recorded, including those past the cap.
func (p Problems) Count() int {
	n := 0
	for _, d := range p {
		n += max(1, d.more)
	}
	return n
}

// CapDetails returns details limited to MaxDetails, the rest counted in one
// final detail. It may be applied to a list made any way (appended from
// several capped lists, say), and again to its own result.
func CapDetails(details []Detail) []Detail {
	if capped(details) {
		return details
	}
	out := make([]Detail, 0, MaxDetails+1)
	rest := 0
	for _, d := range details {
		switch {
		case d.more > 0:
			rest += d.more
		case len(out) < MaxDetails:
			out = append(out, clipDetail(d))
		default:
			rest++
		}
	}
	if rest > 0 {
		out = append(out, Detail{Message: moreMessage(rest), more: rest})
	}
	return out
}

// capped reports whether details already obey the cap: at most MaxDetails
// plain details, each within its bounds, and a count only as the last.
func capped(details []Detail) bool {
	if len(details) > MaxDetails+1 {
		return false
	}
	for i, d := range details {
		if d.more > 0 && i != len(details)-1 || d.more == 0 && i >= MaxDetails ||
			len(d.Path) > maxPathBytes || len(d.Message) > maxMessageBytes {
			return false
		}
	}
	return true
}

// Err returns nil when nothing was recorded, else an *Error with code and
// message carrying the recorded details (capped, see MaxDetails).
func (p Problems) Err(code, message string) error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: code, Message: message, Details: CapDetails(p)}
}
