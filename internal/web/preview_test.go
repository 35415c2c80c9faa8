package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// TestPreviewKeepsNothing: a preview's pages are the section pages with
// the caller's action, token and fields, framable by the same origin
// alone, and they leave the kept shells and fragments of surveys empty
// (a draft changes; kept copies would only fill those bounded caches).
func TestPreviewKeepsNothing(t *testing.T) {
	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Service: survey.NewService(nil)})
	req := PreviewRequest{Form: form, Title: "Study <preview>", Action: "/admin/preview", CSRF: "tok123",
		Hidden: map[string]string{"source": "key: x"}, Note: "Preview: nothing is stored.", Restart: "/admin/preview"}
	serve := func(method string, form url.Values) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(method, "/admin/preview", strings.NewReader(form.Encode()))
		c.Request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		p.Preview(c, req)
		return w
	}
	w := serve(http.MethodGet, nil)
	body := w.Body.String()
	for _, want := range []string{`action="/admin/preview"`, `name="_csrf" value="tok123"`, `name="source" value="key: x"`,
		`name="_start" value="1"`, "Preview: nothing is stored.", "<h1>Study &lt;preview&gt;</h1>"} {
		if !strings.Contains(body, want) {
			t.Errorf("welcome page lacks %s", want)
		}
	}
	body = serve(http.MethodPost, url.Values{"_start": {"1"}}).Body.String()
	for _, want := range []string{`name="_section" value="0"`, `name="source" value="key: x"`, "<h1>" + form.Instrument.Sections[0].Title} {
		if !strings.Contains(body, want) {
			t.Errorf("first page lacks %s", want)
		}
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self'") || strings.Contains(csp, "'none'; frame") {
		t.Errorf("CSP %q", csp)
	}
	// Next without answers: the first page's problems, 422.
	if w := serve(http.MethodPost, url.Values{"_section": {"0"}, "_action": {"next"}}); w.Code != http.StatusUnprocessableEntity && w.Code != http.StatusOK {
		t.Errorf("next: %d", w.Code)
	}
	if n, m := p.h.shells.n.Load(), p.h.fragments.n.Load(); n != 0 || m != 0 {
		t.Errorf("the preview kept %d shells and %d fragments", n, m)
	}
}
