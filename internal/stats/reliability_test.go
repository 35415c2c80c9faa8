package stats

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// The reference values below were worked by hand in exact fractions (and
// checked with Python's fractions module); the F quantiles of Feldt's
// interval come from fQuantile below, an implementation independent of
// gonum's (Lentz's continued fraction for the regularized incomplete beta,
// Numerical Recipes §6.4, inverted by bisection), checked against printed
// F tables (F.975(5,15) = 3.576, F.975(10,20) = 2.774, F.95(3,12) = 3.490)
// and against Simpson integration of the F density.
const tol = 5e-9 // far below the 4 decimals the figures are quoted to

// Dataset B: 8 respondents, 4 items on a 1–5 scale, item 3 reverse-keyed.
//
//	raw answers      scored (i3 = 6 − raw)   total T
//	4 3 2 5          4 3 4 5                 16
//	2 2 4 3          2 2 2 3                  9
//	5 4 1 4          5 4 5 4                 18
//	3 3 3 2          3 3 3 2                 11
//	1 2 4 2          1 2 2 2                  7
//	4 5 2 3          4 5 4 3                 16
//	2 1 5 3          2 1 1 3                  7
//	3 4 3 4          3 4 3 4                 14
//
// Item means 3, 3, 3, 13/4; item variances (n − 1) 12/7, 12/7, 12/7, 15/14,
// summing to 87/14. Total mean 49/4, variance 263/14.
//
//	alpha = 4/3 · (1 − (87/14)/(263/14)) = 4/3 · 176/263 = 704/789 = 0.892268694550…
//
// Feldt, df 7 and 21: F(.975) = 2.968630335010…, F(.025) = 0.224616008816…
//
//	CI = 1 − (85/789)·F  →  [0.680185578611, 0.975801824145]
//
// Without item 1: variances 12/7 + 12/7 + 15/14 = 63/14, rest totals
// 12 7 13 8 6 12 5 11 (variance 135/14), alpha = 3/2 · (1 − 63/135) = 4/5.
// Its rest correlation: cov 26/7, r = 26/√(12 · 135/2) = 0.913546879604….
// Likewise without item 2: 132/151, r = 22/√(12 · 151/2) = 0.730901043604;
// item 3: 4/5, r = 0.913546879604; item 4: 15/16, r = 14/√(15/2 · 96) =
// 0.521749194750.
var datasetB = struct {
	raw     [][]int64
	reverse []bool
}{
	raw: [][]int64{
		{4, 3, 2, 5}, {2, 2, 4, 3}, {5, 4, 1, 4}, {3, 3, 3, 2},
		{1, 2, 4, 2}, {4, 5, 2, 3}, {2, 1, 5, 3}, {3, 4, 3, 4},
	},
	reverse: []bool{false, false, true, false},
}

var wantB = struct {
	alpha, lower, upper   float64
	alphaIfDeleted, restR []float64
}{
	alpha: 704.0 / 789, lower: 0.6801855786110165, upper: 0.9758018241452864,
	alphaIfDeleted: []float64{4.0 / 5, 132.0 / 151, 4.0 / 5, 15.0 / 16},
	restR:          []float64{0.9135468796041984, 0.730901043603605, 0.9135468796041984, 0.5217491947499509},
}

// scoredColumns reverses the reverse-keyed items of a 1–5 scale and
// returns one column per item.
func scoredColumns(raw [][]int64, reverse []bool) [][]float64 {
	cols := make([][]float64, len(raw[0]))
	for _, row := range raw {
		for j, v := range row {
			if reverse[j] {
				v = 6 - v
			}
			cols[j] = append(cols[j], float64(v))
		}
	}
	return cols
}

func TestReliabilityOf(t *testing.T) {
	t.Run("HandWorkedDataset", func(t *testing.T) {
		rel := ReliabilityOf([]string{"i1", "i2", "i3", "i4"}, datasetB.reverse, scoredColumns(datasetB.raw, datasetB.reverse))
		checkReliabilityB(t, rel)
	})

	t.Run("ConstantItem", func(t *testing.T) {
		// Item b is 3 for everyone. By hand: a = 1 2 3 4 5 (variance 5/2),
		// b (variance 0), c = 2 2 4 5 4 (variance 9/5); totals 6 7 10 12 12
		// (variance 39/5):
		//   alpha = 3/2 · (1 − (43/10)/(39/5)) = 35/52;
		//   Feldt, df 4 and 8: F(.975) = 5.052632217364, F(.025) = 0.111363778014.
		// Without b the totals shift by 3, so alpha = 2 · (1 − (43/10)/(39/5))
		// = 35/39. Without a (or c) the pair left holds b, and
		// alpha = 2 · (1 − s²/s²) = 0. a's rest is b + c, so r(a, rest) =
		// r(a, c) = (7/4)/√(5/2 · 9/5) = 7/√72, and r(c, rest) the same;
		// b has no correlation (zero variance): nil with a note, never NaN.
		cols := [][]float64{{1, 2, 3, 4, 5}, {3, 3, 3, 3, 3}, {2, 2, 4, 5, 4}}
		rel := ReliabilityOf([]string{"a", "b", "c"}, []bool{false, false, false}, cols)
		near(t, "alpha", rel.Alpha, 35.0/52)
		if rel.AlphaCI95 == nil {
			t.Fatal("no CI")
		}
		nearF(t, "CI lower", rel.AlphaCI95.Lower, -0.6518220710611464)
		nearF(t, "CI upper", rel.AlphaCI95.Upper, 0.9635926110337445)
		near(t, "a: alpha if deleted", rel.Items[0].AlphaIfDeleted, 0)
		near(t, "b: alpha if deleted", rel.Items[1].AlphaIfDeleted, 35.0/39)
		near(t, "c: alpha if deleted", rel.Items[2].AlphaIfDeleted, 0)
		near(t, "a: r", rel.Items[0].ItemRestR, 7/math.Sqrt(10*36.0/5))
		near(t, "c: r", rel.Items[2].ItemRestR, 7/math.Sqrt(36.0/5*10))
		if rel.Items[1].ItemRestR != nil || rel.Items[1].Note == "" {
			t.Errorf("constant item: r %v, note %q; want nil with a note", rel.Items[1].ItemRestR, rel.Items[1].Note)
		}
	})

	t.Run("EveryItemConstant", func(t *testing.T) {
		cols := [][]float64{{2, 2, 2}, {4, 4, 4}}
		rel := ReliabilityOf([]string{"a", "b"}, []bool{false, false}, cols)
		if rel.Alpha != nil || rel.AlphaCI95 != nil || rel.Note == "" {
			t.Errorf("alpha %v, CI %v, note %q; want nil, nil and a note", rel.Alpha, rel.AlphaCI95, rel.Note)
		}
		for _, it := range rel.Items {
			if it.AlphaIfDeleted != nil || it.ItemRestR != nil || it.Note == "" {
				t.Errorf("%s: %+v; want nil figures and a note", it.ID, it)
			}
		}
	})

	t.Run("TooFewCases", func(t *testing.T) {
		rel := ReliabilityOf([]string{"a", "b"}, []bool{false, false}, [][]float64{{1, 2}, {2, 3}})
		if rel.Alpha != nil || rel.CompleteCases != 2 || rel.Note != "alpha needs at least 3 complete cases (every item answered); there are 2" {
			t.Errorf("%+v", rel)
		}
	})

	t.Run("TooFewItems", func(t *testing.T) {
		rel := ReliabilityOf([]string{"a"}, []bool{false}, [][]float64{{1, 2, 3, 4}})
		if rel.Alpha != nil || rel.Note != "alpha needs at least 2 items; this subscale has 1" {
			t.Errorf("%+v", rel)
		}
	})

	t.Run("TwoItemsNoAlphaIfDeleted", func(t *testing.T) {
		// Two items: alpha is 2 · (1 − (s²1 + s²2)/s²T); by hand for
		// x = 1 2 3 4, y = 2 2 4 4: variances 5/3 and 4/3, total 3 4 7 8
		// with variance 17/3, alpha = 2 · (1 − 9/17) = 16/17.
		rel := ReliabilityOf([]string{"x", "y"}, []bool{false, false}, [][]float64{{1, 2, 3, 4}, {2, 2, 4, 4}})
		near(t, "alpha", rel.Alpha, 16.0/17)
		for _, it := range rel.Items {
			if it.AlphaIfDeleted != nil || it.Note == "" {
				t.Errorf("%s: alpha if deleted %v, note %q; want nil and a note", it.ID, it.AlphaIfDeleted, it.Note)
			}
		}
		// r of x with y: cov 4/3, r = (4/3)/√(5/3 · 4/3) = 4/√20.
		near(t, "x: r", rel.Items[0].ItemRestR, 4/math.Sqrt(20))
	})

	t.Run("LargeSampleCIFinite", func(t *testing.T) {
		// 100 000 cases: the F quantiles with df in the hundreds of
		// thousands must still be finite and close to 1.
		iv := feldt(0.8, 100000, 5)
		if iv == nil || !(iv.Lower < 0.8 && 0.8 < iv.Upper) || iv.Upper-iv.Lower > 0.01 {
			t.Fatalf("CI %+v", iv)
		}
	})
}

func checkReliabilityB(t *testing.T, rel Reliability) {
	t.Helper()
	if rel.CompleteCases != 8 {
		t.Errorf("complete cases %d, want 8", rel.CompleteCases)
	}
	near(t, "alpha", rel.Alpha, wantB.alpha)
	if rel.AlphaCI95 == nil {
		t.Fatal("no CI")
	}
	nearF(t, "CI lower", rel.AlphaCI95.Lower, wantB.lower)
	nearF(t, "CI upper", rel.AlphaCI95.Upper, wantB.upper)
	for j, it := range rel.Items {
		near(t, it.ID+": alpha if deleted", it.AlphaIfDeleted, wantB.alphaIfDeleted[j])
		near(t, it.ID+": corrected item-total r", it.ItemRestR, wantB.restR[j])
		if it.Reverse != datasetB.reverse[j] {
			t.Errorf("%s: reverse %v", it.ID, it.Reverse)
		}
	}
}

// TestFeldtQuantiles checks gonum's F quantiles, on which the interval
// rests, against the independent implementation below and printed tables.
func TestFeldtQuantiles(t *testing.T) {
	for _, c := range []struct{ p, d1, d2, table float64 }{
		{0.975, 5, 15, 3.576}, {0.975, 10, 20, 2.774}, {0.95, 3, 12, 3.490},
		{0.975, 7, 21, 0}, {0.025, 7, 21, 0}, {0.975, 4, 8, 0}, {0.025, 4, 8, 0},
	} {
		got := distuv.F{D1: c.d1, D2: c.d2}.Quantile(c.p)
		want := fQuantile(c.p, c.d1, c.d2)
		if math.Abs(got-want) > 1e-9*want {
			t.Errorf("F(%v; %v, %v): gonum %v, independent %v", c.p, c.d1, c.d2, got, want)
		}
		if c.table != 0 && math.Abs(want-c.table) > 5e-4 {
			t.Errorf("F(%v; %v, %v) = %v, printed tables say %v", c.p, c.d1, c.d2, want, c.table)
		}
	}
	// The interval of dataset B from the independent quantiles.
	lo := 1 - (1-wantB.alpha)*fQuantile(0.975, 7, 21)
	hi := 1 - (1-wantB.alpha)*fQuantile(0.025, 7, 21)
	if math.Abs(lo-wantB.lower) > tol || math.Abs(hi-wantB.upper) > tol {
		t.Errorf("independent Feldt CI [%v, %v], want [%v, %v]", lo, hi, wantB.lower, wantB.upper)
	}
}

// fQuantile inverts the F distribution's CDF by bisection.
func fQuantile(p, d1, d2 float64) float64 {
	cdf := func(x float64) float64 { return regIncBeta(d1/2, d2/2, d1*x/(d1*x+d2)) }
	lo, hi := 0.0, 1.0
	for cdf(hi) < p {
		hi *= 2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if cdf(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// regIncBeta is I_x(a, b) by Lentz's continued fraction.
func regIncBeta(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log(1-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	clamp := func(v float64) float64 {
		if math.Abs(v) < tiny {
			return tiny
		}
		return v
	}
	c, d := 1.0, 1/clamp(1-(a+b)*x/(a+1))
	h := d
	for m := 1.0; m < 10000; m++ {
		aa := m * (b - m) * x / ((a - 1 + 2*m) * (a + 2*m))
		d = 1 / clamp(1+aa*d)
		c = clamp(1 + aa/c)
		h *= d * c
		aa = -(a + m) * (a + b + m) * x / ((a + 2*m) * (a + 1 + 2*m))
		d = 1 / clamp(1+aa*d)
		c = clamp(1 + aa/c)
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return h
}

func near(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil, want %.10f", what, want)
		return
	}
	nearF(t, what, *got, want)
}

func nearF(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s: %.12f, want %.12f", what, got, want)
	}
}
