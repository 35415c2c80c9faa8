package admin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
)

// The dashboard's downloads are the API's export handlers, but a failed
// download is a dashboard page, not the API's JSON: the researcher
// clicked a link in a browser. The API answers the same failures with
// the same status, in JSON.
func TestDownloadErrorsArePages(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 3})
		c := f.signedIn(t)
		for _, tc := range []struct {
			path   string
			status int
			words  string
		}{
			{"/surveys/nosuchsurv/export.csv", http.StatusNotFound, "Not found"},
			{"/surveys/" + f.study.ID + "/export.csv?values=colours", http.StatusUnprocessableEntity, "values"},
			{"/surveys/" + f.study.ID + "/codebook.csv?status=some", http.StatusUnprocessableEntity, "status"},
			{"/surveys/" + f.study.ID + "/export.sav?values=labels", http.StatusUnprocessableEntity, "values"},
			{"/surveys/nosuchsurv/export.xlsx", http.StatusNotFound, "Not found"},
		} {
			p := c.get("/admin" + tc.path)
			if p.status != tc.status || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
				t.Errorf("dashboard %s: %d %s, want %d and a page\n%s", tc.path, p.status, p.header.Get("Content-Type"), tc.status, p.body)
				continue
			}
			if !strings.Contains(p.body, tc.words) || !strings.Contains(p.body, `href="/admin"`) ||
				p.header.Get("Content-Security-Policy") == "" || p.header.Get("Content-Disposition") != "" {
				t.Errorf("dashboard %s: the page does not say %q with a way back under the pages' headers\n%v\n%s", tc.path, tc.words, p.header, p.body)
			}
			api := c.get("/api/v1"+tc.path, "Authorization", "Bearer "+testToken)
			if api.status != tc.status || !strings.HasPrefix(api.header.Get("Content-Type"), "application/json") {
				t.Errorf("API %s: %d %s, want %d JSON", tc.path, api.status, api.header.Get("Content-Type"), tc.status)
			}
		}
	})
}

// TestExcelDownloads: the results page offers each export for R, SPSS and
// Stata and for Excel; the Excel variants start with a byte-order mark
// (the codebook too), the others do not.
func TestExcelDownloads(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 3})
		c := f.signedIn(t)
		p := c.get("/admin/surveys/" + f.study.ID)
		base := "/admin/surveys/" + f.study.ID + "/"
		for _, want := range []string{"For R, SPSS and Stata", "For Excel", `href="` + base + `export.csv?bom=1&amp;excel_safe=1"`,
			`href="` + base + `codebook.csv?bom=1&amp;excel_safe=1"`, `href="` + base + `export.zip"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("results page lacks %s", want)
			}
		}
		const bom = "\ufeff"
		for path, wantBOM := range map[string]bool{"export.csv?bom=1&excel_safe=1": true, "codebook.csv?bom=1&excel_safe=1": true,
			"export.csv?values=labels&bom=1&excel_safe=1": true, "export.csv": false, "codebook.csv": false} {
			d := c.get(base + path)
			if d.status != http.StatusOK || strings.HasPrefix(d.body, bom) != wantBOM {
				t.Errorf("%s: %d, byte-order mark %v, want %v", path, d.status, strings.HasPrefix(d.body, bom), wantBOM)
			}
		}
	})
}
