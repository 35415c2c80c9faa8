package psychometrics

import (
	"errors"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// KMO is the Kaiser–Meyer–Olkin measure of sampling adequacy, as
// psych::KMO computes it: the share of the squared correlations in the
// squared correlations plus the squared partial correlations (from the
// inverse of R), overall and per item.
type KMO struct {
	Overall float64   `json:"overall"`
	Items   []float64 `json:"items"`
}

// ErrSingular is returned when a correlation matrix has no inverse.
var ErrSingular = errors.New("the correlation matrix is singular")

// ErrUncorrelated is returned for KMO when an item's correlations with
// every other item are all exactly zero: its adequacy is 0/0.
var ErrUncorrelated = errors.New("an item correlates with no other item at all")

// ComputeKMO returns the KMO measure of r.
func ComputeKMO(r *mat.SymDense) (KMO, error) {
	p := r.SymmetricDim()
	var ch mat.Cholesky
	if !ch.Factorize(r) {
		return KMO{}, ErrSingular
	}
	var q mat.SymDense
	if err := ch.InverseTo(&q); err != nil {
		return KMO{}, ErrSingular
	}
	// Partial correlations are −Q_jk/√(Q_jj Q_kk); squared, the sign goes.
	var sumR, sumQ float64
	colR, colQ := make([]float64, p), make([]float64, p)
	for j := range p {
		for k := range p {
			if j == k {
				continue
			}
			rr := r.At(j, k) * r.At(j, k)
			qq := q.At(j, k) / math.Sqrt(q.At(j, j)*q.At(k, k))
			qq *= qq
			colR[j] += rr
			colQ[j] += qq
			sumR += rr
			sumQ += qq
		}
	}
	out := KMO{Overall: sumR / (sumR + sumQ), Items: make([]float64, p)}
	for j := range p {
		if colR[j]+colQ[j] == 0 {
			return KMO{}, ErrUncorrelated // 0/0: an item correlating with nothing at all
		}
		out.Items[j] = colR[j] / (colR[j] + colQ[j])
	}
	return out, nil
}

// Bartlett is Bartlett's test of sphericity: whether R differs from the
// identity matrix, as psych::cortest.bartlett computes it.
type Bartlett struct {
	ChiSquare float64 `json:"chi_square"`
	DF        float64 `json:"df"`
	P         float64 `json:"p"`
}

// ComputeBartlett tests r from a sample of n respondents:
// χ² = −ln|R| (n − 1 − (2p + 5)/6), df = p(p − 1)/2.
func ComputeBartlett(r *mat.SymDense, n int) (Bartlett, error) {
	p := r.SymmetricDim()
	var ch mat.Cholesky
	if !ch.Factorize(r) {
		return Bartlett{}, ErrSingular
	}
	logDet := ch.LogDet()
	chi := -logDet * (float64(n) - 1 - float64(2*p+5)/6)
	df := float64(p*(p-1)) / 2
	out := Bartlett{ChiSquare: chi, DF: df, P: 1}
	if df > 0 && chi > 0 {
		out.P = distuv.ChiSquared{K: df}.Survival(chi)
	}
	return out, nil
}

// Eigenvalues returns the eigenvalues of the symmetric matrix s, largest
// first.
func Eigenvalues(s mat.Symmetric) []float64 {
	var e mat.EigenSym
	if !e.Factorize(s, false) {
		return nil
	}
	v := e.Values(nil)
	slices.Reverse(v)
	return v
}

// eigenDesc returns the eigenvalues (largest first) and the matching
// eigenvectors as columns.
func eigenDesc(s mat.Symmetric) ([]float64, *mat.Dense, bool) {
	var e mat.EigenSym
	if !e.Factorize(s, true) {
		return nil, nil, false
	}
	p := s.SymmetricDim()
	v := e.Values(nil)
	var vec mat.Dense
	e.VectorsTo(&vec)
	vals := make([]float64, p)
	out := mat.NewDense(p, p, nil)
	for k := range p {
		vals[k] = v[p-1-k]
		for i := range p {
			out.Set(i, k, vec.At(i, p-1-k))
		}
	}
	return vals, out, true
}
