package psychometrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// studyData simulates n respondents to the study instrument's 25 items:
// five correlated factors of five 1–5 items each, 2 % missing.
func studyData(n int) *Data {
	rng := rand.New(rand.NewPCG(20261201, 25))
	items := make([]string, 25)
	for j := range items {
		items[j] = []string{"eff", "com", "emp", "sdm", "trn"}[j/5] + "_" + string(rune('1'+j%5))
	}
	d := NewData(items)
	row := make([]float64, 25)
	f := make([]float64, 5)
	for range n {
		g := rng.NormFloat64()
		for k := range f {
			f[k] = 0.55*g + 0.835*rng.NormFloat64() // factor correlations 0.3
		}
		for j := range row {
			if rng.Float64() < 0.02 {
				row[j] = math.NaN()
				continue
			}
			l := []float64{0.75, 0.7, 0.6, 0.65, 0.55}[j%5]
			y := l*f[j/5] + math.Sqrt(1-l*l)*rng.NormFloat64()
			row[j] = math.Round(min(max(3+1.1*y, 1), 5))
		}
		d.Add(row)
	}
	return d
}

// BenchmarkEFA: the exploratory analysis of the study instrument's 25
// items over 100,000 respondents, as the API runs it: correlations
// (pairwise), KMO, Bartlett, eigenvalues, five factors by minres with
// oblimin. The target is under 2 s (docs/performance.md).
//
//	go test -run '^$' -bench 'EFA|Parallel|Bootstrap' -benchtime 3x ./internal/psychometrics
func BenchmarkEFA(b *testing.B) {
	d := studyData(100000)
	for _, m := range []Extraction{Minres, ML} {
		b.Run(string(m), func(b *testing.B) {
			for b.Loop() {
				c, err := Pearson(d, Pairwise)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := ComputeKMO(c.R); err != nil {
					b.Fatal(err)
				}
				if _, err := ComputeBartlett(c.R, c.N); err != nil {
					b.Fatal(err)
				}
				Eigenvalues(c.R)
				e, err := FitEFA(c.R, EFAOptions{Factors: 5, Extraction: m, Rotation: Oblimin})
				if err != nil || !e.Converged {
					b.Fatal(err, e.Warnings)
				}
			}
		})
	}
}

// BenchmarkParallel: parallel analysis of 25 items with 100 simulations
// of 100,000 respondents (target: under 5 s).
func BenchmarkParallel(b *testing.B) {
	c, err := Pearson(studyData(100000), Pairwise)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ParallelAnalysis(c.R, c.N, 100, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBootstrapOmega: the 200-resample interval of one 5-item
// subscale over 100,000 respondents.
func BenchmarkBootstrapOmega(b *testing.B) {
	d := studyData(100000).Select([]int{0, 1, 2, 3, 4})
	for b.Loop() {
		if BootstrapOmega(d, Pairwise, 200, 1) == nil {
			b.Fatal("no interval")
		}
	}
}

// BenchmarkPolychoric: the polychoric matrix of the 25 items over
// 100,000 respondents (one pass for the tables, then 300 fits).
func BenchmarkPolychoric(b *testing.B) {
	d := studyData(100000)
	for b.Loop() {
		if _, _, err := Polychoric(d); err != nil {
			b.Fatal(err)
		}
	}
}
