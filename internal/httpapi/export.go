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
// export.sps, export.do, export.zip, export.sav, export.dta and
// export.xlsx (package export writes them; its format registry lists them).
//
// The CSV and the zip stream: rows go to the client as they are read, in
// chunks of 64 KiB, on the request's context, so a client that goes away
// stops the query. The .sav, .dta and .xlsx read every response into a
// temporary file first (the SPSS and Stata headers need the counts; a
// sheet is zipped whole), so their first byte leaves when the read is
// done, and a failure during the read is still a JSON error. Until the first chunk leaves, a failure is still an
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
	// fraction is the speeder rule's (speeder_fraction) for the dq_*
	// columns.
	fraction float64
}

// exportParams lists the query parameters of the exports with their
// allowed values (nil: parsed specially). The values are the format
// registry's (export.OptionValues); the status filter is survey's.
var exportParams = map[string][]string{
	export.OptLayout:     export.OptionValues[export.OptLayout],
	export.OptValues:     export.OptionValues[export.OptValues],
	export.OptLineBreaks: export.OptionValues[export.OptLineBreaks],
	export.OptBOM:        {"0", "1", "false", "true"},
	export.OptExcelSafe:  {"0", "1", "false", "true"},
	"status":             nil, // survey.ParseStatusFilter
	"include_test":       nil, // survey.ParseIncludeTest
	"since":              nil,
	"until":              nil,
	"speeder_fraction":   nil, // survey.ParseQualityOptions
}

// parseExportQuery reads the export parameters, reporting every bad one
// by name (422). Parameters it does not know are ignored, as elsewhere in
// the API.
func parseExportQuery(q url.Values) (exportQuery, error) {
	var p survey.Problems
	eq := exportQuery{set: map[string]bool{}}
	eq.filter.Status = survey.StatusComplete.Status()
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
	if v, ok := get(export.OptLayout); ok {
		eq.opt.Layout = v
	}
	if v, ok := get(export.OptValues); ok {
		eq.opt.Values = v
	}
	if v, ok := get(export.OptLineBreaks); ok {
		eq.opt.LineBreaks = v
	}
	if v, ok := get(export.OptBOM); ok {
		eq.opt.BOM = v == "1" || v == "true"
	}
	if v, ok := get(export.OptExcelSafe); ok {
		eq.opt.ExcelSafe = v == "1" || v == "true"
	}
	if v, ok := get("status"); ok {
		eq.filter.Status = survey.ParseStatusFilter(&p, v, survey.StatusComplete).Status()
	}
	if v, ok := get("include_test"); ok {
		eq.filter.IncludeTest = survey.ParseIncludeTest(&p, v)
	}
	fraction, _ := get("speeder_fraction")
	eq.fraction = survey.ParseQualityOptions(&p, "", fraction).Fraction
	for _, name := range []string{"since", "until"} {
		v, ok := get(name)
		if !ok {
			continue
		}
		t, err := export.ParseTime(v)
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

func attachment(c *gin.Context, contentType, filename string) {
	c.Header("Content-Type", contentType)
	// Names are ASCII letters, digits, '-', '_' and '.', so no escaping.
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
}

// exportFile serves one format of the registry (export.Formats): its
// media type, its file name and its writer are the registry's. The query
// is read by the formats that depend on it: the options the format takes
// and, for formats with responses, the filters; a format with responses
// refuses the options it would ignore, where a silently different file
// would mislead. Files that depend on nothing in the query (the syntax
// files) do not read it.
func (a *api) exportFile(ft *export.Format) gin.HandlerFunc {
	return func(c *gin.Context) {
		var q exportQuery
		if ft.Responses || len(ft.Options) > 0 {
			var err error
			q, err = parseExportQuery(c.Request.URL.Query())
			if err == nil && ft.Responses {
				var p survey.Problems
				for _, name := range export.CSVOptions {
					if q.set[name] && !ft.Takes(name) {
						p.Add(name, "is not accepted by %s: %s", ft.Path, ft.Fixed)
					}
				}
				err = p.Err(survey.EInvalid, "the export query is not valid")
			}
			if err != nil {
				writeError(c, err)
				return
			}
		}
		var sc survey.ResponseScanner
		if ft.Responses {
			var ok bool
			if sc, ok = a.scanner(c); !ok {
				return
			}
		}
		s, f, ok := a.exportTarget(c)
		if !ok {
			return
		}
		// Every format takes the labels' language.
		if lang, set := c.GetQuery(export.OptLang); set {
			var err error
			if f, err = export.InLanguage(f, lang); err != nil {
				writeError(c, err)
				return
			}
			if f != nil && lang != f.Instrument.DefaultLanguage() {
				q.opt.Lang = lang
			}
		}
		now := a.svc.Now()
		job := export.Job{Form: f, Options: q.opt,
			Info: export.SyntaxInfo{Survey: s, Base: export.BaseName(s, now), Generated: now}}
		if sc == nil && q.fraction > 0 {
			job.Options.Quality = f.Quality(q.fraction, 0) // the codebook states the fraction asked for
		}
		if sc != nil {
			q.filter.SurveyID = s.ID
			if q.opt.Layout != export.LayoutLong {
				// The speeder rule's median, over the responses exported,
				// before the first byte: a failure is still a JSON error.
				var err error
				if job.Options.Quality, err = survey.ScanQuality(c.Request.Context(), sc, f, q.filter, q.fraction); err != nil {
					writeError(c, err)
					return
				}
				job.Info.Quality = job.Options.Quality
			}
			q.filter.RawAnswers = true // the writers read the stored JSON themselves
			job.Scan = func(ctx context.Context, fn func(*survey.Response) error) error {
				return sc.ScanResponses(ctx, q.filter, fn)
			}
		}
		attachment(c, ft.MediaType, ft.FileName(job.Info.Base, q.opt))
		a.stream(c, func(ctx context.Context, w io.Writer) error { return ft.Write(ctx, w, job) })
	}
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
