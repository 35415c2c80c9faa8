//go:build integration

package psychometrics

import (
	"math"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// TestCFAReferenceScript re-runs scripts/r/cfa-reference.R and checks that
// lavaan still says what the committed golden files say (so they are not
// stale and were not edited by hand), then fits the fresh reference. It
// needs Rscript with lavaan and psych (Debian: r-cran-lavaan, r-cran-psych)
// and skips without them.
func TestCFAReferenceScript(t *testing.T) {
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		t.Skip("Rscript not installed (apt-get install r-base-core r-cran-lavaan r-cran-psych)")
	}
	if out, err := exec.Command(rscript, "-e", "library(lavaan); library(psych)").CombinedOutput(); err != nil {
		t.Skipf("lavaan or psych missing (apt-get install r-cran-lavaan r-cran-psych): %v\n%s", err, out)
	}
	dir := t.TempDir()
	cmd := exec.Command(rscript, "scripts/r/cfa-reference.R", dir)
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cfa-reference.R: %v\n%s", err, out)
	}
	for _, name := range []string{"bfi", "sim"} {
		t.Run(name, func(t *testing.T) {
			fresh := readCFAGolden(t, filepath.Join(dir, "cfa_"+name+".json"))
			golden := readCFAGolden(t, filepath.Join("testdata", "cfa_"+name+".json"))
			if fresh.N != golden.N || fresh.DF != golden.DF || !reflect.DeepEqual(fresh.Items, golden.Items) || !reflect.DeepEqual(fresh.Factors, golden.Factors) {
				t.Fatalf("the model changed: n %d, df %d, items %v; committed n %d, df %d, items %v", fresh.N, fresh.DF, fresh.Items, golden.N, golden.DF, golden.Items)
			}
			near := func(what string, a, b float64) {
				t.Helper()
				if math.Abs(a-b) > 1e-7*math.Max(1, math.Abs(b)) {
					t.Errorf("%s: R now says %.12g, the committed file %.12g", what, a, b)
				}
			}
			for i := range fresh.Covariance {
				for j := range fresh.Covariance[i] {
					near("covariance", fresh.Covariance[i][j], golden.Covariance[i][j])
				}
			}
			near("chi_square", fresh.ChiSquare, golden.ChiSquare)
			near("cfi", fresh.CFI, golden.CFI)
			near("tli", fresh.TLI, golden.TLI)
			near("rmsea", fresh.RMSEA, golden.RMSEA)
			near("rmsea_ci_lower", fresh.RMSEACILower, golden.RMSEACILower)
			near("rmsea_ci_upper", fresh.RMSEACIUpper, golden.RMSEACIUpper)
			near("srmr", fresh.SRMR, golden.SRMR)
			for k := range fresh.StandardizedLoadings {
				for j := range fresh.StandardizedLoadings[k] {
					near("loading", fresh.StandardizedLoadings[k][j], golden.StandardizedLoadings[k][j])
				}
			}
			res, err := FitCFAWithOptions(fresh.cov(), fresh.N, fresh.factors(), CFAOptions{ItemNames: fresh.Items})
			if err != nil {
				t.Fatal(err)
			}
			checkCFAAgainstLavaan(t, fresh, res)
		})
	}
}
