package psychometrics

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
	"gonum.org/v1/gonum/mat"
)

// cfaGolden is a reference file written by scripts/r/cfa-reference.R: the
// input of a fit and what lavaan 0.6.14 reports for it.
type cfaGolden struct {
	Source  string   `json:"source"`
	Items   []string `json:"items"`
	Factors []struct {
		Name  string `json:"name"`
		Items []int  `json:"items"`
	} `json:"factors"`
	N                    int         `json:"n"`
	Covariance           [][]float64 `json:"covariance"`
	Converged            bool        `json:"converged"`
	FreeParameters       int         `json:"free_parameters"`
	ChiSquare            float64     `json:"chi_square"`
	DF                   int         `json:"df"`
	PValue               float64     `json:"p_value"`
	BaselineChiSquare    float64     `json:"baseline_chi_square"`
	BaselineDF           int         `json:"baseline_df"`
	CFI                  float64     `json:"cfi"`
	TLI                  float64     `json:"tli"`
	RMSEA                float64     `json:"rmsea"`
	RMSEACILower         float64     `json:"rmsea_ci_lower"`
	RMSEACIUpper         float64     `json:"rmsea_ci_upper"`
	SRMR                 float64     `json:"srmr"`
	StandardizedLoadings [][]float64 `json:"standardized_loadings"`
	FactorCorrelations   [][]float64 `json:"factor_correlations"`
}

func readCFAGolden(tb testing.TB, path string) *cfaGolden {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var g cfaGolden
	if err := json.Unmarshal(b, &g); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return &g
}

func (g *cfaGolden) cov() *mat.SymDense {
	p := len(g.Covariance)
	s := mat.NewSymDense(p, nil)
	for i := range p {
		for j := 0; j <= i; j++ {
			s.SetSym(i, j, g.Covariance[i][j])
		}
	}
	return s
}

func (g *cfaGolden) factors() []CFAFactor {
	var fs []CFAFactor
	for _, f := range g.Factors {
		fs = append(fs, CFAFactor{Name: f.Name, Items: f.Items})
	}
	return fs
}

// checkCFAAgainstLavaan compares a fit with lavaan's figures: fit indices and
// standardized loadings and factor correlations to 1e-3 (absolute), the
// chi-squares to 1e-3 relative, df exactly.
func checkCFAAgainstLavaan(t *testing.T, g *cfaGolden, res *CFAResult) {
	t.Helper()
	if !res.Converged {
		t.Errorf("not converged after %d iterations: %v", res.Iterations, res.Warnings)
	}
	if res.DF != g.DF || res.BaselineDF != g.BaselineDF || res.FreeParameters != g.FreeParameters || res.N != g.N {
		t.Errorf("df %d, baseline df %d, free parameters %d, n %d; lavaan %d, %d, %d, %d",
			res.DF, res.BaselineDF, res.FreeParameters, res.N, g.DF, g.BaselineDF, g.FreeParameters, g.N)
	}
	rel := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-3*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.6f, lavaan %.6f", name, got, want)
		}
	}
	abs := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-3 {
			t.Errorf("%s = %.6f, lavaan %.6f", name, got, want)
		}
	}
	rel("chi_square", res.ChiSquare, g.ChiSquare)
	rel("baseline_chi_square", res.BaselineChiSquare, g.BaselineChiSquare)
	abs("p_value", res.PValue, g.PValue)
	abs("cfi", res.CFI, g.CFI)
	abs("tli", res.TLI, g.TLI)
	abs("rmsea", res.RMSEA, g.RMSEA)
	abs("rmsea_ci_lower", res.RMSEACILower, g.RMSEACILower)
	abs("rmsea_ci_upper", res.RMSEACIUpper, g.RMSEACIUpper)
	abs("srmr", res.SRMR, g.SRMR)
	if len(res.Factors) != len(g.Factors) {
		t.Fatalf("%d factors, lavaan %d", len(res.Factors), len(g.Factors))
	}
	for k, f := range res.Factors {
		if f.Name != g.Factors[k].Name || len(f.Loadings) != len(g.StandardizedLoadings[k]) {
			t.Fatalf("factor %d: %s with %d loadings, lavaan %s with %d", k, f.Name, len(f.Loadings), g.Factors[k].Name, len(g.StandardizedLoadings[k]))
		}
		for j, l := range f.Loadings {
			if l.Item != g.Factors[k].Items[j] {
				t.Errorf("factor %s loading %d is item %d, want %d", f.Name, j, l.Item, g.Factors[k].Items[j])
			}
			abs("loading "+g.Items[l.Item], l.Standardized, g.StandardizedLoadings[k][j])
		}
		for l := range res.FactorCorrelations[k] {
			abs("factor correlation "+f.Name+"~"+g.Factors[l].Name, res.FactorCorrelations[k][l], g.FactorCorrelations[k][l])
		}
	}
}

// TestFitCFALavaan holds the fit to lavaan's on psych's bfi (five scales,
// 2,436 complete cases) and on a simulated pilot of the study instrument.
func TestFitCFALavaan(t *testing.T) {
	for _, name := range []string{"bfi", "sim"} {
		t.Run(name, func(t *testing.T) {
			g := readCFAGolden(t, filepath.Join("testdata", "cfa_"+name+".json"))
			res, err := FitCFAWithOptions(g.cov(), g.N, g.factors(), CFAOptions{ItemNames: g.Items})
			if err != nil {
				t.Fatal(err)
			}
			checkCFAAgainstLavaan(t, g, res)
			if len(res.Warnings) != 0 {
				t.Errorf("warnings on a clean fit: %v", res.Warnings)
			}
			if res.Factors[0].Loadings[0].Name != g.Items[g.Factors[0].Items[0]] {
				t.Errorf("first loading named %q", res.Factors[0].Loadings[0].Name)
			}
			// The covariance's scale does not matter: items in other units
			// (a 0-100 slider instead of 1-5) give the same standardized
			// solution and fit, and unstandardized estimates in their units.
			scaled := mat.NewSymDense(len(g.Items), nil)
			k := make([]float64, len(g.Items))
			for i := range k {
				k[i] = float64(1 + 7*i)
			}
			c := g.cov()
			for i := range k {
				for j := 0; j <= i; j++ {
					scaled.SetSym(i, j, c.At(i, j)*k[i]*k[j])
				}
			}
			res2, err := FitCFA(scaled, g.N, g.factors())
			if err != nil {
				t.Fatal(err)
			}
			checkCFAAgainstLavaan(t, g, res2)
			l, l2 := res.Factors[1].Loadings[2], res2.Factors[1].Loadings[2]
			if math.Abs(l2.Estimate-l.Estimate*k[l.Item]) > 1e-4*math.Abs(l2.Estimate) ||
				math.Abs(l2.ResidualVariance-l.ResidualVariance*k[l.Item]*k[l.Item]) > 1e-4*math.Abs(l2.ResidualVariance) {
				t.Errorf("rescaled item %d: estimate %g, residual %g; want %g, %g", l.Item, l2.Estimate, l2.ResidualVariance, l.Estimate*k[l.Item], l.ResidualVariance*k[l.Item]*k[l.Item])
			}
			if l2.Name != "" {
				t.Errorf("unnamed item got name %q", l2.Name)
			}
		})
	}
}

// TestFitCFASubset fits a model on some of the covariance matrix's items
// only (the others are ignored), in an order other than the matrix's: the
// bfi model of three scales, declared as N, A, E. The loadings follow the
// declared order and name their columns.
func TestFitCFASubset(t *testing.T) {
	g := readCFAGolden(t, filepath.Join("testdata", "cfa_bfi.json"))
	full, err := FitCFA(g.cov(), g.N, g.factors())
	if err != nil {
		t.Fatal(err)
	}
	fs := g.factors()
	sub, err := FitCFA(g.cov(), g.N, []CFAFactor{fs[3], fs[0], fs[2]})
	if err != nil {
		t.Fatal(err)
	}
	if !sub.Converged || sub.Items != 15 || sub.DF != 87 || sub.FreeParameters != 33 {
		t.Fatalf("converged %v, %d items, df %d, %d parameters; want true, 15, 87, 33", sub.Converged, sub.Items, sub.DF, sub.FreeParameters)
	}
	if sub.Factors[0].Name != "N" || sub.Factors[0].Loadings[0].Item != 15 || sub.Factors[1].Loadings[4].Item != 4 {
		t.Errorf("order: %+v", sub.Factors)
	}
	// A different model: close to, but not the same as, the full fit.
	a, b := sub.Factors[1].Loadings[1].Standardized, full.Factors[0].Loadings[1].Standardized
	if math.Abs(a-b) > 0.05 || a == b {
		t.Errorf("A2 loading %g in the three-scale model, %g in the five-scale model", a, b)
	}
	// N~A correlation sits at [0][1] in the declared order.
	if c, want := sub.FactorCorrelations[0][1], full.FactorCorrelations[3][0]; math.Abs(c-want) > 0.05 {
		t.Errorf("N~A correlation %g, five-scale model %g", c, want)
	}
}

// TestFitCFANotConverged: an optimizer stopped early is a result with
// converged false and a warning, never an error, and every figure finite.
func TestFitCFANotConverged(t *testing.T) {
	g := readCFAGolden(t, filepath.Join("testdata", "cfa_bfi.json"))
	res, err := FitCFAWithOptions(g.cov(), g.N, g.factors(), CFAOptions{MaxIterations: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Converged || res.Iterations != 1 {
		t.Errorf("converged %v after %d iterations; want false after 1", res.Converged, res.Iterations)
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "did not converge: it reached its limit of 1 iterations") {
		t.Errorf("warnings %q", res.Warnings)
	}
	if res.ChiSquare <= g.ChiSquare {
		t.Errorf("chi-square after one iteration %g, at the optimum %g", res.ChiSquare, g.ChiSquare)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"converged":false`) {
		t.Errorf("JSON %s", b)
	}
}

// TestFitCFAJustIdentified: one factor of three items has df = 0; it fits
// exactly, and says so instead of giving a p value of NaN.
func TestFitCFAJustIdentified(t *testing.T) {
	g := readCFAGolden(t, filepath.Join("testdata", "cfa_bfi.json"))
	res, err := FitCFA(g.cov(), g.N, []CFAFactor{{Name: "C", Items: []int{5, 6, 7}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.DF != 0 || res.ChiSquare > 1e-6 || res.PValue != 1 || res.RMSEA != 0 || res.CFI < 1-1e-9 || res.TLI != 1 || res.SRMR > 1e-6 {
		t.Errorf("df %d, chi-square %g, p %g, rmsea %g, cfi %g, tli %g, srmr %g", res.DF, res.ChiSquare, res.PValue, res.RMSEA, res.CFI, res.TLI, res.SRMR)
	}
	if !res.Converged || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "just identified") {
		t.Errorf("converged %v, warnings %q", res.Converged, res.Warnings)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatal(err)
	}
}

// TestFitCFARefuses: every model FitCFA cannot fit is refused with an
// invalid error whose details name the place at fault.
func TestFitCFARefuses(t *testing.T) {
	g := readCFAGolden(t, filepath.Join("testdata", "cfa_bfi.json"))
	names := CFAOptions{ItemNames: g.Items}
	bfi := g.cov()
	fs := g.factors()
	// constant: C3 answered the same by everyone.
	constant := mat.NewSymDense(25, nil)
	constant.CopySym(bfi)
	for j := range 25 {
		constant.SetSym(7, j, 0)
	}
	// collinear: E4 replaced by a copy of E2 in other units (2·E2 + 1).
	collinear := mat.NewSymDense(25, nil)
	collinear.CopySym(bfi)
	for j := range 25 {
		collinear.SetSym(13, j, 2*bfi.At(11, j))
	}
	collinear.SetSym(13, 13, 4*bfi.At(11, 11))
	// combination: O5 = O1 + O2 + O3 (no pair perfectly correlated).
	combination := mat.NewSymDense(25, nil)
	combination.CopySym(bfi)
	for j := range 25 {
		combination.SetSym(24, j, bfi.At(20, j)+bfi.At(21, j)+bfi.At(22, j))
	}
	var v float64
	for _, a := range []int{20, 21, 22} {
		for _, b := range []int{20, 21, 22} {
			v += bfi.At(a, b)
		}
	}
	combination.SetSym(24, 24, v)
	big := mat.NewSymDense(155, nil)
	var bigFactors []CFAFactor
	for k := range 31 {
		big.SetSym(k, k, 1)
		bigFactors = append(bigFactors, CFAFactor{Name: string(rune('a' + k)), Items: []int{5 * k, 5*k + 1, 5*k + 2, 5*k + 3, 5*k + 4}})
	}
	nan := mat.NewSymDense(25, nil)
	nan.CopySym(bfi)
	nan.SetSym(3, 1, math.NaN())

	for _, tc := range []struct {
		name    string
		cov     *mat.SymDense
		n       int
		factors []CFAFactor
		path    string
		message string // in the detail
	}{
		{"NoCovariance", nil, 100, fs, "", ""},
		{"NoFactors", bfi, 2436, nil, "factors", "at least one factor"},
		{"EmptyFactor", bfi, 2436, []CFAFactor{fs[0], {Name: "X"}}, "factors[1].items", `factor "X" has no items`},
		{"Unnamed", bfi, 2436, []CFAFactor{fs[0], {Items: []int{5, 6, 7}}}, "factors[1].name", "no name"},
		{"NameTwice", bfi, 2436, []CFAFactor{fs[0], {Name: "A", Items: []int{5, 6, 7}}}, "factors[1].name", `"A" is declared twice`},
		{"OneItem", bfi, 2436, []CFAFactor{fs[0], {Name: "C", Items: []int{5}}}, "factors[1].items", `factor "C" has one item`},
		{"TwoItemsAlone", bfi, 2436, []CFAFactor{{Name: "C", Items: []int{5, 6}}}, "factors[0].items", "no other factor"},
		{"ItemTwice", bfi, 2436, []CFAFactor{fs[0], {Name: "C", Items: []int{5, 6, 2}}}, "factors[1].items[2]", `A3 is already in factor "A"`},
		{"ItemOutside", bfi, 2436, []CFAFactor{fs[0], {Name: "C", Items: []int{5, 6, 25}}}, "factors[1].items[2]", "item column 25 is outside"},
		{"NegativeItem", bfi, 2436, []CFAFactor{fs[0], {Name: "C", Items: []int{-1, 5, 6}}}, "factors[1].items[0]", "item column -1"},
		{"TooManyItems", big, 100000, bigFactors, "factors", "155 items; at most 150"},
		{"TooFewResponses", bfi, 49, fs, "n", "needs at least 61"},
		{"FewerResponsesThanParameters", bfi, 60, fs, "n", "60 complete responses; this model (60 free parameters) needs at least 61"},
		{"ConstantItem", constant, 2436, fs, "factors[1].items[2]", "C3 has no variance"},
		{"CollinearPair", collinear, 2436, fs, "factors[2].items[3]", "E2 and E4 are perfectly correlated"},
		{"LinearCombination", combination, 2436, fs, "factors[4].items[4]", "O5 is a linear combination"},
		{"NotANumber", nan, 2436, fs, "factors[0].items[3]", "A2 and A4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := FitCFAWithOptions(tc.cov, tc.n, tc.factors, names)
			var se *survey.Error
			if !errors.As(err, &se) || se.Code != survey.EInvalid {
				t.Fatalf("got %+v, %v; want an invalid error", res, err)
			}
			if tc.path == "" {
				return
			}
			for _, d := range se.Details {
				if d.Path == tc.path && strings.Contains(d.Message, tc.message) {
					return
				}
			}
			t.Errorf("%s: details %+v; want %s: ...%s...", se.Message, se.Details, tc.path, tc.message)
		})
	}
}

// TestFitCFATwoItemFactors: factors of two items are identified through
// their correlations with the other factors, and fitted.
func TestFitCFATwoItemFactors(t *testing.T) {
	g := readCFAGolden(t, filepath.Join("testdata", "cfa_bfi.json"))
	var fs []CFAFactor
	for k := range 5 {
		fs = append(fs, CFAFactor{Name: g.Factors[k].Name, Items: g.Factors[k].Items[1:3]})
	}
	res, err := FitCFA(g.cov(), g.N, fs)
	if err != nil {
		t.Fatal(err)
	}
	if res.DF != 55-30 || res.FreeParameters != 30 {
		t.Errorf("df %d, %d parameters", res.DF, res.FreeParameters)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatal(err)
	}
}

// TestNoncentralChiSquare checks the CDF behind the RMSEA interval against
// values from R's pchisq(x, df, ncp).
func TestNoncentralChiSquare(t *testing.T) {
	for _, tc := range []struct{ x, k, ncp, want float64 }{
		// R: pchisq(c(...), df, ncp)
		{10, 5, 0, 0.924764753853488},
		{10, 5, 3, 0.717236846431143},
		{4165.4674362280366, 265, 3900, 0.504574975832380},
		{300, 265, 50, 0.296029953465501},
		{300, 265, 0.5, 0.928422895175729},
		{50, 3, 20, 0.992278594068200},
	} {
		if got := ncChiSquareCDF(tc.x, tc.k, tc.ncp); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("P(%g; %g, %g) = %.14f, want %.14f", tc.x, tc.k, tc.ncp, got, tc.want)
		}
	}
}

// TestFitCFAHeywood: a solution with a negative residual variance is
// reported, as lavaan reports it, with a warning. Three items with
// r12 = r13 = 0.8 and r23 = 0.5 imply a squared loading of 0.8·0.8/0.5 =
// 1.28 for the first item, so a residual variance of −0.28.
func TestFitCFAHeywood(t *testing.T) {
	cov := mat.NewSymDense(3, []float64{1, 0.8, 0.8, 0.8, 1, 0.5, 0.8, 0.5, 1})
	res, err := FitCFAWithOptions(cov, 100, []CFAFactor{{Name: "F", Items: []int{0, 1, 2}}}, CFAOptions{ItemNames: []string{"x", "y", "z"}})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Factors[0].Loadings[0]
	if !res.Converged || math.Abs(l.ResidualVariance+0.28) > 1e-6 || math.Abs(l.Standardized-math.Sqrt(1.28)) > 1e-6 {
		t.Errorf("converged %v, x: residual variance %g, standardized loading %g; want true, -0.28, %g", res.Converged, l.ResidualVariance, l.Standardized, math.Sqrt(1.28))
	}
	if len(res.Warnings) != 2 || !strings.Contains(res.Warnings[0], "x has a negative residual variance") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// TestCFAResultJSON pins the JSON names the API serves (api/openapi.yaml
// documents them): lavaan's figures in snake_case, lists never null.
func TestCFAResultJSON(t *testing.T) {
	g := readCFAGolden(t, filepath.Join("testdata", "cfa_sim.json"))
	res, err := FitCFAWithOptions(g.cov(), g.N, g.factors(), CFAOptions{ItemNames: g.Items})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"n", "items", "free_parameters", "chi_square", "df", "p_value", "baseline_chi_square", "baseline_df",
		"cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "factors", "factor_correlations",
		"converged", "iterations", "warnings"}
	if len(got) != len(want) {
		t.Errorf("keys %d, want %d: %s", len(got), len(want), b)
	}
	for _, k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %s", k, b)
		}
	}
	if string(got["warnings"]) != "[]" {
		t.Errorf("warnings %s, want []", got["warnings"])
	}
	var factors []map[string]any
	if err := json.Unmarshal(got["factors"], &factors); err != nil {
		t.Fatal(err)
	}
	l := factors[0]["loadings"].([]any)[0].(map[string]any)
	for _, k := range []string{"item", "name", "estimate", "standardized", "residual_variance"} {
		if _, ok := l[k]; !ok {
			t.Errorf("loading without %q: %v", k, l)
		}
	}
	if factors[0]["name"] != "eff" || l["name"] != "eff_1" {
		t.Errorf("first factor %v, first loading %v", factors[0]["name"], l["name"])
	}
}
