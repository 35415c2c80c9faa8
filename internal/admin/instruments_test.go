package admin_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// wardCheck is a small valid instrument; badWardCheck has three mistakes
// in it (an unknown item type, an unknown scale, a duplicate item id).
func wardCheck(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("testdata/ward-check.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func badWardCheck(tb testing.TB) string {
	tb.Helper()
	s := strings.Replace(wardCheck(tb), "type: likert", "type: likret", 1)
	// The second item's scale, then the third item's id.
	i := strings.Index(s, "id: q2")
	s = s[:i] + strings.Replace(s[i:], "scale: agree3", "scale: agree5", 1)
	return strings.Replace(s, "id: role", "id: q1", 1)
}

// upload posts the new-instrument form as a browser does (multipart),
// with a file when name is not "".
func (c *client) upload(name string, file []byte, source string, csrf *string) page {
	c.TB.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	token := c.CSRF
	if csrf != nil {
		token = *csrf
	}
	_ = w.WriteField("_csrf", token)
	_ = w.WriteField("source", source)
	if name != "" {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			c.TB.Fatal(err)
		}
		_, _ = fw.Write(file)
	}
	_ = w.Close()
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+"/admin/instruments", &body)
	if err != nil {
		c.TB.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return pageOf(c.Do(req))
}

func (f *fixture) versionCount(tb testing.TB) int {
	tb.Helper()
	list, err := f.svc.Instruments(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return len(list)
}

func TestInstrumentPages(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{})
		ctx := context.Background()

		t.Run("OK", func(t *testing.T) {
			c := f.signedIn(t)
			if p := c.get("/admin"); !strings.Contains(p.body, `href="/admin/instruments/new"`) ||
				!strings.Contains(p.body, `href="/admin/instruments/`+f.form.Instrument.Key+`/versions/`+strconv.Itoa(f.form.Instrument.Version)+`"`) {
				t.Fatalf("the overview does not link the new pages:\n%s", p.body)
			}
			p := c.get("/admin/instruments/new")
			if p.status != http.StatusOK || !strings.Contains(p.body, `enctype="multipart/form-data"`) {
				t.Fatalf("new instrument form: %d", p.status)
			}
			// The editor's script: same-origin, under a hashed name (the
			// page's Content-Security-Policy allows no other).
			m := regexp.MustCompile(`<script src="(/admin/static/editor\.[0-9a-f]{8}\.js)" defer>`).FindStringSubmatch(p.body)
			if m == nil {
				t.Fatal("the form loads no editor script")
			}
			if js := c.get(m[1]); js.status != http.StatusOK || !strings.HasPrefix(js.header.Get("Content-Type"), "text/javascript") ||
				!strings.Contains(js.header.Get("Cache-Control"), "immutable") || !strings.Contains(js.body, "setSelectionRange") {
				t.Errorf("editor script: %d %q", js.status, js.header.Get("Content-Type"))
			}
			p = c.upload("", nil, wardCheck(t), nil)
			if p.status != http.StatusSeeOther || p.location != "/admin/instruments/ward-check/versions/1" {
				t.Fatalf("save: %d %q\n%s", p.status, p.location, p.body)
			}
			iv, err := f.svc.Instrument(ctx, "ward-check", 1)
			if err != nil || iv.Status != survey.StatusDraft || len(iv.Instrument.Sections[0].Items) != 3 {
				t.Fatalf("stored: %+v %v", iv, err)
			}
			p = c.get(p.location)
			for _, want := range []string{"Ward check", ">Draft<", "Publish version 1", "agree3", "Time for patients"} {
				if !strings.Contains(p.body, want) {
					t.Errorf("version page lacks %q", want)
				}
			}
			if strings.Contains(p.body, "Deploy as a survey") {
				t.Error("a draft offers deployment")
			}
			if p := c.post("/admin/instruments/ward-check/versions/1/publish", nil); p.status != http.StatusSeeOther {
				t.Fatalf("publish: %d\n%s", p.status, p.body)
			}
			if iv, _ := f.svc.Instrument(ctx, "ward-check", 1); iv.Status != survey.StatusPublished {
				t.Fatalf("after publish: %s", iv.Status)
			}
			if p := c.get("/admin/instruments/ward-check/versions/1"); !strings.Contains(p.body, "Deploy as a survey") || strings.Contains(p.body, "Publish version") {
				t.Fatal("the published version's page offers no deployment")
			}
			closes := time.Now().AddDate(0, 1, 0).UTC().Format(time.DateOnly)
			p = c.post("/admin/instruments/ward-check/versions/1/surveys", url.Values{"title": {"Ward 3, spring"}, "access": {"invitation"}, "closes_at": {closes}})
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/admin/surveys/") {
				t.Fatalf("deploy: %d %q\n%s", p.status, p.location, p.body)
			}
			id := strings.TrimPrefix(p.location, "/admin/surveys/")
			sv, err := f.svc.Survey(ctx, id)
			if err != nil || sv.Title != "Ward 3, spring" || sv.Access != survey.AccessInvitation || sv.InstrumentKey != "ward-check" ||
				sv.ClosesAt == nil || sv.ClosesAt.UTC().Format(time.DateTime) != endOfDay(t, closes) {
				t.Fatalf("stored survey: %+v %v", sv, err)
			}
			p = c.get(p.location)
			if !strings.Contains(p.body, "Make invitation codes") || !strings.Contains(p.body, "Close the survey") {
				t.Fatalf("results page lacks the actions:\n%s", p.body)
			}
			p = c.post("/admin/surveys/"+id+"/invitations", url.Values{"count": {"3"}})
			if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") ||
				!strings.Contains(p.header.Get("Content-Disposition"), "attachment") || p.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("codes: %d %q %q", p.status, p.header.Get("Content-Type"), p.header.Get("Content-Disposition"))
			}
			rows, err := csv.NewReader(strings.NewReader(p.body)).ReadAll()
			if err != nil || len(rows) != 4 || rows[0][0] != "code" || rows[0][1] != "link" {
				t.Fatalf("codes CSV: %q %v", rows, err)
			}
			for _, r := range rows[1:] {
				if r[1] != f.srv.URL+"/s/"+id+"?code="+url.QueryEscape(r[0]) {
					t.Errorf("link %q for code %q", r[1], r[0])
				}
				// Each code is one the store knows.
				if _, _, err := f.svc.StartProgress(ctx, id, r[0], ""); err != nil {
					t.Errorf("code %q: %v", r[0], err)
				}
			}
			if _, _, err := f.svc.StartProgress(ctx, id, "not-a-code", ""); err == nil {
				t.Error("a made-up code is accepted")
			}
			// The counts: three issued, each now held by a response started.
			counts := c.get("/admin/surveys/" + id).body
			for _, want := range []string{`<dt>Codes issued</dt><dd class="value">3</dd>`, `<dt>Spent</dt><dd class="value">0</dd>`,
				`<dt>In use</dt><dd class="value">3</dd>`, `<dt>Unused</dt><dd class="value">0</dd>`} {
				if !strings.Contains(counts, want) {
					t.Errorf("results page lacks %s", want)
				}
			}
			if p := c.post("/admin/surveys/"+id+"/close", nil); p.status != http.StatusSeeOther || p.location != "/admin/surveys/"+id {
				t.Fatalf("close: %d %q", p.status, p.location)
			}
			if sv, _ := f.svc.Survey(ctx, id); sv.Status != survey.SurveyClosed {
				t.Fatalf("after close: %s", sv.Status)
			}
			if p := c.get("/admin/surveys/" + id); strings.Contains(p.body, "Close the survey") || strings.Contains(p.body, "Make invitation codes") {
				t.Error("a closed survey still offers its actions")
			}
			// Wrong state: 409, nothing changed.
			// Closing and publishing again change nothing (the domain's
			// transitions are idempotent, as through the API).
			if p := c.post("/admin/surveys/"+id+"/close", nil); p.status != http.StatusSeeOther {
				t.Errorf("close twice: %d", p.status)
			}
			if p := c.post("/admin/instruments/ward-check/versions/1/publish", nil); p.status != http.StatusSeeOther {
				t.Errorf("publish twice: %d", p.status)
			}
			if iv, _ := f.svc.Instrument(ctx, "ward-check", 1); iv.Status != survey.StatusPublished {
				t.Errorf("after publishing twice: %s", iv.Status)
			}
			if p := c.post("/admin/surveys/"+f.empty.ID+"/invitations", url.Values{"count": {"3"}}); p.status != http.StatusConflict {
				t.Errorf("codes for an open-link survey: %d\n%s", p.status, p.body)
			}
			if p := c.upload("", nil, wardCheck(t), nil); p.status != http.StatusConflict || !strings.Contains(p.body, "ward-check") {
				t.Errorf("the same version again: %d\n%s", p.status, p.body)
			}
		})

		t.Run("Imports", func(t *testing.T) {
			for _, file := range []string{"fhir-gad7.json", "xlsform-group.xlsx", "redcap-survey.csv"} {
				t.Run(file, func(t *testing.T) {
					c := f.signedIn(t)
					c.get("/admin/instruments/new")
					data, err := os.ReadFile("../instrument/testdata/interop/" + file)
					if err != nil {
						t.Fatal(err)
					}
					before := f.versionCount(t)
					p := c.upload(file, data, "", nil)
					switch p.status {
					case http.StatusSeeOther:
						p = c.get(p.location)
					case http.StatusCreated: // with the import's warnings
						if !strings.Contains(p.body, "could not map") {
							t.Errorf("201 without warnings:\n%s", p.body)
						}
					default:
						t.Fatalf("upload %s: %d\n%s", file, p.status, p.body)
					}
					if !strings.Contains(p.body, ">Draft<") || f.versionCount(t) != before+1 {
						t.Errorf("%s not saved as a draft", file)
					}
				})
			}
		})

		t.Run("ErrInstrument", func(t *testing.T) {
			c := f.signedIn(t)
			c.get("/admin/instruments/new")
			bigYAML := "key: big\n# " + strings.Repeat("x", 2<<20) + "\n"
			for _, tc := range []struct {
				name       string
				file       string
				data       []byte
				source     string
				status     int
				want       []string
				keepSource bool
			}{
				{name: "ThreeMistakes", source: badWardCheck(t), status: http.StatusUnprocessableEntity, keepSource: true,
					want: []string{"3 problems", "sections[0].items[0].type</code>: line 18, column 15:", "likret", "sections[0].items[1].scale</code>: line 25, column 16:", "agree5",
						"sections[0].items[2].id</code>: line 27, column 13:", "duplicate item id"}},
				{name: "ThreeMistakesInAFile", file: "ward.yaml", data: []byte(badWardCheck(t)), status: http.StatusUnprocessableEntity, keepSource: true,
					want: []string{"3 problems", "sections[0].items[0].type"}},
				{name: "NotYAML", source: "key: x\n  bad: [\n", status: http.StatusBadRequest, keepSource: true,
					want: []string{"line 1, column 6", "mapping value is not allowed"}},
				{name: "Empty", source: "  ", status: http.StatusUnprocessableEntity, want: []string{"choose a file, or paste the instrument"}},
				{name: "UnknownFormat", file: "picture.png", data: []byte("\x89PNG\r\n\x1a\n\x00\x00"), status: http.StatusUnsupportedMediaType,
					want: []string{"picture.png", "REDCap"}},
				{name: "TooLarge", source: bigYAML, status: http.StatusRequestEntityTooLarge, want: []string{"over the limit"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					before := f.versionCount(t)
					p := c.upload(tc.file, tc.data, tc.source, nil)
					if p.status != tc.status {
						t.Fatalf("status %d, want %d\n%s", p.status, tc.status, p.body)
					}
					body := html.UnescapeString(p.body)
					for _, w := range tc.want {
						if !strings.Contains(body, w) {
							t.Errorf("page lacks %q\n%s", w, body)
						}
					}
					src := tc.source
					if tc.data != nil {
						src = string(tc.data)
					}
					if tc.keepSource && !strings.Contains(body, ">"+src+"</textarea>") {
						t.Errorf("the editor does not keep the text")
					}
					if n := f.versionCount(t); n != before {
						t.Errorf("%d versions stored, want %d", n, before)
					}
				})
			}
			// A FHIR file whose questions have no text: the problems name
			// the places in the file, the editor holds the converted YAML,
			// which saves once corrected.
			t.Run("ImportNotValid", func(t *testing.T) {
				data, err := os.ReadFile("../instrument/testdata/interop/fhir-itemweight.json")
				if err != nil {
					t.Fatal(err)
				}
				before := f.versionCount(t)
				p := c.upload("itemweight.json", data, "", nil)
				if p.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d\n%s", p.status, p.body)
				}
				body := html.UnescapeString(p.body)
				for _, w := range []string{"2 problems", "item[0].item[0].item[0]</code>: line 21, column 11: sections[0].items[0].text: is required", "converted to Dyad"} {
					if !strings.Contains(body, w) {
						t.Errorf("page lacks %q\n%s", w, body)
					}
				}
				i, j := strings.Index(body, `name="source"`), strings.Index(body, "</textarea>")
				src := body[strings.Index(body[i:], ">")+i+1 : j]
				if !strings.HasPrefix(src, "key: fhir-questionnaire\n") || strings.Count(src, `text: ""`) != 2 || f.versionCount(t) != before {
					t.Fatalf("editor holds:\n%s", src)
				}
				p = c.upload("", nil, strings.ReplaceAll(src, `text: ""`, "text: How often?"), nil)
				if p.status != http.StatusSeeOther || p.location != "/admin/instruments/fhir-questionnaire/versions/1" {
					t.Fatalf("corrected: %d %q\n%s", p.status, p.location, p.body)
				}
				if iv, err := f.svc.Instrument(ctx, "fhir-questionnaire", 1); err != nil || iv.Instrument.Sections[0].Items[1].Text != "How often?" {
					t.Errorf("stored: %+v %v", iv, err)
				}
			})
			// The page's own token is still good after a refused upload.
			if p := c.upload("", nil, strings.Replace(wardCheck(t), "ward-check", "ward-fixed", 1), nil); p.status != http.StatusSeeOther {
				t.Errorf("corrected upload: %d\n%s", p.status, p.body)
			}
		})

		t.Run("ErrDeploy", func(t *testing.T) {
			c := f.signedIn(t)
			path := "/admin/instruments/" + f.form.Instrument.Key + "/versions/" + strconv.Itoa(f.form.Instrument.Version) + "/surveys"
			c.get("/admin/instruments/" + f.form.Instrument.Key + "/versions/" + strconv.Itoa(f.form.Instrument.Version))
			before, _ := f.svc.Surveys(ctx)
			for _, tc := range []struct {
				name   string
				form   url.Values
				status int
				want   []string
			}{
				{"NoTitle", url.Values{"title": {""}, "access": {"open"}}, http.StatusUnprocessableEntity, []string{`<a href="#title">Name is required</a>`}},
				{"BadAccess", url.Values{"title": {"T"}, "access": {"everyone"}}, http.StatusUnprocessableEntity, []string{`<a href="#access-open">Access must be open or invitation`, "everyone"}},
				{"BadDate", url.Values{"title": {"T"}, "access": {"open"}, "closes_at": {"next week"}}, http.StatusUnprocessableEntity, []string{`<a href="#closes_at">Closing date must be a date`, "next week"}},
				{"PastDate", url.Values{"title": {"T"}, "access": {"open"}, "closes_at": {"2020-01-01"}}, http.StatusUnprocessableEntity, []string{"Closing date must be in the future"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					p := c.post(path, tc.form)
					if p.status != tc.status {
						t.Fatalf("status %d, want %d\n%s", p.status, tc.status, p.body)
					}
					body := html.UnescapeString(p.body)
					for _, w := range append(tc.want, "The survey was not created", "has-error") {
						if !strings.Contains(body, w) {
							t.Errorf("page lacks %q", w)
						}
					}
					if v := tc.form.Get("title"); v != "" && !strings.Contains(body, `value="`+v+`"`) {
						t.Error("the form does not keep the name")
					}
				})
			}
			// A draft cannot be deployed.
			c.get("/admin/instruments/new")
			c.upload("", nil, strings.Replace(wardCheck(t), "ward-check", "ward-draft", 1), nil)
			if p := c.post("/admin/instruments/ward-draft/versions/1/surveys", url.Values{"title": {"T"}, "access": {"open"}}); p.status != http.StatusConflict {
				t.Errorf("deploy a draft: %d\n%s", p.status, p.body)
			}
			if after, _ := f.svc.Surveys(ctx); len(after) != len(before) {
				t.Errorf("%d surveys, want %d", len(after), len(before))
			}
		})

		t.Run("ErrInvitations", func(t *testing.T) {
			sv, err := f.svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: f.form.Instrument.Key, InstrumentVersion: f.form.Instrument.Version, Title: "Codes", Access: survey.AccessInvitation})
			if err != nil {
				t.Fatal(err)
			}
			c := f.signedIn(t)
			c.get("/admin/surveys/" + sv.ID)
			for _, n := range []string{"0", "abc", "10001"} {
				p := c.post("/admin/surveys/"+sv.ID+"/invitations", url.Values{"count": {n}})
				if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "must be between 1 and") {
					t.Errorf("count %s: %d\n%s", n, p.status, p.body)
				}
			}
			if _, _, err := f.svc.StartProgress(ctx, sv.ID, "anything", ""); err == nil {
				t.Error("a code exists after refused requests")
			}
		})

		t.Run("ErrCSRF", func(t *testing.T) {
			c := f.signedIn(t)
			c.get("/admin/instruments/new")
			empty := ""
			before := f.versionCount(t)
			if p := c.upload("", nil, strings.Replace(wardCheck(t), "ward-check", "ward-csrf", 1), &empty); p.status != http.StatusForbidden {
				t.Errorf("upload without token: %d", p.status)
			}
			if f.versionCount(t) != before {
				t.Error("stored without a token")
			}
			for _, path := range []string{
				"/admin/instruments/" + f.form.Instrument.Key + "/versions/" + strconv.Itoa(f.form.Instrument.Version) + "/surveys",
				"/admin/instruments/" + f.form.Instrument.Key + "/versions/" + strconv.Itoa(f.form.Instrument.Version) + "/publish",
				"/admin/surveys/" + f.empty.ID + "/close",
				"/admin/surveys/" + f.empty.ID + "/invitations",
			} {
				if p := c.post(path, url.Values{"_csrf": {""}, "title": {"T"}, "access": {"open"}, "count": {"2"}}); p.status != http.StatusForbidden {
					t.Errorf("%s without token: %d", path, p.status)
				}
			}
			if sv, _ := f.svc.Survey(ctx, f.empty.ID); sv.Status != survey.SurveyOpen {
				t.Error("closed without a token")
			}
		})

		t.Run("ErrNoSession", func(t *testing.T) {
			c := f.client(t)
			if p := c.get("/admin/instruments/new"); p.status != http.StatusSeeOther || p.location != "/admin/login?next="+url.QueryEscape("/admin/instruments/new") {
				t.Errorf("form without session: %d %q", p.status, p.location)
			}
			before := f.versionCount(t)
			if p := c.upload("", nil, strings.Replace(wardCheck(t), "ward-check", "ward-anon", 1), nil); p.status != http.StatusSeeOther || p.location != "/admin/login" {
				t.Errorf("upload without session: %d %q", p.status, p.location)
			}
			for _, path := range []string{"/admin/surveys/" + f.empty.ID + "/close", "/admin/instruments/" + f.form.Instrument.Key + "/versions/" + strconv.Itoa(f.form.Instrument.Version) + "/surveys"} {
				if p := c.post(path, url.Values{"title": {"T"}}); p.status != http.StatusSeeOther || p.location != "/admin/login" {
					t.Errorf("%s without session: %d %q", path, p.status, p.location)
				}
			}
			if f.versionCount(t) != before {
				t.Error("stored without a session")
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			c := f.signedIn(t)
			for _, path := range []string{"/admin/instruments/nope/versions/1", "/admin/instruments/" + f.form.Instrument.Key + "/versions/99",
				"/admin/instruments/" + f.form.Instrument.Key + "/versions/abc"} {
				if p := c.get(path); p.status != http.StatusNotFound || !strings.Contains(p.body, "Not found") {
					t.Errorf("GET %s: %d", path, p.status)
				}
			}
			c.get("/admin")
			for _, path := range []string{"/admin/instruments/nope/versions/1/publish", "/admin/instruments/nope/versions/1/surveys",
				"/admin/surveys/nope/close", "/admin/surveys/nope/invitations"} {
				if p := c.post(path, url.Values{"title": {"T"}, "access": {"open"}, "count": {"2"}}); p.status != http.StatusNotFound {
					t.Errorf("POST %s: %d", path, p.status)
				}
			}
		})
	})
}

// endOfDay is the end of a plain date's day in UTC, as stored: the next
// day's first instant (a closing time is exclusive).
func endOfDay(tb testing.TB, date string) string {
	tb.Helper()
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		tb.Fatal(err)
	}
	return d.AddDate(0, 0, 1).Format(time.DateTime)
}
