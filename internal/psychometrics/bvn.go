package psychometrics

// The bivariate normal distribution, for polychoric correlations: Alan
// Genz's algorithm (Genz 2004, "Numerical computation of rectangular
// bivariate and trivariate normal and t probabilities", Statistics and
// Computing 14; his bvnu), which is accurate to about 1e-15. mnormt's
// sadmvn, which psych calls, computes the same probabilities.

import "math"

// phi is the standard normal distribution function.
func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// Gauss–Legendre points and weights for 6, 12 and 20 points (half of
// each symmetric set).
var (
	glW6  = []float64{0.1713244923791705, 0.3607615730481384, 0.4679139345726904}
	glX6  = []float64{0.9324695142031522, 0.6612093864662647, 0.2386191860831970}
	glW12 = []float64{0.04717533638651177, 0.1069393259953183, 0.1600783285433464, 0.2031674267230659, 0.2334925365383547, 0.2491470458134029}
	glX12 = []float64{0.9815606342467191, 0.9041172563704750, 0.7699026741943050, 0.5873179542866171, 0.3678314989981802, 0.1252334085114692}
	glW20 = []float64{0.01761400713915212, 0.04060142980038694, 0.06267204833410906, 0.08327674157670475, 0.1019301198172404,
		0.1181945319615184, 0.1316886384491766, 0.1420961093183821, 0.1491729864726037, 0.1527533871307259}
	glX20 = []float64{0.9931285991850949, 0.9639719272779138, 0.9122344282513259, 0.8391169718222188, 0.7463319064601508,
		0.6360536807265150, 0.5108670019508271, 0.3737060887154196, 0.2277858511416451, 0.07652652113349733}
)

// glRule is a Gauss–Legendre rule on (0, 2): both halves of a symmetric
// set, as bvnu uses them.
type glRule struct{ w, x []float64 }

func newGLRule(w0, x0 []float64) glRule {
	n := len(w0)
	g := glRule{w: make([]float64, 2*n), x: make([]float64, 2*n)}
	for i := range n {
		g.w[i], g.w[n+i] = w0[i], w0[i]
		g.x[i], g.x[n+i] = 1-x0[i], 1+x0[i]
	}
	return g
}

var gl6, gl12, gl20 = newGLRule(glW6, glX6), newGLRule(glW12, glX12), newGLRule(glW20, glX20)

// bvnu is P(X > h, Y > k) for standard normal X and Y with correlation r.
func bvnu(h, k, r float64) float64 {
	switch {
	case math.IsInf(h, 1) || math.IsInf(k, 1):
		return 0
	case math.IsInf(h, -1):
		if math.IsInf(k, -1) {
			return 1
		}
		return phi(-k)
	case math.IsInf(k, -1):
		return phi(-h)
	case r == 0:
		return phi(-h) * phi(-k)
	}
	const tp = 2 * math.Pi
	var g *glRule
	switch ar := math.Abs(r); {
	case ar < 0.3:
		g = &gl6
	case ar < 0.75:
		g = &gl12
	default:
		g = &gl20
	}
	w, x := g.w, g.x
	hk := h * k
	var bvn float64
	if math.Abs(r) < 0.925 {
		hs := (h*h + k*k) / 2
		asr := math.Asin(r) / 2
		for i := range x {
			sn := math.Sin(asr * x[i])
			bvn += w[i] * math.Exp((sn*hk-hs)/(1-sn*sn))
		}
		bvn = bvn*asr/tp + phi(-h)*phi(-k)
	} else {
		if r < 0 {
			k = -k
			hk = -hk
		}
		if math.Abs(r) < 1 {
			as := 1 - r*r
			a := math.Sqrt(as)
			bs := (h - k) * (h - k)
			asr := -(bs/as + hk) / 2
			c := (4 - hk) / 8
			d := (12 - hk) / 80
			if asr > -100 {
				bvn = a * math.Exp(asr) * (1 - c*(bs-as)*(1-d*bs)/3 + c*d*as*as)
			}
			if hk > -100 {
				b := math.Sqrt(bs)
				sp := math.Sqrt(tp) * phi(-b/a)
				bvn -= math.Exp(-hk/2) * sp * b * (1 - c*bs*(1-d*bs)/3)
			}
			a /= 2
			var sum float64
			for i := range x {
				xs := (a * x[i]) * (a * x[i])
				asr := -(bs/xs + hk) / 2
				if asr <= -100 {
					continue
				}
				sp := 1 + c*xs*(1+5*d*xs)
				rs := math.Sqrt(1 - xs)
				ep := math.Exp(-(hk/2)*xs/((1+rs)*(1+rs))) / rs
				sum += w[i] * math.Exp(asr) * (sp - ep)
			}
			bvn = (a*sum - bvn) / tp
		}
		switch {
		case r > 0:
			bvn += phi(-math.Max(h, k))
		case h >= k:
			bvn = -bvn
		default:
			var l float64
			if h < 0 {
				l = phi(k) - phi(h)
			} else {
				l = phi(-h) - phi(-k)
			}
			bvn = l - bvn
		}
	}
	return math.Max(0, math.Min(1, bvn))
}

// bvnRect is P(a1 < X < b1, a2 < Y < b2).
func bvnRect(a1, b1, a2, b2, r float64) float64 {
	return bvnu(a1, a2, r) - bvnu(b1, a2, r) - bvnu(a1, b2, r) + bvnu(b1, b2, r)
}
