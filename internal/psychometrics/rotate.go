package psychometrics

// Rotations, each a transcription of the R function psych::fa calls, with
// the same start, step rule and stopping rule, so the rotated loadings
// are R's and not merely another local optimum near them:
//   - varimax: stats::varimax (Kaiser-normalized, SVD steps, stop when
//     the criterion grows by less than a factor 1 + 1e-5);
//   - oblimin: GPArotation::oblimin, gam = 0 (quartimin), through
//     GPFoblq's gradient projection (eps 1e-5, at most 1000 steps);
//   - promax: psych::Promax, power 4, from the varimax solution.

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// varimax returns the varimax rotation of L and its rotation matrix.
func varimax(x *mat.Dense) (*mat.Dense, *mat.Dense) {
	p, k := x.Dims()
	sc := make([]float64, p)
	xn := mat.NewDense(p, k, nil)
	for i := range p {
		sc[i] = math.Sqrt(mat.Dot(x.RowView(i), x.RowView(i)))
		for j := range k {
			if sc[i] > 0 {
				xn.Set(i, j, x.At(i, j)/sc[i])
			}
		}
	}
	tt := eye(k)
	var d float64
	var z, B, z3 mat.Dense
	for range 1000 {
		z.Mul(xn, tt)
		// B = x'(z³ − z·diag(colSums(z²))/p)
		z3.Apply(func(_, _ int, v float64) float64 { return v * v * v }, &z)
		for j := range k {
			var s float64
			for i := range p {
				s += z.At(i, j) * z.At(i, j)
			}
			for i := range p {
				z3.Set(i, j, z3.At(i, j)-z.At(i, j)*s/float64(p))
			}
		}
		B.Mul(xn.T(), &z3)
		var svd mat.SVD
		if !svd.Factorize(&B, mat.SVDFull) {
			break
		}
		var u, v mat.Dense
		svd.UTo(&u)
		svd.VTo(&v)
		tt.Mul(&u, v.T())
		dpast := d
		d = 0
		for _, s := range svd.Values(nil) {
			d += s
		}
		if d < dpast*(1+1e-5) {
			break
		}
	}
	out := mat.NewDense(p, k, nil)
	out.Mul(x, tt) // x·T = (xn·T)·sc
	return out, tt
}

// oblimin returns the quartimin (oblimin, gam = 0) rotation of a: the
// pattern loadings, the factor correlations and whether it converged.
func oblimin(a *mat.Dense) (*mat.Dense, *mat.SymDense, bool) {
	p, k := a.Dims()
	vgq := func(L *mat.Dense) (*mat.Dense, float64) {
		// X = L² · (1 − I); Gq = L ∘ X; f = Σ L²∘X / 4
		L2 := mat.NewDense(p, k, nil)
		L2.MulElem(L, L)
		X := mat.NewDense(p, k, nil)
		var f float64
		for i := range p {
			var row float64
			for j := range k {
				row += L2.At(i, j)
			}
			for j := range k {
				X.Set(i, j, row-L2.At(i, j))
				f += L2.At(i, j) * X.At(i, j)
			}
		}
		X.MulElem(L, X)
		return X, f / 4
	}
	loadingsOf := func(T *mat.Dense) (*mat.Dense, *mat.Dense, bool) {
		var Ti mat.Dense
		if err := Ti.Inverse(T); err != nil {
			return nil, nil, false
		}
		L := mat.NewDense(p, k, nil)
		L.Mul(a, Ti.T())
		return L, &Ti, true
	}
	gradient := func(L, Gq, Ti *mat.Dense) *mat.Dense {
		// G = −(L' Gq T⁻¹)'
		var m mat.Dense
		m.Mul(L.T(), Gq)
		var m2 mat.Dense
		m2.Mul(&m, Ti)
		G := mat.NewDense(k, k, nil)
		G.Scale(-1, m2.T())
		return G
	}
	T := eye(k)
	L, Ti, _ := loadingsOf(T)
	Gq, f := vgq(L)
	G := gradient(L, Gq, Ti)
	al := 1.0
	converged := false
	Gp := mat.NewDense(k, k, nil)
	for iter := 0; iter <= 1000; iter++ {
		// Gp = G − T·diag(colSums(T ∘ G))
		for j := range k {
			var s float64
			for i := range k {
				s += T.At(i, j) * G.At(i, j)
			}
			for i := range k {
				Gp.Set(i, j, G.At(i, j)-T.At(i, j)*s)
			}
		}
		s := mat.Norm(Gp, 2)
		if s < 1e-5 {
			converged = true
			break
		}
		if iter == 1000 {
			break
		}
		al *= 2
		var Tt, Lt, Tit, Gqt *mat.Dense
		var ft float64
		for range 11 {
			X := mat.NewDense(k, k, nil)
			X.Scale(-al, Gp)
			X.Add(T, X)
			for j := range k {
				var c float64
				for i := range k {
					c += X.At(i, j) * X.At(i, j)
				}
				c = 1 / math.Sqrt(c)
				for i := range k {
					X.Set(i, j, X.At(i, j)*c)
				}
			}
			Tt = X
			var ok bool
			Lt, Tit, ok = loadingsOf(Tt)
			if !ok {
				al /= 2
				continue
			}
			Gqt, ft = vgq(Lt)
			if f-ft > 0.5*s*s*al {
				break
			}
			al /= 2
		}
		if Lt == nil {
			break
		}
		T, L, f = Tt, Lt, ft
		G = gradient(L, Gqt, Tit)
	}
	var phi mat.SymDense
	phi.SymOuterK(1, T.T())
	return L, &phi, converged
}

// promax returns psych::fa's promax of f: psych::Promax (power 4) of the
// Kaiser-normalized loadings (psych::kaiser: rows scaled to unit length,
// rotated, scaled back), the pattern loadings and the factor correlations.
func promax(f *mat.Dense) (*mat.Dense, *mat.SymDense) {
	p, k := f.Dims()
	h := make([]float64, p)
	x := mat.NewDense(p, k, nil)
	for i := range p {
		h[i] = math.Sqrt(mat.Dot(f.RowView(i), f.RowView(i)))
		for j := range k {
			if h[i] > 0 {
				x.Set(i, j, f.At(i, j)/h[i])
			}
		}
	}
	z, phi := promaxRaw(x)
	for i := range p {
		for j := range k {
			z.Set(i, j, z.At(i, j)*h[i])
		}
	}
	return z, phi
}

// promaxRaw is psych::Promax with m = 4.
func promaxRaw(x *mat.Dense) (*mat.Dense, *mat.SymDense) {
	p, k := x.Dims()
	v, rot := varimax(x)
	// Q = v ∘ |v|³; U = least squares of Q on v; rescale so that
	// diag((U'U)⁻¹) = 1 on the factors.
	Q := mat.NewDense(p, k, nil)
	Q.Apply(func(i, j int, e float64) float64 { return e * math.Abs(e) * math.Abs(e) * math.Abs(e) }, v)
	var U mat.Dense
	if err := U.Solve(v, Q); err != nil {
		return v, mat.NewSymDense(k, eye(k).RawMatrix().Data)
	}
	var utu, inv mat.Dense
	utu.Mul(U.T(), &U)
	if err := inv.Inverse(&utu); err != nil {
		return v, mat.NewSymDense(k, eye(k).RawMatrix().Data)
	}
	for j := range k {
		d := math.Sqrt(inv.At(j, j))
		for i := range k {
			U.Set(i, j, U.At(i, j)*d)
		}
	}
	z := mat.NewDense(p, k, nil)
	z.Mul(v, &U)
	var full, ui mat.Dense
	full.Mul(rot, &U)
	if err := ui.Inverse(&full); err != nil {
		return z, mat.NewSymDense(k, eye(k).RawMatrix().Data)
	}
	var phi mat.SymDense
	phi.SymOuterK(1, &ui)
	return z, &phi
}

func eye(k int) *mat.Dense {
	m := mat.NewDense(k, k, nil)
	for i := range k {
		m.Set(i, i, 1)
	}
	return m
}
