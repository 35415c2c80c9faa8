package psychometrics

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// studyCFA returns the study instrument's declared structure (each theme
// subscale a factor of its Likert items, in the instrument's order) and
// the sample covariance (divided by n) of n synthetic complete responses
// (sample.Answers: a latent attitude per subscale; answers as given, so
// reverse-keyed items load negatively).
func studyCFA(tb testing.TB, n int) (*mat.SymDense, []CFAFactor, []string) {
	tb.Helper()
	f, err := sample.StudyForm()
	if err != nil {
		tb.Fatal(err)
	}
	var factors []CFAFactor
	var ids []string
	for _, s := range f.Instrument.Subscales {
		fac := CFAFactor{Name: s.ID}
		for _, it := range f.Items() {
			if it.Type == survey.Likert && it.Subscale == s.ID {
				fac.Items = append(fac.Items, len(ids))
				ids = append(ids, it.ID)
			}
		}
		factors = append(factors, fac)
	}
	rng := rand.New(rand.NewPCG(20, 26))
	data := mat.NewDense(n, len(ids), nil)
	for r := range n {
		a := sample.Answers(f, rng)
		for c, id := range ids {
			data.Set(r, c, float64(a[id].Int))
		}
	}
	cov := mat.NewSymDense(len(ids), nil)
	stat.CovarianceMatrix(cov, data, nil)
	cov.ScaleSym(float64(n-1)/float64(n), cov) // lavaan's ML divides by n
	return cov, factors, ids
}

// TestFitCFAStudy fits the study instrument's five-theme structure to
// synthetic responses that follow it: 25 items, 5 factors, df 265, a
// close fit, and the reverse-keyed items loading against their factor.
func TestFitCFAStudy(t *testing.T) {
	cov, factors, ids := studyCFA(t, 2000)
	res, err := FitCFAWithOptions(cov, 2000, factors, CFAOptions{ItemNames: ids})
	if err != nil {
		t.Fatal(err)
	}
	if len(factors) != 5 || res.Items != 25 || res.DF != 265 || !res.Converged {
		t.Fatalf("%d factors, %d items, df %d, converged %v", len(factors), res.Items, res.DF, res.Converged)
	}
	if res.CFI < 0.95 || res.RMSEA > 0.05 || res.SRMR > 0.05 {
		t.Errorf("a model that generated the data fits poorly: CFI %.3f, RMSEA %.3f, SRMR %.3f", res.CFI, res.RMSEA, res.SRMR)
	}
	f, _ := sample.StudyForm()
	for _, fac := range res.Factors {
		for _, l := range fac.Loadings {
			if reverse := f.Item(l.Name).Reverse; (l.Standardized < 0) != reverse || l.Standardized > -0.3 && l.Standardized < 0.3 {
				t.Errorf("%s (reverse %v) loads %.3f", l.Name, reverse, l.Standardized)
			}
		}
	}
}

// BenchmarkFitCFA fits the five-factor model of the study instrument (25
// items) to the covariance of 100,000 synthetic responses, and the bfi
// model (25 items, 2,436 cases) from the reference file. The covariance is
// computed once, outside the timing: the fit's cost depends on the number
// of items, not of responses.
//
//	go test -run '^$' -bench FitCFA -benchmem ./internal/psychometrics
func BenchmarkFitCFA(b *testing.B) {
	b.Run("study-100000", func(b *testing.B) {
		cov, factors, _ := studyCFA(b, 100000)
		for b.Loop() {
			res, err := FitCFA(cov, 100000, factors)
			if err != nil || !res.Converged {
				b.Fatal(err, res.Warnings)
			}
		}
	})
	b.Run("bfi-2436", func(b *testing.B) {
		g := readCFAGolden(b, filepath.Join("testdata", "cfa_bfi.json"))
		cov, factors := g.cov(), g.factors()
		for b.Loop() {
			res, err := FitCFA(cov, g.N, factors)
			if err != nil || !res.Converged {
				b.Fatal(err, res.Warnings)
			}
		}
	})
}
