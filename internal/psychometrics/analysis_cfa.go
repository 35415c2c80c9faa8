package psychometrics

// The one place where the analysis flow (analysis.go: the API's and the
// validation page's Service.Analyze) meets the confirmatory factor
// analysis (cfa.go: FitCFA, equal to lavaan's cfa(std.lv = TRUE)).
//
// The flow hands over the analysed items' correlation matrix and its
// sample size. FitCFA takes a covariance divided by n, and the maximum
// likelihood fit is scale-invariant: a correlation matrix is a rescaling
// of that covariance (the n or n − 1 divisor cancels in a correlation), so
// the chi-square, the fit indices and the standardized loadings are those
// of the covariance. With listwise deletion this is lavaan's default fit
// exactly; with pairwise deletion (the analysis's default) the matrix
// mixes sample sizes and n is the respondents analysed, an approximation
// the report's deletion field states.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
	"gonum.org/v1/gonum/mat"
)

func init() { fitDeclared = fitDeclaredCFA }

// fitDeclaredCFA fits groups (columns of r) as correlated factors named
// names. The model's items only are passed to FitCFA, so an analysed item
// outside every subscale does not enter the fit.
func fitDeclaredCFA(r *mat.SymDense, n int, items []string, groups [][]int, names []string) (*CFADoc, []Warning) {
	var cols []int
	factors := make([]CFAFactor, len(groups))
	for g, idx := range groups {
		factors[g].Name = names[g]
		for _, j := range idx {
			factors[g].Items = append(factors[g].Items, len(cols))
			cols = append(cols, j)
		}
	}
	sub := mat.NewSymDense(len(cols), nil)
	itemNames := make([]string, len(cols))
	for a, i := range cols {
		itemNames[a] = items[i]
		for b := a; b < len(cols); b++ {
			sub.SetSym(a, b, r.At(i, cols[b]))
		}
	}
	res, err := FitCFAWithOptions(sub, n, factors, CFAOptions{ItemNames: itemNames})
	if err != nil {
		return nil, []Warning{{Path: "cfa", Message: "the confirmatory factor analysis was not run: " + cfaReason(err)}}
	}
	doc := &CFADoc{Factors: names, N: res.N, ChiSquare: res.ChiSquare, DF: res.DF, P: res.PValue,
		CFI: res.CFI, TLI: res.TLI, RMSEA: res.RMSEA, RMSEALower: res.RMSEACILower, RMSEAUpper: res.RMSEACIUpper,
		SRMR: res.SRMR, Converged: res.Converged, Iterations: res.Iterations, FactorCorrelations: res.FactorCorrelations}
	for _, f := range res.Factors {
		for _, l := range f.Loadings {
			doc.Loadings = append(doc.Loadings, CFADocLoading{Factor: f.Name, Item: l.Name, Loading: l.Standardized})
		}
	}
	var w []Warning
	for _, m := range res.Warnings {
		w = append(w, Warning{Path: "cfa", Message: m})
	}
	return doc, w
}

// cfaReason words FitCFA's refusal for a warning: its message and each
// detail.
func cfaReason(err error) string {
	var e *survey.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	parts := []string{e.Message}
	for _, d := range e.Details {
		parts = append(parts, fmt.Sprintf("%s: %s", d.Path, d.Message))
	}
	return strings.Join(parts, "; ")
}
