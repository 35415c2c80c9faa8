package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/httpapi"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/formclient"
	"github.com/dyad-survey/dyad/internal/web"
)

// fixture is a real server on a fresh database of one engine (a SQLite
// file, or a PostgreSQL database of its own: internal/store/enginetest),
// wired as `dyad serve` wires it, with the study instrument published and
// an open survey of it. The handler tests run on both engines, as
// subtests named sqlite and postgres; the fuzzer, the benchmarks and the
// browser tests use SQLite alone, since what they test is the pages, not
// what is stored.
type fixture struct {
	st   store.DB
	svc  *survey.Service
	srv  *httptest.Server
	form *survey.Form
	open *survey.Survey
}

func newFixture(tb testing.TB, engine string) *fixture {
	tb.Helper()
	ctx := context.Background()
	st := enginetest.Open(tb, engine).Store
	svc := survey.NewService(st)
	study, err := sample.Study()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.CreateInstrument(ctx, study); err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.Publish(ctx, study.Key, study.Version); err != nil {
		tb.Fatal(err)
	}
	form, err := svc.Form(ctx, study.Key, study.Version)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{
		Modules: []server.Module{
			httpapi.New(httpapi.Config{Service: svc, Ready: st.Ping, Responses: st}),
			web.New(web.Config{Service: svc}),
		},
		TokenHash: survey.HashSecret("test-token"),
		Logger:    slog.New(slog.DiscardHandler),
	}))
	tb.Cleanup(srv.Close)
	f := &fixture{st: st, svc: svc, srv: srv, form: form}
	f.open = f.newSurvey(tb, survey.NewSurvey{Access: survey.AccessOpen})
	return f
}

// newSurvey deploys the study instrument; n's instrument fields and title
// are filled in.
func (f *fixture) newSurvey(tb testing.TB, n survey.NewSurvey) *survey.Survey {
	tb.Helper()
	n.InstrumentKey, n.InstrumentVersion = f.form.Instrument.Key, f.form.Instrument.Version
	if n.Title == "" {
		n.Title = f.form.Instrument.Title
	}
	sv, err := f.svc.CreateSurvey(context.Background(), n)
	if err != nil {
		tb.Fatal(err)
	}
	return sv
}

// responses returns every response of the survey, any status.
func (f *fixture) responses(tb testing.TB, surveyID string) []*survey.Response {
	tb.Helper()
	list, _, err := f.st.FindResponses(context.Background(), survey.ResponseFilter{SurveyID: surveyID, Limit: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	return list
}

// browser is one respondent's HTTP client (formclient: its own cookies,
// no redirects followed, no transparent gzip, the CSRF token of the last
// page sent with the next form), with paths relative to its survey.
type browser struct {
	*formclient.Client
	f   *fixture
	sid string
}

func (f *fixture) browser(tb testing.TB, surveyID string) *browser {
	return &browser{Client: formclient.New(tb, f.srv.URL), f: f, sid: surveyID}
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

func (b *browser) do(req *http.Request) page {
	b.TB.Helper()
	return pageOf(b.Do(req))
}

// get fetches a path of the survey ("" is the welcome page, "/p/2" ...).
func (b *browser) get(path string) page {
	b.TB.Helper()
	return pageOf(b.Get(b.url(path)))
}

func (b *browser) url(path string) string {
	if strings.HasPrefix(path, "/s/") || strings.HasPrefix(path, "/api/") {
		return path
	}
	return "/s/" + b.sid + path
}

// post sends a form with the CSRF token of the last page.
func (b *browser) post(path string, form url.Values) page {
	b.TB.Helper()
	return pageOf(b.Post(b.url(path), form))
}

// start opens the welcome page and presses Start.
func (b *browser) start(code string) page {
	b.TB.Helper()
	if p := b.get(""); p.status != http.StatusOK {
		b.TB.Fatalf("welcome: %d\n%s", p.status, p.body)
	}
	form := url.Values{}
	if code != "" {
		form.Set("code", code)
	}
	return b.post("/start", form)
}

// sectionForm encodes the answers to section si as the page would post
// them, with every item of the page marked as seen.
func sectionForm(form *survey.Form, si int, a survey.Answers, action string) url.Values {
	v := url.Values{"_action": {action}}
	var seen []string
	for _, it := range form.Instrument.Sections[si].Items {
		seen = append(seen, it.ID)
		ans, ok := a[it.ID]
		if !ok {
			continue
		}
		switch ans.Kind {
		case survey.IntValue:
			v.Set(it.ID, strconv.FormatInt(ans.Int, 10))
		case survey.TextValue:
			v.Set(it.ID, ans.Text)
		case survey.ListValue:
			for _, x := range ans.List {
				v.Add(it.ID, strconv.FormatInt(x, 10))
			}
		}
	}
	v.Set("_shown", strings.Join(seen, " "))
	return v
}

// studyAnswers answers every shown item of the study: varied values, the
// ai_use branch as given, free text with characters that need escaping.
func studyAnswers(form *survey.Form, aiUse int64) survey.Answers {
	return sample.Fixed(form, survey.Answers{"ai_use": survey.IntVal(aiUse)},
		func(string) string { return `<script>alert("x")</script> & "quotes" – ümlaut` })
}

// sectionPath is the address of section si (0-based).
func sectionPath(si int) string { return "/p/" + strconv.Itoa(si+1) }
