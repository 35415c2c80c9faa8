package sample

import (
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Answers to the item types of survey/itemtypes.go, for the generators
// of this package. n(k) is a number in [0, k): random, or fixed for Fixed.

// newTypeValue answers a date, number, slider or consent item; ok is false
// for an info item (no answer) and the first five types.
func newTypeValue(it *survey.Item, n func(k int64) int64) (survey.Value, bool) {
	switch it.Type {
	case survey.DateItem:
		lo := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		hi := lo.AddDate(5, 0, 0)
		if t, err := time.Parse(time.DateOnly, it.MinText); err == nil {
			lo = t
			hi = t.AddDate(5, 0, 0)
		}
		if t, err := time.Parse(time.DateOnly, it.MaxText); err == nil && t.Before(hi) {
			hi = t
		}
		days := int64(hi.Sub(lo)/(24*time.Hour)) + 1
		return survey.TextVal(lo.AddDate(0, 0, int(n(days))).Format(time.DateOnly)), true
	case survey.Number:
		// A whole number of hundredths, tenths ... within the bounds, as
		// canonical decimal text (or an integer when whole).
		scale := int64(1)
		for range min(it.Decimals, 2) {
			scale *= 10
		}
		lo, hi := int64(0), 100*scale
		if v, err := strconv.ParseFloat(it.MinText, 64); err == nil {
			lo = int64(v*float64(scale)) + 1
			hi = lo + 100*scale
		}
		if v, err := strconv.ParseFloat(it.MaxText, 64); err == nil && int64(v*float64(scale))-1 < hi {
			hi = int64(v*float64(scale)) - 1
		}
		if hi < lo {
			hi = lo
		}
		x := lo + n(hi-lo+1)
		d, _ := survey.ParseDecimal(strconv.FormatInt(x, 10) + "e-" + strconv.Itoa(min(it.Decimals, 2)))
		if whole, err := strconv.ParseInt(d, 10, 64); err == nil {
			return survey.IntVal(whole), true
		}
		return survey.TextVal(d), true
	case survey.Slider:
		return survey.IntVal(n(survey.SliderMax + 1)), true
	case survey.Consent:
		return survey.IntVal(1), true
	}
	return survey.Value{}, false
}

// standAlone drops exclusive options and missing codes from a list of
// several options, which the form refuses beside others; a list of them
// alone keeps its first.
func standAlone(opts []survey.Option, picked []int64) []int64 {
	if len(picked) < 2 {
		return picked
	}
	alone := map[int64]bool{}
	for _, o := range opts {
		if o.Exclusive || o.Missing {
			alone[o.Value] = true
		}
	}
	var out []int64
	for _, v := range picked {
		if !alone[v] {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return picked[:1]
	}
	return out
}
