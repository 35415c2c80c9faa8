package stats

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// StudyForm returns the form of the shipped study instrument.
func studyForm(tb testing.TB) *survey.Form {
	tb.Helper()
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		if f.Instrument.Key == instruments.Study {
			form, err := survey.NewForm(f.Instrument)
			if err != nil {
				tb.Fatal(err)
			}
			return form
		}
	}
	tb.Fatalf("no instrument %s", instruments.Study)
	return nil
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
