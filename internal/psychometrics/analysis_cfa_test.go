package psychometrics

import (
	"math"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestFitDeclaredOnCorrelations holds the analysis flow's confirmatory fit
// (analysis_cfa.go) to lavaan's on psych's bfi: given the correlation
// matrix, as the flow gives it, rather than lavaan's covariance, with an
// analysed item in no factor placed first so that the columns differ from
// the model's, the fit indices, standardized loadings and factor
// correlations are lavaan's, and the report names factors and items.
func TestFitDeclaredOnCorrelations(t *testing.T) {
	g := readCFAGolden(t, filepath.Join("testdata", "cfa_bfi.json"))
	p := len(g.Covariance)
	// Column 0: an extra item, uncorrelated; the bfi items follow.
	r := mat.NewSymDense(p+1, nil)
	r.SetSym(0, 0, 1)
	for i := range p {
		for j := 0; j <= i; j++ {
			r.SetSym(i+1, j+1, g.Covariance[i][j]/math.Sqrt(g.Covariance[i][i]*g.Covariance[j][j]))
		}
	}
	items := append([]string{"extra"}, g.Items...)
	var groups [][]int
	var names []string
	for _, f := range g.Factors {
		var cols []int
		for _, j := range f.Items {
			cols = append(cols, j+1)
		}
		groups = append(groups, cols)
		names = append(names, f.Name)
	}
	doc, w := fitDeclaredCFA(r, g.N, items, groups, names)
	if doc == nil {
		t.Fatalf("no fit: %v", w)
	}
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.6f, lavaan %.6f", what, got, want)
		}
	}
	near("chi-square", doc.ChiSquare, g.ChiSquare, 1e-3*g.ChiSquare)
	if doc.DF != g.DF || doc.N != g.N || !doc.Converged {
		t.Errorf("df %d, n %d, converged %v; lavaan df %d, n %d", doc.DF, doc.N, doc.Converged, g.DF, g.N)
	}
	near("CFI", doc.CFI, g.CFI, 1e-3)
	near("TLI", doc.TLI, g.TLI, 1e-3)
	near("RMSEA", doc.RMSEA, g.RMSEA, 1e-3)
	near("RMSEA lower", doc.RMSEALower, g.RMSEACILower, 1e-3)
	near("RMSEA upper", doc.RMSEAUpper, g.RMSEACIUpper, 1e-3)
	near("SRMR", doc.SRMR, g.SRMR, 1e-3)
	if len(doc.Loadings) != p {
		t.Fatalf("%d loadings, want %d", len(doc.Loadings), p)
	}
	k := 0
	for fi, f := range g.Factors {
		for j, col := range f.Items {
			l := doc.Loadings[k]
			k++
			if l.Factor != f.Name || l.Item != g.Items[col] {
				t.Errorf("loading %d is %s on %s, want %s on %s", k, l.Item, l.Factor, g.Items[col], f.Name)
			}
			near(l.Factor+" "+l.Item, l.Loading, g.StandardizedLoadings[fi][j], 1e-3)
		}
	}
	for a := range g.FactorCorrelations {
		for b := range g.FactorCorrelations[a] {
			near("factor correlation", doc.FactorCorrelations[a][b], g.FactorCorrelations[a][b], 1e-3)
		}
	}
}
