package admin_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
)

// TestStatusFilterOneReading: every route that takes ?status= reads it the
// same way (survey.ParseStatusFilter): a bad value is 422 naming status
// with the one wording, in the API's statistics, text answers, responses
// list and export, and on the dashboard's results and text pages; and an
// empty value is the route's default.
func TestStatusFilterOneReading(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 3, inProgress: 1})
		c := f.signedIn(t)
		const wording = `must be complete, in_progress or all, got \"maybe\"`
		id := f.study.ID
		for _, path := range []string{"/stats", "/text/eff_text", "/responses", "/export.csv", "/export.zip"} {
			p := c.get("/api/v1/surveys/"+id+path+"?status=maybe", "Authorization", "Bearer "+testToken)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `"path":"status"`) || !strings.Contains(p.body, wording) {
				t.Errorf("API %s: %d %s", path, p.status, p.body)
			}
			if p := c.get("/api/v1/surveys/"+id+path+"?status=", "Authorization", "Bearer "+testToken); p.status != http.StatusOK {
				t.Errorf("API %s with an empty status: %d %s", path, p.status, p.body)
			}
		}
		for _, path := range []string{"", "/text/eff_text"} {
			p := c.get("/admin/surveys/" + id + path + "?status=maybe")
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, strings.ReplaceAll(wording, `\"`, "&#34;")) {
				t.Errorf("dashboard %q: %d\n%s", path, p.status, p.body)
			}
		}
	})
}

// TestResultsOneFlow: the API's statistics and the dashboard's results run
// one flow (stats.Service.Results), so they refuse the same query with the
// same problems, every one at once (before, the dashboard stopped at the
// status and never read by).
func TestResultsOneFlow(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{complete: 3})
		c := f.signedIn(t)
		const q = "?status=maybe&by=years_practice"
		p := c.get("/api/v1/surveys/"+f.study.ID+"/stats"+q, "Authorization", "Bearer "+testToken)
		var doc struct {
			Error struct {
				Details []struct{ Path, Message string }
			}
		}
		if err := json.Unmarshal([]byte(p.body), &doc); err != nil || p.status != http.StatusUnprocessableEntity {
			t.Fatalf("API: %d %s", p.status, p.body)
		}
		var paths []string
		for _, d := range doc.Error.Details {
			paths = append(paths, d.Path)
		}
		sort.Strings(paths)
		if strings.Join(paths, " ") != "by status" {
			t.Fatalf("API problems at %q, want by and status", paths)
		}
		page := c.get("/admin/surveys/" + f.study.ID + q)
		if page.status != http.StatusUnprocessableEntity {
			t.Fatalf("dashboard: %d", page.status)
		}
		// The dashboard's error page says how many problems there are and the
		// first of them (survey.Error's text).
		if !strings.Contains(page.body, "(2 problems, first: status: must be complete, in_progress or all") {
			t.Errorf("the dashboard does not report both problems:\n%s", page.body)
		}
	})
}
