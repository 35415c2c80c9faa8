package stats

import "slices"

// Accumulators that keep a statistic's memory independent of the number of
// responses: a report over 100,000 responses holds what one over 100 does.
//
// Reliability needs only the complete cases' count, item means and
// co-moments (a k × k matrix), not the cases themselves; a subscale's scores
// take few distinct values (an item's scored values are whole scale
// points, and a score is their sum or mean), so their median and histogram
// come from a frequency table. Welford's update keeps the co-moments
// accurate without a second pass (no large sums of squares cancelling).

// comoments accumulates complete cases of k items.
type comoments struct {
	n    int
	mean []float64 // item means
	c    []float64 // k × k, row-major: Σ (x_i − mean_i)(x_j − mean_j)
	dx   []float64 // scratch: x − the mean before the update
}

func newComoments(k int) *comoments {
	return &comoments{mean: make([]float64, k), c: make([]float64, k*k), dx: make([]float64, k)}
}

// add counts one complete case x (len k).
func (m *comoments) add(x []float64) {
	m.n++
	n := float64(m.n)
	for i, v := range x {
		m.dx[i] = v - m.mean[i]
		m.mean[i] += m.dx[i] / n
	}
	// C += dx_before ⊗ (x − mean_after): the co-moment form of Welford's
	// update (the matrix stays symmetric up to rounding; cov reads both
	// halves alike).
	k := len(x)
	for i := range k {
		di := m.dx[i]
		row := m.c[i*k : (i+1)*k]
		for j, v := range x {
			row[j] += di * (v - m.mean[j])
		}
	}
}

// cov is the sample (n − 1) covariance of items i and j.
func (m *comoments) cov(i, j int) float64 {
	k := len(m.mean)
	return (m.c[i*k+j] + m.c[j*k+i]) / 2 / float64(m.n-1)
}

// comomentsOf returns the accumulator of complete cases given as columns.
func comomentsOf(cols [][]float64) *comoments {
	m := newComoments(len(cols))
	if len(cols) == 0 {
		return m
	}
	x := make([]float64, len(cols))
	for i := range cols[0] {
		for j, c := range cols {
			x[j] = c[i]
		}
		m.add(x)
	}
	return m
}

// frequencies counts values, for a sample with few distinct values.
type frequencies struct {
	n     int
	count map[float64]int
}

func (f *frequencies) add(v float64) {
	if f.count == nil {
		f.count = map[float64]int{}
	}
	f.count[v]++
	f.n++
}

// sorted returns the distinct values ascending and their counts, as
// summarize and gonum's Histogram take them.
func (f *frequencies) sorted() (x, w []float64) {
	x = make([]float64, 0, len(f.count))
	for v := range f.count {
		x = append(x, v)
	}
	slices.Sort(x)
	w = make([]float64, len(x))
	for i, v := range x {
		w[i] = float64(f.count[v])
	}
	return x, w
}
