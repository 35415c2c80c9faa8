package admin

import (
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/psychometrics"
)

// TestFitReadings: each index is read against its conventional cut-offs,
// on both sides of each.
func TestFitReadings(t *testing.T) {
	for _, c := range []struct {
		cfi, tli, rmsea, srmr float64
		want                  []string
	}{
		{0.97, 0.96, 0.04, 0.03, []string{"good", "good", "close fit", "good"}},
		{0.93, 0.91, 0.07, 0.09, []string{"acceptable", "acceptable", "reasonable", "poor"}},
		{0.85, 0.80, 0.09, 0.12, []string{"poor", "poor", "mediocre", "poor"}},
		{0.50, 0.40, 0.15, 0.20, []string{"poor", "poor", "poor", "poor"}},
	} {
		v := cfaViewOf(&psychometrics.CFADoc{Factors: []string{"a", "b"}, N: 300, ChiSquare: 40.5, DF: 19, P: 0.0027,
			CFI: c.cfi, TLI: c.tli, RMSEA: c.rmsea, RMSEALower: c.rmsea - 0.01, RMSEAUpper: c.rmsea + 0.01, SRMR: c.srmr, Converged: true})
		for i, r := range v.Readings {
			if !strings.HasPrefix(r.Reading, c.want[i]) {
				t.Errorf("%s %s: %q, want %s", r.Index, r.Value, r.Reading, c.want[i])
			}
		}
		if v.Factors != "a, b" || v.ChiSquare != "χ²(19) = 40.5, p 0.003, n = 300" {
			t.Errorf("factors %q, chi-square %q", v.Factors, v.ChiSquare)
		}
	}
}

func TestFixedNoNegativeZero(t *testing.T) {
	for v, want := range map[float64]string{-0.001: "0.00", -0.004999: "0.00", -0.005001: "-0.01", 0.004: "0.00", -1.5: "-1.50"} {
		if got := f2(v); got != want {
			t.Errorf("f2(%v) = %q, want %q", v, got, want)
		}
	}
}
