package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web"
)

func TestWelcomePage(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		p := b.get("")
		if p.status != http.StatusOK {
			t.Fatalf("status %d", p.status)
		}
		for name, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'",
			"X-Frame-Options":         "DENY",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Cache-Control":           "no-store",
			"Content-Type":            "text/html; charset=utf-8",
		} {
			if got := p.header.Get(name); !strings.Contains(got, want) {
				t.Errorf("%s: %q, want %q", name, got, want)
			}
		}
		if !strings.Contains(p.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Error("CSP lacks frame-ancestors 'none'")
		}
		for _, want := range []string{`<html lang="en" dir="ltr">`, "<h1>AI and the Therapeutic Relationship", "About 10 minutes", "Taking part", "Start the survey"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(p.body, "<script>") || strings.Contains(p.body, "style=") {
			t.Error("inline script or style: the CSP would block it")
		}
		cookies := p.header.Values("Set-Cookie")
		if len(cookies) != 1 || !strings.Contains(cookies[0], "dyad_csrf=") || !strings.Contains(cookies[0], "HttpOnly") ||
			!strings.Contains(cookies[0], "SameSite=Lax") || !strings.Contains(cookies[0], "Path=/s/"+f.open.ID) {
			t.Errorf("cookies: %q", cookies)
		}
	})
}

func TestGzip(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/s/"+f.open.ID, nil)
		req.Header.Set("Accept-Encoding", "br, gzip;q=0.8")
		resp, err := b.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("headers: %v", resp.Header)
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(zr)
		if !strings.Contains(string(body), "Start the survey") {
			t.Fatal("gzipped body is not the page")
		}
		// Static files: content-hashed names, gzipped, cached for a year.
		css := regexp.MustCompile(`href="(/s/static/app\.[0-9a-f]{8}\.css)"`).FindStringSubmatch(string(body))
		if css == nil {
			t.Fatal("no stylesheet link")
		}
		req, _ = http.NewRequest(http.MethodGet, f.srv.URL+css[1], nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp2, err := b.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp2.Body.Close()
		if resp2.StatusCode != 200 || resp2.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp2.Header.Get("Cache-Control"), "immutable") ||
			!strings.HasPrefix(resp2.Header.Get("Content-Type"), "text/css") {
			t.Fatalf("stylesheet: %d %v", resp2.StatusCode, resp2.Header)
		}
	})
}

func TestNotFoundPages(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, "nosuchsurv")
		for _, path := range []string{"/s/nosuchsurv", "/s/nosuchsurv/p/1", "/s/nosuchsurv/done", "/s/" + f.open.ID + "/nothing/here", "/s/static/app.00000000.css"} {
			p := b.get(path)
			if p.status != http.StatusNotFound || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") || !strings.Contains(p.body, "<h1>") {
				t.Errorf("%s: %d %s", path, p.status, p.header.Get("Content-Type"))
			}
		}
		for _, path := range []string{"/s/" + f.open.ID + "/p/0", "/s/" + f.open.ID + "/p/99", "/s/" + f.open.ID + "/p/01"} {
			b := f.browser(t, f.open.ID)
			b.start("")
			if p := b.get(path); p.status != http.StatusNotFound {
				t.Errorf("%s: %d", path, p.status)
			}
		}
		// The API keeps its JSON 404.
		p := b.get("/api/v1/nothing")
		if p.status != http.StatusNotFound || !strings.HasPrefix(p.header.Get("Content-Type"), "application/json") {
			t.Errorf("API 404: %d %s", p.status, p.header.Get("Content-Type"))
		}
	})
}

func TestClosedSurvey(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		b.start("")
		before := b.get(sectionPath(0)) // a page open when the survey closes
		if before.status != http.StatusOK {
			t.Fatalf("section: %d", before.status)
		}
		if _, err := f.svc.CloseSurvey(context.Background(), f.open.ID); err != nil {
			t.Fatal(err)
		}
		fresh := f.browser(t, f.open.ID)
		for name, p := range map[string]page{
			"welcome":        fresh.get(""),
			"started":        b.get(""),
			"section":        b.get(sectionPath(0)),
			"save":           b.post(sectionPath(0), sectionForm(f.form, 0, survey.Answers{"ai_use": survey.IntVal(0)}, "next")),
			"resume link ok": b.get("/done"),
		} {
			if name == "resume link ok" {
				if p.status != http.StatusSeeOther { // in progress: sent back to its section, which is closed
					t.Errorf("%s: %d", name, p.status)
				}
				continue
			}
			if p.status != http.StatusGone || !strings.Contains(p.body, "This survey has closed") {
				t.Errorf("%s: %d\n%s", name, p.status, p.body)
			}
		}
		if rs := f.responses(t, f.open.ID); len(rs) != 1 || rs[0].Status != survey.ResponseInProgress || len(rs[0].Answers) != 0 {
			t.Fatalf("responses: %+v", rs)
		}
	})
}

func TestNotYetOpenSurvey(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		opens := time.Now().Add(48 * time.Hour)
		sv := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessOpen, OpensAt: &opens})
		b := f.browser(t, sv.ID)
		p := b.get("")
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "not open yet") || !strings.Contains(p.body, opens.UTC().Format("2 January 2006")) {
			t.Fatalf("%d\n%s", p.status, p.body)
		}
	})
}

func TestInvitationCodes(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sv := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessInvitation})
		codes, err := f.svc.CreateInvitations(context.Background(), sv.ID, 2)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("CodeFromLink", func(t *testing.T) {
			b := f.browser(t, sv.ID)
			p := b.get("?code=" + url.QueryEscape(codes[1]))
			if p.status != 200 || !strings.Contains(p.body, `value="`+codes[1]+`"`) || !strings.Contains(p.body, `<label class="q" for="code">`) {
				t.Fatalf("%d\n%s", p.status, p.body)
			}
		})
		t.Run("Missing", func(t *testing.T) {
			b := f.browser(t, sv.ID)
			p := b.start("")
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Enter the code from your invitation") {
				t.Fatalf("%d\n%s", p.status, p.body)
			}
		})
		t.Run("Wrong", func(t *testing.T) {
			b := f.browser(t, sv.ID)
			p := b.start("ZZZZ-ZZZZ-ZZZZ")
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "This code is not valid for this survey") {
				t.Fatalf("%d\n%s", p.status, p.body)
			}
			for _, want := range []string{`role="alert"`, `href="#code"`, `aria-describedby="code-help code-err"`, `aria-invalid="true"`, `value="ZZZZ-ZZZZ-ZZZZ"`} {
				if !strings.Contains(p.body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			if len(f.responses(t, sv.ID)) != 0 {
				t.Fatal("a wrong code started a response")
			}
		})
		t.Run("Used", func(t *testing.T) {
			b := f.browser(t, sv.ID)
			if p := b.start(strings.ToLower(codes[0])); p.status != http.StatusSeeOther {
				t.Fatalf("start: %d\n%s", p.status, p.body)
			}
			complete(t, f, b, studyAnswers(f.form, 0))
			other := f.browser(t, sv.ID)
			p := other.start(codes[0])
			if p.status != http.StatusConflict || !strings.Contains(p.body, "already been used") {
				t.Fatalf("%d\n%s", p.status, p.body)
			}
			// The complete response keeps nothing that points at the code.
			rs := f.responses(t, sv.ID)
			if len(rs) != 1 || rs[0].Status != survey.ResponseComplete {
				t.Fatalf("responses: %+v", rs)
			}
		})
		t.Run("InUseThenStartOver", func(t *testing.T) {
			first, second := f.browser(t, sv.ID), f.browser(t, sv.ID)
			if p := first.start(codes[1]); p.status != http.StatusSeeOther {
				t.Fatalf("start: %d", p.status)
			}
			first.post(sectionPath(0), sectionForm(f.form, 0, studyAnswers(f.form, 0), "next"))
			p := second.start(codes[1])
			if p.status != http.StatusConflict || !strings.Contains(p.body, "already in use") || !strings.Contains(p.body, `name="discard" value="1"`) {
				t.Fatalf("second start: %d\n%s", p.status, p.body)
			}
			// The code's holder chooses to start over: the unfinished response
			// goes, and the first browser is sent back to the start.
			if p := second.post("/start", url.Values{"code": {codes[1]}, "discard": {"1"}}); p.status != http.StatusSeeOther {
				t.Fatalf("start over: %d\n%s", p.status, p.body)
			}
			if p := first.get(sectionPath(1)); p.status != http.StatusSeeOther || p.location != "/s/"+sv.ID {
				t.Fatalf("the discarded response's browser: %d %q", p.status, p.location)
			}
			if p := answerAll(t, f, second, studyAnswers(f.form, 1)); p.status != http.StatusSeeOther {
				t.Fatalf("submit: %d\n%s", p.status, p.body)
			}
			if rs := f.responses(t, sv.ID); len(rs) != 2 { // Used's and this one
				t.Fatalf("%d responses, want 2", len(rs))
			}
		})
	})
}

// answerAll goes through every section with Next, then Submit, and
// returns the answer to Submit.
func answerAll(t *testing.T, f *fixture, b *browser, a survey.Answers) page {
	t.Helper()
	sections := f.form.Instrument.Sections
	for si := range sections {
		action := "next"
		if si == len(sections)-1 {
			action = "submit"
		}
		if g := b.get(sectionPath(si)); g.status != http.StatusOK {
			t.Fatalf("GET section %d: %d\n%s", si+1, g.status, g.body)
		}
		p := b.post(sectionPath(si), sectionForm(f.form, si, a, action))
		if action == "submit" {
			return p
		}
		if p.status != http.StatusSeeOther || p.location != "/s/"+b.sid+sectionPath(si+1) {
			t.Fatalf("section %d: %d %q\n%s", si+1, p.status, p.location, p.body)
		}
	}
	return page{}
}

// complete answers every section and submits, expecting the thank-you page.
func complete(t *testing.T, f *fixture, b *browser, a survey.Answers) {
	t.Helper()
	p := answerAll(t, f, b, a)
	if p.status != http.StatusSeeOther || p.location != "/s/"+b.sid+"/done" {
		t.Fatalf("submit: %d %q\n%s", p.status, p.location, p.body)
	}
	if d := b.get("/done"); d.status != http.StatusOK || !strings.Contains(d.body, "Thank you") {
		t.Fatalf("thank-you page: %d", d.status)
	}
}

func TestCompleteAndDoubleSubmit(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		if p := b.start(""); p.status != http.StatusSeeOther || p.location != "/s/"+f.open.ID+"/p/1" {
			t.Fatalf("start: %d %q", p.status, p.location)
		}
		want := studyAnswers(f.form, 1)
		complete(t, f, b, want)
		last := len(f.form.Instrument.Sections) - 1

		// Double click, reload, back: each lands on the thank-you page.
		again := b.post(sectionPath(last), sectionForm(f.form, last, want, "submit"))
		back := b.post(sectionPath(2), sectionForm(f.form, 2, want, "next"))
		for name, p := range map[string]page{"second submit": again, "post from history": back, "page from history": b.get(sectionPath(1)),
			"welcome": b.get(""), "start again": b.post("/start", nil)} {
			if p.status != http.StatusSeeOther || p.location != "/s/"+f.open.ID+"/done" {
				t.Errorf("%s: %d %q", name, p.status, p.location)
			}
		}
		rs := f.responses(t, f.open.ID)
		if len(rs) != 1 || rs[0].Status != survey.ResponseComplete || rs[0].SubmittedAt == nil {
			t.Fatalf("responses: %+v", rs)
		}
		if got, exp := string(rs[0].Answers.Canonical()), string(want.Canonical()); got != exp {
			t.Fatalf("stored answers\n got %s\nwant %s", got, exp)
		}

		// The JSON API's one-shot submission works as before beside the form.
		body, _ := json.Marshal(map[string]any{"answers": want})
		resp, err := http.Post(f.srv.URL+"/api/v1/public/surveys/"+f.open.ID+"/responses", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("API submit: %d", resp.StatusCode)
		}
	})
}

// TestConcurrentSubmits sends the last page's Submit several times at
// once, as an impatient double (or triple) click does: one response.
func TestConcurrentSubmits(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		b.start("")
		a := studyAnswers(f.form, 1)
		last := len(f.form.Instrument.Sections) - 1
		for si := 0; si < last; si++ {
			b.get(sectionPath(si))
			b.post(sectionPath(si), sectionForm(f.form, si, a, "next"))
		}
		b.get(sectionPath(last))
		form := sectionForm(f.form, last, a, "submit")
		form.Set("_csrf", b.CSRF)
		var wg sync.WaitGroup
		results := make([]page, 5)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/s/"+f.open.ID+sectionPath(last), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := b.HTTP.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				results[i] = page{status: resp.StatusCode, location: resp.Header.Get("Location")}
			}()
		}
		wg.Wait()
		for i, p := range results {
			if p.status != http.StatusSeeOther || p.location != "/s/"+f.open.ID+"/done" {
				t.Errorf("submit %d: %d %q", i, p.status, p.location)
			}
		}
		if rs := f.responses(t, f.open.ID); len(rs) != 1 || rs[0].Status != survey.ResponseComplete {
			t.Fatalf("responses: %+v", rs)
		}
	})
}

func TestCSRF(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		b.start("")
		b.get(sectionPath(0))
		good := b.CSRF
		other := f.browser(t, f.open.ID)
		other.get("")
		a := survey.Answers{"consent": survey.IntVal(1), "ai_use": survey.IntVal(0)}
		for name, tc := range map[string]struct {
			token string
			fetch string
		}{
			"missing":             {token: ""},
			"wrong":               {token: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
			"another browser's":   {token: other.CSRF},
			"sent from elsewhere": {token: good, fetch: "cross-site"},
		} {
			form := sectionForm(f.form, 0, a, "next")
			form.Set("_csrf", tc.token)
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/s/"+f.open.ID+"/p/1", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.fetch != "" {
				req.Header.Set("Sec-Fetch-Site", tc.fetch)
			}
			p := b.do(req)
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "This page has expired") || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
				t.Errorf("%s: %d", name, p.status)
			}
		}
		// Start is guarded too.
		if p := other.post("/start", url.Values{"_csrf": {good}}); p.status != http.StatusForbidden {
			t.Errorf("start with another browser's token: %d", p.status)
		}
		if rs := f.responses(t, f.open.ID); len(rs) != 1 || len(rs[0].Answers) != 0 {
			t.Fatalf("a refused post saved something: %+v", rs)
		}
		b.CSRF = good
		if p := b.post(sectionPath(0), sectionForm(f.form, 0, a, "next")); p.status != http.StatusSeeOther {
			t.Fatalf("the right token was refused: %d", p.status)
		}
	})
}

func TestTamperedHiddenItem(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		b.start("")
		b.get(sectionPath(0))
		// ai_use = No hides ai_tools, ai_tools_other and ai_freq; a hand-made
		// post answers them anyway, and an item of another page too.
		form := url.Values{
			"_action": {"next"}, "_shown": {"consent ai_use ai_tools ai_tools_other ai_freq"},
			"consent": {"1"}, "ai_use": {"0"}, "ai_tools": {"1", "5"}, "ai_tools_other": {"secret"}, "ai_freq": {"3"}, "eff_1": {"5"}, "bogus": {"1"},
		}
		p := b.post(sectionPath(0), form)
		if p.status != http.StatusSeeOther || p.location != "/s/"+f.open.ID+"/p/2" {
			t.Fatalf("%d %q\n%s", p.status, p.location, p.body)
		}
		rs := f.responses(t, f.open.ID)
		if len(rs) != 1 || string(rs[0].Answers.Canonical()) != `{"ai_use":0,"consent":1}` {
			t.Fatalf("stored: %s", rs[0].Answers.Canonical())
		}

		// An answer outside the scale is refused with the API's rule, and the
		// valid answers of the page are saved all the same.
		b.get(sectionPath(1))
		form = sectionForm(f.form, 1, survey.Answers{"eff_1": survey.IntVal(9), "eff_2": survey.IntVal(4)}, "next")
		p = b.post(sectionPath(1), form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Choose one of the answers shown.") {
			t.Fatalf("%d\n%s", p.status, p.body)
		}
		rs = f.responses(t, f.open.ID)
		if got := string(rs[0].Answers.Canonical()); got != `{"ai_use":0,"consent":1,"eff_2":4}` {
			t.Fatalf("stored: %s", got)
		}
	})
}

func TestValidationErrors(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		b.start("")
		b.get(sectionPath(1))
		a := survey.Answers{"eff_1": survey.IntVal(4), "eff_2": survey.IntVal(2), "eff_text": survey.TextVal("kept <b>as typed</b>")}
		p := b.post(sectionPath(1), sectionForm(f.form, 1, a, "next"))
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", p.status)
		}
		for _, want := range []string{
			"<title>Error: Efficiency – Section 2 of 8",
			`class="error-summary" role="alert"`,
			"3 answers need your attention",
			`<a href="#q-eff_3-1">Any time that AI tools save me would be taken up by seeing more patients. – Choose an answer.</a>`,
			`<p class="error" id="err-eff_3"><span class="vh">Error: </span>Choose an answer.</p>`,
			`<fieldset aria-describedby="err-eff_3">`,
			`aria-describedby="err-eff_3"`,
			`id="q-eff_1-4" name="eff_1" value="4" checked`,
			"kept &lt;b&gt;as typed&lt;/b&gt;</textarea>",
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("page lacks %s", want)
			}
		}
		if strings.Contains(p.body, "err-eff_1") {
			t.Error("an answered item is marked in error")
		}
		// Back leaves a page with unanswered items without complaint.
		if p := b.post(sectionPath(1), sectionForm(f.form, 1, a, "back")); p.status != http.StatusSeeOther || p.location != "/s/"+f.open.ID+"/p/1" {
			t.Fatalf("back: %d %q", p.status, p.location)
		}

		t.Run("NumbersAndLength", func(t *testing.T) {
			last := len(f.form.Instrument.Sections) - 1
			b.get(sectionPath(last))
			form := sectionForm(f.form, last, survey.Answers{"specialty": survey.IntVal(1), "setting": survey.IntVal(2), "region": survey.IntVal(3)}, "submit")
			for _, tc := range []struct{ in, want string }{
				{"75", "Enter a whole number from 0 to 60."},
				{"twelve", "Enter a whole number from 0 to 60."},
				{"", "Enter a number."},
			} {
				form.Set("years_practice", tc.in)
				p := b.post(sectionPath(last), form)
				if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tc.want) || !strings.Contains(p.body, `value="`+tc.in+`"`) {
					t.Errorf("%q: %d, want %q", tc.in, p.status, tc.want)
				}
			}
			b.get(sectionPath(1))
			form = sectionForm(f.form, 1, a, "next")
			form.Set("eff_text", strings.Repeat("é", 2001))
			p := b.post(sectionPath(1), form)
			if !strings.Contains(p.body, "Your answer has 2,001 characters. Shorten it to 2,000 characters or fewer.") {
				t.Errorf("too long: %d", p.status)
			}
			// Line breaks count once, however the browser sends them.
			form.Set("eff_text", strings.Repeat("a\r\n", 1000))
			if p := b.post(sectionPath(1), form); strings.Contains(p.body, "err-eff_text") {
				t.Error("2,000 characters with CRLF line breaks refused")
			}
		})
	})
}

func TestFollowUpWithoutJavaScript(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		b.start("")
		p := b.get(sectionPath(0))
		for _, id := range []string{"ai_tools", "ai_tools_other", "ai_freq"} {
			if !regexp.MustCompile(`id="item-` + id + `"[^>]* hidden>`).MatchString(p.body) {
				t.Errorf("%s is not hidden before ai_use is answered", id)
			}
		}
		// Without the script, the page was posted with only ai_use seen.
		p = b.post(sectionPath(0), url.Values{"_action": {"next"}, "_shown": {"consent ai_use"}, "consent": {"1"}, "ai_use": {"1"}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "Your answers added 2 questions to this page") || strings.Contains(p.body, "error-summary") {
			t.Fatalf("%d\n%s", p.status, p.body)
		}
		if regexp.MustCompile(`id="item-ai_tools"[^>]* hidden>`).MatchString(p.body) || !strings.Contains(p.body, `name="_shown" value="consent ai_use ai_tools ai_freq"`) {
			t.Fatal("the follow-up questions are still hidden")
		}
		p = b.post(sectionPath(0), url.Values{"_action": {"next"}, "_shown": {"consent ai_use ai_tools ai_freq"}, "consent": {"1"}, "ai_use": {"1"}, "ai_tools": {"5"}, "ai_freq": {"2"}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "Your answer added a question to this page") {
			t.Fatalf("%d", p.status)
		}
		p = b.post(sectionPath(0), url.Values{"_action": {"next"}, "_shown": {"consent ai_use ai_tools ai_tools_other ai_freq"}, "consent": {"1"}, "ai_use": {"1"}, "ai_tools": {"5"}, "ai_freq": {"2"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("optional follow-up left empty: %d", p.status)
		}
	})
}

func TestResume(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		b.start("")
		a := studyAnswers(f.form, 0)
		for si := 0; si < 3; si++ {
			b.get(sectionPath(si))
			if p := b.post(sectionPath(si), sectionForm(f.form, si, a, "next")); p.status != http.StatusSeeOther {
				t.Fatalf("section %d: %d", si+1, p.status)
			}
		}
		// On page 4, answers given, Continue later: the page is saved
		// before the link is shown.
		if p := b.get(sectionPath(3)); !strings.Contains(p.body, `name="_action" value="later">Continue later</button>`) ||
			strings.Contains(p.body, `id="resume-link"`) {
			t.Fatal("page 4 lacks the Continue later button, or shows the link before saving")
		}
		if p := b.post(sectionPath(3), sectionForm(f.form, 3, a, "later")); p.status != http.StatusSeeOther ||
			p.location != "/s/"+f.open.ID+sectionPath(3)+"?later=1" {
			t.Fatalf("continue later: %d %q\n%s", p.status, p.location, p.body)
		}
		p := b.get(sectionPath(3) + "?later=1")
		link := regexp.MustCompile(`id="resume-link" value="([^"]+)"`).FindStringSubmatch(p.body)
		if link == nil || !strings.Contains(p.body, "Your answers are saved") {
			t.Fatal("no resume link on the page after Continue later")
		}
		var page4 []string
		for _, it := range f.form.Instrument.Sections[3].Items {
			if v, ok := a[it.ID]; ok && v.Kind == survey.IntValue && it.Type != survey.Integer {
				page4 = append(page4, `name="`+it.ID+`" value="`+itoa(v.Int)+`" checked`)
			}
		}
		if len(page4) == 0 {
			t.Fatal("the study's page 4 has no choice answered: the check below would hold nothing")
		}
		u, _ := url.Parse(strings.ReplaceAll(link[1], "&amp;", "&"))

		// Another device: no cookies, only the link.
		other := f.browser(t, f.open.ID)
		if p := other.get(""); p.status != http.StatusOK {
			t.Fatalf("welcome for a new browser: %d", p.status)
		}
		if r := other.get(u.RequestURI()); r.status != http.StatusOK || !strings.Contains(r.body, "Continue this response") {
			t.Fatalf("resume link: %d %q", r.status, r.location)
		}
		// Page 4 was saved whole, so the first unanswered page is 5.
		r := other.post("/resume", url.Values{"t": {u.Query().Get("t")}})
		if r.status != http.StatusSeeOther || r.location != "/s/"+f.open.ID+"/p/5" {
			t.Fatalf("resume: %d %q", r.status, r.location)
		}
		if c := r.header.Get("Set-Cookie"); !strings.Contains(c, "dyad_resume=") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "Path=/s/"+f.open.ID) {
			t.Fatalf("resume cookie: %q", c)
		}
		if w := other.get(""); w.status != http.StatusSeeOther || w.location != "/s/"+f.open.ID+"/p/5" {
			t.Fatalf("welcome with the cookie: %d %q", w.status, w.location)
		}
		if p := other.get(sectionPath(1)); !strings.Contains(p.body, `value="`+itoa(a["eff_1"].Int)+`" checked`) {
			t.Fatal("an earlier section lost its answers")
		}
		p4 := other.get(sectionPath(3))
		for _, want := range page4 {
			if !strings.Contains(p4.body, want) {
				t.Errorf("page 4, saved by Continue later, lacks %s", want)
			}
		}
		bad := other.get("/resume?t=" + strings.Repeat("0", 52))
		if bad.status != http.StatusNotFound || !strings.Contains(bad.body, "This link to continue is not valid") {
			t.Fatalf("bad token: %d", bad.status)
		}
		complete(t, f, other, a)
		if rs := f.responses(t, f.open.ID); len(rs) != 1 {
			t.Fatalf("%d responses, want the one resumed", len(rs))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPageBudget holds every page type to web.PageBudget before
// compression and reports the sizes.
func TestPageBudget(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		sizes := map[string]page{"welcome": b.get("")}
		b.start("")
		a := studyAnswers(f.form, 1)
		for si := range f.form.Instrument.Sections {
			p := b.get(sectionPath(si))
			sizes["section "+itoa(int64(si+1))+" "+f.form.Instrument.Sections[si].ID] = p
			if si == 1 {
				sizes["section 2 with errors"] = b.post(sectionPath(si), sectionForm(f.form, si, survey.Answers{}, "next"))
			}
			action := "next"
			if si == len(f.form.Instrument.Sections)-1 {
				action = "submit"
			}
			b.post(sectionPath(si), sectionForm(f.form, si, a, action))
		}
		sizes["thank you"] = b.get("/done")
		sizes["not found"] = b.get("/s/nosuchsurv")
		names := make([]string, 0, len(sizes))
		for name := range sizes {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			p := sizes[name]
			if p.status >= 500 || p.body == "" {
				t.Fatalf("%s: %d", name, p.status)
			}
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write([]byte(p.body))
			zw.Close()
			t.Logf("%-28s %6d bytes, %5d gzipped", name, len(p.body), z.Len())
			if len(p.body) > web.PageBudget {
				t.Errorf("%s: %d bytes, over the budget of %d", name, len(p.body), web.PageBudget)
			}
		}
	})
}
