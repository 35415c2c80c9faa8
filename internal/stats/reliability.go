package stats

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// Reliability of a subscale, from its complete cases.
//
// With k items and n complete cases (every item answered), item j's scored
// values x_j (reverse-keyed items already reversed), their variances s²_j
// and the variance s²_T of the total T = Σ x_j, all sample variances
// (n − 1):
//
//	alpha            = k/(k−1) · (1 − Σ s²_j / s²_T)                 (Cronbach 1951)
//	95 % CI          = [1 − (1−alpha)·F(.975; n−1, (n−1)(k−1)),
//	                    1 − (1−alpha)·F(.025; n−1, (n−1)(k−1))]     (Feldt 1965)
//	alpha if deleted = alpha of the other k−1 items
//	corrected item–total r = Pearson r of x_j with T − x_j
//
// This is what R's psych::alpha reports as raw_alpha, alpha.drop and r.drop,
// and psych::alpha.ci as the Feldt interval. A figure that cannot be
// computed is nil and Note says why: JSON has no NaN.

// MinAlphaItems and MinAlphaCases are the least items and complete cases
// for which alpha is reported.
const (
	MinAlphaItems = 2
	MinAlphaCases = 3
)

// Reliability is Cronbach's alpha of a subscale with the figures that
// explain it.
type Reliability struct {
	// CompleteCases counts the responses that answered every item of the
	// subscale; alpha is computed from these only.
	CompleteCases int `json:"complete_cases"`
	// Alpha is Cronbach's alpha (raw, on the scored values).
	Alpha *float64 `json:"alpha"`
	// AlphaCI95 is Feldt's 95 % confidence interval of alpha.
	AlphaCI95 *Interval `json:"alpha_ci95"`
	// Items are the subscale's items in instrument order.
	Items []ItemReliability `json:"items"`
	// Note says why Alpha is null, when it is.
	Note string `json:"note,omitempty"`
}

// Interval is a confidence interval.
type Interval struct {
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
}

// ItemReliability is what one item does to its subscale's reliability.
type ItemReliability struct {
	ID      string `json:"id"`
	Reverse bool   `json:"reverse"`
	// AlphaIfDeleted is the alpha of the subscale without this item.
	AlphaIfDeleted *float64 `json:"alpha_if_deleted"`
	// ItemRestR is the corrected item–total correlation: Pearson's r of the
	// item with the sum of the subscale's other items.
	ItemRestR *float64 `json:"corrected_item_total_r"`
	// Note says why a figure is null, when one is.
	Note string `json:"note,omitempty"`
}

// ReliabilityOf computes the reliability figures of k items from their
// complete cases: cols[j][i] is item j's scored value (reverse-keyed items
// reversed) in complete case i, and every column has the same length.
// ids and reverse describe the items, in the order of cols.
func ReliabilityOf(ids []string, reverse []bool, cols [][]float64) Reliability {
	return reliabilityFrom(ids, reverse, comomentsOf(cols))
}

// reliabilityFrom computes the figures from the complete cases'
// co-moments. With C the items' covariance matrix, every figure is a sum
// of its entries: var(T) = Σ_ij C_ij; cov(x_j, T) = Σ_i C_ij; the rest
// T − x_j has variance var(T) − 2 cov(x_j, T) + C_jj and covariance
// cov(x_j, T) − C_jj with x_j.
func reliabilityFrom(ids []string, reverse []bool, m *comoments) Reliability {
	k := len(m.mean)
	n := m.n
	rel := Reliability{CompleteCases: n, Items: make([]ItemReliability, k)}
	for j := range rel.Items {
		rel.Items[j] = ItemReliability{ID: ids[j], Reverse: reverse[j]}
	}
	switch {
	case k < MinAlphaItems:
		rel.Note = fmt.Sprintf("alpha needs at least %d items; this subscale has %d", MinAlphaItems, k)
		for j := range rel.Items {
			rel.Items[j].Note = rel.Note
		}
		return rel
	case n < MinAlphaCases:
		rel.Note = fmt.Sprintf("alpha needs at least %d complete cases (every item answered); there are %d", MinAlphaCases, n)
		for j := range rel.Items {
			rel.Items[j].Note = rel.Note
		}
		return rel
	}

	vars := make([]float64, k)
	covTotal := make([]float64, k) // cov(x_j, T)
	var sumVars, varTotal float64
	for j := range k {
		vars[j] = m.cov(j, j)
		sumVars += vars[j]
		for i := range k {
			covTotal[j] += m.cov(i, j)
		}
		varTotal += covTotal[j]
	}
	if alpha := cronbach(k, sumVars, varTotal); alpha != nil {
		rel.Alpha = alpha
		rel.AlphaCI95 = feldt(*alpha, n, k)
	} else {
		rel.Note = "every complete case has the same total score, so alpha is undefined"
	}

	for j := range k {
		varRest := varTotal - 2*covTotal[j] + vars[j]
		it := &rel.Items[j]
		var notes []string
		if k-1 < MinAlphaItems {
			notes = append(notes, fmt.Sprintf("alpha if deleted needs at least %d items", MinAlphaItems+1))
		} else if it.AlphaIfDeleted = cronbach(k-1, sumVars-vars[j], varRest); it.AlphaIfDeleted == nil {
			notes = append(notes, "without this item every complete case has the same total, so alpha is undefined")
		}
		switch {
		case isZero(vars[j]):
			notes = append(notes, "every complete case gave this item the same value (zero variance), so it has no correlation")
		case isZero(varRest):
			notes = append(notes, "the other items sum to the same value in every complete case, so the item has no correlation with them")
		default:
			it.ItemRestR = finite((covTotal[j] - vars[j]) / math.Sqrt(vars[j]*varRest))
		}
		it.Note = strings.Join(notes, "; ")
	}
	return rel
}

// cronbach is alpha for k items whose variances sum to sumVars and whose
// total has variance varTotal; nil when the total does not vary.
func cronbach(k int, sumVars, varTotal float64) *float64 {
	if isZero(varTotal) {
		return nil
	}
	kf := float64(k)
	return finite(kf / (kf - 1) * (1 - sumVars/varTotal))
}

// feldt is the 95 % confidence interval of alpha from n cases of k items:
// (1 − alpha)/(1 − population alpha) follows F(n−1, (n−1)(k−1)) (Feldt,
// Woodruff & Salih 1987, eq. 3).
func feldt(alpha float64, n, k int) *Interval {
	d1 := float64(n - 1)
	f := distuv.F{D1: d1, D2: d1 * float64(k-1)}
	lo := 1 - (1-alpha)*f.Quantile(0.975)
	hi := 1 - (1-alpha)*f.Quantile(0.025)
	if finite(lo) == nil || finite(hi) == nil {
		return nil
	}
	return &Interval{Lower: lo, Upper: hi}
}

// isZero tells a variance of zero: scored values are whole numbers (or
// means of a few), so a constant column has a variance of exactly 0 or a
// rounding error far below any real spread.
func isZero(v float64) bool { return v < 1e-12 }

// finite returns a pointer to x, or nil when x is NaN or infinite.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
