package server

import (
	"strconv"
	"strings"
)

// AcceptsGzip reads an Accept-Encoding header value (RFC 9110 §12.5.3)
// and tells whether a gzip-coded answer is acceptable: "gzip" (or its
// alias "x-gzip", §8.4.1.3) listed with a weight above zero, or, when
// neither is listed, "*" with a weight above zero, since "*" stands for
// any coding not named in the field. A coding named with q=0 is refused
// even when "*" is accepted: the named entry is the more specific. An
// empty or absent header means no preference, which a server may answer
// uncoded, as Dyad does. The API's pre-compressed answers and the pages'
// gzip both read this one function.
func AcceptsGzip(header string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := weight(params)
		if name == "*" {
			starQ = max(starQ, q)
		} else {
			gzipQ = max(gzipQ, q)
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// weight reads the q parameter of one Accept-Encoding entry; absent or
// unreadable is 1 (a malformed weight is treated as no weight at all).
func weight(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || q < 0 || q > 1 {
			return 1
		}
		return q
	}
	return 1
}
