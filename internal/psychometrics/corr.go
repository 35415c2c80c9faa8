package psychometrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Deletion is how missing answers are handled when correlating.
type Deletion string

// The deletions: pairwise uses, for each pair of items, every respondent
// who answered both (R's cor(use = "pairwise"), psych's default);
// listwise uses only respondents who answered every item
// (use = "complete.obs").
const (
	Pairwise Deletion = "pairwise"
	Listwise Deletion = "listwise"
)

// Correlation is a correlation matrix with how it was computed.
type Correlation struct {
	// Method is "pearson" (or "polychoric").
	Method string
	// Deletion is the handling of missing answers.
	Deletion Deletion
	// R is the matrix, items in Data order.
	R *mat.SymDense
	// N is the number of respondents the tests of the matrix take as the
	// sample size: all respondents with pairwise deletion (as
	// psych::cortest.bartlett and psych::fa do with raw data), the
	// complete cases with listwise deletion.
	N int
	// MinPairN is the fewest respondents behind any one correlation.
	MinPairN int
}

// Degenerate lists what makes a correlation matrix unusable for factor
// analysis: items without variance and perfectly collinear pairs. Each is
// one problem with its item path, for a survey.Error's details.
type Degenerate struct {
	Path, Message string
}

// ErrDegenerate is returned by Pearson when the matrix cannot be
// computed or would be singular; Problems says why, per item.
type ErrDegenerate struct{ Problems []Degenerate }

func (e *ErrDegenerate) Error() string {
	return fmt.Sprintf("correlation matrix is degenerate: %s: %s", e.Problems[0].Path, e.Problems[0].Message)
}

// collinear is how close to ±1 a correlation may come before the pair is
// called collinear: past it the matrix is numerically singular and every
// figure derived from its inverse (KMO, Bartlett, ML) is noise.
const collinear = 1 - 1e-10

// Pearson returns the Pearson correlations of d's items. It fails with
// *ErrDegenerate naming each item with no variance (or fewer than two
// answers shared with another item) and each perfectly collinear pair.
func Pearson(d *Data, del Deletion) (*Correlation, error) {
	return pearson(d, nil, del)
}

// pearson is Pearson with respondent i counted w[i] times (w nil: once
// each), which is how the bootstrap resamples (see BootstrapOmega).
func pearson(d *Data, w []float64, del Deletion) (*Correlation, error) {
	weight := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}
	p := d.Cols()
	// Shift every column by its mean before summing products: the sums
	// of squares then stay small and lose no digits to cancellation.
	shift := make([]float64, p)
	count := make([]float64, p)
	for i := range d.n {
		r := d.row(i)
		wi := weight(i)
		if wi == 0 || del == Listwise && !complete(r) {
			continue
		}
		for j, v := range r {
			if !isNaN32(v) {
				shift[j] += wi * float64(v)
				count[j] += wi
			}
		}
	}
	for j := range shift {
		if count[j] > 0 {
			shift[j] /= count[j]
		}
	}
	// Per pair (j ≤ k, packed upper triangle): n, Σx, Σy, Σx², Σy², Σxy
	// over respondents who answered both.
	idx := func(j, k int) int { return j*p - j*(j-1)/2 + (k - j) }
	np := p * (p + 1) / 2
	n := make([]float64, np)
	sx, sy, sxx, syy, sxy := make([]float64, np), make([]float64, np), make([]float64, np), make([]float64, np), make([]float64, np)
	x := make([]float64, p)
	ok := make([]bool, p)
	var rows float64
	for i := range d.n {
		r := d.row(i)
		wi := weight(i)
		if wi == 0 || del == Listwise && !complete(r) {
			continue
		}
		rows += wi
		for j, v := range r {
			ok[j] = !isNaN32(v)
			x[j] = float64(v) - shift[j]
		}
		for j := range p {
			if !ok[j] {
				continue
			}
			xj := x[j]
			wx := wi * xj
			base := idx(j, j)
			for k := j; k < p; k++ {
				if !ok[k] {
					continue
				}
				xk := x[k]
				t := base + k - j
				n[t] += wi
				sx[t] += wx
				sy[t] += wi * xk
				sxx[t] += wx * xj
				syy[t] += wi * xk * xk
				sxy[t] += wx * xk
			}
		}
	}
	c := &Correlation{Method: "pearson", Deletion: del, R: mat.NewSymDense(p, nil), N: int(rows), MinPairN: math.MaxInt}
	var probs []Degenerate
	constant := make([]bool, p)
	for j := range p {
		t := idx(j, j)
		if n[t] < 2 || sxx[t]-sx[t]*sx[t]/n[t] <= 1e-12*n[t] {
			constant[j] = true
			probs = append(probs, Degenerate{Path: "items." + d.Items[j],
				Message: fmt.Sprintf("has no variance: every one of its %d answers is the same, so it cannot correlate with anything; leave it out", int(n[t]))})
		}
	}
	for j := range p {
		c.R.SetSym(j, j, 1)
		for k := j + 1; k < p; k++ {
			t := idx(j, k)
			c.MinPairN = min(c.MinPairN, int(n[t]))
			if constant[j] || constant[k] {
				continue
			}
			m := n[t]
			vx := sxx[t] - sx[t]*sx[t]/m
			vy := syy[t] - sy[t]*sy[t]/m
			cov := sxy[t] - sx[t]*sy[t]/m
			if m < 3 || vx <= 0 || vy <= 0 {
				probs = append(probs, Degenerate{Path: "items." + d.Items[k],
					Message: fmt.Sprintf("shares only %d varying answers with %s: too few to correlate", int(m), d.Items[j])})
				continue
			}
			r := cov / math.Sqrt(vx*vy)
			r = max(-1, min(1, r))
			if math.Abs(r) >= collinear {
				probs = append(probs, Degenerate{Path: "items." + d.Items[k],
					Message: fmt.Sprintf("is perfectly collinear with %s (r = %.0f): the two carry the same information and the correlation matrix is singular; leave one out", d.Items[j], r)})
			}
			c.R.SetSym(j, k, r)
		}
	}
	if p < 2 {
		c.MinPairN = int(rows)
	}
	if len(probs) > 0 {
		return c, &ErrDegenerate{Problems: probs}
	}
	return c, nil
}

func complete(r []float32) bool {
	for _, v := range r {
		if isNaN32(v) {
			return false
		}
	}
	return true
}

func isNaN32(v float32) bool { return v != v }
