package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Exports: GET /api/v1/surveys/{id}/export.csv, codebook.csv, export.R,
// export.sps, export.do and export.zip (package export writes them).
//
// The CSV and the zip stream: rows go to the client as they are read, in
// chunks of 64 KiB, on the request's context, so a client that goes away
// stops the query. Until the first chunk leaves, a failure is still an
// ordinary JSON error; after it, the status line is gone, so the failure
// is logged and the connection is cut, making the download fail visibly
// instead of ending as a shorter file that looks complete.
//
// An export may take longer than the server's write timeout, so the
// handler sets its own write deadline, pushed forward with every chunk:
// a slow client gets all the time it needs, a stalled one is cut off.

// exportWriteTimeout is how long one chunk of an export may take to send.
const exportWriteTimeout = 60 * time.Second

// exportQuery is a parsed export query string.
type exportQuery struct {
	opt    export.Options
	filter survey.ExportFilter
	set    map[string]bool // parameters present
}

// exportParams lists the query parameters of the CSV export with their
// allowed values (nil: parsed specially).
var exportParams = map[string][]string{
	"layout":      {export.LayoutWide, export.LayoutLong},
	"values":      {export.ValuesCodes, export.ValuesLabels},
	"status":      {survey.ResponseComplete, survey.ResponseInProgress, "all"},
	"line_breaks": {export.LineBreaksKeep, export.LineBreaksSpace},
	"bom":         {"0", "1", "false", "true"},
	"excel_safe":  {"0", "1", "false", "true"},
	"since":       nil,
	"until":       nil,
}

// parseExportQuery reads the export parameters, reporting every bad one
// by name (422). Parameters it does not know are ignored, as elsewhere in
// the API.
func parseExportQuery(q url.Values) (exportQuery, error) {
	var p survey.Problems
	eq := exportQuery{set: map[string]bool{}}
	eq.filter.Status = survey.ResponseComplete
	get := func(name string) (string, bool) {
		vs, ok := q[name]
		if !ok {
			return "", false
		}
		eq.set[name] = true
		if len(vs) > 1 {
			p.Add(name, "must be given once, got %d values", len(vs))
			return "", false
		}
		allowed := exportParams[name]
		if allowed == nil {
			return vs[0], true
		}
		for _, a := range allowed {
			if vs[0] == a {
				return vs[0], true
			}
		}
		p.Add(name, "must be one of %s, got %q", joinOr(allowed), vs[0])
		return "", false
	}
	if v, ok := get("layout"); ok {
		eq.opt.Layout = v
	}
	if v, ok := get("values"); ok {
		eq.opt.Values = v
	}
	if v, ok := get("line_breaks"); ok {
		eq.opt.LineBreaks = v
	}
	if v, ok := get("bom"); ok {
		eq.opt.BOM = v == "1" || v == "true"
	}
	if v, ok := get("excel_safe"); ok {
		eq.opt.ExcelSafe = v == "1" || v == "true"
	}
	if v, ok := get("status"); ok {
		eq.filter.Status = v
		if v == "all" {
			eq.filter.Status = ""
		}
	}
	for _, name := range []string{"since", "until"} {
		v, ok := get(name)
		if !ok {
			continue
		}
		t, err := parseExportTime(v)
		if err != nil {
			p.Add(name, "must be an RFC 3339 time such as 2026-01-14T09:30:00Z or a date such as 2026-01-14 (meaning 00:00 UTC), got %q", v)
			continue
		}
		if name == "since" {
			eq.filter.Since = &t
		} else {
			eq.filter.Until = &t
		}
	}
	if s, u := eq.filter.Since, eq.filter.Until; s != nil && u != nil && !s.Before(*u) {
		p.Add("until", "must be after since (since is inclusive, until exclusive)")
	}
	return eq, p.Err(survey.EInvalid, "the export query is not valid")
}

func parseExportTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02", s)
}

func joinOr(vs []string) string {
	out := ""
	for i, v := range vs {
		switch {
		case i == 0:
		case i == len(vs)-1:
			out += " or "
		default:
			out += ", "
		}
		out += v
	}
	return out
}

// exportTarget loads what every export route needs: the survey and its
// form.
func (a *api) exportTarget(c *gin.Context) (*survey.Survey, *survey.Form, bool) {
	ctx := c.Request.Context()
	s, err := a.svc.Survey(ctx, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return nil, nil, false
	}
	f, err := a.svc.Form(ctx, s.InstrumentKey, s.InstrumentVersion)
	if err != nil {
		writeError(c, err)
		return nil, nil, false
	}
	return s, f, true
}

func (a *api) scanner(c *gin.Context) (survey.ResponseScanner, bool) {
	if a.responses == nil {
		writeError(c, survey.Errorf(survey.EUnavailable, "exports are not configured on this server"))
		return nil, false
	}
	return a.responses, true
}

func (a *api) baseName(s *survey.Survey) string {
	return export.BaseName(s, a.svc.Now())
}

func attachment(c *gin.Context, contentType, filename string) {
	c.Header("Content-Type", contentType)
	// Names are ASCII letters, digits, '-', '_' and '.', so no escaping.
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
}

const csvType = "text/csv; charset=utf-8; header=present"

func (a *api) exportCSV(c *gin.Context) {
	q, err := parseExportQuery(c.Request.URL.Query())
	if err != nil {
		writeError(c, err)
		return
	}
	sc, ok := a.scanner(c)
	if !ok {
		return
	}
	s, f, ok := a.exportTarget(c)
	if !ok {
		return
	}
	q.filter.SurveyID = s.ID
	q.filter.RawAnswers = true // the writer reads the stored JSON itself
	name := a.baseName(s)
	if q.opt.Layout == export.LayoutLong {
		name += "_long"
	}
	if q.opt.Values == export.ValuesLabels {
		name += "_labels"
	}
	if q.opt.LineBreaks == export.LineBreaksSpace {
		name += "_spss"
	}
	attachment(c, csvType, name+".csv")
	a.stream(c, func(ctx context.Context, w io.Writer) error {
		return export.WriteCSV(ctx, w, f, q.opt, func(ctx context.Context, fn func(*survey.Response) error) error {
			return sc.ScanResponses(ctx, q.filter, fn)
		})
	})
}

func (a *api) exportZip(c *gin.Context) {
	q, err := parseExportQuery(c.Request.URL.Query())
	if err == nil {
		var p survey.Problems
		for _, name := range []string{"layout", "values", "line_breaks", "bom", "excel_safe"} {
			if q.set[name] {
				p.Add(name, "is not accepted by export.zip: its CSV is always wide, with codes and exact text, which the syntax files read")
			}
		}
		err = p.Err(survey.EInvalid, "the export query is not valid")
	}
	if err != nil {
		writeError(c, err)
		return
	}
	sc, ok := a.scanner(c)
	if !ok {
		return
	}
	s, f, ok := a.exportTarget(c)
	if !ok {
		return
	}
	q.filter.SurveyID = s.ID
	q.filter.RawAnswers = true // the writer reads the stored JSON itself
	info := export.SyntaxInfo{Survey: s, Base: a.baseName(s), Generated: a.svc.Now()}
	attachment(c, "application/zip", info.Base+".zip")
	a.stream(c, func(ctx context.Context, w io.Writer) error {
		return export.WriteBundle(ctx, w, f, info, func(ctx context.Context, fn func(*survey.Response) error) error {
			return sc.ScanResponses(ctx, q.filter, fn)
		})
	})
}

func (a *api) exportCodebook(c *gin.Context) {
	q, err := parseExportQuery(c.Request.URL.Query())
	if err != nil {
		writeError(c, err)
		return
	}
	s, f, ok := a.exportTarget(c)
	if !ok {
		return
	}
	attachment(c, csvType, a.baseName(s)+"_codebook.csv")
	a.stream(c, func(_ context.Context, w io.Writer) error {
		return export.WriteCodebook(w, f, export.Options{BOM: q.opt.BOM, ExcelSafe: q.opt.ExcelSafe})
	})
}

func (a *api) exportR(c *gin.Context)     { a.exportSyntax(c, ".R", export.WriteR) }
func (a *api) exportSPSS(c *gin.Context)  { a.exportSyntax(c, ".sps", export.WriteSPSS) }
func (a *api) exportStata(c *gin.Context) { a.exportSyntax(c, ".do", export.WriteStata) }

// exportSyntax serves one of the syntax files.
func (a *api) exportSyntax(c *gin.Context, ext string, write func(io.Writer, *survey.Form, export.SyntaxInfo) error) {
	s, f, ok := a.exportTarget(c)
	if !ok {
		return
	}
	info := export.SyntaxInfo{Survey: s, Base: a.baseName(s), Generated: a.svc.Now()}
	attachment(c, "text/plain; charset=utf-8", info.Base+ext)
	a.stream(c, func(_ context.Context, w io.Writer) error { return write(w, f, info) })
}

// stream runs write against the response body (see the top of this file
// for what happens on failure).
func (a *api) stream(c *gin.Context, write func(context.Context, io.Writer) error) {
	ctx := c.Request.Context()
	rc := http.NewResponseController(c.Writer)
	w := &exportBody{w: c.Writer, rc: rc}
	if err := write(ctx, w); err != nil {
		a.streamFailed(c, w, err)
		return
	}
	c.Status(http.StatusOK) // an empty body still answers 200
	c.Writer.WriteHeaderNow()
}

func (a *api) streamFailed(c *gin.Context, w *exportBody, err error) {
	ctx := c.Request.Context()
	gone := ctx.Err() != nil && errors.Is(err, ctx.Err())
	if w.n == 0 && !c.Writer.Written() {
		if gone {
			return // nobody is listening for an answer
		}
		c.Writer.Header().Del("Content-Disposition")
		c.Writer.Header().Del("Content-Type") // gin keeps a type already set
		writeError(c, err)
		return
	}
	if !gone {
		server.Logger(c).ErrorContext(ctx, "export failed after the response began; cutting the connection",
			"route", c.FullPath(), "bytes_sent", w.n, "error", err)
	}
	abortConnection(c)
}

// exportBody writes to the client, keeping count and pushing the write
// deadline forward before each chunk.
type exportBody struct {
	w  io.Writer
	rc *http.ResponseController
	n  int64
}

func (b *exportBody) Write(p []byte) (int, error) {
	// Not every writer supports deadlines (httptest's recorder does not);
	// then there is no server timeout to outrun either.
	_ = b.rc.SetWriteDeadline(time.Now().Add(exportWriteTimeout))
	n, err := b.w.Write(p)
	b.n += int64(n)
	return n, err
}

// abortConnection ends a response that has begun without completing it:
// the connection is closed before the end of the chunked body, so the
// client sees an error, not a short file. gin's writer refuses to be
// hijacked once it has written, so the server's own writer is used.
func abortConnection(c *gin.Context) {
	var w http.ResponseWriter = c.Writer
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				c.Abort()
				return
			}
		}
	}
	// No connection to take (HTTP/2, which dyad serve does not speak, or
	// a test recorder): the conventional abort. gin's recovery takes it for
	// a broken connection and ends the handler chain.
	panic(http.ErrAbortHandler)
}
