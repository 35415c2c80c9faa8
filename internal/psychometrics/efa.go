package psychometrics

// Factor extraction, as psych::fa does it.
//
// Both methods search the uniquenesses ψ (one per item, bounded to
// [0.005, 1] as psych bounds them) for the minimum of a criterion that
// the loadings are then read from:
//
//   - minres (fm = "minres"): the sum of squared residual correlations,
//     Σ over the eigenvalues of R − diag(ψ) beyond the first k of λ², whose
//     gradient is 2·diag(ΛΛ' + diag(ψ) − R); the loadings are the first k
//     eigenvectors of R − diag(ψ) scaled by √λ;
//   - ml (fm = "ml"): the maximum-likelihood discrepancy, from the
//     eigenvalues of ψ^-½ R ψ^-½ (the factanal/psych FAfn and FAgr).
//
// The search runs gonum's L-BFGS on an unbounded t with ψ = lo + (hi −
// lo)·logistic(t), so the bounds hold without a bounded optimizer; at an
// interior minimum (every ordinary data set) the result is psych's.

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Extraction names a factor extraction method.
type Extraction string

// The extraction methods.
const (
	Minres Extraction = "minres"
	ML     Extraction = "ml"
)

// Rotation names a factor rotation.
type Rotation string

// The rotations: none, varimax (orthogonal), oblimin and promax (oblique).
const (
	NoRotation Rotation = "none"
	Varimax    Rotation = "varimax"
	Oblimin    Rotation = "oblimin"
	Promax     Rotation = "promax"
)

// Oblique reports whether the rotation lets factors correlate.
func (r Rotation) Oblique() bool { return r == Oblimin || r == Promax }

// psiLow is psych's lower bound on a uniqueness: a communality of 0.995.
const psiLow = 0.005

// EFAOptions chooses an exploratory factor analysis.
type EFAOptions struct {
	Factors    int
	Extraction Extraction
	Rotation   Rotation
}

// EFA is the result of an exploratory factor analysis.
type EFA struct {
	Factors    int
	Extraction Extraction
	Rotation   Rotation
	// Loadings is items × factors: the pattern matrix after rotation,
	// factors ordered by the variance they explain and signed so that
	// their loadings sum to a positive number (as psych::fa orders them).
	Loadings *mat.Dense
	// Order lists the items (indexes into Loadings' rows) as
	// psych::fa.sort shows them: grouped by the factor they load on most,
	// largest loading first within a group.
	Order []int
	// Phi is the factor correlation matrix of an oblique rotation, nil
	// for an orthogonal one.
	Phi *mat.SymDense
	// Communalities h² and uniquenesses u² = 1 − h², per item.
	Communalities, Uniquenesses []float64
	// Variance is the variance each factor explains (psych's "SS
	// loadings": for oblique factors diag(Φ Λ'Λ)), Proportion its share of
	// the items' total, Cumulative the running sum.
	Variance, Proportion, Cumulative []float64
	// Converged is false when the extraction or the rotation stopped at
	// its iteration limit; Warnings say which and what else is odd.
	Converged bool
	Warnings  []string
	// Objective is the minimized criterion of the extraction.
	Objective float64
}

// FitEFA runs an exploratory factor analysis of the correlation matrix r.
func FitEFA(r *mat.SymDense, opt EFAOptions) (*EFA, error) {
	p := r.SymmetricDim()
	k := opt.Factors
	if k < 1 || k > p-1 {
		return nil, fmt.Errorf("factors must be between 1 and %d (one less than the items), got %d", p-1, k)
	}
	if opt.Extraction == "" {
		opt.Extraction = Minres
	}
	if opt.Rotation == "" {
		opt.Rotation = Oblimin
	}
	ext, err := extract(r, k, opt.Extraction)
	if err != nil {
		return nil, err
	}
	res := &EFA{Factors: k, Extraction: opt.Extraction, Rotation: opt.Rotation, Converged: ext.converged,
		Objective: ext.objective}
	if !ext.converged {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the %s extraction did not converge in %d iterations: the loadings are the last estimate", opt.Extraction, ext.iterations))
	}
	L := ext.loadings
	res.Communalities = make([]float64, p)
	res.Uniquenesses = make([]float64, p)
	heywood := false
	for i := range p {
		h := mat.Dot(L.RowView(i), L.RowView(i))
		res.Communalities[i] = h
		res.Uniquenesses[i] = 1 - h
		if h >= 1-psiLow-1e-6 {
			heywood = true
		}
	}
	if heywood {
		res.Warnings = append(res.Warnings, "an item's communality reached its bound (an ultra-Heywood case): the solution is not trustworthy; try fewer factors")
	}
	if k > 1 {
		switch opt.Rotation {
		case NoRotation:
		case Varimax:
			L, _ = varimax(L)
		case Oblimin:
			var ok bool
			L, res.Phi, ok = oblimin(L)
			if !ok {
				res.Converged = false
				res.Warnings = append(res.Warnings, "the oblimin rotation did not converge in 1000 iterations")
			}
		case Promax:
			L, res.Phi = promax(L)
		default:
			return nil, fmt.Errorf("unknown rotation %q", opt.Rotation)
		}
	} else if opt.Rotation.Oblique() {
		res.Phi = mat.NewSymDense(1, []float64{1})
	}
	res.Loadings, res.Phi = orderFactors(L, res.Phi)
	res.Order = sortedItemOrder(res.Loadings)
	res.Variance = factorVariance(res.Loadings, res.Phi)
	var cum float64
	for _, v := range res.Variance {
		res.Proportion = append(res.Proportion, v/float64(p))
		cum += v / float64(p)
		res.Cumulative = append(res.Cumulative, cum)
	}
	return res, nil
}

// factorVariance is diag(Φ Λ'Λ), or colSums(Λ²) for orthogonal factors.
func factorVariance(L *mat.Dense, phi *mat.SymDense) []float64 {
	p, k := L.Dims()
	var LP mat.Dense
	if phi != nil {
		LP.Mul(L, phi)
	} else {
		LP.CloneFrom(L)
	}
	out := make([]float64, k)
	for j := range k {
		for i := range p {
			out[j] += L.At(i, j) * LP.At(i, j)
		}
	}
	return out
}

// orderFactors signs each factor so its loadings sum positive and orders
// the factors by the variance they explain, largest first.
func orderFactors(L *mat.Dense, phi *mat.SymDense) (*mat.Dense, *mat.SymDense) {
	p, k := L.Dims()
	sign := make([]float64, k)
	for j := range k {
		s := mat.Sum(L.ColView(j))
		sign[j] = 1
		if s < 0 {
			sign[j] = -1
		}
	}
	signed := mat.NewDense(p, k, nil)
	for i := range p {
		for j := range k {
			signed.Set(i, j, L.At(i, j)*sign[j])
		}
	}
	var sphi *mat.SymDense
	if phi != nil {
		sphi = mat.NewSymDense(k, nil)
		for a := range k {
			for b := a; b < k; b++ {
				sphi.SetSym(a, b, phi.At(a, b)*sign[a]*sign[b])
			}
		}
	}
	v := factorVariance(signed, sphi)
	order := make([]int, k)
	for j := range order {
		order[j] = j
	}
	// Stable insertion sort, largest variance first: k is small.
	for a := 1; a < k; a++ {
		for b := a; b > 0 && v[order[b]] > v[order[b-1]]; b-- {
			order[b], order[b-1] = order[b-1], order[b]
		}
	}
	out := mat.NewDense(p, k, nil)
	for j, from := range order {
		for i := range p {
			out.Set(i, j, signed.At(i, from))
		}
	}
	if sphi == nil {
		return out, nil
	}
	ophi := mat.NewSymDense(k, nil)
	for a := range k {
		for b := a; b < k; b++ {
			ophi.SetSym(a, b, sphi.At(order[a], order[b]))
		}
	}
	return out, ophi
}

type extraction struct {
	psi        []float64
	loadings   *mat.Dense
	objective  float64
	converged  bool
	iterations int
}

// Iteration budgets of the extraction: an analysis, and one simulated
// data set of a parallel analysis. The one-factor minres criterion of
// random data is nearly flat along many directions (its eigenvalues
// nearly tie), so a search there crawls without changing the eigenvalues
// the parallel analysis compares; psych's own L-BFGS-B stops early there
// too.
const (
	extractBudget   = 2000
	simulatedBudget = 100
)

// extract finds the uniquenesses and loadings of k factors of r.
func extract(r *mat.SymDense, k int, method Extraction) (*extraction, error) {
	return extractBudgeted(r, k, method, extractBudget)
}

func extractBudgeted(r *mat.SymDense, k int, method Extraction, budget int) (*extraction, error) {
	p := r.SymmetricDim()
	hi := 1.0
	for i := range p {
		hi = max(hi, r.At(i, i))
	}
	lo := psiLow
	// Start where psych starts: ψ = 1 − SMC·(1 − k/2p)... psych uses
	// (1 − 0.5k/p)/diag(R⁻¹), the factanal start; the uniquenesses a
	// one-factor-per-item model implies, shrunk toward the factors.
	start := make([]float64, p)
	var ch mat.Cholesky
	if ch.Factorize(r) {
		var inv mat.SymDense
		if err := ch.InverseTo(&inv); err == nil {
			for i := range p {
				start[i] = (1 - 0.5*float64(k)/float64(p)) / inv.At(i, i)
			}
		}
	}
	for i := range p {
		if start[i] <= lo || start[i] >= hi || math.IsNaN(start[i]) {
			start[i] = 0.5 * (lo + hi)
		}
	}
	var f func(psi []float64, grad []float64) float64
	switch method {
	case Minres:
		f = func(psi, grad []float64) float64 { return minresObjective(r, k, psi, grad) }
	case ML:
		f = func(psi, grad []float64) float64 { return mlObjective(r, k, psi, grad) }
	default:
		return nil, fmt.Errorf("unknown extraction %q", method)
	}
	psi, iters, converged := minimizeBoxed(f, start, lo, hi, budget)
	out := &extraction{psi: psi, iterations: iters, converged: converged}
	out.objective = f(out.psi, nil)
	if method == Minres {
		out.loadings = minresLoadings(r, k, out.psi)
	} else {
		out.loadings = mlLoadings(r, k, out.psi)
	}
	if math.IsNaN(out.objective) || out.loadings == nil {
		return nil, fmt.Errorf("factor extraction failed: the correlation matrix has no usable eigen decomposition")
	}
	return out, nil
}

// minimizeBoxed minimizes f over ψ in [lo, hi]^p from start with
// gonum's L-BFGS on t, ψ = lo + (hi − lo)·logistic(t), and an active set:
// a ψ that ends within boundNear of a bound with the gradient pushing it
// out is fixed at that bound and the rest searched again (and released
// if the gradient turns inward). Without the active set, L-BFGS on t
// creeps towards a bound for hundreds of steps, as the logistic flattens.
//
// budget bounds the L-BFGS iterations over all rounds.
func minimizeBoxed(f func(psi, grad []float64) float64, start []float64, lo, hi float64, budget int) (psi []float64, iters int, converged bool) {
	const boundNear = 1e-3
	p := len(start)
	span := hi - lo
	psi = slices.Clone(start)
	fixed := make([]bool, p)
	g := make([]float64, p)
	full := make([]float64, p)
	for round := 0; round < 4 && iters < budget; round++ {
		var free []int
		for i := range p {
			if !fixed[i] {
				free = append(free, i)
			}
		}
		if len(free) > 0 {
			toPsi := func(t []float64) {
				for k, v := range t {
					psi[free[k]] = lo + span/(1+math.Exp(-v))
				}
			}
			t0 := make([]float64, len(free))
			for k, i := range free {
				u := min(max((psi[i]-lo)/span, 1e-9), 1-1e-9)
				t0[k] = math.Log(u / (1 - u))
			}
			problem := optimize.Problem{
				Func: func(t []float64) float64 {
					toPsi(t)
					return f(psi, nil)
				},
				Grad: func(grad, t []float64) {
					toPsi(t)
					f(psi, g)
					for k, v := range t {
						s := 1 / (1 + math.Exp(-v))
						grad[k] = g[free[k]] * span * s * (1 - s)
					}
				},
			}
			conv := &boundConverger{span: span, near: boundNear, tol: 1e-9}
			res, _ := optimize.Minimize(problem, t0, &optimize.Settings{MajorIterations: budget - iters, Converger: conv}, &optimize.LBFGS{})
			if res == nil {
				return psi, iters, false
			}
			toPsi(res.X)
			iters += res.Stats.MajorIterations
		}
		f(psi, full)
		changed := false
		converged = true
		for i := range p {
			switch {
			case !fixed[i] && psi[i]-lo < boundNear && full[i] > 0:
				fixed[i], psi[i], changed = true, lo, true
			case !fixed[i] && hi-psi[i] < boundNear && full[i] < 0:
				fixed[i], psi[i], changed = true, hi, true
			case fixed[i] && ((psi[i] == lo && full[i] < 0) || (psi[i] == hi && full[i] > 0)):
				fixed[i], changed = false, true
				psi[i] = min(max(psi[i], lo+boundNear), hi-boundNear)
			case !fixed[i] && math.Abs(full[i]) > 1e-6:
				// A line search that fails where the criterion no longer
				// changes in float64 is at the minimum too: judge by the
				// gradient, not the optimizer's status.
				converged = false
			}
		}
		if !changed {
			return psi, iters, converged
		}
	}
	return psi, iters, false
}

// boundConverger stops the search when the gradient in ψ, projected on
// the box (a component that pushes a ψ within near of its bound out of
// the box counts as zero), is below tol; minimizeBoxed then fixes those ψ
// at their bounds. On the unbounded t the gradient of a ψ at its bound
// vanishes only as e^−t, so a plain gradient threshold would walk t to
// ±20 for every item with a communality near 0: the typical item of the
// random data a parallel analysis simulates.
type boundConverger struct {
	span, near, tol float64
}

func (c *boundConverger) Init(int) {}

func (c *boundConverger) Converged(loc *optimize.Location) optimize.Status {
	if loc.Gradient != nil && c.projected(loc.X, loc.Gradient) < c.tol {
		return optimize.GradientThreshold
	}
	return optimize.NotTerminated
}

// projected returns the largest projected gradient component in ψ.
func (c *boundConverger) projected(t, grad []float64) float64 {
	var worst float64
	for i, v := range t {
		s := 1 / (1 + math.Exp(-v))
		d := c.span * s * (1 - s)
		if d == 0 {
			continue // at a bound in float64: ψ cannot move
		}
		g := grad[i] / d
		psi := c.span * s
		if (psi < c.near && g > 0) || (c.span-psi < c.near && g < 0) {
			continue // pushing out of the box at a bound
		}
		worst = max(worst, math.Abs(g))
	}
	return worst
}

// reduced returns R − diag(ψ).
func reduced(r *mat.SymDense, psi []float64) *mat.SymDense {
	s := mat.NewSymDense(r.SymmetricDim(), nil)
	s.CopySym(r)
	for i, v := range psi {
		s.SetSym(i, i, s.At(i, i)-v)
	}
	return s
}

// minresObjective is the sum of squared residuals of the best rank-k fit
// to R − diag(ψ), with its gradient in grad when grad is not nil.
func minresObjective(r *mat.SymDense, k int, psi, grad []float64) float64 {
	vals, vecs, ok := eigenDesc(reduced(r, psi))
	if !ok {
		return math.NaN()
	}
	var f float64
	for j, v := range vals {
		if j >= k || v < 0 {
			f += v * v
		}
	}
	// The gradient (grad may be nil): 2·diag(ΛΛ' + ψ − R) = −2 Σ over
	// the left-out eigenvalues of λ v².
	for i := range grad {
		var s float64
		for j, v := range vals {
			if j >= k || v < 0 {
				s += v * vecs.At(i, j) * vecs.At(i, j)
			}
		}
		grad[i] = -2 * s
	}
	return f
}

func minresLoadings(r *mat.SymDense, k int, psi []float64) *mat.Dense {
	vals, vecs, ok := eigenDesc(reduced(r, psi))
	if !ok {
		return nil
	}
	p := len(psi)
	L := mat.NewDense(p, k, nil)
	for j := range k {
		s := math.Sqrt(max(vals[j], 0))
		for i := range p {
			L.Set(i, j, vecs.At(i, j)*s)
		}
	}
	return L
}

// scaled returns ψ^-½ R ψ^-½.
func scaled(r *mat.SymDense, psi []float64) *mat.SymDense {
	p := len(psi)
	s := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			s.SetSym(i, j, r.At(i, j)/math.Sqrt(psi[i]*psi[j]))
		}
	}
	return s
}

// mlObjective is psych's FAfn: −Σ_{j>k} (ln λ_j − λ_j) − k + p over the
// eigenvalues of ψ^-½ R ψ^-½, with FAgr's gradient diag(ΛΛ' + ψ − R)/ψ².
func mlObjective(r *mat.SymDense, k int, psi, grad []float64) float64 {
	vals, vecs, ok := eigenDesc(scaled(r, psi))
	if !ok {
		return math.NaN()
	}
	p := len(psi)
	var e float64
	for j := k; j < p; j++ {
		if vals[j] <= 0 {
			return math.Inf(1)
		}
		e += math.Log(vals[j]) - vals[j]
	}
	f := -(e - float64(k) + float64(p))
	if grad != nil {
		for i := range p {
			var ll float64
			for j := range k {
				l := math.Sqrt(psi[i]) * vecs.At(i, j) * math.Sqrt(max(vals[j]-1, 0))
				ll += l * l
			}
			grad[i] = (ll + psi[i] - r.At(i, i)) / (psi[i] * psi[i])
		}
	}
	return f
}

func mlLoadings(r *mat.SymDense, k int, psi []float64) *mat.Dense {
	vals, vecs, ok := eigenDesc(scaled(r, psi))
	if !ok {
		return nil
	}
	p := len(psi)
	L := mat.NewDense(p, k, nil)
	for j := range k {
		s := math.Sqrt(max(vals[j]-1, 0))
		for i := range p {
			L.Set(i, j, math.Sqrt(psi[i])*vecs.At(i, j)*s)
		}
	}
	return L
}
