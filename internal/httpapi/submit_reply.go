package httpapi

import (
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// The answer to a submission (201, or 200 for a retry) is a responseDoc
// without answers: a handful of identifiers and two times. gin's c.JSON
// would encode it with encoding/json's reflection on every submission;
// writeSubmitted writes the same bytes directly (appendSubmittedDoc), and
// leaves to c.JSON any document it cannot write exactly as encoding/json
// would: one with answers or a test flag, a string that needs escaping,
// a time encoding/json refuses. TestSubmittedDocEncoding holds the two to
// the same bytes.

// jsonContentType is the Content-Type gin's c.JSON sets, shared as gin
// shares its own.
var jsonContentType = []string{"application/json; charset=utf-8"}

// replyBufs holds the buffers replies are written in; the ResponseWriter
// copies what it is given, so a buffer is free again once written.
var replyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeSubmitted answers a submission with d, as c.JSON(status, d) does.
func writeSubmitted(c *gin.Context, status int, d *responseDoc) {
	bp := replyBufs.Get().(*[]byte)
	defer replyBufs.Put(bp)
	b, ok := appendSubmittedDoc((*bp)[:0], d)
	if !ok {
		c.JSON(status, d)
		return
	}
	*bp = b
	if h := c.Writer.Header(); len(h["Content-Type"]) == 0 {
		h["Content-Type"] = jsonContentType
	}
	c.Status(status)
	_, _ = c.Writer.Write(b)
}

// appendSubmittedDoc appends d as encoding/json writes it, or reports
// false for a document it leaves to encoding/json (see above).
func appendSubmittedDoc(b []byte, d *responseDoc) ([]byte, bool) {
	if d.Answers != nil || d.Test != nil {
		return b, false
	}
	ok := true
	str := func(key, s string) {
		b = append(b, key...)
		if !plainJSON(s) {
			ok = false
			return
		}
		b = append(b, '"')
		b = append(b, s...)
		b = append(b, '"')
	}
	tm := func(key string, t time.Time) {
		b = append(b, key...)
		if !strictTime(t) {
			ok = false
			return
		}
		b = append(b, '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	str(`{"id":`, d.ID)
	str(`,"survey_id":`, d.SurveyID)
	str(`,"instrument_key":`, d.InstrumentKey)
	b = append(b, `,"instrument_version":`...)
	b = strconv.AppendInt(b, int64(d.InstrumentVersion), 10)
	str(`,"status":`, d.Status)
	tm(`,"started_at":`, d.StartedAt)
	if d.SubmittedAt == nil {
		b = append(b, `,"submitted_at":null`...)
	} else {
		tm(`,"submitted_at":`, *d.SubmittedAt)
	}
	if d.Language != "" {
		str(`,"language":`, d.Language)
	}
	b = append(b, '}')
	return b, ok
}

// plainJSON reports whether encoding/json writes s as it is between
// quotes: printable ASCII without a quote, a backslash or the characters
// it escapes for HTML (<, >, &).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// strictTime reports whether time.Time.MarshalJSON accepts t: a year of
// four digits and a zone offset under a day.
func strictTime(t time.Time) bool {
	_, off := t.Zone()
	y := t.Year()
	return y >= 0 && y <= 9999 && off > -24*3600 && off < 24*3600
}
