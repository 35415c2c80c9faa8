package psychometrics

// Horn's parallel analysis as psych::fa.parallel(x, fa = "fa") runs it on
// raw data: the eigenvalues of the common factor solution of the data
// (one minres factor, R with the communalities on its diagonal) are
// compared with those of random normal data of the same size; the
// suggested number of factors is how many observed eigenvalues come
// before the first that does not exceed the 95th percentile of the
// simulated ones.
//
// psych draws n × p normal deviates per simulation and correlates them.
// The correlation matrix of n independent normal rows is that of a
// Wishart(n − 1, I) matrix, which Bartlett's decomposition draws from
// p(p + 1)/2 deviates: the same distribution, so the same test, in time
// that does not grow with n (100 simulations of 100,000 × 25 would
// otherwise take minutes).

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Parallel is the result of a parallel analysis.
type Parallel struct {
	// Observed are the factor eigenvalues of the data, largest first.
	Observed []float64
	// SimulatedMean and Simulated95 are the mean and the 95th percentile
	// of the simulated factor eigenvalues, per position.
	SimulatedMean, Simulated95 []float64
	// Suggested is the number of factors parallel analysis suggests.
	Suggested   int
	Simulations int
	Seed        uint64
}

// ParallelAnalysis compares r, from n respondents, with sims simulated
// data sets of the same size, drawn from seed.
func ParallelAnalysis(r *mat.SymDense, n, sims int, seed uint64) (*Parallel, error) {
	return parallelAnalysis(context.Background(), r, n, sims, seed)
}

// parallelAnalysis is ParallelAnalysis that stops with ctx's error when
// ctx is done (a client gone needs no more simulations).
func parallelAnalysis(ctx context.Context, r *mat.SymDense, n, sims int, seed uint64) (*Parallel, error) {
	p := r.SymmetricDim()
	obs, err := factorValues(r, extractBudget)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x9a7a11e1))
	sim := make([][]float64, p) // per position, one value per simulation
	c := mat.NewSymDense(p, nil)
	for range sims {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		wishartCorrelation(rng, n-1, c)
		v, err := factorValues(c, simulatedBudget)
		if err != nil {
			continue
		}
		for j := range p {
			sim[j] = append(sim[j], v[j])
		}
	}
	out := &Parallel{Observed: obs, Simulations: sims, Seed: seed,
		SimulatedMean: make([]float64, p), Simulated95: make([]float64, p)}
	for j := range p {
		s := sim[j]
		if len(s) == 0 {
			return nil, errNoSimulation
		}
		var sum float64
		for _, v := range s {
			sum += v
		}
		out.SimulatedMean[j] = sum / float64(len(s))
		slices.Sort(s)
		out.Simulated95[j] = quantile7(s, 0.95)
	}
	out.Suggested = p
	for j := range p {
		if !(obs[j] > out.Simulated95[j]) {
			out.Suggested = j
			break
		}
	}
	return out, nil
}

type simError string

func (e simError) Error() string { return string(e) }

const errNoSimulation = simError("parallel analysis: no simulation gave a factor solution")

// factorValues is psych::fa(r, nfactors = 1)$values: the eigenvalues of r
// with the one-factor minres communalities on its diagonal.
func factorValues(r *mat.SymDense, budget int) ([]float64, error) {
	ext, err := extractBudgeted(r, 1, Minres, budget)
	if err != nil {
		return nil, err
	}
	p := r.SymmetricDim()
	s := mat.NewSymDense(p, nil)
	s.CopySym(r)
	for i := range p {
		l := ext.loadings.At(i, 0)
		s.SetSym(i, i, l*l)
	}
	v := Eigenvalues(s)
	if v == nil {
		return nil, ErrSingular
	}
	return v, nil
}

// wishartCorrelation sets c to the correlation matrix of a Wishart(df, I)
// draw: W = AA' with A lower triangular, A_ii² ~ χ²(df − i), A_ij ~ N(0, 1).
func wishartCorrelation(rng *rand.Rand, df int, c *mat.SymDense) {
	p := c.SymmetricDim()
	a := mat.NewTriDense(p, mat.Lower, nil)
	for i := range p {
		a.SetTri(i, i, math.Sqrt(distuv.ChiSquared{K: float64(df - i), Src: rng}.Rand()))
		for j := range i {
			a.SetTri(i, j, rng.NormFloat64())
		}
	}
	var w mat.SymDense
	w.SymOuterK(1, a)
	for i := range p {
		for j := i; j < p; j++ {
			c.SetSym(i, j, w.At(i, j)/math.Sqrt(w.At(i, i)*w.At(j, j)))
		}
	}
}
