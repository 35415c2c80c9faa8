package psychometrics

import (
	"math"
	"testing"
)

// TestBVN compares with mnormt::sadmvn, which psych calls (values from R):
// sadmvn(lower, upper, mean = c(0, 0), varcov = matrix(c(1, r, r, 1), 2)).
func TestBVN(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		a1, b1, a2, b2, r, want float64
	}{
		{0, inf, 0, inf, 0.5, 1.0 / 3},
		{0, inf, 0, inf, -0.5, 1.0 / 6},
		{-1, 0.5, -0.3, 1.2, 0.2, 0.266589138535587},
		{-inf, 0.1, -inf, -0.4, 0.6, 0.277365250682229},
		{0.3, inf, -2, 0, -0.8, 0.306802978284465},
		{-0.5, 0.5, -0.5, 0.5, 0.95, 0.293868714046324},
		{-1.2, -0.2, 0.4, 1.4, -0.97, 0.213681845097468},
		{1, 2, 1, 2, 0.999, 0.130625038979547},
		{-inf, -1, 1, inf, 0.9, 1.45298438541247e-07},
		{-0.1, 0.1, -3, 3, 0.4, 0.0795706802538025},
	} {
		if got := bvnRect(c.a1, c.b1, c.a2, c.b2, c.r); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("P(%g<X<%g, %g<Y<%g; r=%g) = %.12g, want %.12g", c.a1, c.b1, c.a2, c.b2, c.r, got, c.want)
		}
	}
}
