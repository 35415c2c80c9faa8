package psychometrics

// Polychoric correlations, as psych::polychoric computes them (its
// defaults: global thresholds, correct = 0.5, smooth = TRUE).
//
// Each item's answers are taken as a normal variable cut at thresholds;
// an item's thresholds are the normal quantiles of its cumulative answer
// proportions (over every respondent who answered it). The polychoric
// correlation of two items is the correlation of the bivariate normal
// that, cut at both items' thresholds, gives their two-way table of
// answers the highest likelihood, found on (−1, 1) by Brent's method (R's
// optimize, which psych calls with its default tolerance of about 1e-4;
// the search here goes to 1e-10).
//
// psych uses every item's own thresholds when the items share their
// number of categories (global); otherwise, pair by pair, the thresholds
// of the pair's table after empty rows and columns are dropped and empty
// cells set to 0.5/n (the correction for continuity). A matrix that is
// not positive definite is smoothed as psych::cor.smooth does.

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// MaxPolychoricCategories is psych's max.cat: with more categories than
// this an item is as good as continuous.
const MaxPolychoricCategories = 8

// Polychoric returns the polychoric correlations of d's items. It fails
// with *ErrDegenerate for an item without variance or a pair no
// respondent answered together, and with an error for answers that are
// not whole numbers or span more than MaxPolychoricCategories values. The
// warnings say when empty cells were corrected or the matrix smoothed.
func Polychoric(d *Data) (*Correlation, []string, error) {
	return polychoric(d, nil)
}

func polychoric(d *Data, w []float64) (*Correlation, []string, error) {
	weight := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}
	p := d.Cols()
	lo, hi := math.Inf(1), math.Inf(-1)
	itemMax := make([]float64, p)
	for j := range itemMax {
		itemMax[j] = math.Inf(-1)
	}
	rows := 0.0
	for i := range d.n {
		if weight(i) == 0 {
			continue
		}
		rows += weight(i)
		for j, v := range d.row(i) {
			if isNaN32(v) {
				continue
			}
			x := float64(v)
			if x != math.Trunc(x) {
				return nil, nil, fmt.Errorf("polychoric correlations need whole-number answers; %s has %g", d.Items[j], x)
			}
			lo, hi = min(lo, x), max(hi, x)
			itemMax[j] = max(itemMax[j], x)
		}
	}
	if math.IsInf(lo, 0) {
		return nil, nil, &ErrDegenerate{Problems: []Degenerate{{Path: "items", Message: "no answers to correlate"}}}
	}
	k := int(hi-lo) + 1
	if k > MaxPolychoricCategories {
		return nil, nil, fmt.Errorf("polychoric correlations are for items of at most %d categories; these answers span %d values (use pearson)", MaxPolychoricCategories, k)
	}
	global := true
	for _, m := range itemMax {
		if m != itemMax[0] {
			global = false
		}
	}
	// Tables: per item its answer counts, per pair (j < l) the two-way
	// table of the respondents who answered both.
	freq := make([][]float64, p)
	for j := range freq {
		freq[j] = make([]float64, k)
	}
	tabs := make([][]float64, p*p)
	for j := range p {
		for l := j + 1; l < p; l++ {
			tabs[j*p+l] = make([]float64, k*k)
		}
	}
	cat := make([]int, p)
	for i := range d.n {
		wi := weight(i)
		if wi == 0 {
			continue
		}
		r := d.row(i)
		for j, v := range r {
			cat[j] = -1
			if !isNaN32(v) {
				cat[j] = int(float64(v) - lo)
				freq[j][cat[j]] += wi
			}
		}
		for j := range p {
			if cat[j] < 0 {
				continue
			}
			for l := j + 1; l < p; l++ {
				if cat[l] >= 0 {
					tabs[j*p+l][cat[j]*k+cat[l]] += wi
				}
			}
		}
	}
	var probs []Degenerate
	tau := make([][]float64, p)
	for j := range p {
		var n, nz float64
		for _, f := range freq[j] {
			n += f
			if f > 0 {
				nz++
			}
		}
		if nz < 2 {
			probs = append(probs, Degenerate{Path: "items." + d.Items[j],
				Message: fmt.Sprintf("has no variance: every one of its %d answers is the same, so it cannot correlate with anything; leave it out", int(n))})
			continue
		}
		tau[j] = thresholds(freq[j], n)
	}
	if len(probs) > 0 {
		return nil, nil, &ErrDegenerate{Problems: probs}
	}
	c := &Correlation{Method: "polychoric", Deletion: Pairwise, R: mat.NewSymDense(p, nil), N: int(rows), MinPairN: math.MaxInt}
	fixed := 0
	for j := range p {
		c.R.SetSym(j, j, 1)
		for l := j + 1; l < p; l++ {
			tab := tabs[j*p+l]
			var tot float64
			for _, v := range tab {
				tot += v
			}
			c.MinPairN = min(c.MinPairN, int(tot))
			if tot == 0 {
				probs = append(probs, Degenerate{Path: "items." + d.Items[l],
					Message: fmt.Sprintf("shares no answers with %s: the two cannot be correlated", d.Items[j])})
				continue
			}
			var rho float64
			var ok bool
			if global {
				norm := make([]float64, len(tab))
				for i, v := range tab {
					norm[i] = v / tot
				}
				rho, ok = fitPolychoric(norm, k, k, tau[j], tau[l])
			} else {
				var f bool
				rho, ok, f = fitPolychoricLocal(tab, k, tot)
				if f {
					fixed++
				}
			}
			if !ok {
				probs = append(probs, Degenerate{Path: "items." + d.Items[l],
					Message: fmt.Sprintf("and %s were answered together in one category of one of them only: too few to correlate", d.Items[j])})
				continue
			}
			c.R.SetSym(j, l, rho)
		}
	}
	if len(probs) > 0 {
		return nil, nil, &ErrDegenerate{Problems: probs}
	}
	if p < 2 {
		c.MinPairN = int(rows)
	}
	var warnings []string
	if fixed > 0 {
		warnings = append(warnings, fmt.Sprintf("%d item pairs had empty cells, set to 0.5/n (the correction for continuity, as psych does)", fixed))
	}
	if smoothCorrelation(c.R) {
		warnings = append(warnings, "the polychoric matrix was not positive definite and was smoothed (as psych::cor.smooth does)")
	}
	return c, warnings, nil
}

// thresholds are the normal quantiles of the cumulative proportions of
// counts, one fewer than the categories.
func thresholds(counts []float64, n float64) []float64 {
	out := make([]float64, len(counts)-1)
	var cum float64
	for i := range out {
		cum += counts[i]
		out[i] = distuv.UnitNormal.Quantile(min(cum/n, 1))
	}
	return out
}

// fitPolychoric finds the correlation that maximizes the likelihood of
// the proportions tab (rows × cols, row-major) given the thresholds.
func fitPolychoric(tab []float64, rows, cols int, rc, cc []float64) (float64, bool) {
	rcut := append(append([]float64{math.Inf(-1)}, rc...), math.Inf(1))
	ccut := append(append([]float64{math.Inf(-1)}, cc...), math.Inf(1))
	f := func(rho float64) float64 {
		var s float64
		for a := range rows {
			for b := range cols {
				t := tab[a*cols+b]
				if t == 0 {
					continue
				}
				pr := bvnRect(rcut[a], rcut[a+1], ccut[b], ccut[b+1], rho)
				if pr <= 0 {
					continue // psych leaves such cells out (NA)
				}
				s -= t * math.Log(pr)
			}
		}
		return s
	}
	rho := brentMin(f, -1, 1, 1e-10)
	return rho, !math.IsNaN(rho)
}

// fitPolychoricLocal is psych's non-global case: the pair's own table,
// empty rows and columns dropped, empty cells set to 0.5/tot, thresholds
// from its margins. It reports whether a cell was corrected.
func fitPolychoricLocal(counts []float64, k int, tot float64) (float64, bool, bool) {
	var keepR, keepC []int
	for a := range k {
		for b := range k {
			if counts[a*k+b] > 0 {
				keepR = append(keepR, a)
				break
			}
		}
	}
	for b := range k {
		for a := range k {
			if counts[a*k+b] > 0 {
				keepC = append(keepC, b)
				break
			}
		}
	}
	if len(keepR) < 2 || len(keepC) < 2 {
		return 0, false, false
	}
	tab := make([]float64, len(keepR)*len(keepC))
	fixed := false
	for i, a := range keepR {
		for j, b := range keepC {
			v := counts[a*k+b] / tot
			if v == 0 {
				v, fixed = 0.5/tot, true
			}
			tab[i*len(keepC)+j] = v
		}
	}
	rsum := make([]float64, len(keepR))
	csum := make([]float64, len(keepC))
	for i := range keepR {
		for j := range keepC {
			rsum[i] += tab[i*len(keepC)+j]
			csum[j] += tab[i*len(keepC)+j]
		}
	}
	rho, ok := fitPolychoric(tab, len(keepR), len(keepC), thresholds(rsum, 1), thresholds(csum, 1))
	return rho, ok, fixed
}

// brentMin is Brent's minimization of f on (a, b) (R's optimize).
func brentMin(f func(float64) float64, a, b, tol float64) float64 {
	const c = 0.3819660112501051 // (3 − √5)/2
	eps := math.Sqrt(2.220446049250313e-16)
	v := a + c*(b-a)
	w, x := v, v
	d, e := 0.0, 0.0
	fx := f(x)
	fv, fw := fx, fx
	tol3 := tol / 3
	for range 200 {
		xm := (a + b) / 2
		tol1 := eps*math.Abs(x) + tol3
		t2 := 2 * tol1
		if math.Abs(x-xm) <= t2-(b-a)/2 {
			break
		}
		var p, q, r float64
		if math.Abs(e) > tol1 {
			r = (x - w) * (fx - fv)
			q = (x - v) * (fx - fw)
			p = (x-v)*q - (x-w)*r
			q = (q - r) * 2
			if q > 0 {
				p = -p
			} else {
				q = -q
			}
			r = e
			e = d
		}
		if math.Abs(p) >= math.Abs(q/2*r) || p <= q*(a-x) || p >= q*(b-x) {
			// A golden-section step.
			if x < xm {
				e = b - x
			} else {
				e = a - x
			}
			d = c * e
		} else {
			// A parabolic step.
			d = p / q
			u := x + d
			if u-a < t2 || b-u < t2 {
				d = tol1
				if x >= xm {
					d = -d
				}
			}
		}
		var u float64
		switch {
		case math.Abs(d) >= tol1:
			u = x + d
		case d > 0:
			u = x + tol1
		default:
			u = x - tol1
		}
		fu := f(u)
		if fu <= fx {
			if u < x {
				b = x
			} else {
				a = x
			}
			v, fv = w, fw
			w, fw = x, fx
			x, fx = u, fu
		} else {
			if u < x {
				a = u
			} else {
				b = u
			}
			switch {
			case fu <= fw || w == x:
				v, fv = w, fw
				w, fw = u, fu
			case fu <= fv || v == x || v == w:
				v, fv = u, fu
			}
		}
	}
	return x
}

// smoothCorrelation replaces r, when it is not positive definite, by
// psych::cor.smooth's nearby matrix (eigenvalues below 1e-12 raised to
// 1e-10, rescaled to sum to p, back to a correlation matrix), and reports
// whether it did.
func smoothCorrelation(r *mat.SymDense) bool {
	vals, vecs, ok := eigenDesc(r)
	p := r.SymmetricDim()
	if !ok || vals[p-1] >= 2.220446049250313e-16 {
		return false
	}
	var tot float64
	for i, v := range vals {
		if v < 1e-12 {
			vals[i] = 100 * 1e-12
		}
		tot += vals[i]
	}
	for i := range vals {
		vals[i] *= float64(p) / tot
	}
	m := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			var s float64
			for l := range p {
				s += vecs.At(i, l) * vals[l] * vecs.At(j, l)
			}
			m.SetSym(i, j, s)
		}
	}
	for i := range p {
		for j := i; j < p; j++ {
			r.SetSym(i, j, m.At(i, j)/math.Sqrt(m.At(i, i)*m.At(j, j)))
		}
	}
	return true
}
