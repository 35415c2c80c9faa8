package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// mediaType returns the request's media type, lower case, without
// parameters.
func mediaType(c *gin.Context) string {
	h := c.GetHeader("Content-Type")
	if h == "application/json" {
		return h // what API clients send; mime.ParseMediaType would return it too, after a map and a copy
	}
	mt, _, err := mime.ParseMediaType(h)
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

func isJSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// readBody reads the whole body, mapping an over-long body to 413. A body
// admitSubmission has read already is returned as it is. A small body of
// declared length (a normal submission) is read into a buffer made once at
// that size; a larger one grows with what arrives, so that a client
// announcing 1 MiB and sending a byte at a time holds a few bytes of
// memory, not a megabyte.
func readBody(c *gin.Context) ([]byte, error) {
	if ab, ok := c.Request.Body.(*admittedBody); ok {
		return ab.b, nil
	}
	var b []byte
	var err error
	if n := c.Request.ContentLength; n > 0 && n <= preallocBody {
		b = make([]byte, n)
		if _, err = io.ReadFull(c.Request.Body, b); err == nil {
			// Read on to the end, which also lifts the body deadline.
			var one [1]byte
			if _, e := c.Request.Body.Read(one[:]); e != io.EOF {
				err = e
			}
		}
	} else {
		b, err = io.ReadAll(c.Request.Body)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, survey.Errorf(survey.ETooLarge, "the request body is over the limit of %d bytes", mbe.Limit)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, survey.Errorf(survey.EMalformed, "the request body did not arrive in time")
	}
	if err != nil {
		return nil, survey.Errorf(survey.EMalformed, "the request body could not be read")
	}
	return b, nil
}

// preallocBody is the largest declared body length readBody allocates
// before the bytes arrive.
const preallocBody = 32 << 10

// decodeJSON reads a JSON body into dst strictly: the Content-Type must be
// JSON (415), the text must parse (400), and unknown fields or wrong types
// are named (422).
func decodeJSON(c *gin.Context, dst any) error {
	body, err := readJSON(c)
	if err != nil {
		return err
	}
	return unmarshalStrict(body, dst)
}

// readJSON reads a body that must be JSON: the Content-Type is checked
// (415) before the body is read.
func readJSON(c *gin.Context) ([]byte, error) {
	if mt := mediaType(c); !isJSON(mt) {
		return nil, survey.Errorf(survey.EUnsupported, "Content-Type must be application/json, got %q", c.GetHeader("Content-Type"))
	}
	return readBody(c)
}

func unmarshalStrict(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON value")
	}
	if err == nil {
		return nil
	}
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return &survey.Error{Code: survey.EMalformed, Message: "the request body is not valid JSON",
			Details: []survey.Detail{{Path: "", Message: fmt.Sprintf("%v (at byte %d)", syntax, syntax.Offset)}}}
	case errors.As(err, &typ):
		return invalid(typ.Field, "must be %s, got %s", jsonType(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(field, "unknown field")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &survey.Error{Code: survey.EMalformed, Message: "the request body is not valid JSON",
			Details: []survey.Detail{{Path: "", Message: "the body is empty or cut short"}}}
	default:
		var se *survey.Error
		if errors.As(err, &se) {
			return se
		}
		return &survey.Error{Code: survey.EMalformed, Message: "the request body is not valid JSON",
			Details: []survey.Detail{{Path: "", Message: err.Error()}}}
	}
}

func jsonType(kind string) string {
	switch kind {
	case "int", "int64", "int32":
		return "an integer"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "map", "struct":
		return "an object"
	case "slice":
		return "a list"
	}
	return "a " + kind
}

// timeField is an RFC 3339 time in a request body. A malformed value does
// not fail the whole decode (encoding/json would not say which field it
// was): it is kept, and value reports it at its path as a 422.
type timeField struct {
	t   *time.Time
	bad string
}

func (f *timeField) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = timeField{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		*f = timeField{bad: string(b)}
		return nil
	}
	*f = parseTimeField(s)
	return nil
}

// parseTimeField reads the text of a time field's JSON string.
func parseTimeField(s string) timeField {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return timeField{bad: strconv.Quote(s)}
	}
	return timeField{t: &t}
}

// value returns the time (nil if absent), recording a problem at path if
// it was malformed.
func (f timeField) value(p *survey.Problems, path string) *time.Time {
	if f.bad != "" {
		p.Add(path, "must be an RFC 3339 time such as 2026-03-01T09:00:00Z, got %s", f.bad)
	}
	return f.t
}

// momentField is a date field of the survey settings: an RFC 3339 time
// or a plain date (survey.ParseMoment), read in the survey's time zone by
// the service. set tells an absent field (unchanged) from null (removed).
// A malformed value is kept and reported at its path, as timeField does.
type momentField struct {
	set bool
	m   survey.Moment
	bad string
}

func (f *momentField) UnmarshalJSON(b []byte) error {
	*f = momentField{set: true}
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		f.bad = string(b)
		return nil
	}
	m, ok := survey.ParseMoment(s)
	if !ok {
		f.bad = strconv.Quote(s)
		return nil
	}
	f.m = m
	return nil
}

// value returns the moment, nil if the field was absent, recording a
// problem at path if it was malformed.
func (f momentField) value(p *survey.Problems, path string) *survey.Moment {
	if f.bad != "" {
		p.Add(path, "must be a date such as 2027-03-31 or an RFC 3339 time such as 2027-03-31T17:00:00Z, got %s", f.bad)
		return nil
	}
	if !f.set {
		return nil
	}
	return &f.m
}
