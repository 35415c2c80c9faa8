// Package formclient is the HTTP client of the tests of Dyad's HTML pages
// (the respondent pages and the dashboard): one browser as a server sees
// it, without a browser. It keeps its own cookies, follows no redirects
// and asks for no transparent gzip, so a test sees every status, Location
// and header as sent; it picks up the CSRF token of the last page that had
// a form and sends it with the next form post, as the page would.
//
// Only tests import it. The browser tests that need a real browser use
// internal/web/browsertest (chromedp) instead.
package formclient

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Client is one browser's session with the server at Base.
type Client struct {
	TB   testing.TB
	Base string // the server's URL, e.g. httptest.Server.URL
	// HTTP holds the cookie jar; tests may plant or read cookies in it.
	HTTP *http.Client
	// CSRF is the token of the last page with a form (the hidden _csrf
	// field); Post sends it unless the form has its own. Tests may
	// replace it to send another.
	CSRF string
}

// Page is one answer, its body read whole.
type Page struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

// New returns a client with an empty cookie jar.
func New(tb testing.TB, base string) *Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &Client{TB: tb, Base: base, HTTP: &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfPattern = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// Do sends req, reads the answer, and keeps the page's CSRF token if it
// has one.
func (c *Client) Do(req *http.Request) Page {
	c.TB.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.TB.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := Page{Status: resp.StatusCode, Body: string(body), Location: resp.Header.Get("Location"), Header: resp.Header}
	if m := csrfPattern.FindStringSubmatch(p.Body); m != nil {
		c.CSRF = m[1]
	}
	return p
}

// Get fetches path (absolute on the server); header holds name, value
// pairs.
func (c *Client) Get(path string, header ...string) Page {
	c.TB.Helper()
	req, err := http.NewRequest(http.MethodGet, c.Base+path, nil)
	if err != nil {
		c.TB.Fatal(err)
	}
	setHeader(req, header)
	return c.Do(req)
}

// Post sends form as a browser does, with the CSRF token of the last page
// unless the form has a _csrf field of its own; header holds name, value
// pairs.
func (c *Client) Post(path string, form url.Values, header ...string) Page {
	c.TB.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.CSRF)
	}
	req, err := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.TB.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	setHeader(req, header)
	return c.Do(req)
}

// Cookie returns the cookie the jar would send to path, or nil.
func (c *Client) Cookie(path, name string) *http.Cookie {
	u, err := url.Parse(c.Base + path)
	if err != nil {
		c.TB.Fatal(err)
	}
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func setHeader(req *http.Request, header []string) {
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
}
