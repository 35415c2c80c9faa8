package admin_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/admin"
	"github.com/dyad-survey/dyad/internal/httpapi"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/formclient"
	"github.com/dyad-survey/dyad/internal/web"
	"github.com/gin-gonic/gin"
)

const testToken = "test-researcher-token-0123456789"

// fixture is a real server on a fresh database of one engine (a SQLite
// file or a PostgreSQL database of its own: internal/store/enginetest),
// wired as `dyad serve` wires it: the API, the respondent pages and the
// dashboard on one gin engine, the shipped instruments published, and a
// survey of the study instrument with sample responses. The handler tests
// run on both database engines, as subtests named sqlite and postgres; the
// browser test uses SQLite alone, since it tests the pages.
type fixture struct {
	st     store.DB
	db     *enginetest.DB
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

func newFixture(tb testing.TB, engine string, sd seed) *fixture {
	tb.Helper()
	ctx := context.Background()
	db := enginetest.Open(tb, engine)
	st := db.Store
	svc := survey.NewService(st)
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{st: st, svc: svc, db: db}
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
	// The study survey exists before the responses seed back-dates (a
	// response may not start before its survey was created).
	svc.Now = func() time.Time { return time.Now().AddDate(0, 0, -sd.days-1) }
	f.study = f.newSurvey(tb, f.form.Instrument.Key, f.form.Instrument.Version, "Physician survey 2026")
	svc.Now = time.Now
	f.empty = f.newSurvey(tb, short.Key, short.Version, "Pilot <short form>")
	f.closed = f.newSurvey(tb, short.Key, short.Version, "Closed pilot")
	if _, err := svc.CloseSurvey(ctx, f.closed.ID); err != nil {
		tb.Fatal(err)
	}
	f.seed(tb, sd)

	// The server starts after seeding, which moved the service's clock:
	// its goroutines see only the real one.
	f.start(tb)
	return f
}

// start serves the API, the respondent pages and the dashboard on the
// fixture's store, as `dyad serve` wires them.
func (f *fixture) start(tb testing.TB) {
	tb.Helper()
	svc, st := f.svc, f.st
	var downloads []admin.Download
	for _, e := range httpapi.ExportFiles(httpapi.Config{Service: svc, Responses: st}) {
		downloads = append(downloads, admin.Download{Name: e.Name, Handler: e.Handler})
	}
	pages := web.New(web.Config{Service: svc})
	f.srv = httptest.NewServer(server.New(server.Config{
		Modules: []server.Module{
			httpapi.New(httpapi.Config{Service: svc, Ready: st.Ping, Responses: st}),
			pages,
			admin.New(admin.Config{Service: svc, Responses: st, Sessions: st, Downloads: downloads,
				Preview: func(c *gin.Context, r admin.PreviewRequest) { pages.Preview(c, web.PreviewRequest(r)) }}),
		},
		TokenHash: survey.HashSecret(testToken),
		// The tests sign in many times from one address; the budget
		// of failed sign-ins has tests of its own (cmd/dyad).
		AuthGuard: server.NewAuthGuard(1000, time.Minute),
		Logger:    slog.New(slog.DiscardHandler),
	}))
	tb.Cleanup(f.srv.Close)
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
		if _, _, err := f.svc.StartProgress(ctx, f.study.ID, "", ""); err != nil {
			tb.Fatal(err)
		}
	}
}

// client is one browser (formclient: its own cookies, no redirects
// followed, no transparent gzip, so every status and header is seen; the
// CSRF token of the last page sent with the next form).
type client struct {
	*formclient.Client
	f *fixture
}

func (f *fixture) client(tb testing.TB) *client {
	return &client{Client: formclient.New(tb, f.srv.URL), f: f}
}

// page is formclient.Page under the names these tests use.
type page struct {
	status   int
	body     string
	location string
	header   http.Header
}

func pageOf(p formclient.Page) page {
	return page{status: p.Status, body: p.Body, location: p.Location, header: p.Header}
}

// get fetches path; header holds name, value pairs.
func (c *client) get(path string, header ...string) page {
	c.TB.Helper()
	return pageOf(c.Get(path, header...))
}

// post sends a form with the CSRF token of the last page, unless the
// form has one; header holds name, value pairs.
func (c *client) post(path string, form url.Values, header ...string) page {
	c.TB.Helper()
	return pageOf(c.Post(path, form, header...))
}

// signIn opens the sign-in form and sends the token; it returns the
// answer to the POST.
func (c *client) signIn(token, next string) page {
	c.TB.Helper()
	path := "/admin/login"
	if next != "" {
		path += "?next=" + url.QueryEscape(next)
	}
	if p := c.get(path); p.status != http.StatusOK {
		c.TB.Fatalf("sign-in form: %d\n%s", p.status, p.body)
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

func (c *client) cookie(name string) *http.Cookie { return c.Cookie("/admin", name) }
