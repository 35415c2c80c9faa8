package admin_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 5})

		t.Run("OK", func(t *testing.T) {
			c := f.client(t)
			p := c.signIn(testToken, "")
			if p.status != http.StatusSeeOther || p.location != "/admin" {
				t.Fatalf("sign in: %d %q\n%s", p.status, p.location, p.body)
			}
			var session string
			for _, sc := range p.header.Values("Set-Cookie") {
				if !strings.HasPrefix(sc, "dyad_admin=") {
					continue
				}
				session = sc
				for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/admin"} {
					if !strings.Contains(sc, want) {
						t.Errorf("session cookie %q lacks %s", sc, want)
					}
				}
				for _, bad := range []string{"Secure", "Max-Age", "Expires", testToken} {
					if strings.Contains(sc, bad) {
						t.Errorf("session cookie %q has %s", sc, bad)
					}
				}
			}
			if session == "" {
				t.Fatalf("no session cookie: %q", p.header.Values("Set-Cookie"))
			}
			if p := c.get("/admin"); p.status != http.StatusOK || !strings.Contains(p.body, "Physician survey 2026") {
				t.Fatalf("dashboard after sign-in: %d", p.status)
			}
			// Signed in, the form goes straight on.
			if p := c.get("/admin/login?next=%2Fadmin%2Fsurveys%2F" + f.study.ID); p.status != http.StatusSeeOther || p.location != "/admin/surveys/"+f.study.ID {
				t.Errorf("sign-in form when signed in: %d %q", p.status, p.location)
			}
		})
		t.Run("SecureOverHTTPS", func(t *testing.T) {
			c := f.client(t)
			c.get("/admin/login")
			p := c.post("/admin/login", url.Values{"token": {testToken}}, "X-Forwarded-Proto", "https")
			if p.status != http.StatusSeeOther {
				t.Fatalf("sign in: %d", p.status)
			}
			if sc := strings.Join(p.header.Values("Set-Cookie"), "\n"); !strings.Contains(sc, "dyad_admin=") || !strings.Contains(sc, "Secure") {
				t.Errorf("cookie over HTTPS: %q", sc)
			}
		})

		for _, tc := range []struct {
			name    string
			token   string
			csrf    *string // nil: the form's own token
			header  []string
			status  int
			message string
		}{
			{name: "ErrTokenWrong", token: "not-the-token", status: http.StatusUnauthorized, message: "This researcher token is not valid"},
			{name: "ErrTokenPrefix", token: testToken[:10], status: http.StatusUnauthorized, message: "This researcher token is not valid"},
			{name: "ErrTokenTooLong", token: strings.Repeat("x", 5000), status: http.StatusUnauthorized, message: "This researcher token is not valid"},
			{name: "ErrTokenEmpty", token: "  ", status: http.StatusUnprocessableEntity, message: "Enter your e-mail address and password, or the researcher token."},
			{name: "ErrCSRFMissing", token: testToken, csrf: new(""), status: http.StatusForbidden, message: "This page has expired"},
			{name: "ErrCSRFForged", token: testToken, csrf: new("forged"), status: http.StatusForbidden, message: "This page has expired"},
			{name: "ErrCrossSite", token: testToken, header: []string{"Sec-Fetch-Site", "cross-site"}, status: http.StatusForbidden, message: "This page has expired"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := f.client(t)
				c.get("/admin/login")
				form := url.Values{"token": {tc.token}}
				if tc.csrf != nil {
					form.Set("_csrf", *tc.csrf)
				}
				p := c.post("/admin/login", form, tc.header...)
				if p.status != tc.status || !strings.Contains(p.body, tc.message) {
					t.Fatalf("status %d, want %d with %q\n%s", p.status, tc.status, tc.message, p.body)
				}
				if strings.Contains(strings.Join(p.header.Values("Set-Cookie"), ";"), "dyad_admin=") {
					t.Error("a session cookie was set")
				}
				if tc.status == http.StatusUnauthorized && !strings.Contains(p.body, `aria-invalid="true"`) {
					t.Error("the field is not marked invalid")
				}
				if p := c.get("/admin"); p.status != http.StatusSeeOther {
					t.Errorf("dashboard after a failed sign-in: %d", p.status)
				}
			})
		}
		t.Run("ErrLoginCSRFOfAnotherBrowser", func(t *testing.T) {
			attacker, victim := f.client(t), f.client(t)
			attacker.get("/admin/login")
			victim.get("/admin/login")
			p := victim.post("/admin/login", url.Values{"token": {testToken}, "_csrf": {attacker.CSRF}})
			if p.status != http.StatusForbidden {
				t.Fatalf("a token from another browser's form: %d", p.status)
			}
		})
	})
}

func TestRedirectWithoutSession(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 3})
		id := f.study.ID
		for _, tc := range []struct {
			name, method, path string
			location           string
		}{
			{"Dashboard", "GET", "/admin", "/admin/login"},
			{"Results", "GET", "/admin/surveys/" + id + "?by=specialty", "/admin/login?next=" + url.QueryEscape("/admin/surveys/"+id+"?by=specialty")},
			{"TextAnswers", "GET", "/admin/surveys/" + id + "/text/eff_text", "/admin/login?next=" + url.QueryEscape("/admin/surveys/"+id+"/text/eff_text")},
			{"ExportCSV", "GET", "/admin/surveys/" + id + "/export.csv", "/admin/login?next=" + url.QueryEscape("/admin/surveys/"+id+"/export.csv")},
			{"Codebook", "GET", "/admin/surveys/" + id + "/codebook.csv", "/admin/login?next=" + url.QueryEscape("/admin/surveys/"+id+"/codebook.csv")},
			{"Zip", "GET", "/admin/surveys/" + id + "/export.zip", "/admin/login?next=" + url.QueryEscape("/admin/surveys/"+id+"/export.zip")},
			{"SignOut", "POST", "/admin/logout", "/admin/login"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := f.client(t)
				var p page
				if tc.method == "POST" {
					p = c.post(tc.path, nil)
				} else {
					p = c.get(tc.path)
				}
				if p.status != http.StatusSeeOther || p.location != tc.location {
					t.Fatalf("%s %s: %d %q, want 303 %q", tc.method, tc.path, p.status, p.location, tc.location)
				}
				if strings.Contains(p.body, "Cronbach") || strings.Contains(p.body, ",") && strings.Contains(p.path(), "csv") {
					t.Error("the redirect carries data")
				}
			})
		}
		t.Run("ForgedSession", func(t *testing.T) {
			c := f.client(t)
			u, _ := url.Parse(f.srv.URL + "/admin")
			c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "dyad_admin", Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Path: "/admin"}})
			p := c.get("/admin")
			if p.status != http.StatusSeeOther || p.location != "/admin/login" {
				t.Fatalf("forged session: %d %q", p.status, p.location)
			}
			if c.cookie("dyad_admin") != nil {
				t.Error("the unknown session cookie was not cleared")
			}
		})
		t.Run("BearerTokenIsNotASession", func(t *testing.T) {
			p := f.client(t).get("/admin", "Authorization", "Bearer "+testToken)
			if p.status != http.StatusSeeOther {
				t.Fatalf("status %d: the dashboard takes sessions only", p.status)
			}
		})
	})
}

// path is for the redirect test's check; pages do not know their path.
func (p page) path() string { return p.location }

func TestNextRedirect(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{})
		for _, tc := range []struct{ next, want string }{
			{"/admin/surveys/" + f.study.ID + "?status=all&by=specialty", "/admin/surveys/" + f.study.ID + "?status=all&by=specialty"},
			{"/admin", "/admin"},
			{"https://evil.example/admin", "/admin"},
			{"//evil.example/admin", "/admin"},
			{"/\\evil.example", "/admin"},
			{"/admin\\..\\..\\evil", "/admin"},
			{"/admin/../evil", "/admin"},
			{"/admin/%2e%2e/evil", "/admin"},
			{"/administrator", "/admin"},
			{"/admin@evil.example", "/admin"},
			{"javascript:alert(1)", "/admin"},
			{"/admin/login", "/admin"},
			{"/admin/logout", "/admin"},
			{"/admin/surveys/x\r\nSet-Cookie: a=b", "/admin"},
			{"/s/" + f.study.ID, "/admin"},
		} {
			t.Run(tc.next, func(t *testing.T) {
				c := f.client(t)
				p := c.signIn(testToken, tc.next)
				if p.status != http.StatusSeeOther || p.location != tc.want {
					t.Fatalf("next=%q: %d %q, want %q", tc.next, p.status, p.location, tc.want)
				}
			})
		}
		t.Run("FormKeepsOnlyLocalNext", func(t *testing.T) {
			c := f.client(t)
			if p := c.get("/admin/login?next=" + url.QueryEscape("//evil.example")); strings.Contains(p.body, "evil") {
				t.Error("the sign-in form carries a foreign next")
			}
			if p := c.get("/admin/login?next=" + url.QueryEscape("/admin/surveys/abc")); !strings.Contains(p.body, `name="next" value="/admin/surveys/abc"`) {
				t.Error("the sign-in form lost a local next")
			}
		})
	})
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{})
		c := f.signedIn(t)
		p := c.get("/admin")
		if p.status != http.StatusOK || c.CSRF == "" {
			t.Fatalf("dashboard: %d, CSRF %q", p.status, c.CSRF)
		}
		stolen := c.cookie("dyad_admin")

		if p := c.post("/admin/logout", url.Values{"_csrf": {"forged"}}); p.status != http.StatusForbidden {
			t.Fatalf("sign-out with a forged token: %d", p.status)
		}
		if p := c.get("/admin"); p.status != http.StatusOK {
			t.Fatalf("a refused sign-out ended the session: %d", p.status)
		}
		p = c.post("/admin/logout", nil)
		if p.status != http.StatusSeeOther || p.location != "/admin/login?signed_out=1" {
			t.Fatalf("sign out: %d %q", p.status, p.location)
		}
		if sc := strings.Join(p.header.Values("Set-Cookie"), "\n"); !strings.Contains(sc, "dyad_admin=;") || !strings.Contains(sc, "Max-Age=0") {
			t.Errorf("the session cookie was not cleared: %q", sc)
		}
		if p := c.get("/admin/login?signed_out=1"); !strings.Contains(p.body, "You have signed out") {
			t.Error("no sign-out notice")
		}
		// The session ended on the server: its cookie, replayed, is refused.
		replay := f.client(t)
		u, _ := url.Parse(f.srv.URL + "/admin")
		replay.HTTP.Jar.SetCookies(u, []*http.Cookie{stolen})
		if p := replay.get("/admin"); p.status != http.StatusSeeOther {
			t.Fatalf("a signed-out session still opens the dashboard: %d", p.status)
		}
	})
}

func TestOverview(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 12, inProgress: 4})
		c := f.signedIn(t)
		p := c.get("/admin")
		if p.status != http.StatusOK {
			t.Fatalf("status %d", p.status)
		}
		checkPageHeaders(t, p)
		row := func(title string) string {
			i := strings.Index(p.body, ">"+title+"<")
			if i < 0 {
				t.Fatalf("no row for %q", title)
			}
			end := strings.Index(p.body[i:], "</tr>")
			return p.body[i : i+end]
		}
		cells := regexp.MustCompile(`<td[^>]*>(?:<[^>]+>)?([^<]*)`)
		values := func(r string) []string {
			var out []string
			for _, m := range cells.FindAllStringSubmatch(r, -1) {
				out = append(out, m[1])
			}
			return out
		}
		// Instrument, access, status, complete, in progress, created.
		if got := values(row("Physician survey 2026")); len(got) != 6 || got[2] != "Open" || got[3] != "12" || got[4] != "4" {
			t.Errorf("study survey row: %q", got)
		}
		if got := values(row("Closed pilot")); got[2] != "Closed" || got[3] != "0" {
			t.Errorf("closed survey row: %q", got)
		}
		if !strings.Contains(p.body, "Pilot &lt;short form&gt;") {
			t.Error("a survey title is not escaped")
		}
		// Key, version, status, surveys, complete, in progress.
		if got := values(row("AI and the Therapeutic Relationship in Mental Health Care")); len(got) != 6 || got[2] != "Published" || got[3] != "1" || got[4] != "12" || got[5] != "4" {
			t.Errorf("study instrument row: %q", got)
		}
		if got := values(row("AI and the Therapeutic Relationship (short form)")); got[3] != "2" || got[4] != "0" {
			t.Errorf("short instrument row: %q", got)
		}
		if !strings.Contains(p.body, `href="/admin/surveys/`+f.study.ID+`"`) {
			t.Error("no link to the study survey's results")
		}
	})
}

func checkPageHeaders(t *testing.T, p page) {
	t.Helper()
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
	if strings.Contains(p.body, "<script") || strings.Contains(p.body, "style=") || strings.Contains(p.body, "<style") {
		t.Error("inline script or style: the CSP would block it")
	}
}

var (
	itemGroup = regexp.MustCompile(`<g class="item" data-item="\d+">`)
	barGroup  = regexp.MustCompile(`<g class="bar" `)
	likertSVG = regexp.MustCompile(`(?s)<svg [^>]*class="chart-svg likert"[^>]*id="([^"]+)".*?</svg>`)
)

func TestResults(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 40, inProgress: 5, days: 10})
		c := f.signedIn(t)
		p := c.get("/admin/surveys/" + f.study.ID)
		if p.status != http.StatusOK {
			t.Fatalf("status %d\n%s", p.status, p.body)
		}
		checkPageHeaders(t, p)
		for _, want := range []string{"<h1>Physician survey 2026</h1>", "Responses per day", "Cronbach’s α", "complete responses",
			`href="/admin/surveys/` + f.study.ID + `/export.csv"`, `href="/admin/surveys/` + f.study.ID + `/codebook.csv"`,
			`href="/admin/surveys/` + f.study.ID + `/export.zip"`, "/s/" + f.study.ID, `class="chart-svg daily"`,
			`href="/admin/surveys/` + f.study.ID + `/text/eff_text`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("page lacks %s", want)
			}
		}
		// One diverging chart per subscale with one bar per Likert item.
		for _, sub := range f.form.Instrument.Subscales {
			svg := chartByID(t, p.body, "lk-"+sub.ID)
			items := len(f.form.SubscaleItems(sub.ID))
			if n := len(itemGroup.FindAllString(svg, -1)); n != items {
				t.Errorf("%s: %d item groups, want %d", sub.ID, n, items)
			}
			if n := len(barGroup.FindAllString(svg, -1)); n != items {
				t.Errorf("%s: %d bars, want %d", sub.ID, n, items)
			}
			if !strings.Contains(p.body, `id="hist-`+sub.ID+`-0"`) {
				t.Errorf("%s: no histogram", sub.ID)
			}
		}

		// The same figures as the statistics API, computed the same way.
		api := apiStats(t, f, "")
		var alpha float64
		for _, s := range api.Groups[0].Subscales {
			if s.ID == "eff" {
				alpha = *s.Reliability.Alpha
			}
		}
		if want := fmt.Sprintf(`<td class="num">%.2f</td>`, alpha); !strings.Contains(p.body, want) {
			t.Errorf("the page lacks eff's alpha %s", want)
		}

		t.Run("CompareByGroups", func(t *testing.T) {
			p := c.get("/admin/surveys/" + f.study.ID + "?by=specialty&status=all")
			if p.status != http.StatusOK {
				t.Fatalf("status %d", p.status)
			}
			groups := len(apiStats(t, f, "?by=specialty&status=all").Groups)
			svg := chartByID(t, p.body, "lk-eff")
			items := len(f.form.SubscaleItems("eff"))
			if n := len(barGroup.FindAllString(svg, -1)); n != items*groups {
				t.Errorf("%d bars, want %d items × %d groups", n, items, groups)
			}
			for _, want := range []string{"Psychiatry", `<option value="specialty" selected>`, "Responses by “What is your specialty?”", `<option value="all" selected>`, "all responses, complete and in progress",
				`/export.csv?status=all"`} {
				if !strings.Contains(p.body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
		})
		t.Run("CompareByLanguage", func(t *testing.T) {
			// The study has English and German: its translations side by
			// side, as the API's by=language gives them.
			p := c.get("/admin/surveys/" + f.study.ID + "?by=language")
			if p.status != http.StatusOK {
				t.Fatalf("status %d", p.status)
			}
			groups := apiStats(t, f, "?by=language").Groups
			if len(groups) < 2 || groups[0].Label != "en" || groups[1].Label != "de" {
				t.Fatalf("API groups %+v", groups)
			}
			for _, want := range []string{`<option value="language" selected>Language</option>`, "Responses by “Language”"} {
				if !strings.Contains(p.body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
		})
		for _, tc := range []struct {
			name, path string
			status     int
			message    string
		}{
			{"ErrByNotSingleChoice", "?by=years_practice", http.StatusUnprocessableEntity, "single_choice"},
			{"ErrByUnknown", "?by=nope", http.StatusUnprocessableEntity, "unknown item"},
			{"ErrStatus", "?status=maybe", http.StatusUnprocessableEntity, "must be complete, in_progress or all"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := c.get("/admin/surveys/" + f.study.ID + tc.path)
				if p.status != tc.status || !strings.Contains(p.body, tc.message) {
					t.Fatalf("%s: %d, want %d with %q\n%s", tc.path, p.status, tc.status, tc.message, p.body)
				}
			})
		}
		t.Run("EmptySurvey", func(t *testing.T) {
			p := c.get("/admin/surveys/" + f.empty.ID)
			if p.status != http.StatusOK || !strings.Contains(p.body, "No responses match yet") {
				t.Fatalf("empty survey: %d", p.status)
			}
			if !strings.Contains(p.body, "no answers") {
				t.Error("an empty chart does not say so")
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			p := c.get("/admin/surveys/nosuchsurv")
			if p.status != http.StatusNotFound || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
				t.Fatalf("unknown survey: %d %s", p.status, p.header.Get("Content-Type"))
			}
		})
		t.Run("Gzip", func(t *testing.T) {
			p := c.get("/admin/surveys/"+f.study.ID, "Accept-Encoding", "gzip")
			if p.header.Get("Content-Encoding") != "gzip" {
				t.Errorf("not gzipped: %q", p.header.Get("Content-Encoding"))
			}
		})
	})
}

func chartByID(t *testing.T, body, id string) string {
	t.Helper()
	for _, m := range likertSVG.FindAllStringSubmatch(body, -1) {
		if m[1] == id {
			return m[0]
		}
	}
	t.Fatalf("no Likert chart %s", id)
	return ""
}

type apiReport struct {
	Groups []struct {
		Label     string `json:"label"`
		Subscales []struct {
			ID          string `json:"id"`
			Reliability struct {
				Alpha *float64 `json:"alpha"`
			} `json:"reliability"`
		} `json:"subscales"`
	} `json:"groups"`
}

func apiStats(t *testing.T, f *fixture, query string) apiReport {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/api/v1/surveys/"+f.study.ID+"/stats"+query, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep apiReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("stats API: %d %v", resp.StatusCode, err)
	}
	return rep
}

func TestDownloads(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 15, inProgress: 2})
		c := f.signedIn(t)
		api := func(path string) page {
			return c.get("/api/v1/surveys/"+f.study.ID+"/"+path, "Authorization", "Bearer "+testToken)
		}
		for _, name := range []string{"export.csv", "export.csv?values=labels&status=all", "codebook.csv", "export.R", "export.sps", "export.do",
			"export.sav", "export.dta", "export.xlsx", "export.xlsx?values=labels"} {
			t.Run(name, func(t *testing.T) {
				// The .sav, .dta and .xlsx files carry the time they were
				// written (to the second or the minute), so a pair made
				// across a clock tick differs there: such a pair is asked
				// for again, at most twice.
				var p, want page
				for try := 0; try < 3; try++ {
					p = c.get("/admin/surveys/" + f.study.ID + "/" + name)
					want = api(name)
					if p.body == want.body {
						break
					}
				}
				if p.status != http.StatusOK || want.status != http.StatusOK {
					t.Fatalf("dashboard %d, API %d", p.status, want.status)
				}
				if p.body != want.body || p.header.Get("Content-Disposition") != want.header.Get("Content-Disposition") {
					t.Errorf("the dashboard's file differs from the API's (%q vs %q)", p.header.Get("Content-Disposition"), want.header.Get("Content-Disposition"))
				}
			})
		}
		p := c.get("/admin/surveys/" + f.study.ID + "/export.csv")
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, "\ufeff"))).ReadAll()
		if err != nil || len(rows) != 16 {
			t.Fatalf("CSV: %d rows, %v", len(rows), err)
		}
		p = c.get("/admin/surveys/" + f.study.ID + "/export.zip")
		if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("zip: %d %s", p.status, p.header.Get("Content-Type"))
		}
		if _, err := zip.NewReader(bytes.NewReader([]byte(p.body)), int64(len(p.body))); err != nil {
			t.Fatalf("zip: %v", err)
		}
		if p := c.get("/admin/surveys/nosuchsurv/export.csv"); p.status != http.StatusNotFound {
			t.Errorf("unknown survey: %d", p.status)
		}
	})
}

func TestTextAnswers(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 30})
		c := f.signedIn(t)
		base := "/admin/surveys/" + f.study.ID + "/text/eff_text"
		p := c.get(base)
		if p.status != http.StatusOK {
			t.Fatalf("status %d\n%s", p.status, p.body)
		}
		checkPageHeaders(t, p)
		all := strings.Count(p.body, `<p class="answer">`)
		if all == 0 {
			t.Fatal("no answers listed")
		}
		p = c.get(base + "?q=" + url.QueryEscape("ambient scribe"))
		some := strings.Count(p.body, `<p class="answer">`)
		if some == 0 || some >= all || strings.Count(p.body, "ambient scribe") < some {
			t.Errorf("search: %d of %d answers", some, all)
		}
		for _, tc := range []struct {
			path   string
			status int
		}{
			{"/admin/surveys/" + f.study.ID + "/text/eff_1", http.StatusUnprocessableEntity},
			{"/admin/surveys/" + f.study.ID + "/text/nope", http.StatusNotFound},
			{base + "?after=-1", http.StatusUnprocessableEntity},
		} {
			if p := c.get(tc.path); p.status != tc.status {
				t.Errorf("%s: %d, want %d", tc.path, p.status, tc.status)
			}
		}
	})
}

func TestNotFoundPages(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{})
		c := f.signedIn(t)
		for _, tc := range []struct{ path, ctype string }{
			{"/admin/nothing/here", "text/html"},
			{"/admin/static/admin.00000000.css", "text/html"},
			{"/s/nosuchsurv/x/y", "text/html"},
			{"/api/v1/nothing", "application/json"},
		} {
			p := c.get(tc.path)
			if p.status != http.StatusNotFound || !strings.HasPrefix(p.header.Get("Content-Type"), tc.ctype) {
				t.Errorf("%s: %d %s, want 404 %s", tc.path, p.status, p.header.Get("Content-Type"), tc.ctype)
			}
		}
		// The stylesheet, under its hashed name, is public and cached.
		css := regexp.MustCompile(`href="(/admin/static/admin\.[0-9a-f]+\.css)"`).FindStringSubmatch(f.client(t).get("/admin/login").body)
		if css == nil {
			t.Fatal("no stylesheet link")
		}
		if p := f.client(t).get(css[1]); p.status != http.StatusOK || !strings.Contains(p.header.Get("Cache-Control"), "immutable") ||
			!strings.HasPrefix(p.header.Get("Content-Type"), "text/css") {
			t.Errorf("stylesheet: %d %q %q", p.status, p.header.Get("Cache-Control"), p.header.Get("Content-Type"))
		}
	})
}
