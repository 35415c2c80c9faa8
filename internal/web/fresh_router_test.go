package web_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestFreshSectionPage: a fresh page written from the items kept with its
// shell (fresh.go) is the page written item by item for the respondent
// before who saw it in the same state, but for the CSRF token; one with
// other earlier answers (another verdict for the page's script) is its
// own page.
func TestFreshSectionPage(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		sv, form := branchingSurvey(t, f)
		token := regexp.MustCompile(`name="_csrf" value="[^"]*"`)
		pages := func(screen survey.Answers) []string {
			t.Helper()
			b := f.browser(t, sv.ID)
			b.start("")
			b.get(sectionPath(0))
			if p := b.post(sectionPath(0), sectionForm(form, 0, screen, "next")); p.status != http.StatusSeeOther {
				t.Fatalf("Next from section 1: %d\n%s", p.status, p.body)
			}
			var out []string
			for si := 1; si < 3; si++ {
				p := b.get(sectionPath(si))
				if p.status != http.StatusOK {
					t.Fatalf("section %d: %d", si+1, p.status)
				}
				out = append(out, token.ReplaceAllString(p.body, "TOKEN"))
			}
			return out
		}
		older := survey.Answers{"smoker": survey.IntVal(1), "age": survey.IntVal(50)}
		younger := survey.Answers{"smoker": survey.IntVal(1), "age": survey.IntVal(30)}
		first, again, other := pages(older), pages(older), pages(younger)
		for i := range first {
			if again[i] != first[i] {
				t.Errorf("section %d, the same state again:\n--- got\n%s\n--- want\n%s", i+2, again[i], first[i])
			}
		}
		// The age decides the verdict in section 2's script, not section
		// 3's page.
		if other[0] == first[0] || other[1] != first[1] {
			t.Errorf("after another age: section 2 the same %v, section 3 the same %v", other[0] == first[0], other[1] == first[1])
		}
		if again2 := pages(younger); again2[0] != other[0] || again2[1] != other[1] {
			t.Error("the younger respondent's pages differ the second time")
		}
	})
}
