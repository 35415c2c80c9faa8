package psychometrics

// Omega, as psych::omega computes it from a correlation matrix R.
//
// Omega total is (V − Σu²)/V, where V is the sum of every element of R
// (the variance of the unit-weighted total) and u² = 1 − h² the items'
// uniquenesses; before summing, items whose general loading is negative
// are reflected (psych's flip = TRUE), so a reverse-keyed item left
// unreversed still counts towards the total. With one factor (a
// subscale), h² is the square of the item's loading on a one-factor minres
// solution, psych::omega(x, nfactors = 1).
//
// Omega hierarchical is (Σg)²/V with g the items' loadings on a general
// factor found by a Schmid–Leiman transformation: k factors by minres,
// rotated by varimax and then oblimin; a one-factor minres of their
// correlations Φ gives each group factor's general loading, and an item's
// general loading is its oblique pattern times those (psych::schmid).

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Omega is omega total of one set of items from a one-factor model.
type Omega struct {
	// Omega is omega total; Alpha is the standardized alpha of the same
	// correlation matrix (psych::omega's alpha), for comparison.
	Omega, Alpha float64
	// Loadings are the items' standardized loadings on the factor, signed
	// as psych signs them (their sum positive).
	Loadings []float64
}

// ErrTooFewItems is returned for omega of fewer than three items: one
// factor of two items is not identified.
var ErrTooFewItems = errors.New("omega needs at least three items: a factor of two items is not identified")

// OmegaTotal returns omega total of the items of r from one minres factor.
func OmegaTotal(r *mat.SymDense) (*Omega, error) {
	p := r.SymmetricDim()
	if p < 3 {
		return nil, ErrTooFewItems
	}
	ext, err := extract(r, 1, Minres)
	if err != nil {
		return nil, err
	}
	L := ext.loadings
	if mat.Sum(L.ColView(0)) < 0 {
		L.Scale(-1, L)
	}
	loads := make([]float64, p)
	u2 := make([]float64, p)
	for i := range p {
		loads[i] = L.At(i, 0)
		u2[i] = r.At(i, i) - loads[i]*loads[i]
	}
	o := &Omega{Loadings: loads}
	o.Omega, o.Alpha, _ = omegaFrom(r, loads, u2)
	return o, nil
}

// omegaFrom returns omega total, standardized alpha and the total
// variance V of r after reflecting the items whose general loading g is
// negative.
func omegaFrom(r *mat.SymDense, g, u2 []float64) (omegaT, alpha, vt float64) {
	p := r.SymmetricDim()
	var vitem, uniq float64
	for i := range p {
		for j := range p {
			s := 1.0
			if (g[i] < 0) != (g[j] < 0) {
				s = -1
			}
			vt += s * r.At(i, j)
		}
		vitem += r.At(i, i)
		uniq += u2[i]
	}
	return (vt - uniq) / vt, (vt - vitem) / vt * float64(p) / float64(p-1), vt
}

// Interval is a bootstrap percentile interval.
type Interval struct {
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	// Level is the coverage, 0.95.
	Level float64 `json:"level"`
	// Resamples is how many resamples were drawn, Used how many gave a
	// value (a resample whose correlation matrix is degenerate gives none).
	Resamples int    `json:"resamples"`
	Used      int    `json:"used"`
	Seed      uint64 `json:"seed"`
}

// BootstrapOmega returns a percentile interval for omega total of d's
// items: resamples draws of d's respondents with replacement, each
// correlated (with del) and fitted again. The same seed gives the same
// interval. It returns nil when fewer than half the resamples gave a value.
//
// Answers on a scale repeat: 100,000 respondents to five 5-point items
// give at most 6^5 distinct rows (missing counted as a value). A resample
// is therefore drawn as how many times each distinct row is chosen (a
// multinomial draw, made as a chain of binomials) and correlated with
// those counts as weights: the same bootstrap distribution as drawing n
// rows one by one, in time that grows with the distinct rows, not with n.
func BootstrapOmega(d *Data, del Deletion, resamples int, seed uint64) *Interval {
	return bootstrapOmega(context.Background(), d, func(d *Data, w []float64) (*Correlation, []string, error) {
		c, err := pearson(d, w, del)
		return c, nil, err
	}, resamples, seed)
}

// bootstrapOmega is BootstrapOmega with the correlations corr computes,
// respondent i of d counted w[i] times; it returns nil as soon as ctx is
// done.
func bootstrapOmega(ctx context.Context, d *Data, corr func(d *Data, w []float64) (*Correlation, []string, error), resamples int, seed uint64) *Interval {
	rng := rand.New(rand.NewPCG(seed, 0x5eed0e1a))
	pat, count := distinctRows(d)
	n := float64(d.Rows())
	w := make([]float64, pat.Rows())
	vals := make([]float64, 0, resamples)
	for range resamples {
		if ctx.Err() != nil {
			return nil
		}
		left, mass := n, n
		for k, c := range count {
			switch {
			case left == 0:
				w[k] = 0
			case c >= mass:
				w[k] = left
			default:
				w[k] = distuv.Binomial{N: left, P: c / mass, Src: rng}.Rand()
			}
			left -= w[k]
			mass -= c
		}
		c, _, err := corr(pat, w)
		if err != nil {
			continue
		}
		o, err := OmegaTotal(c.R)
		if err != nil || math.IsNaN(o.Omega) {
			continue
		}
		vals = append(vals, o.Omega)
	}
	if len(vals) < resamples/2 || len(vals) < 2 {
		return nil
	}
	slices.Sort(vals)
	return &Interval{Lower: quantile7(vals, 0.025), Upper: quantile7(vals, 0.975), Level: 0.95,
		Resamples: resamples, Used: len(vals), Seed: seed}
}

// distinctRows returns d's distinct rows, in order of first appearance,
// and how many respondents gave each.
func distinctRows(d *Data) (*Data, []float64) {
	p := d.Cols()
	out := &Data{Items: d.Items}
	var count []float64
	at := map[string]int{}
	key := make([]byte, 4*p)
	for i := range d.n {
		r := d.row(i)
		for j, v := range r {
			binary.LittleEndian.PutUint32(key[4*j:], math.Float32bits(v))
		}
		if k, ok := at[string(key)]; ok {
			count[k]++
			continue
		}
		at[string(key)] = out.n
		out.cells = append(out.cells, r...)
		out.n++
		count = append(count, 1)
	}
	return out, count
}

// quantile7 is R's default (type 7) quantile of sorted x.
func quantile7(x []float64, q float64) float64 {
	h := float64(len(x)-1) * q
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[i] + (h-lo)*(x[i+1]-x[i])
}

// Hierarchical is omega hierarchical from a Schmid–Leiman solution.
type Hierarchical struct {
	Factors int
	// OmegaH is omega hierarchical, OmegaTotal omega total (from the k
	// factors' communalities), Alpha standardized alpha.
	OmegaH, OmegaTotal, Alpha float64
	// General is each item's loading on the general factor, Group its
	// loadings (items × factors) on the group factors with the general
	// factor taken out, Communalities its h².
	General       []float64
	Group         *mat.Dense
	Communalities []float64
	// GroupGeneral is each group factor's loading on the general factor.
	GroupGeneral []float64
	Warnings     []string
}

// OmegaHierarchical runs psych::omega(r, nfactors = k): k group factors,
// a Schmid–Leiman transformation, omega hierarchical and total. k = 2 is
// computed as psych does with option = "equal", with its warning; k must
// be at least 2.
func OmegaHierarchical(r *mat.SymDense, k int) (*Hierarchical, error) {
	p := r.SymmetricDim()
	if k < 2 {
		return nil, errors.New("omega hierarchical needs at least two group factors (three to be identified); with one factor only omega total is meaningful")
	}
	if p < 2*k {
		return nil, fmt.Errorf("%d group factors need at least %d items, there are %d", k, 2*k, p)
	}
	orth, err := FitEFA(r, EFAOptions{Factors: k, Extraction: Minres, Rotation: Varimax})
	if err != nil {
		return nil, err
	}
	h := &Hierarchical{Factors: k, Warnings: orth.Warnings}
	fload, phi, ok := oblimin(orth.Loadings)
	if !ok {
		h.Warnings = append(h.Warnings, "the oblimin rotation of the group factors did not converge in 1000 iterations")
	}
	gload := make([]float64, k)
	if k == 2 {
		c := phi.At(0, 1)
		gload[0] = math.Sqrt(math.Abs(c))
		gload[1] = math.Copysign(math.Sqrt(math.Abs(c)), c)
		h.Warnings = append(h.Warnings, "three factors are required for identification: the general factor loadings of the two group factors are set to be equal; proceed with caution")
	} else {
		g, err := FitEFA(phi, EFAOptions{Factors: 1, Extraction: Minres, Rotation: NoRotation})
		if err != nil {
			return nil, fmt.Errorf("general factor: %w", err)
		}
		heywood := false
		for j := range k {
			gload[j] = g.Loadings.At(j, 0)
			heywood = heywood || math.Abs(gload[j]) >= 1-psiLow-1e-6
		}
		if heywood {
			h.Warnings = append(h.Warnings, "a group factor's loading on the general factor reached 1 (a Heywood case, as when the group factors barely correlate): omega hierarchical is not well defined")
		}
		if !g.Converged {
			h.Warnings = append(h.Warnings, "the general factor's fit to the group factors' correlations did not converge")
		}
	}
	h.GroupGeneral = gload
	h.General = make([]float64, p)
	h.Group = mat.NewDense(p, k, nil)
	h.Communalities = orth.Communalities
	u2 := make([]float64, p)
	for i := range p {
		for j := range k {
			f := fload.At(i, j)
			h.General[i] += f * gload[j]
			h.Group.Set(i, j, math.Copysign(math.Sqrt(max(0, f*f*(1-gload[j]*gload[j]))), f))
		}
		u2[i] = r.At(i, i) - orth.Communalities[i]
	}
	var vt float64
	h.OmegaTotal, h.Alpha, vt = omegaFrom(r, h.General, u2)
	var gs float64
	for _, g := range h.General {
		gs += math.Abs(g) // reflected as omegaFrom reflects
	}
	h.OmegaH = gs * gs / vt
	return h, nil
}

// sortedItemOrder returns the items in the order psych::fa.sort shows a
// loadings matrix: grouped by the factor they load on most, and by the
// size of that loading within a group.
func sortedItemOrder(L *mat.Dense) []int {
	p, k := L.Dims()
	main := make([]int, p)
	for i := range p {
		for j := 1; j < k; j++ {
			if math.Abs(L.At(i, j)) > math.Abs(L.At(i, main[i])) {
				main[i] = j
			}
		}
	}
	order := make([]int, p)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(main[a], main[b]); c != 0 {
			return c
		}
		return cmp.Compare(math.Abs(L.At(b, main[b])), math.Abs(L.At(a, main[a])))
	})
	return order
}
