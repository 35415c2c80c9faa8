package admin

import (
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// The audit trail's pages: owners and admins (the policy table) read it
// here, filtered by actor, action and time, and download the same rows as
// CSV. Viewing and exporting are themselves recorded.

// auditPageRows is how many rows one page shows.
const auditPageRows = 100

type auditView struct {
	Actor, Action, Since, Until string
	Rows                        []auditRowView
	Next                        string
	CSV                         string
}

type auditRowView struct {
	ID                                         int64
	At, Actor, Action, Target, Details, Client string
	Status                                     int
}

// auditFilter reads ?actor=&action=&since=&until=&after= (times as
// 2006-01-02 or RFC 3339); problems name the parameter.
func auditFilter(c *gin.Context) (survey.AuditFilter, error) {
	var f survey.AuditFilter
	var problems survey.Problems
	f.Actor, f.Action = strings.TrimSpace(c.Query("actor")), strings.TrimSpace(c.Query("action"))
	for _, k := range []string{"actor", "action"} {
		if len(c.Query(k)) > 200 {
			problems.Add(k, "%s", tr("admin.audit.too_long"))
		}
	}
	parse := func(k string) time.Time {
		s := c.Query(k)
		if s == "" {
			return time.Time{}
		}
		for _, layout := range []string{time.RFC3339, "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t
			}
		}
		problems.Add(k, "%s", tr("admin.audit.bad_time", "Got", strconv.Quote(s)))
		return time.Time{}
	}
	f.Since, f.Until = parse("since"), parse("until")
	if s := c.Query("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			problems.Add("after", "%s", tr("admin.error.bad_cursor", "Got", strconv.Quote(s)))
		}
		f.AfterID = n
	}
	return f, problems.Err(survey.EInvalid, tr("admin.error.bad_address"))
}

// auditPage: GET /admin/audit.
func (p *Pages) auditPage(c *gin.Context) {
	f, err := auditFilter(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	// Owners see the rows of their studies only (server.SeesAuditRow), so
	// the page is cut here, not by the store's limit.
	av := &auditView{Actor: f.Actor, Action: f.Action, Since: c.Query("since"), Until: c.Query("until")}
	if p.audit != nil {
		err = p.audit.ScanAudit(c.Request.Context(), f, func(e *survey.AuditEvent) error {
			if !server.SeesAuditRow(c.Request.Context(), e.Details) {
				return nil
			}
			av.Rows = append(av.Rows, auditRowView{ID: e.ID, At: e.At.UTC().Format("2006-01-02 15:04:05 UTC"), Actor: e.Actor,
				Action: e.Action, Target: e.Target, Details: e.Details, Client: e.Client, Status: e.Status})
			if len(av.Rows) > auditPageRows {
				return errPageFull
			}
			return nil
		})
		if errors.Is(err, errPageFull) {
			err = nil
		}
		if err != nil {
			p.fail(c, err)
			return
		}
	}
	q := url.Values{}
	for _, k := range []string{"actor", "action", "since", "until"} {
		if v := c.Query(k); v != "" {
			q.Set(k, v)
		}
	}
	av.CSV = "/admin/audit.csv"
	if len(q) > 0 {
		av.CSV += "?" + q.Encode()
	}
	if len(av.Rows) > auditPageRows {
		av.Rows = av.Rows[:auditPageRows]
		q.Set("after", strconv.FormatInt(av.Rows[len(av.Rows)-1].ID, 10))
		av.Next = "/admin/audit?" + q.Encode()
	}
	v := p.newView(c, tr("admin.audit.heading"))
	v.page, v.Audit = "audit", av
	v.Crumbs = []link{{"/admin", tr("admin.crumbs.surveys")}, {"", tr("admin.audit.heading")}}
	p.render(c, v)
}

// auditCSV: GET /admin/audit.csv, every row the filters select, streamed.
// A cell that a spreadsheet would read as a formula is prefixed with an
// apostrophe (actors and details come from requests).
func (p *Pages) auditCSV(c *gin.Context) {
	f, err := auditFilter(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="audit.csv"`)
	h.Set("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"id", "at", "actor", "action", "target", "details", "request_id", "client", "status", "prev_hash", "hash"})
	if p.audit != nil {
		err = p.audit.ScanAudit(c.Request.Context(), f, func(e *survey.AuditEvent) error {
			if !server.SeesAuditRow(c.Request.Context(), e.Details) {
				return nil
			}
			return w.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), safeCell(e.Actor), safeCell(e.Action),
				safeCell(e.Target), safeCell(e.Details), safeCell(e.RequestID), safeCell(e.Client), strconv.Itoa(e.Status),
				hexOf(e.PrevHash), hexOf(e.Hash)})
		})
	}
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		_ = c.Error(err) // the header is sent: the truncated file is all that can be said
	}
}

func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, x := range b {
		out[2*i], out[2*i+1] = digits[x>>4], digits[x&15]
	}
	return string(out)
}

// errPageFull stops a scan once a page has its rows.
var errPageFull = errors.New("page full")
