// Package pagekit is what the respondent pages (internal/web) and the
// researcher dashboard (internal/admin) share: rendering a page through
// a buffer, the pages' security headers, gzip, cookies, the CSRF tokens
// of their forms, and the static files both link to (the stylesheet, the
// script and the icon, served under /s/static/ by web). Both import it and
// never each other; the API (internal/httpapi) does not import it. What
// the API shares with the pages (the error table, the base URL, the
// reading of Accept-Encoding) lives one level down, in internal/server,
// which this package imports.
package pagekit

import (
	"bytes"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzip"
)

// contentSecurityPolicy allows nothing but this origin's own files: no
// inline script or style (style attributes included), no plugins, no
// framing, and forms that post only here.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Headers sets the security headers of every HTML page, and of answers
// without a page such as the pages' redirects: the strict
// Content-Security-Policy, no framing, nosniff, no referrer, no caching
// (pages hold answers, resume links and results). The server's middleware
// sets nosniff, Referrer-Policy and Cache-Control already; they are set
// again so the pages do not depend on it.
func Headers(h http.Header) {
	for _, kv := range pageHeaders {
		h[kv.key] = kv.value
	}
}

// pageHeaders are what Headers sets, each value a slice made once and
// shared by every response: assigned to the map under its canonical key
// rather than Set, which canonicalises the key and allocates a slice per
// header per page (about a tenth of a respondent page's allocations).
// Sharing is safe because a header map's values are only ever read,
// replaced (Set) or appended to (Add), never written in place, and a
// one-element slice has no room to append into, so Add copies it.
var pageHeaders = [...]struct {
	key   string
	value []string
}{
	{"Content-Security-Policy", []string{contentSecurityPolicy}},
	{"X-Frame-Options", []string{"DENY"}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"no-referrer"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	{"Cache-Control", []string{"no-store"}},
}

// Shared header values of WriteBody's, as pageHeaders are.
var (
	htmlType       = []string{"text/html; charset=utf-8"}
	gzipEncoding   = []string{"gzip"}
	acceptEncoding = []string{"Accept-Encoding"}
)

// setType sets Content-Type and adds Accept-Encoding to Vary.
func setType(hdr http.Header, contentType string) {
	if contentType == htmlType[0] {
		hdr["Content-Type"] = htmlType
	} else {
		hdr.Set("Content-Type", contentType)
	}
	if len(hdr["Vary"]) == 0 {
		hdr["Vary"] = acceptEncoding
	} else {
		hdr.Add("Vary", "Accept-Encoding")
	}
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putBuf returns buf to the pool unless one page made it large (the
// dashboard's results page of a big instrument): the pool would keep that
// memory for every later page.
func putBuf(buf *bytes.Buffer) {
	if buf.Cap() <= 1<<20 {
		bufPool.Put(buf)
	}
}

// Render executes t's "layout" template with data into a buffer first,
// so that a template error becomes a clean 500 rather than half a page,
// then writes it with the pages' headers and compression. A status of 0
// is 200.
func Render(c *gin.Context, t *template.Template, status int, data any) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer putBuf(buf)
	Headers(c.Writer.Header())
	if status == 0 {
		status = http.StatusOK
	}
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		server.Logger(c).ErrorContext(c.Request.Context(), "render page", "page", t.Name(), "error", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Internal error. Please try again."))
		return
	}
	WriteBody(c, status, "text/html; charset=utf-8", buf.Bytes())
}

// gzipPool compresses pages rendered per request at BestSpeed, with
// github.com/klauspost/compress rather than compress/gzip: gzip was 15 %
// of the server's CPU on the web journey even at the standard library's
// BestSpeed, most of it building Huffman tables and matching, which
// klauspost's encoder does in about a third of the instructions. On an
// 8 KB section page, 184-286 thousand instructions against 656 thousand
// (callgrind), for 3 % more bytes (2,098 against 2,036); BenchmarkPageGzip
// and docs/performance.md hold the figures. Its output is plain gzip (RFC
// 1952) that every browser reads.
var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

// WriteBody writes body, gzipped when the client takes it and it is worth
// it (a page is 5–20 KB of repetitive HTML and shrinks five- to tenfold).
func WriteBody(c *gin.Context, status int, contentType string, body []byte) {
	hdr := c.Writer.Header()
	setType(hdr, contentType)
	if len(body) < 1024 || !AcceptsGzip(c.Request) {
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
		c.Status(status)
		c.Writer.Write(body)
		return
	}
	zbuf := bufPool.Get().(*bytes.Buffer)
	zbuf.Reset()
	defer putBuf(zbuf)
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(zbuf)
	zw.Write(body)
	zw.Close()
	gzipPool.Put(zw)
	writeGzipped(c, status, zbuf.Bytes())
}

// WriteGzipped writes gz, a body already compressed as one gzip member
// (a page pre-compressed in parts), to a client that takes gzip
// (AcceptsGzip), with the headers WriteBody gives a gzipped body.
func WriteGzipped(c *gin.Context, status int, contentType string, gz []byte) {
	setType(c.Writer.Header(), contentType)
	writeGzipped(c, status, gz)
}

func writeGzipped(c *gin.Context, status int, gz []byte) {
	hdr := c.Writer.Header()
	hdr["Content-Encoding"] = gzipEncoding
	hdr.Set("Content-Length", strconv.Itoa(len(gz)))
	c.Status(status)
	c.Writer.Write(gz)
}

// AcceptsGzip tells whether the request's Accept-Encoding takes gzip
// (server.AcceptsGzip, the one reading of the header).
func AcceptsGzip(r *http.Request) bool { return server.AcceptsGzip(r.Header.Get("Accept-Encoding")) }
