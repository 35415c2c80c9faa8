package admin_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// TestItemTypesResults: the results page describes number, slider and
// date items and lists the "Other, please specify" texts as free text,
// readable on the text page like any other.
func TestItemTypesResults(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine, seed{})
		ctx := context.Background()
		in, err := instrument.Parse([]byte(fixtures.Instrument("item-types.yaml")), instrument.YAML)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateInstrument(ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Publish(ctx, in.Key, in.Version); err != nil {
			t.Fatal(err)
		}
		sv := f.newSurvey(t, in.Key, in.Version, "Types")
		form, err := f.svc.Form(ctx, in.Key, in.Version)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		started := time.Now().Add(-time.Hour)
		for range 20 {
			if _, _, err := f.svc.Submit(ctx, sv.ID, survey.Submission{StartedAt: &started, Answers: sample.Answers(form, rng)}); err != nil {
				t.Fatal(err)
			}
		}
		answers := survey.Answers{"agree": survey.IntVal(1), "visit": survey.TextVal("2024-05-31"), "place": survey.IntVal(3),
			"place_other": survey.TextVal("At the pharmacy")}
		if _, _, err := f.svc.Submit(ctx, sv.ID, survey.Submission{StartedAt: &started, Answers: answers}); err != nil {
			t.Fatal(err)
		}
		c := f.signedIn(t)
		p := c.get("/admin/surveys/" + sv.ID)
		if p.status != http.StatusOK {
			t.Fatalf("results: %d\n%s", p.status, p.body)
		}
		for _, want := range []string{"Your weight", "How much pain do you feel now?", "dates from ", `href="/admin/surveys/` + sv.ID + `/text/place_other"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the results page lacks %s", want)
			}
		}
		if strings.Contains(p.body, "The next questions are about your visit.") {
			t.Error("the info item is on the results page")
		}
		p = c.get("/admin/surveys/" + sv.ID + "/text/place_other")
		if p.status != http.StatusOK || !strings.Contains(p.body, "At the pharmacy") {
			t.Errorf("text page: %d\n%s", p.status, p.body)
		}
	})
}
