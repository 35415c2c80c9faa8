package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Helpers for the researcher pages (internal/admin), which share the
// respondent pages' look, headers and compression. They wrap the
// functions the respondent pages use, so both keep one set of rules.

// PageHeaders sets the security headers of an HTML page: the strict
// Content-Security-Policy (no inline script or style), no framing,
// nosniff, no referrer, no caching.
func PageHeaders(h http.Header) { pageHeaders(h) }

// WriteBody writes a response body, gzipped when the client takes it and
// it is large enough to gain from it.
func WriteBody(c *gin.Context, status int, contentType string, body []byte) {
	writeBody(c, status, contentType, body)
}

// AcceptsGzip tells whether the request's Accept-Encoding takes gzip.
func AcceptsGzip(r *http.Request) bool { return acceptsGzip(r) }

// AssetURL returns the address of one of the respondent pages' static
// files by its own name ("app.css", "icon.svg"): a content-hashed path
// under /s/static/, cached for a year. It is "" for an unknown name.
func AssetURL(name string) string { return assetURL[name] }
