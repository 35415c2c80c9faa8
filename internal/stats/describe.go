package stats

import (
	"sort"

	"gonum.org/v1/gonum/stat"
)

// Summary holds the usual figures of a sample: mean, standard deviation
// (sample, n − 1) and median, each nil when the sample is too small for it.
type Summary struct {
	Mean   *float64 `json:"mean"`
	SD     *float64 `json:"sd"`
	Median *float64 `json:"median"`
}

// summarize describes a sample given as distinct values x, sorted
// ascending, with their frequencies w (w nil: each value once). It returns
// a note when a figure is missing for want of data, calling the values
// what (such as "answers").
func summarize(x, w []float64, what string) (Summary, string) {
	var n float64
	if w == nil {
		n = float64(len(x))
	} else {
		for _, c := range w {
			n += c
		}
	}
	if n == 0 {
		return Summary{}, "no " + what
	}
	mean, sd := stat.MeanStdDev(x, w)
	s := Summary{Mean: finite(mean), Median: finite(median(x, w, n))}
	if n < 2 {
		return s, "the standard deviation needs at least 2 " + what
	}
	s.SD = finite(sd)
	return s, ""
}

// median is the sample median as R's median() and SPSS give it: the middle
// value, or the mean of the two middle values when n is even. gonum's
// Empirical quantile at 0.5 is the lower of the two middle values; at a p
// just above 0.5 (by less than one observation) it is the upper one.
func median(x, w []float64, n float64) float64 {
	lower := stat.Quantile(0.5, stat.Empirical, x, w)
	upper := stat.Quantile(0.5+0.25/n, stat.Empirical, x, w)
	return (lower + upper) / 2
}

// summarizeSample describes the raw values in x, sorting x in place.
func summarizeSample(x []float64, what string) (Summary, string) {
	sort.Float64s(x)
	return summarize(x, nil, what)
}
