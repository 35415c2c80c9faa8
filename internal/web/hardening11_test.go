package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestHardening11AnswerControlsWebForm: the web form applies the API's
// rule on control characters in free text (survey.ForbiddenInText) and
// says so next to the item, keeping what was typed; nothing is saved
// until it is fixed.
func TestHardening11AnswerControlsWebForm(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		b := f.browser(t, f.open.ID)
		b.start("")
		b.get(sectionPath(1))
		a := survey.Answers{"eff_1": survey.IntVal(4), "eff_2": survey.IntVal(2), "eff_3": survey.IntVal(3), "eff_4": survey.IntVal(1), "eff_5": survey.IntVal(5)}
		form := sectionForm(f.form, 1, a, "next")
		for _, tc := range []struct{ text, char string }{
			{"before\x00after", "U&#43;0000) at character 7"},
			{"pasted\vline", "U&#43;000B) at character 7"},
			{"C1 \u0085 control", "U&#43;0085) at character 4"},
		} {
			form.Set("eff_text", tc.text)
			p := b.post(sectionPath(1), form)
			if p.status != http.StatusUnprocessableEntity {
				t.Fatalf("%q: status %d, want 422", tc.text, p.status)
			}
			for _, want := range []string{
				`<p class="error" id="err-eff_text"><span class="vh">Error: </span>Your answer contains an invisible control character (` + tc.char,
				`aria-describedby="count-eff_text err-eff_text" aria-invalid="true">` + strings.ReplaceAll(tc.text, "\x00", "\ufffd"), // as typed (html/template shows NUL as U+FFFD)
			} {
				if !strings.Contains(p.body, want) {
					i := strings.Index(p.body, "err-eff_text")
					t.Errorf("%q: page lacks %s\n%s", tc.text, want, p.body[max(0, i-200):min(len(p.body), i+600)])
				}
			}
			if strings.Contains(p.body, "Shorten it") {
				t.Errorf("%q: the message speaks of length", tc.text)
			}
		}
		form.Set("eff_text", "tab\tand\r\nline breaks")
		if p := b.post(sectionPath(1), form); p.status != http.StatusSeeOther {
			t.Errorf("tab and line breaks: status %d, want 303\n%s", p.status, p.body)
		}
		for _, r := range f.responses(t, f.open.ID) {
			if got := r.Answers["eff_text"].Text; got != "" && got != "tab\tand\nline breaks" {
				t.Errorf("saved %q", got)
			}
		}
	})
}
