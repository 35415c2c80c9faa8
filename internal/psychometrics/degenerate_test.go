package psychometrics

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// dataOf builds a Data from rows (NaN for missing).
func dataOf(items []string, rows [][]float64) *Data {
	d := NewData(items)
	for _, r := range rows {
		d.Add(r)
	}
	return d
}

// randomData returns n respondents × p items of 1–5 answers with one
// latent factor, drawn from seed.
func randomData(n, p int, seed uint64) *Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	items := make([]string, p)
	for j := range items {
		items[j] = "i" + string(rune('a'+j%26)) + string(rune('a'+j/26))
	}
	d := NewData(items)
	row := make([]float64, p)
	for range n {
		f := rng.NormFloat64()
		for j := range row {
			v := 0.7*f + 0.7*rng.NormFloat64()
			row[j] = math.Round(min(max(3+v, 1), 5))
		}
		d.Add(row)
	}
	return d
}

func TestPearsonDegenerate(t *testing.T) {
	nan := math.NaN()
	t.Run("ErrConstantItem", func(t *testing.T) {
		d := dataOf([]string{"a", "b", "c"}, [][]float64{{1, 3, 2}, {2, 3, 1}, {3, 3, 3}, {4, 3, 5}})
		_, err := Pearson(d, Pairwise)
		var deg *ErrDegenerate
		if !errors.As(err, &deg) || len(deg.Problems) != 1 || deg.Problems[0].Path != "items.b" || !strings.Contains(deg.Problems[0].Message, "no variance") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrCollinearPair", func(t *testing.T) {
		// c = 6 − a: a reverse-keyed duplicate.
		d := dataOf([]string{"a", "b", "c"}, [][]float64{{1, 3, 5}, {2, 1, 4}, {3, 3, 3}, {4, 5, 2}, {5, 2, 1}})
		_, err := Pearson(d, Pairwise)
		var deg *ErrDegenerate
		if !errors.As(err, &deg) || len(deg.Problems) != 1 || deg.Problems[0].Path != "items.c" || !strings.Contains(deg.Problems[0].Message, "collinear with a") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrNoSharedAnswers", func(t *testing.T) {
		d := dataOf([]string{"a", "b", "c"}, [][]float64{{1, nan, 2}, {2, nan, 1}, {nan, 3, 3}, {nan, 1, 5}, {3, nan, 4}, {nan, 2, 1}})
		_, err := Pearson(d, Pairwise)
		var deg *ErrDegenerate
		if !errors.As(err, &deg) || deg.Problems[0].Path != "items.b" || !strings.Contains(deg.Problems[0].Message, "too few to correlate") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("Listwise", func(t *testing.T) {
		d := dataOf([]string{"a", "b", "c"}, [][]float64{{1, 2, 2}, {2, nan, 1}, {3, 1, 3}, {4, 5, 5}, {nan, nan, nan}})
		c, err := Pearson(d, Listwise)
		if err != nil {
			t.Fatal(err)
		}
		if d.Rows() != 4 || c.N != 3 || c.MinPairN != 3 {
			t.Errorf("rows %d, n %d, min pair n %d", d.Rows(), c.N, c.MinPairN)
		}
		// a and b over the complete cases (1,2), (3,1), (4,5): R's
		// cor(c(1,3,4), c(2,1,5)).
		if got := c.R.At(0, 1); math.Abs(got-0.576556660197055) > 1e-12 {
			t.Errorf("r(a, b) = %.15g", got)
		}
	})
}

func TestKMOUncorrelated(t *testing.T) {
	r := mat.NewSymDense(3, []float64{1, 0, 0.5, 0, 1, 0, 0.5, 0, 1})
	if _, err := ComputeKMO(r); !errors.Is(err, ErrUncorrelated) {
		t.Errorf("KMO of an item uncorrelated with all: %v", err)
	}
}

func TestSingular(t *testing.T) {
	// a + b = c exactly: no pair collinear, the matrix singular.
	r := mat.NewSymDense(3, []float64{1, 0, math.Sqrt(0.5), 0, 1, math.Sqrt(0.5), math.Sqrt(0.5), math.Sqrt(0.5), 1})
	if _, err := ComputeKMO(r); !errors.Is(err, ErrSingular) {
		t.Errorf("KMO: %v", err)
	}
	if _, err := ComputeBartlett(r, 100); !errors.Is(err, ErrSingular) {
		t.Errorf("Bartlett: %v", err)
	}
}

func TestFitEFAFactorsOutOfRange(t *testing.T) {
	c, err := Pearson(randomData(200, 4, 1), Pairwise)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 4} {
		if _, err := FitEFA(c.R, EFAOptions{Factors: k}); err == nil {
			t.Errorf("%d factors of 4 items: no error", k)
		}
	}
}

// TestNotConverged: one factor of items that share nothing (random
// normal data) has a criterion too flat for the search to settle; the
// result says so and holds no NaN.
func TestNotConverged(t *testing.T) {
	c := mat.NewSymDense(25, nil)
	wishartCorrelation(rand.New(rand.NewPCG(1, 2)), 2799, c)
	e, err := FitEFA(c, EFAOptions{Factors: 1, Extraction: Minres})
	if err != nil {
		t.Fatal(err)
	}
	if e.Converged || len(e.Warnings) == 0 || !strings.Contains(e.Warnings[0], "did not converge") {
		t.Errorf("converged %v, warnings %q", e.Converged, e.Warnings)
	}
	for _, v := range append(e.Communalities, e.Variance...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("NaN or Inf in %v %v", e.Communalities, e.Variance)
		}
	}
}

// TestHeywood: one factor of three items with r12 = r13 = 0.8 and
// r23 = 0.6 needs λ1² = r12·r13/r23 = 1.07, a communality above 1. As
// psych (fa(r, 1, fm = ...)$communality, psych 2.2.9), ML stops at the
// bound, 0.995, and minres passes 1; both warn. At this bound psych's
// minres search ends about 1e-3 from ours (its line search minimizes the
// off-diagonal residuals, its gradient is that of all residuals, and the
// two part ways only at a bound), hence the wider tolerance there.
func TestHeywood(t *testing.T) {
	r := mat.NewSymDense(3, []float64{1, 0.8, 0.8, 0.8, 1, 0.6, 0.8, 0.6, 1})
	for m, want := range map[Extraction][]float64{ML: {0.9950107, 0.6424425, 0.6424425}, Minres: {1.0133516, 0.6130787, 0.6130787}} {
		e, err := FitEFA(r, EFAOptions{Factors: 1, Extraction: m})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(e.Warnings, " "), "Heywood") {
			t.Errorf("%s: warnings %q", m, e.Warnings)
		}
		for i, h := range want {
			if tol := map[Extraction]float64{ML: 1e-4, Minres: 2e-3}[m]; math.Abs(e.Communalities[i]-h) > tol {
				t.Errorf("%s: communalities %v, psych %v", m, e.Communalities, want)
				break
			}
		}
	}
}

func TestOmegaTooFewItems(t *testing.T) {
	if _, err := OmegaTotal(mat.NewSymDense(2, []float64{1, 0.5, 0.5, 1})); !errors.Is(err, ErrTooFewItems) {
		t.Errorf("err %v", err)
	}
	if _, err := OmegaHierarchical(mat.NewSymDense(2, []float64{1, 0.5, 0.5, 1}), 1); err == nil {
		t.Error("omega hierarchical of one factor: no error")
	}
}

// TestBootstrapOmega: the interval is seeded, holds the estimate and
// narrows with more respondents.
func TestBootstrapOmega(t *testing.T) {
	small, large := randomData(100, 5, 3), randomData(2000, 5, 3)
	a := BootstrapOmega(small, Pairwise, 100, 7)
	b := BootstrapOmega(small, Pairwise, 100, 7)
	if a == nil || *a != *b {
		t.Fatalf("same seed: %+v and %+v", a, b)
	}
	if c := BootstrapOmega(small, Pairwise, 100, 8); *c == *a {
		t.Error("another seed, the same interval")
	}
	c, _ := Pearson(small, Pairwise)
	o, _ := OmegaTotal(c.R)
	if o.Omega < a.Lower || o.Omega > a.Upper || a.Used != 100 || a.Level != 0.95 {
		t.Errorf("omega %g, interval %+v", o.Omega, a)
	}
	l := BootstrapOmega(large, Pairwise, 100, 7)
	if l.Upper-l.Lower >= a.Upper-a.Lower {
		t.Errorf("2000 respondents: width %g, 100: %g", l.Upper-l.Lower, a.Upper-a.Lower)
	}
}

// TestParallelSeeded: the same seed gives the same simulation; one
// latent factor is found as one.
func TestParallelSeeded(t *testing.T) {
	c, err := Pearson(randomData(500, 8, 4), Pairwise)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ParallelAnalysis(c.R, c.N, 20, 5)
	b, _ := ParallelAnalysis(c.R, c.N, 20, 5)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("same seed, different results")
	}
	if a.Suggested != 1 {
		t.Errorf("one latent factor: %d suggested (observed %v, simulated %v)", a.Suggested, a.Observed, a.Simulated95)
	}
}

func TestPolychoricDegenerate(t *testing.T) {
	nan := math.NaN()
	t.Run("ErrConstantItem", func(t *testing.T) {
		d := dataOf([]string{"a", "b", "c"}, [][]float64{{1, 3, 2}, {2, 3, 1}, {3, 3, 3}, {4, 3, 5}})
		_, _, err := Polychoric(d)
		var deg *ErrDegenerate
		if !errors.As(err, &deg) || len(deg.Problems) != 1 || deg.Problems[0].Path != "items.b" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrNoSharedAnswers", func(t *testing.T) {
		d := dataOf([]string{"a", "b"}, [][]float64{{1, nan}, {2, nan}, {nan, 1}, {nan, 2}})
		_, _, err := Polychoric(d)
		var deg *ErrDegenerate
		if !errors.As(err, &deg) || deg.Problems[0].Path != "items.b" || !strings.Contains(deg.Problems[0].Message, "shares no answers") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrTooManyCategories", func(t *testing.T) {
		d := dataOf([]string{"a", "b"}, [][]float64{{1, 1}, {9, 2}, {3, 3}})
		if _, _, err := Polychoric(d); err == nil || !strings.Contains(err.Error(), "at most 8 categories") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrNotWhole", func(t *testing.T) {
		d := dataOf([]string{"a", "b"}, [][]float64{{1, 1.5}, {2, 2}, {3, 3}})
		if _, _, err := Polychoric(d); err == nil || !strings.Contains(err.Error(), "whole-number") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("LocalThresholds", func(t *testing.T) {
		// Items with different numbers of categories: psych's non-global
		// case, with the correction for the empty cells. psych:
		// polychoric(data.frame(a = c(1,1,2,2,3,3,1,2,3,3), b = c(1,2,1,2,2,2,1,1,2,2)))$rho[1, 2]
		d := dataOf([]string{"a", "b"}, [][]float64{{1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 2}, {3, 2}, {1, 1}, {2, 1}, {3, 2}, {3, 2}})
		c, warnings, err := Polychoric(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.R.At(0, 1); math.Abs(got-polychoricLocalRef) > 1e-3 {
			t.Errorf("rho %.6f, psych %.6f (warnings %q)", got, polychoricLocalRef, warnings)
		}
	})
}

// polychoricLocalRef is psych's answer for TestPolychoricDegenerate/LocalThresholds.
const polychoricLocalRef = 0.6550575644

// TestCancelled: a done context stops the simulations and the bootstrap.
func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := randomData(300, 5, 9)
	c, _ := Pearson(d, Pairwise)
	if _, err := parallelAnalysis(ctx, c.R, c.N, 100, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("parallel analysis: %v", err)
	}
	corr := func(d *Data, w []float64) (*Correlation, []string, error) {
		c, err := pearson(d, w, Pairwise)
		return c, nil, err
	}
	if iv := bootstrapOmega(ctx, d, corr, 100, 1); iv != nil {
		t.Errorf("bootstrap: %+v", iv)
	}
}
