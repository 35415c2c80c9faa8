package psychometrics

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// FuzzFitCFA: whatever the data and the declared structure (constant and
// duplicated items, tiny samples, items out of range, in two factors),
// FitCFA either refuses with an invalid error or returns a result that
// encodes as JSON (no NaN, no infinity); it never panics.
//
//	go test -run '^$' -fuzz FitCFA -fuzztime 10s ./internal/psychometrics
func FuzzFitCFA(f *testing.F) {
	f.Add(uint64(1), uint8(12), uint8(3), uint16(200), uint8(0))
	f.Add(uint64(2), uint8(6), uint8(2), uint16(60), uint8(1))
	f.Add(uint64(3), uint8(9), uint8(1), uint16(500), uint8(2))
	f.Add(uint64(4), uint8(4), uint8(2), uint16(51), uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, p, m uint8, n uint16, mess uint8) {
		rng := rand.New(rand.NewPCG(seed, uint64(mess)))
		pp, mm, nn := 2+int(p)%20, 1+int(m)%5, 2+int(n)%2000
		// Likert answers driven by mm latent attitudes, some items
		// copies or constants when mess says so.
		data := mat.NewDense(nn, pp, nil)
		for r := range nn {
			lat := make([]float64, mm)
			for k := range lat {
				lat[k] = rng.NormFloat64()
			}
			for c := range pp {
				v := math.Round(3 + lat[c%mm] + rng.NormFloat64()*float64(mess%4))
				switch {
				case mess&16 != 0 && c == 1:
					v = 3
				case mess&32 != 0 && c == 2:
					v = data.At(r, 0)*2 - 1
				}
				data.Set(r, c, max(1, min(5, v)))
			}
		}
		cov := mat.NewSymDense(pp, nil)
		stat.CovarianceMatrix(cov, data, nil)
		factors := make([]CFAFactor, mm)
		for k := range factors {
			factors[k].Name = string(rune('A' + k))
		}
		for c := range pp {
			col := c
			if mess&64 != 0 && rng.IntN(8) == 0 {
				col = rng.IntN(pp+2) - 1
			}
			k := c % mm
			if mess&128 != 0 {
				k = rng.IntN(mm)
			}
			factors[k].Items = append(factors[k].Items, col)
		}
		res, err := FitCFAWithOptions(cov, nn, factors, CFAOptions{MaxIterations: 1 + int(mess)*4})
		if err != nil {
			var se *survey.Error
			if !errors.As(err, &se) || se.Code != survey.EInvalid || len(se.Details) == 0 {
				t.Fatalf("error %v; want an invalid error with details", err)
			}
			return
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("result does not encode: %v", err)
		}
	})
}
