package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// api fetches a researcher endpoint with the fixture's token.
func (f *fixture) api(tb testing.TB, path string) []byte {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer test-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("%s: %d %s", path, resp.StatusCode, body)
	}
	return body
}

// TestHardening10OneResponsePerCode: twenty browsers start with one code
// at once; one gets a response, the others are told the code is in use,
// and the exports and statistics of every status hold one row. Once
// submitted, the code is refused at the start.
func TestHardening10OneResponsePerCode(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sv := f.newSurvey(t, survey.NewSurvey{Access: survey.AccessInvitation})
		codes, err := f.svc.CreateInvitations(context.Background(), sv.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		const n = 20
		browsers := make([]*browser, n)
		for i := range browsers {
			browsers[i] = f.browser(t, sv.ID)
			if p := browsers[i].get(""); p.status != http.StatusOK {
				t.Fatalf("welcome: %d", p.status)
			}
		}
		pages := make([]page, n)
		var wg sync.WaitGroup
		for i, b := range browsers {
			wg.Go(func() { pages[i] = b.post("/start", url.Values{"code": {codes[0]}}) })
		}
		wg.Wait()
		started, inUse := -1, 0
		for i, p := range pages {
			switch {
			case p.status == http.StatusSeeOther:
				if started >= 0 {
					t.Fatalf("browsers %d and %d both started a response with one code", started, i)
				}
				started = i
			case p.status == http.StatusConflict && strings.Contains(p.body, "already in use"):
				inUse++
			default:
				t.Fatalf("browser %d: %d\n%s", i, p.status, p.body)
			}
		}
		if started < 0 || inUse != n-1 {
			t.Fatalf("started %d, in use %d", started, inUse)
		}
		if rs := f.responses(t, sv.ID); len(rs) != 1 {
			t.Fatalf("%d responses stored, want 1", len(rs))
		}
		complete(t, f, browsers[started], studyAnswers(f.form, 1))

		// A spent code is refused on the start, before any question.
		late := f.browser(t, sv.ID)
		if p := late.start(codes[0]); p.status != http.StatusConflict || !strings.Contains(p.body, "already been used") {
			t.Fatalf("start with a spent code: %d\n%s", p.status, p.body)
		}
		csv := string(f.api(t, "/api/v1/surveys/"+sv.ID+"/export.csv?status=all"))
		if lines := strings.Count(strings.TrimSpace(csv), "\n"); lines != 1 {
			t.Fatalf("export with status=all: %d rows, want 1", lines)
		}
		var stats struct {
			Survey struct {
				Complete   int `json:"complete"`
				InProgress int `json:"in_progress"`
			} `json:"survey"`
			Groups []struct {
				Responses struct {
					N int `json:"n"`
				} `json:"responses"`
			} `json:"groups"`
		}
		if err := json.Unmarshal(f.api(t, "/api/v1/surveys/"+sv.ID+"/stats?status=all"), &stats); err != nil || len(stats.Groups) != 1 ||
			stats.Groups[0].Responses.N != 1 || stats.Survey.Complete != 1 || stats.Survey.InProgress != 0 {
			t.Fatalf("stats with status=all: %+v (%v)", stats, err)
		}
	})
}

var resumeLinkPattern = regexp.MustCompile(`id="resume-link" value="([^"]+)"`)

// resumeLink starts a response in b and returns its resume link's path.
func resumeLink(t *testing.T, f *fixture, b *browser) string {
	t.Helper()
	b.start("")
	p := b.get(sectionPath(0) + "?later=1") // the page Continue later returns to
	m := resumeLinkPattern.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no resume link on the page:\n%s", p.body)
	}
	u, _ := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	return u.RequestURI()
}

func setsResumeCookie(p page) bool {
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "dyad_resume=") {
			return true
		}
	}
	return false
}

// TestHardening13ResumeLinkAsksFirst: a resume link someone else sent
// neither sets the cookie nor replaces one before the person confirms.
func TestHardening13ResumeLinkAsksFirst(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		attacker := f.browser(t, f.open.ID)
		link := resumeLink(t, f, attacker)

		t.Run("NoCookie", func(t *testing.T) {
			victim := f.browser(t, f.open.ID)
			p := victim.get(link)
			if p.status != http.StatusOK || !strings.Contains(p.body, "started on") || !strings.Contains(p.body, "Not you?") {
				t.Fatalf("resume link: %d %q\n%s", p.status, p.location, p.body)
			}
			if setsResumeCookie(p) {
				t.Fatal("the resume cookie was set before the person chose to continue")
			}
			if w := victim.get(""); w.status != http.StatusOK {
				t.Fatalf("welcome after only opening the link: %d %q", w.status, w.location)
			}
			victim.get(link)
			c := victim.post("/resume", url.Values{"t": {tokenOf(link)}})
			if c.status != http.StatusSeeOther || !setsResumeCookie(c) {
				t.Fatalf("continue: %d", c.status)
			}
		})

		t.Run("DifferentCookie", func(t *testing.T) {
			victim := f.browser(t, f.open.ID)
			own := resumeLink(t, f, victim)
			p := victim.get(link)
			if p.status != http.StatusOK || !strings.Contains(p.body, "another response") || setsResumeCookie(p) {
				t.Fatalf("resume link over another response: %d %q\n%s", p.status, p.location, p.body)
			}
			// Keeping: nothing changed; the browser still has its own response.
			victim.post(sectionPath(0), sectionForm(f.form, 0, survey.Answers{"ai_use": survey.IntVal(0)}, "next"))
			mine, err := f.svc.FindProgress(context.Background(), f.open.ID, tokenOf(own))
			if err != nil || len(mine.Answers) != 1 {
				t.Fatalf("the victim's own response: %v %+v", err, mine)
			}
			theirs, err := f.svc.FindProgress(context.Background(), f.open.ID, tokenOf(link))
			if err != nil || len(theirs.Answers) != 0 {
				t.Fatalf("the linked response changed: %v %+v", err, theirs)
			}
			// Choosing the link's response switches, only then.
			victim.get(link)
			if c := victim.post("/resume", url.Values{"t": {tokenOf(link)}}); c.status != http.StatusSeeOther || !setsResumeCookie(c) {
				t.Fatalf("switch: %d", c.status)
			}
		})
	})
}

func tokenOf(link string) string {
	u, _ := url.Parse(link)
	return u.Query().Get("t")
}
