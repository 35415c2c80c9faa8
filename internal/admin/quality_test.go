package admin_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestResultsQualityPanel: the results page lists how many complete
// responses each data-quality rule flags, the same as the rules applied
// to each stored response, and its link leaves them out of the figures
// (exclude=dq), saying how many; a bad exclude is refused.
func TestResultsQualityPanel(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{})
		ctx := context.Background()
		sv := f.newSurvey(t, f.form.Instrument.Key, f.form.Instrument.Version, "Quality")
		rng := rand.New(rand.NewPCG(1, 2))
		submit := func(a survey.Answers, minutes int) {
			t.Helper()
			started := time.Now().Add(-time.Duration(minutes) * time.Minute)
			if _, _, err := f.svc.Submit(ctx, sv.ID, survey.Submission{StartedAt: &started, Answers: a}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 6 {
			submit(sample.Answers(f.form, rng), 10+i)
		}
		// Every likert item answered alike: a straight Likert block, and
		// one minute where the others took ten or more: a speeder.
		straight := sample.Answers(f.form, rng)
		for _, it := range f.form.Items() {
			if it.Type == survey.Likert {
				lo, _, _ := f.form.ScaleRange(it.ID)
				straight[it.ID] = survey.IntVal(lo)
			}
		}
		submit(straight, 1)

		// What the rules say of each stored response.
		list, _, err := f.st.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var times []float64
		for _, r := range list {
			s, _ := survey.ResponseSeconds(r)
			times = append(times, s)
		}
		q := f.form.Quality(survey.DefaultSpeederFraction, survey.MedianSeconds(times))
		var speeders, straights, attention, anyFlag int
		for _, r := range list {
			fl := q.Flags(r)
			speeders += b2i(fl.Speeder)
			straights += b2i(fl.Straightline)
			attention += b2i(fl.Attention)
			anyFlag += b2i(fl.Any())
		}
		// The straight response also fails the study's attention check
		// (it asks for Agree, not the lowest point).
		if speeders < 1 || straights < 1 || attention < 1 {
			t.Fatalf("the seeded responses flag %d speeders, %d straightliners, %d failed attention checks; want at least one of each", speeders, straights, attention)
		}

		c := f.signedIn(t)
		p := c.get("/admin/surveys/" + sv.ID)
		if p.status != http.StatusOK {
			t.Fatalf("status %d\n%s", p.status, p.body)
		}
		for flag, n := range map[string]int{"dq_speeder": speeders, "dq_straightline": straights, "dq_attention": attention, "dq_any": anyFlag} {
			row := regexp.MustCompile(`<th scope="row">[^<]*\(` + flag + `\)</th><td class="num">(\d+)</td>`).FindStringSubmatch(p.body)
			if row == nil || row[1] != fmt.Sprint(n) {
				t.Errorf("panel row %s: %v, want %d", flag, row, n)
			}
		}
		if !strings.Contains(p.body, `<h2 id="h-quality">Data quality</h2>`) || !strings.Contains(p.body, "Flags on the 7 complete responses") {
			t.Errorf("no data-quality panel:\n%s", p.body)
		}
		link := `href="/admin/surveys/` + sv.ID + `?exclude=dq"`
		if !strings.Contains(p.body, link) {
			t.Fatalf("no link %s", link)
		}
		ex := c.get("/admin/surveys/" + sv.ID + "?exclude=dq")
		if ex.status != http.StatusOK || !strings.Contains(ex.body, fmt.Sprintf("complete responses less the %d a data-quality rule flags", anyFlag)) {
			t.Errorf("exclude=dq: %d, scope not stated", ex.status)
		}
		if !strings.Contains(ex.body, `<option value="dq" selected>Leave them out</option>`) {
			t.Error("the filter does not show exclude=dq as chosen")
		}
		if bad := c.get("/admin/surveys/" + sv.ID + "?exclude=everything"); bad.status != http.StatusUnprocessableEntity {
			t.Errorf("a bad exclude: status %d", bad.status)
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestValidationExcludeDQ: the validation page takes the same choice
// (exclude=dq) and says how many responses it left out.
func TestValidationExcludeDQ(t *testing.T) {
	t.Parallel()
	f := newFixture(t, enginetest.SQLite, seed{complete: 40, days: 3})
	c := f.signedIn(t)
	p := c.get("/admin/surveys/" + f.study.ID + "/validation?exclude=dq")
	if p.status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	if !regexp.MustCompile(`complete responses less the \d+ a data-quality rule flags`).MatchString(p.body) ||
		!strings.Contains(p.body, `<option value="dq" selected>Leave them out</option>`) {
		t.Errorf("the page does not say it left flagged responses out")
	}
	if bad := c.get("/admin/surveys/" + f.study.ID + "/validation?exclude=x"); bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "exclude") {
		t.Errorf("a bad exclude: status %d", bad.status)
	}
}
