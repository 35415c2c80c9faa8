package stats

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// studyForm returns the form of the shipped study instrument.
func studyForm(tb testing.TB) *survey.Form {
	tb.Helper()
	form, err := sample.StudyForm()
	if err != nil {
		tb.Fatal(err)
	}
	return form
}

// BenchmarkReport computes the statistics of 100,000 responses to the
// study instrument held in memory: the cost of package stats alone, without
// reading the database (see BenchmarkSurveyStats in internal/httpapi for
// the whole request). The responses cycle through 5,000 distinct synthetic
// respondents, which costs the same as 100,000 distinct ones.
//
//	go test -run '^$' -bench Report -benchtime 5x ./internal/stats
func BenchmarkReport(b *testing.B) {
	f := studyForm(b)
	rng := rand.New(rand.NewPCG(1, 2))
	const distinct, n = 5000, 100000
	base := make([]*survey.Response, distinct)
	for i := range base {
		sub := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 7 * time.Minute)
		base[i] = &survey.Response{Status: survey.ResponseComplete, Answers: sample.Answers(f, rng),
			StartedAt: sub.Add(-12 * time.Minute), SubmittedAt: &sub}
	}
	for _, by := range []string{"", "specialty"} {
		b.Run("by="+by, func(b *testing.B) {
			for b.Loop() {
				bld, err := New(f, Options{By: by})
				if err != nil {
					b.Fatal(err)
				}
				for i := range n {
					bld.Add(base[i%distinct])
				}
				rep := bld.Report()
				if rep.Groups[0].Subscales[0].Reliability.Alpha == nil {
					b.Fatal("no alpha")
				}
			}
		})
	}
}
