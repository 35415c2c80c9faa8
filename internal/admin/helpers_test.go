package admin_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/admin"
	"github.com/dyad-survey/dyad/internal/httpapi"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web"
)

const testToken = "test-researcher-token-0123456789"

// fixture is a real server on a fresh SQLite file, wired as `dyad serve`
// wires it: the API, the respondent pages and the dashboard on one engine,
// the shipped instruments published, and a survey of the study instrument
// with sample responses.
type fixture struct {
	st     *sqlite.Store
	svc    *survey.Service
	srv    *httptest.Server
	form   *survey.Form
	study  *survey.Survey
	empty  *survey.Survey // a survey of the short instrument, no responses
	closed *survey.Survey
}

// seed describes the sample responses of the study survey.
type seed struct {
	complete, inProgress int
	days                 int // spread over this many days before now
}

func newFixture(tb testing.TB, sd seed) *fixture {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "dyad.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	svc := survey.NewService(st)
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{st: st, svc: svc}
	var short *survey.Instrument
	for _, file := range files {
		in := file.Instrument
		if _, err := svc.CreateInstrument(ctx, in); err != nil {
			tb.Fatal(err)
		}
		if _, err := svc.Publish(ctx, in.Key, in.Version); err != nil {
			tb.Fatal(err)
		}
		if in.Key == instruments.Study {
			if f.form, err = svc.Form(ctx, in.Key, in.Version); err != nil {
				tb.Fatal(err)
			}
		} else {
			short = in
		}
	}
	f.study = f.newSurvey(tb, f.form.Instrument.Key, f.form.Instrument.Version, "Physician survey 2026")
	f.empty = f.newSurvey(tb, short.Key, short.Version, "Pilot <short form>")
	f.closed = f.newSurvey(tb, short.Key, short.Version, "Closed pilot")
	if _, err := svc.CloseSurvey(ctx, f.closed.ID); err != nil {
		tb.Fatal(err)
	}
	f.seed(tb, sd)

	// The server starts after seeding, which moved the service's clock:
	// its goroutines see only the real one.
	quiet := slog.New(slog.DiscardHandler)
	engine := httpapi.New(httpapi.Config{Service: svc, Ready: st.Ping, AdminTokenHash: survey.HashSecret(testToken),
		Logger: quiet, Responses: st})
	var downloads []admin.Download
	for _, e := range httpapi.ExportFiles(httpapi.Config{Service: svc, Responses: st}) {
		downloads = append(downloads, admin.Download{Name: e.Name, Handler: e.Handler})
	}
	pages := admin.New(admin.Config{Service: svc, Responses: st, Sessions: st, TokenHash: survey.HashSecret(testToken),
		Downloads: downloads, NotFound: httpapi.NotFound, Logger: quiet})
	web.Register(engine, web.Config{Service: svc, NotFound: pages.NotFound, Logger: quiet})
	pages.Register(engine)
	f.srv = httptest.NewServer(engine)
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) newSurvey(tb testing.TB, key string, version int, title string) *survey.Survey {
	tb.Helper()
	sv, err := f.svc.CreateSurvey(context.Background(), survey.NewSurvey{InstrumentKey: key, InstrumentVersion: version,
		Title: title, Access: survey.AccessOpen})
	if err != nil {
		tb.Fatal(err)
	}
	return sv
}

// seed submits sample responses to the study survey through the service,
// spread over sd.days days, and starts some that stay in progress.
func (f *fixture) seed(tb testing.TB, sd seed) {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(6, 2026))
	now := time.Now().UTC()
	at := func(i, n int) time.Time {
		if sd.days <= 1 || n <= 1 {
			return now.Add(-time.Duration(n-i) * time.Minute)
		}
		// More responses early on, after the invitation, then a tail.
		frac := float64(i) / float64(n-1)
		day := int(frac * frac * float64(sd.days-1))
		// A time within that calendar day (UTC), never after now, so the
		// responses cover exactly sd.days days whatever the time of day
		// the test runs.
		dayStart := now.Truncate(24*time.Hour).AddDate(0, 0, day-sd.days+1)
		span := 24*time.Hour - time.Minute
		if d := now.Sub(dayStart); d < span {
			span = d
		}
		return dayStart.Add(time.Duration(rng.Int64N(int64(span/time.Minute)+1)) * time.Minute)
	}
	defer func() { f.svc.Now = time.Now }()
	for i := range sd.complete {
		t := at(i, sd.complete)
		f.svc.Now = func() time.Time { return t }
		started := t.Add(-time.Duration(5+rng.IntN(15)) * time.Minute)
		if _, _, err := f.svc.Submit(ctx, f.study.ID, survey.Submission{StartedAt: &started, Answers: sample.Answers(f.form, rng)}); err != nil {
			tb.Fatalf("submit sample response %d: %v", i, err)
		}
	}
	for i := range sd.inProgress {
		t := at(i, sd.inProgress)
		f.svc.Now = func() time.Time { return t }
		if _, _, err := f.svc.StartProgress(ctx, f.study.ID, ""); err != nil {
			tb.Fatal(err)
		}
	}
}

// client is one browser: its own cookies, no redirects followed, no
// transparent gzip, so every status and header is seen.
type client struct {
	tb   testing.TB
	f    *fixture
	http *http.Client
	csrf string // from the last page with a form
}

func (f *fixture) client(tb testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{tb: tb, f: f, http: &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type page struct {
	status   int
	body     string
	location string
	header   http.Header
}

var csrfPattern = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) do(req *http.Request) page {
	c.tb.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := page{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location"), header: resp.Header}
	if m := csrfPattern.FindStringSubmatch(p.body); m != nil {
		c.csrf = m[1]
	}
	return p
}

func (c *client) get(path string, header ...string) page {
	c.tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.f.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

// post sends a form with the CSRF token of the last page, unless the
// form has one; header holds name, value pairs.
func (c *client) post(path string, form url.Values, header ...string) page {
	c.tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

// signIn opens the sign-in form and sends the token; it returns the
// answer to the POST.
func (c *client) signIn(token, next string) page {
	c.tb.Helper()
	path := "/admin/login"
	if next != "" {
		path += "?next=" + url.QueryEscape(next)
	}
	if p := c.get(path); p.status != http.StatusOK {
		c.tb.Fatalf("sign-in form: %d\n%s", p.status, p.body)
	}
	form := url.Values{"token": {token}}
	if next != "" {
		form.Set("next", next)
	}
	return c.post("/admin/login", form)
}

// signedIn returns a client with a session.
func (f *fixture) signedIn(tb testing.TB) *client {
	tb.Helper()
	c := f.client(tb)
	if p := c.signIn(testToken, ""); p.status != http.StatusSeeOther || p.location != "/admin" {
		tb.Fatalf("sign in: %d %q\n%s", p.status, p.location, p.body)
	}
	return c
}

func (c *client) cookie(name string) *http.Cookie {
	u, _ := url.Parse(c.f.srv.URL + "/admin")
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}
