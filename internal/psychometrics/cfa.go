package psychometrics

// Confirmatory factor analysis of a declared structure, as lavaan 0.6.14
// reports `cfa(model, data, std.lv = TRUE)`.
//
// The model: each factor's items load on that factor only, the factors
// are correlated, factor variances are fixed to 1 (std.lv), and every item
// has its own residual variance. With Λ the loadings, Φ the factor
// correlations and Ψ the residual variances, the model implies the
// covariance Σ = ΛΦΛ' + Ψ. The estimates minimise the maximum likelihood
// discrepancy
//
//	F_ML = log|Σ| + tr(S Σ⁻¹) − log|S| − p
//
// where S is the sample covariance divided by n (not n − 1), as lavaan's
// ML does with likelihood = "normal", and n the number of complete cases.
// The test statistic is n·F_ML (lavaan's "standard" test uses n, not
// n − 1, for ML).
//
// The fit works in the correlation metric: S is rescaled to a correlation
// matrix first, and loadings and residual variances are scaled back at the
// end. F_ML is invariant to that rescaling (the model is closed under it),
// so the chi-square is the same, while the optimizer sees a well
// conditioned problem whatever the items' units. The optimizer is gonum's
// BFGS with the analytic gradient (dF/dΣ = Σ⁻¹ − Σ⁻¹SΣ⁻¹, pushed through
// Σ's parameters); a trial point where Σ is not positive definite gets
// +Inf, which the line search treats as "too far" and steps back from, so
// residual variances are free to go negative (Heywood cases) as in lavaan,
// and such a solution is reported with a warning.
//
// The refusals (FitCFA's errors) come first, before any arithmetic: a
// model that is not identified, a sample too small for it, and a
// covariance matrix that is not positive definite, each naming the factor
// or items at fault.

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/dyad-survey/dyad/internal/survey"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
	"gonum.org/v1/gonum/stat/distuv"
)

// CFAFactor declares one factor of a confirmatory model: its name and the
// items loading on it, as column indexes into the covariance matrix.
type CFAFactor struct {
	Name  string
	Items []int
}

// CFAOptions tunes FitCFAWithOptions. The zero value is FitCFA's.
type CFAOptions struct {
	// ItemNames names the covariance matrix's columns, for the results and
	// the error messages; without it items are called "item 7" (the
	// column index).
	ItemNames []string
	// MaxIterations caps the optimizer's iterations; 0 means
	// DefaultCFAMaxIterations. A fit that reaches the cap is reported with
	// Converged false and a warning.
	MaxIterations int
}

const (
	// CFAMinResponses is the fewest complete cases FitCFA accepts, and
	// it needs more complete cases than the model has free parameters
	// in any case. Below about 200 cases maximum likelihood fit indices are
	// known to be biased and the chi-square test poorly calibrated; 50 is
	// a floor against nonsense, not a recommendation.
	CFAMinResponses = 50
	// CFAMaxItems is the most items a confirmatory model may hold. A step
	// of the fit costs a few p×p matrix products, so time grows with p³
	// (measured: 0.2 s for 100 items, 1.1 s for 200, 4.8 s for 300, each in
	// about 25 iterations); instruments' subscale structures stay far
	// below, and the cap keeps one request from holding a core for
	// minutes.
	CFAMaxItems = 150
	// DefaultCFAMaxIterations is the optimizer's iteration cap. A
	// five-factor model of 25 items converges in well under 200.
	DefaultCFAMaxIterations = 2000
)

// CFAResult is a fitted confirmatory factor model, with lavaan's names for
// its figures. Every number is finite: what cannot be computed is 0 with
// a warning.
type CFAResult struct {
	// N is the number of complete cases the covariance came from.
	N int `json:"n"`
	// Items is the number of observed variables in the model (p).
	Items int `json:"items"`
	// FreeParameters counts loadings, residual variances and factor
	// correlations.
	FreeParameters int `json:"free_parameters"`
	// ChiSquare is the model test statistic n·F_ML, with DF degrees of
	// freedom (p(p+1)/2 − FreeParameters) and its upper-tail p value.
	ChiSquare float64 `json:"chi_square"`
	DF        int     `json:"df"`
	PValue    float64 `json:"p_value"`
	// BaselineChiSquare and BaselineDF are the independence model's (all
	// items uncorrelated), against which CFI and TLI compare.
	BaselineChiSquare float64 `json:"baseline_chi_square"`
	BaselineDF        int     `json:"baseline_df"`
	// CFI is the comparative fit index, TLI the Tucker–Lewis index.
	CFI float64 `json:"cfi"`
	TLI float64 `json:"tli"`
	// RMSEA is the root mean square error of approximation with its 90 %
	// confidence interval (noncentral chi-square inversion).
	RMSEA        float64 `json:"rmsea"`
	RMSEACILower float64 `json:"rmsea_ci_lower"`
	RMSEACIUpper float64 `json:"rmsea_ci_upper"`
	// SRMR is the standardized root mean square residual (lavaan's "srmr",
	// Bentler's definition: residual covariances standardized by the
	// sample standard deviations, over the lower triangle with the
	// diagonal).
	SRMR float64 `json:"srmr"`
	// Factors holds each factor's loadings, in the order declared.
	Factors []CFAFactorResult `json:"factors"`
	// FactorCorrelations is the factors' correlation matrix, in the order
	// declared (1 on the diagonal).
	FactorCorrelations [][]float64 `json:"factor_correlations"`
	// Converged says whether the optimizer met its convergence test;
	// Iterations is how many iterations it took.
	Converged  bool `json:"converged"`
	Iterations int  `json:"iterations"`
	// Warnings says, in plain words, what makes the solution doubtful:
	// no convergence, negative residual variances, factor correlations at
	// or beyond ±1, a just-identified model.
	Warnings []string `json:"warnings"`
}

// CFAFactorResult is one factor of a fitted model.
type CFAFactorResult struct {
	Name     string       `json:"name"`
	Loadings []CFALoading `json:"loadings"`
}

// CFALoading is one item's loading on its factor.
type CFALoading struct {
	// Item is the item's column in the covariance matrix; Name its name
	// when CFAOptions.ItemNames gave one.
	Item int    `json:"item"`
	Name string `json:"name,omitempty"`
	// Estimate is the unstandardized loading (factor variance 1);
	// Standardized is lavaan's std.all (loading over the model-implied
	// standard deviation of the item).
	Estimate     float64 `json:"estimate"`
	Standardized float64 `json:"standardized"`
	// ResidualVariance is the item's estimated unique variance; negative
	// values (Heywood cases) come with a warning.
	ResidualVariance float64 `json:"residual_variance"`
}

// FitCFA fits the confirmatory model declared by factors to cov, the sample
// covariance (divided by n) of n complete cases. See FitCFAWithOptions.
func FitCFA(cov *mat.SymDense, n int, factors []CFAFactor) (*CFAResult, error) {
	return FitCFAWithOptions(cov, n, factors, CFAOptions{})
}

// FitCFAWithOptions fits the confirmatory model declared by factors to cov,
// the sample covariance (divided by n) of n complete cases.
//
// It returns a *survey.Error with code survey.EInvalid, whose details name
// the factor or items at fault, when the model is not identified (no
// factor, an empty or unnamed factor, an item in two factors, a factor of
// one item, a factor of two items with no other factor to correlate with,
// negative degrees of freedom), the sample is too small (n below
// CFAMinResponses or not above the number of free parameters), or the
// covariance matrix of the model's items is not positive definite (an item
// without variance, a perfectly correlated pair, an item that is a linear
// combination of others). A fit that does not converge is a result, with
// Converged false and a warning.
func FitCFAWithOptions(cov *mat.SymDense, n int, factors []CFAFactor, opt CFAOptions) (*CFAResult, error) {
	m, err := newCFAModel(cov, n, factors, opt)
	if err != nil {
		return nil, err
	}
	maxIter := opt.MaxIterations
	if maxIter <= 0 {
		maxIter = DefaultCFAMaxIterations
	}
	return m.fit(maxIter), nil
}

// cfaModel is a validated model ready to fit, in the correlation metric.
type cfaModel struct {
	n, p, m int
	names   []string      // item names, in model order
	columns []int         // covariance columns, in model order
	factor  []int         // factor of each item, in model order
	fnames  []string      // factor names
	sd      []float64     // sample standard deviations of the items
	r       *mat.SymDense // sample correlation matrix of the model's items
	logDetR float64

	// Work space for one evaluation: Σ, its Cholesky factor and inverse,
	// and W = Σ⁻¹ − Σ⁻¹RΣ⁻¹.
	sigma, inv, w *mat.SymDense
	chol          mat.Cholesky
	tmp, tmp2     *mat.Dense
	// The point whose F_ML the work space holds, so that the gradient at
	// the point just evaluated (the usual request) does not factorize Σ
	// again.
	lastX []float64
	lastF float64
}

// Parameter layout: p loadings, p residual variances, then the m(m−1)/2
// factor correlations in row order of the strict lower triangle.
func (c *cfaModel) nparams() int { return 2*c.p + c.m*(c.m-1)/2 }

func (c *cfaModel) phiIndex(k, l int) int {
	if k < l {
		k, l = l, k
	}
	return 2*c.p + k*(k-1)/2 + l
}

func (c *cfaModel) phi(x []float64, k, l int) float64 {
	if k == l {
		return 1
	}
	return x[c.phiIndex(k, l)]
}

func cfaInvalid(message string, details ...survey.Detail) error {
	return &survey.Error{Code: survey.EInvalid, Message: message, Details: details}
}

func newCFAModel(cov *mat.SymDense, n int, factors []CFAFactor, opt CFAOptions) (*cfaModel, error) {
	if cov == nil {
		return nil, cfaInvalid("no covariance matrix to fit")
	}
	dim := cov.SymmetricDim()
	itemName := func(col int) string {
		if col >= 0 && col < len(opt.ItemNames) && opt.ItemNames[col] != "" {
			return opt.ItemNames[col]
		}
		return "item " + strconv.Itoa(col)
	}
	if len(factors) == 0 {
		return nil, cfaInvalid("the model declares no factor", survey.Detail{Path: "factors", Message: "declare at least one factor with its items"})
	}

	// The declared structure: every problem at once, each at its place.
	var problems survey.Problems
	c := &cfaModel{n: n, m: len(factors)}
	seenItem := map[int]string{}
	seenName := map[string]bool{}
	for fi, f := range factors {
		path := fmt.Sprintf("factors[%d]", fi)
		switch {
		case f.Name == "":
			problems.Add(path+".name", "the factor has no name")
		case seenName[f.Name]:
			problems.Add(path+".name", "factor name %q is declared twice", f.Name)
		}
		seenName[f.Name] = true
		c.fnames = append(c.fnames, f.Name)
		label := fmt.Sprintf("factor %q", f.Name)
		switch {
		case len(f.Items) == 0:
			problems.Add(path+".items", "%s has no items", label)
		case len(f.Items) == 1:
			problems.Add(path+".items", "%s has one item: a factor needs 3 items, or 2 when it correlates with another factor, to be identified", label)
		case len(f.Items) == 2 && len(factors) == 1:
			problems.Add(path+".items", "%s has two items and no other factor to correlate with: a single factor needs at least 3 items to be identified", label)
		}
		for ii, col := range f.Items {
			ipath := fmt.Sprintf("%s.items[%d]", path, ii)
			if col < 0 || col >= dim {
				problems.Add(ipath, "item column %d is outside the covariance matrix (%d items)", col, dim)
				continue
			}
			if other, dup := seenItem[col]; dup {
				problems.Add(ipath, "%s is already in factor %q: each item loads on one factor only", itemName(col), other)
				continue
			}
			seenItem[col] = f.Name
			c.columns = append(c.columns, col)
			c.names = append(c.names, itemName(col))
			c.factor = append(c.factor, fi)
		}
	}
	if err := problems.Err(survey.EInvalid, "the factor model is not identified"); err != nil {
		return nil, err
	}
	c.p = len(c.columns)
	if c.p > CFAMaxItems {
		return nil, cfaInvalid("the factor model has too many items", survey.Detail{Path: "factors",
			Message: fmt.Sprintf("%d items; at most %d", c.p, CFAMaxItems)})
	}
	moments := c.p * (c.p + 1) / 2
	if df := moments - c.nparams(); df < 0 {
		return nil, cfaInvalid("the factor model is not identified", survey.Detail{Path: "factors",
			Message: fmt.Sprintf("%d free parameters but only %d variances and covariances (df = %d)", c.nparams(), moments, df)})
	}
	if minN := max(CFAMinResponses, c.nparams()+1); n < minN {
		return nil, cfaInvalid("too few responses for a confirmatory factor analysis", survey.Detail{Path: "n",
			Message: fmt.Sprintf("%d complete responses; this model (%d free parameters) needs at least %d", n, c.nparams(), minN)})
	}
	if err := c.setCorrelation(cov); err != nil {
		return nil, err
	}
	return c, nil
}

// setCorrelation checks that the model items' covariance matrix is
// positive definite, naming the items that make it singular, and keeps
// its correlation form.
func (c *cfaModel) setCorrelation(cov *mat.SymDense) error {
	p := c.p
	c.sd = make([]float64, p)
	var problems survey.Problems
	for i, col := range c.columns {
		v := cov.At(col, col)
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			problems.Add(c.itemPath(i), "%s has no finite variance", c.names[i])
		case v <= 0:
			problems.Add(c.itemPath(i), "%s has no variance: every respondent gave the same answer", c.names[i])
		}
		c.sd[i] = math.Sqrt(v)
	}
	if err := problems.Err(survey.EInvalid, "the covariance matrix is not positive definite"); err != nil {
		return err
	}
	c.r = mat.NewSymDense(p, nil)
	for i := 0; i < p; i++ {
		for j := 0; j <= i; j++ {
			v := cov.At(c.columns[i], c.columns[j]) / (c.sd[i] * c.sd[j])
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return cfaInvalid("the covariance matrix is not finite", survey.Detail{Path: c.itemPath(i),
					Message: fmt.Sprintf("the covariance of %s and %s is not a finite number", c.names[j], c.names[i])})
			}
			if i == j {
				v = 1
			}
			c.r.SetSym(i, j, v)
		}
	}
	// Perfectly correlated pairs first, named together; then, by a
	// Cholesky decomposition in model order, any item that is a linear
	// combination of the items before it.
	for i := 0; i < p; i++ {
		for j := 0; j < i; j++ {
			if math.Abs(c.r.At(i, j)) > 1-1e-9 {
				problems.Add(c.itemPath(i), "%s and %s are perfectly correlated (r = %.6g): drop one of them", c.names[j], c.names[i], c.r.At(i, j))
			}
		}
	}
	if err := problems.Err(survey.EInvalid, "the covariance matrix is not positive definite"); err != nil {
		return err
	}
	l := make([]float64, p*p)
	for k := 0; k < p; k++ {
		for i := k; i < p; i++ {
			s := c.r.At(i, k)
			for j := 0; j < k; j++ {
				s -= l[i*p+j] * l[k*p+j]
			}
			if i == k {
				// s is the share of item k's variance the items before it
				// do not explain.
				if s < 1e-10 {
					return cfaInvalid("the covariance matrix is not positive definite", survey.Detail{Path: c.itemPath(k),
						Message: c.names[k] + " is a linear combination of the items before it in the model: drop it or one of those"})
				}
				l[k*p+k] = math.Sqrt(s)
				c.logDetR += math.Log(s)
			} else {
				l[i*p+k] = s / l[k*p+k]
			}
		}
	}
	return nil
}

// itemPath is the request path of the model's i-th item.
func (c *cfaModel) itemPath(i int) string {
	f := c.factor[i]
	first := 0
	for first < i && c.factor[first] != f {
		first++
	}
	return fmt.Sprintf("factors[%d].items[%d]", f, i-first)
}

// start returns starting values: per factor, the loadings of its first
// principal component (a one-factor approximation, bounded away from 0
// and 1), residual variances 1 − loading², and factor correlations the
// correlations of the factors' unit-weighted sums (signed by those
// loadings), which are attenuated but always form a valid correlation
// matrix, so that the starting Σ is positive definite.
func (c *cfaModel) start() []float64 {
	x := make([]float64, c.nparams())
	sign := make([]float64, c.p)
	for f := 0; f < c.m; f++ {
		var idx []int
		for i := 0; i < c.p; i++ {
			if c.factor[i] == f {
				idx = append(idx, i)
			}
		}
		sub := mat.NewSymDense(len(idx), nil)
		for a, i := range idx {
			for b, j := range idx[:a+1] {
				sub.SetSym(a, b, c.r.At(i, j))
			}
		}
		var eig mat.EigenSym
		lead := make([]float64, len(idx))
		if eig.Factorize(sub, true) {
			vals := eig.Values(nil)
			var vecs mat.Dense
			eig.VectorsTo(&vecs)
			top := len(vals) - 1 // ascending order
			var sum float64
			for a := range idx {
				lead[a] = vecs.At(a, top) * math.Sqrt(math.Max(vals[top], 0))
				sum += lead[a]
			}
			if sum < 0 {
				for a := range lead {
					lead[a] = -lead[a]
				}
			}
		}
		for a, i := range idx {
			v := lead[a]
			s := 1.0
			if v < 0 {
				s = -1
			}
			v = s * math.Min(math.Max(math.Abs(v), 0.2), 0.9)
			x[i] = v
			x[c.p+i] = 1 - v*v
			sign[i] = s
		}
	}
	// Unit-weighted sums: cov(F_k, F_l) = Σ_{i∈k, j∈l} s_i s_j r_ij.
	cv := make([]float64, c.m*c.m)
	for i := 0; i < c.p; i++ {
		for j := 0; j < c.p; j++ {
			cv[c.factor[i]*c.m+c.factor[j]] += sign[i] * sign[j] * c.r.At(i, j)
		}
	}
	for k := 0; k < c.m; k++ {
		for l := 0; l < k; l++ {
			v := cv[k*c.m+l] / math.Sqrt(cv[k*c.m+k]*cv[l*c.m+l])
			if math.IsNaN(v) {
				v = 0
			}
			x[c.phiIndex(k, l)] = math.Max(-0.95, math.Min(0.95, v))
		}
	}
	return x
}

// implied sets c.sigma to the model-implied correlation-metric Σ at x.
func (c *cfaModel) implied(x []float64) {
	for i := 0; i < c.p; i++ {
		for j := 0; j < i; j++ {
			c.sigma.SetSym(i, j, x[i]*x[j]*c.phi(x, c.factor[i], c.factor[j]))
		}
		c.sigma.SetSym(i, i, x[i]*x[i]+x[c.p+i])
	}
}

// objective is F_ML at x, or +Inf where Σ is not positive definite. It
// leaves Σ⁻¹ in c.inv for the gradient.
func (c *cfaModel) objective(x []float64) float64 {
	if c.lastX != nil && floats.Equal(x, c.lastX) {
		return c.lastF
	}
	c.lastX = append(c.lastX[:0], x...)
	c.lastF = c.evaluate(x)
	return c.lastF
}

// evaluate computes objective's value.
func (c *cfaModel) evaluate(x []float64) float64 {
	c.implied(x)
	if !c.chol.Factorize(c.sigma) {
		return math.Inf(1)
	}
	if err := c.chol.InverseTo(c.inv); err != nil {
		return math.Inf(1)
	}
	var tr float64
	for i := 0; i < c.p; i++ {
		for j := 0; j < c.p; j++ {
			tr += c.r.At(i, j) * c.inv.At(i, j)
		}
	}
	f := c.chol.LogDet() + tr - c.logDetR - float64(c.p)
	if math.IsNaN(f) {
		return math.Inf(1)
	}
	return f
}

// gradient sets g to dF_ML/dx, through W = Σ⁻¹ − Σ⁻¹RΣ⁻¹ = dF/dΣ:
// dF/dλ_i = 2 Σ_j W_ij λ_j φ_f(i)f(j), dF/dψ_i = W_ii, and
// dF/dφ_kl = 2 Σ_{i∈k, j∈l} W_ij λ_i λ_j.
// It goes through objective, which factorizes Σ again only when the
// optimizer asks for the gradient at a point other than the last one whose
// value it asked for.
func (c *cfaModel) gradient(g, x []float64) {
	if math.IsInf(c.objective(x), 1) {
		for i := range g {
			g[i] = 0
		}
		return
	}
	c.tmp.Mul(c.inv, c.r)
	c.tmp2.Mul(c.tmp, c.inv)
	for i := 0; i < c.p; i++ {
		for j := 0; j <= i; j++ {
			c.w.SetSym(i, j, c.inv.At(i, j)-c.tmp2.At(i, j))
		}
	}
	for i := range g {
		g[i] = 0
	}
	for i := 0; i < c.p; i++ {
		fi := c.factor[i]
		var s float64
		for j := 0; j < c.p; j++ {
			w := c.w.At(i, j)
			s += w * x[j] * c.phi(x, fi, c.factor[j])
			if fj := c.factor[j]; fj < fi {
				g[c.phiIndex(fi, fj)] += 2 * w * x[i] * x[j]
			}
		}
		g[i] = 2 * s
		g[c.p+i] = c.w.At(i, i)
	}
}

// fit runs the optimizer from the starting values and reports.
func (c *cfaModel) fit(maxIter int) *CFAResult {
	p := c.p
	c.sigma = mat.NewSymDense(p, nil)
	c.inv = mat.NewSymDense(p, nil)
	c.w = mat.NewSymDense(p, nil)
	c.tmp = mat.NewDense(p, p, nil)
	c.tmp2 = mat.NewDense(p, p, nil)

	x0 := c.start()
	problem := optimize.Problem{Func: c.objective, Grad: c.gradient}
	settings := &optimize.Settings{
		GradientThreshold: 1e-7,
		MajorIterations:   maxIter,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-14, Relative: 1e-14, Iterations: 50},
	}
	res, err := optimize.Minimize(problem, x0, settings, &optimize.BFGS{})
	out := &CFAResult{N: c.n, Items: p, FreeParameters: c.nparams(), Warnings: []string{}}
	x := x0
	if res != nil && res.X != nil {
		x = res.X
		out.Iterations = res.Stats.MajorIterations
	}
	// Converged: the optimizer stopped on its own test, or because its line
	// search could not improve on a point already at the precision floor
	// (what BFGS reports there), but not on a cap; and the gradient is
	// small by a test of our own, since BFGS can also stop on a flat stretch
	// far from a stationary point.
	g := make([]float64, len(x))
	c.gradient(g, x)
	var gmax float64
	for _, v := range g {
		gmax = math.Max(gmax, math.Abs(v))
	}
	stopped := res != nil && (res.Status == optimize.GradientThreshold || res.Status == optimize.FunctionConvergence ||
		res.Status == optimize.Failure && errors.Is(err, optimize.ErrLinesearcherFailure))
	out.Converged = stopped && gmax < 1e-5
	if !out.Converged {
		why := fmt.Sprintf("it reached its limit of %d iterations", maxIter)
		if res == nil || res.Status != optimize.IterationLimit {
			why = fmt.Sprintf("it stopped after %d iterations", out.Iterations)
			if err != nil {
				why += " (" + err.Error() + ")"
			}
		}
		out.Warnings = append(out.Warnings, fmt.Sprintf("the optimizer did not converge: %s, with a gradient of up to %.3g; the estimates and fit indices are not trustworthy", why, gmax))
	}
	c.report(out, x)
	return out
}

// report fills the estimates and fit indices of out from the solution x.
func (c *cfaModel) report(out *CFAResult, x []float64) {
	p, m := c.p, c.m
	f := c.objective(x)
	if math.IsInf(f, 1) {
		// Only when the optimizer never left an invalid region, which
		// the starting values rule out; keep the JSON finite regardless.
		f = 0
		out.Warnings = append(out.Warnings, "the model-implied covariance matrix is not positive definite at the solution; the fit indices are not meaningful")
	}
	// Model-implied variances in the correlation metric, for std.all.
	c.implied(x)
	for fi := 0; fi < m; fi++ {
		out.Factors = append(out.Factors, CFAFactorResult{Name: c.fnames[fi], Loadings: []CFALoading{}})
	}
	for i := 0; i < p; i++ {
		name := c.names[i]
		if name == "item "+strconv.Itoa(c.columns[i]) {
			name = ""
		}
		std := x[i] / math.Sqrt(math.Abs(c.sigma.At(i, i)))
		fr := &out.Factors[c.factor[i]]
		fr.Loadings = append(fr.Loadings, CFALoading{
			Item: c.columns[i], Name: name,
			Estimate:         x[i] * c.sd[i],
			Standardized:     std,
			ResidualVariance: x[p+i] * c.sd[i] * c.sd[i],
		})
		if x[p+i] < 0 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s has a negative residual variance (a Heywood case): the solution is not admissible", c.names[i]))
		}
	}
	out.FactorCorrelations = make([][]float64, m)
	for k := 0; k < m; k++ {
		out.FactorCorrelations[k] = make([]float64, m)
		for l := 0; l < m; l++ {
			out.FactorCorrelations[k][l] = c.phi(x, k, l)
			if l < k && math.Abs(c.phi(x, k, l)) >= 1 {
				out.Warnings = append(out.Warnings, fmt.Sprintf("the correlation of factors %q and %q is %.3f, at or beyond ±1: the factors are not distinct, or the model is misspecified", c.fnames[k], c.fnames[l], c.phi(x, k, l)))
			}
		}
	}
	// Sign: a factor's direction is arbitrary. As in lavaan (whose
	// starting values fix it), the factor's first item loads positively;
	// a factor whose items are mostly reverse-keyed relative to its first
	// item then has mostly negative loadings.
	for k := range out.Factors {
		if out.Factors[k].Loadings[0].Standardized >= 0 {
			continue
		}
		for j := range out.Factors[k].Loadings {
			out.Factors[k].Loadings[j].Estimate *= -1
			out.Factors[k].Loadings[j].Standardized *= -1
		}
		for l := 0; l < m; l++ {
			if l != k {
				out.FactorCorrelations[k][l] *= -1
				out.FactorCorrelations[l][k] *= -1
			}
		}
	}

	n := float64(c.n)
	out.DF = p*(p+1)/2 - c.nparams()
	out.ChiSquare = math.Max(n*f, 0)
	out.BaselineDF = p * (p - 1) / 2
	// The independence model's Σ is diag(S): F = Σ log s_ii − log|S|,
	// which in the correlation metric is −log|R|.
	out.BaselineChiSquare = math.Max(-n*c.logDetR, 0)
	out.SRMR = c.srmr()
	cfaFitIndices(out)
	if out.DF == 0 {
		out.Warnings = append(out.Warnings, "the model is just identified (df = 0): it reproduces the covariances exactly, so its fit cannot be tested")
	}
	cfaSanitize(out)
}

// srmr is lavaan's "srmr" (srmr_bentler): the residuals R − Σ̂ in the
// correlation metric of the sample (so standardized by the sample standard
// deviations, the model's diagonal included), root mean square over the
// p(p+1)/2 elements of the lower triangle with the diagonal. c.sigma holds
// Σ̂.
func (c *cfaModel) srmr() float64 {
	var ss float64
	for i := 0; i < c.p; i++ {
		for j := 0; j <= i; j++ {
			d := c.r.At(i, j) - c.sigma.At(i, j)
			ss += d * d
		}
	}
	return math.Sqrt(ss / float64(c.p*(c.p+1)/2))
}

// cfaFitIndices sets the p value, CFI, TLI and RMSEA with its interval from
// the chi-squares, as lavaan 0.6.14 computes them.
func cfaFitIndices(out *CFAResult) {
	x2, df := out.ChiSquare, float64(out.DF)
	bx2, bdf := out.BaselineChiSquare, float64(out.BaselineDF)
	n := float64(out.N)
	if out.DF > 0 {
		out.PValue = distuv.ChiSquared{K: df}.Survival(x2)
	} else {
		out.PValue = 1
	}
	// CFI = 1 − max(χ² − df, 0) / max(χ² − df, χ²_b − df_b, 0).
	t1, t2 := x2-df, bx2-bdf
	if den := math.Max(math.Max(t1, t2), 0); den > 0 {
		out.CFI = 1 - math.Max(t1, 0)/den
	} else {
		out.CFI = 1
	}
	// TLI = 1 − ((χ² − df)·df_b) / ((χ²_b − df_b)·df), that is
	// (χ²_b/df_b − χ²/df) / (χ²_b/df_b − 1); 1 for a model without degrees
	// of freedom or a baseline that fits perfectly, as lavaan has it.
	out.TLI = 1
	if den := (bx2 - bdf) * df; out.DF > 0 && den != 0 {
		out.TLI = 1 - (t1*bdf)/den
	}
	if out.DF > 0 {
		out.RMSEA = math.Sqrt(math.Max((x2/n)/df-1/n, 0))
		out.RMSEACILower, out.RMSEACIUpper = rmseaInterval(x2, df, n)
	}
}

// rmseaInterval is the 90 % interval of the RMSEA, as lavaan finds it:
// the noncentrality λ at which χ² is the 95th (lower bound) or 5th (upper
// bound) percentile of a noncentral chi-square with df degrees of freedom,
// turned into sqrt(λ / (n·df)); a bound is 0 when even λ = 0 does not
// reach it.
func rmseaInterval(x2, df, n float64) (lower, upper float64) {
	cdf := func(lambda float64) float64 { return ncChiSquareCDF(x2, df, lambda) }
	if cdf(0) >= 0.95 {
		lower = math.Sqrt(cfaBisect(func(l float64) float64 { return cdf(l) - 0.95 }, 0, x2) / (n * df))
	}
	hi := math.Max(n, 4*x2)
	if cdf(0) >= 0.05 && cdf(hi) <= 0.05 {
		upper = math.Sqrt(cfaBisect(func(l float64) float64 { return cdf(l) - 0.05 }, 0, hi) / (n * df))
	}
	return lower, upper
}

// cfaBisect finds a root of the decreasing function f on [lo, hi], where
// f(lo) ≥ 0 ≥ f(hi), to double precision.
func cfaBisect(f func(float64) float64, lo, hi float64) float64 {
	for i := 0; i < 200 && hi-lo > 1e-12*math.Max(1, hi); i++ {
		mid := (lo + hi) / 2
		if f(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// ncChiSquareCDF is P(X ≤ x) for X noncentral chi-square with k degrees of
// freedom and noncentrality lambda: the Poisson(λ/2) mixture of central
// chi-squares with k + 2j degrees of freedom. The sum starts at the
// Poisson mode and runs both ways; the central CDFs, regularized gamma
// functions P(a, x/2) with a = k/2 + j, follow from one another by
// P(a+1, y) = P(a, y) − y^a e^−y / Γ(a+1).
func ncChiSquareCDF(x, k, lambda float64) float64 {
	if x <= 0 {
		return 0
	}
	y, mu := x/2, lambda/2
	if mu == 0 {
		return distuv.ChiSquared{K: k}.CDF(x)
	}
	j0 := math.Floor(mu)
	logPois := func(j float64) float64 { lg, _ := math.Lgamma(j + 1); return -mu + j*math.Log(mu) - lg }
	logTerm := func(a float64) float64 { lg, _ := math.Lgamma(a + 1); return a*math.Log(y) - y - lg } // y^a e^−y / Γ(a+1)
	a0 := k/2 + j0
	p0 := distuv.ChiSquared{K: 2 * a0}.CDF(x)
	sum := math.Exp(logPois(j0)) * p0
	// Upwards: j0+1, j0+2, ...
	pa := p0
	for j := j0 + 1; j < j0+1e6; j++ {
		a := k/2 + j - 1
		pa = math.Max(pa-math.Exp(logTerm(a)), 0)
		w := math.Exp(logPois(j))
		sum += w * pa
		if w < 1e-18 || pa == 0 {
			break
		}
	}
	// Downwards: j0−1, ..., 0.
	pa = p0
	for j := j0 - 1; j >= 0; j-- {
		a := k/2 + j
		pa = math.Min(pa+math.Exp(logTerm(a)), 1)
		w := math.Exp(logPois(j))
		sum += w * pa
		if w < 1e-18 {
			break
		}
	}
	return math.Min(math.Max(sum, 0), 1)
}

// cfaSanitize replaces any non-finite figure by 0 with a warning, so the
// result always encodes as JSON.
func cfaSanitize(out *CFAResult) {
	fix := func(name string, v *float64) {
		if math.IsNaN(*v) || math.IsInf(*v, 0) {
			*v = 0
			out.Warnings = append(out.Warnings, name+" could not be computed")
		}
	}
	fix("chi_square", &out.ChiSquare)
	fix("p_value", &out.PValue)
	fix("baseline_chi_square", &out.BaselineChiSquare)
	fix("cfi", &out.CFI)
	fix("tli", &out.TLI)
	fix("rmsea", &out.RMSEA)
	fix("rmsea_ci_lower", &out.RMSEACILower)
	fix("rmsea_ci_upper", &out.RMSEACIUpper)
	fix("srmr", &out.SRMR)
	for k := range out.Factors {
		for j := range out.Factors[k].Loadings {
			l := &out.Factors[k].Loadings[j]
			fix("a loading", &l.Estimate)
			fix("a standardized loading", &l.Standardized)
			fix("a residual variance", &l.ResidualVariance)
		}
	}
	for k := range out.FactorCorrelations {
		for l := range out.FactorCorrelations[k] {
			fix("a factor correlation", &out.FactorCorrelations[k][l])
		}
	}
}
