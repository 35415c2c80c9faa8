package admin_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

func wardBranch(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("testdata/ward-branch.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// textareaOf returns the editor's text on a page, unescaped.
func textareaOf(tb testing.TB, body string) string {
	tb.Helper()
	m := regexp.MustCompile(`(?s)<textarea[^>]*id="source"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no editor on the page:\n%s", body)
	}
	return htmlUnescape(m[1])
}

// TestEditorPages holds the editor: a draft edited in place (its problems
// listed with line, column and item id, nothing stored until it is valid),
// the live check (stores nothing), a published version saved as the next
// version, retiring, and the diff between the two.
func TestEditorPages(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{})
		ctx := context.Background()
		c := f.signedIn(t)
		c.get("/admin/instruments/new")
		if p := c.upload("", nil, wardCheck(t), nil); p.status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", p.status, p.body)
		}
		const v1 = "/admin/instruments/ward-check/versions/1"

		t.Run("DraftWithMistakes", func(t *testing.T) {
			p := c.get(v1 + "/edit")
			if p.status != http.StatusOK || !strings.Contains(p.body, "Save the draft") {
				t.Fatalf("editor: %d\n%s", p.status, p.body)
			}
			src := textareaOf(t, p.body)
			if !strings.Contains(src, "key: ward-check") || !strings.Contains(src, "id: q2") {
				t.Fatalf("the editor does not hold the draft:\n%s", src)
			}
			bad := strings.Replace(src, "type: likert", "type: likret", 1)
			p = c.post(v1+"/edit", url.Values{"source": {bad}})
			if p.status != http.StatusUnprocessableEntity || !regexp.MustCompile(`line \d+, column \d+: [^<]*\(item <code>q1</code>\)`).MatchString(p.body) {
				t.Fatalf("a draft with a mistake: %d\n%s", p.status, p.body)
			}
			if textareaOf(t, p.body) != bad {
				t.Error("the editor lost the text sent")
			}
			if iv, _ := f.svc.Instrument(ctx, "ward-check", 1); iv.Instrument.Sections[0].Items[0].Type != survey.Likert {
				t.Fatal("an invalid draft was stored")
			}
			good := strings.Replace(src, "title: Ward check", "title: Ward check, edited", 1)
			if p := c.post(v1+"/edit", url.Values{"source": {good}}); p.status != http.StatusSeeOther || p.location != v1 {
				t.Fatalf("save the draft: %d %q\n%s", p.status, p.location, p.body)
			}
			if iv, _ := f.svc.Instrument(ctx, "ward-check", 1); iv.Title != "Ward check, edited" || iv.Status != survey.StatusDraft {
				t.Fatalf("stored draft: %q %s", iv.Title, iv.Status)
			}
		})

		t.Run("LiveCheck", func(t *testing.T) {
			before, dump := f.versionCount(t), f.dump(t)
			c.get(v1 + "/edit")
			p := c.post("/admin/instruments/check", url.Values{"source": {badWardCheck(t)}})
			var res struct {
				Valid    bool
				Problems []struct {
					Path, Message, Item string
					Line, Column        int
				}
			}
			if err := json.Unmarshal([]byte(p.body), &res); err != nil || p.status != http.StatusOK {
				t.Fatalf("check: %d %v\n%s", p.status, err, p.body)
			}
			if res.Valid || len(res.Problems) != 3 {
				t.Fatalf("check of three mistakes: %+v", res)
			}
			for _, pr := range res.Problems {
				if pr.Line == 0 || pr.Column == 0 || pr.Item == "" || pr.Path == "" {
					t.Errorf("problem without its place: %+v", pr)
				}
			}
			p = c.post("/admin/instruments/check", url.Values{"source": {wardCheck(t)}})
			if !strings.Contains(p.body, `"valid":true`) || !strings.Contains(p.body, `"items":3`) {
				t.Errorf("check of a valid text: %s", p.body)
			}
			if n := f.versionCount(t); n != before || f.dump(t) != dump {
				t.Errorf("the check changed the database (%d versions, was %d)", n, before)
			}
			if p := c.post("/admin/instruments/check", url.Values{"source": {wardCheck(t)}, "_csrf": {"forged"}}); p.status != http.StatusForbidden {
				t.Errorf("check without the token: %d", p.status)
			}
		})

		t.Run("NewVersionFromPublished", func(t *testing.T) {
			if p := c.post(v1+"/publish", nil); p.status != http.StatusSeeOther {
				t.Fatalf("publish: %d", p.status)
			}
			p := c.get(v1 + "/edit")
			if p.status != http.StatusOK || !strings.Contains(p.body, "New version 2 of") || !strings.Contains(p.body, `action="/admin/instruments?study=`) {
				t.Fatalf("editor of a published version: %d\n%s", p.status, p.body)
			}
			src := textareaOf(t, p.body)
			if !strings.Contains(src, "version: 2") {
				t.Fatalf("the next version's text is not numbered 2:\n%s", src)
			}
			// A mistake first: the same editor again, with its problem.
			p = c.post("/admin/instruments", url.Values{"source": {strings.Replace(src, "type: likert", "type: likret", 1)},
				"from_key": {"ward-check"}, "from_version": {"1"}})
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "New version 2 of") || !strings.Contains(p.body, `name="from_key" value="ward-check"`) {
				t.Fatalf("a new version with a mistake: %d\n%s", p.status, p.body)
			}
			if _, err := f.svc.Instrument(ctx, "ward-check", 2); survey.ErrorCode(err) != survey.ENotFound {
				t.Fatalf("version 2 stored with a mistake: %v", err)
			}
			src = regexp.MustCompile(`(\n *)subscale: time\n`).ReplaceAllString(src, "${1}subscale: time${1}reverse: true\n")
			if p := c.upload("", nil, src, nil); p.status != http.StatusSeeOther || p.location != "/admin/instruments/ward-check/versions/2" {
				t.Fatalf("save as version 2: %d %q\n%s", p.status, p.location, p.body)
			}
			iv, err := f.svc.Instrument(ctx, "ward-check", 2)
			if err != nil || iv.Status != survey.StatusDraft || !iv.Instrument.Sections[0].Items[0].Reverse {
				t.Fatalf("version 2: %+v %v", iv, err)
			}
			if old, _ := f.svc.Instrument(ctx, "ward-check", 1); old.Status != survey.StatusPublished || old.Instrument.Sections[0].Items[0].Reverse {
				t.Fatal("version 1 changed")
			}
			p = c.get("/admin/instruments/ward-check/versions/2")
			if !strings.Contains(p.body, `href="/admin/instruments/ward-check/diff?from=1&amp;to=2"`) {
				t.Fatalf("version 2 does not link its changes:\n%s", p.body)
			}
			p = c.get("/admin/instruments/ward-check/diff?from=1&to=2")
			for _, want := range []string{"Changes to scoring", "item q1: reverse changed", "<code>q1</code>", "changes the score"} {
				if p.status != http.StatusOK || !strings.Contains(p.body, want) {
					t.Errorf("diff page (%d) lacks %q", p.status, want)
				}
			}
			if p := c.get("/admin/instruments/ward-check/diff?from=1&to=x"); p.status != http.StatusUnprocessableEntity {
				t.Errorf("diff with a bad version: %d", p.status)
			}
			if p := c.get("/admin/instruments/ward-check/diff?from=1&to=7"); p.status != http.StatusNotFound {
				t.Errorf("diff with an unknown version: %d", p.status)
			}
		})

		t.Run("StartFrom", func(t *testing.T) {
			p := c.get("/admin/instruments/new")
			if !strings.Contains(p.body, `<option value="ward-check/1">`) || !strings.Contains(p.body, "Start from an existing instrument") {
				t.Fatalf("the new page offers no existing version:\n%s", p.body)
			}
			p = c.get("/admin/instruments/new?from=ward-check/1")
			src := textareaOf(t, p.body)
			if p.status != http.StatusOK || !strings.Contains(src, "key: ward-check-copy") || !strings.Contains(src, "version: 1") {
				t.Fatalf("started from ward-check 1: %d\n%s", p.status, src)
			}
			if p := c.upload("", nil, src, nil); p.status != http.StatusSeeOther || p.location != "/admin/instruments/ward-check-copy/versions/1" {
				t.Fatalf("save the copy: %d %q", p.status, p.location)
			}
			if iv, err := f.svc.Instrument(ctx, "ward-check-copy", 1); err != nil || iv.Status != survey.StatusDraft {
				t.Fatalf("the copy: %v", err)
			}
			if p := c.get("/admin/instruments/new?from=nothing/1"); p.status != http.StatusNotFound {
				t.Errorf("start from an unknown version: %d", p.status)
			}
		})

		t.Run("Retire", func(t *testing.T) {
			c.get(v1)
			if p := c.post(v1+"/retire", nil); p.status != http.StatusSeeOther {
				t.Fatalf("retire: %d\n%s", p.status, p.body)
			}
			if iv, _ := f.svc.Instrument(ctx, "ward-check", 1); iv.Status != survey.StatusRetired {
				t.Fatalf("after retire: %s", iv.Status)
			}
			if p := c.post(v1+"/retire", nil); p.status != http.StatusSeeOther {
				t.Errorf("retire again: %d", p.status)
			}
			if p := c.post("/admin/instruments/ward-check/versions/2/retire", nil); p.status != http.StatusConflict {
				t.Errorf("retire a draft: %d", p.status)
			}
		})
	})
}

// TestPreviewPages holds the preview: a draft's pages as respondents see
// them, the skip branch followed both ways, problems shown as on a
// survey, the last page's thank-you, framing allowed to the dashboard
// alone, and nothing stored.
func TestPreviewPages(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{})
		c := f.signedIn(t)
		c.get("/admin/instruments/new")
		if p := c.upload("", nil, wardBranch(t), nil); p.status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", p.status, p.body)
		}
		before := f.dump(t)
		const pageURL = "/admin/instruments/ward-branch/versions/1/preview/page"
		p := c.get("/admin/instruments/ward-branch/versions/1/preview")
		if p.status != http.StatusOK || strings.Count(p.body, `src="`+pageURL+`"`) != 2 || !strings.Contains(p.body, "Phone width") {
			t.Fatalf("preview page: %d\n%s", p.status, p.body)
		}
		p = c.get(pageURL)
		if p.status != http.StatusOK || !strings.Contains(p.body, "<h1>Ward branch</h1>") || !strings.Contains(p.body, "Nothing you enter is stored") {
			t.Fatalf("welcome page: %d\n%s", p.status, p.body)
		}
		p = c.post(pageURL, url.Values{"_start": {"1"}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "About you") {
			t.Fatalf("first page: %d\n%s", p.status, p.body)
		}
		if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self'") || p.header.Get("X-Frame-Options") != "SAMEORIGIN" {
			t.Errorf("preview headers: %q %q", csp, p.header.Get("X-Frame-Options"))
		}
		hidden := func(body, name string) string {
			m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no %s field:\n%s", name, body)
			}
			return htmlUnescape(m[1])
		}
		next := func(body string, answers url.Values) page {
			form := url.Values{"_answers": {hidden(body, "_answers")}, "_section": {hidden(body, "_section")}, "_shown": {hidden(body, "_shown")}, "_action": {"next"}}
			for k, v := range answers {
				form[k] = v
			}
			return c.post(pageURL, form)
		}
		// Required left out: the page again, with the problem.
		if p := next(p.body, nil); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "error-summary") {
			t.Fatalf("required left out: %d\n%s", p.status, p.body)
		}
		// Back from the first page: the welcome page.
		back := c.post(pageURL, url.Values{"_answers": {hidden(p.body, "_answers")}, "_section": {"0"}, "_action": {"back"}})
		if !strings.Contains(back.body, "<h1>Ward branch</h1>") || !strings.Contains(back.body, `name="_start"`) {
			t.Errorf("back from the first page: %d\n%s", back.status, back.body)
		}
		// A nurse skips the physicians' page.
		nurse := next(p.body, url.Values{"role": {"2"}})
		if nurse.status != http.StatusOK || !strings.Contains(nurse.body, "Last page") || strings.Contains(nurse.body, "Ward rounds") {
			t.Fatalf("nurse's next page: %d\n%s", nurse.status, nurse.body)
		}
		// A physician gets it.
		doc := next(p.body, url.Values{"role": {"1"}})
		if doc.status != http.StatusOK || !strings.Contains(doc.body, "Ward rounds leave time") {
			t.Fatalf("physician's next page: %d\n%s", doc.status, doc.body)
		}
		last := next(doc.body, url.Values{"rounds": {"3"}})
		if !strings.Contains(last.body, "Last page") || !strings.Contains(hidden(last.body, "_answers"), `"rounds":3`) {
			t.Fatalf("last page: %d\n%s", last.status, last.body)
		}
		done := next(last.body, url.Values{"q1": {"2"}})
		if done.status != http.StatusOK || !strings.Contains(done.body, "Preview again") {
			t.Fatalf("after the last page: %d\n%s", done.status, done.body)
		}
		if after := f.dump(t); after != before {
			t.Error("the preview changed the database")
		}
		// The editor's unsaved text previews the same way.
		c.get("/admin/instruments/ward-branch/versions/1/edit")
		src := strings.Replace(wardBranch(t), "title: About you", "title: About yourself", 1)
		p = c.post("/admin/preview", url.Values{"source": {src}, "_start": {"1"}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "About yourself") || hidden(p.body, "source") != src {
			t.Fatalf("preview of the editor's text: %d\n%s", p.status, p.body)
		}
		if p := c.post(pageURL, url.Values{"_section": {"0"}, "_csrf": {"forged"}}); p.status != http.StatusForbidden {
			t.Errorf("a preview page without the token: %d", p.status)
		}
		if after := f.dump(t); after != before {
			t.Error("the preview changed the database")
		}
	})
}

// dump is the stored data, less the sign-ins (whose last use every page
// moves) and the audit trail: what a page that stores nothing must leave
// as it was.
func (f *fixture) dump(tb testing.TB) string {
	tb.Helper()
	var keep []string
	for _, line := range strings.Split(f.db.Dump(tb), "\n") {
		if !strings.HasPrefix(line, "sessions") && !strings.HasPrefix(line, "audit") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

func htmlUnescape(s string) string { return html.UnescapeString(s) }
