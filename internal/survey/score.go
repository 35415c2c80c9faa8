package survey

import (
	"slices"
	"strconv"
)

// Subscale scores.
//
// A subscale's score is computed from the answers to its Likert items:
//
//   - a reverse-keyed item counts as min + max − value, where min and max
//     are the lowest and highest option values of the item's scale (for a
//     1–5 scale, 6 − value); the answer itself is never changed;
//   - an item counts when it is answered with an integer that is not a
//     missing-data code (an option marked missing: "Not applicable",
//     "Don't know"); an unanswered or hidden item, or one answered with a
//     missing code, does not count, and a missing code is never reversed;
//   - the min and max of a scale are those of its substantive options:
//     missing codes (often 9 or 99) are left out of the range;
//   - in a subscale with combine: rescale, each item's value (reversed
//     first, on its own scale) is mapped linearly onto the scale of the
//     subscale's first item, lo₀ + (x − lo) × (hi₀ − lo₀) / (hi − lo);
//     without it, validation keeps every item of a subscale on the same
//     values;
//   - when fewer items count than the subscale's min_answered (default:
//     every item of the subscale), there is no score;
//   - scoring mean: the mean of the counted items; scoring sum: the mean
//     of the counted items × the number of items in the subscale, so a
//     sum stays comparable when an item was skipped (prorating).
//
// The export, the statistics and anything else that reports scores call
// these functions, so there is one rule in one place.

// SubscaleItems returns the items of a subscale in document order, or nil
// for an unknown subscale. The slice is new on every call.
func (f *Form) SubscaleItems(id string) []*Item {
	var out []*Item
	for _, it := range f.order {
		if it.Type == Likert && it.Subscale == id {
			out = append(out, it)
		}
	}
	return out
}

// ScaleRange returns the lowest and highest substantive option values of
// a Likert or choice item (missing-data codes left out), and false when
// the item has no substantive options.
func (f *Form) ScaleRange(id string) (lo, hi int64, ok bool) {
	return optionRange(f.options[id])
}

func optionRange(opts []Option) (lo, hi int64, ok bool) {
	for _, o := range opts {
		if o.Missing {
			continue
		}
		if !ok {
			lo, hi, ok = o.Value, o.Value, true
			continue
		}
		lo, hi = min(lo, o.Value), max(hi, o.Value)
	}
	return lo, hi, ok
}

// ItemScore returns the value an item contributes to its subscale's score:
// the answer, reversed when the item is reverse-keyed. It returns false
// when the item is unknown, not a Likert item, or not answered with an
// integer or only with a missing-data code. Use it where item-level scored
// values are needed (reliability, item-total correlations).
func (f *Form) ItemScore(id string, a Answers) (float64, bool) {
	it := f.items[id]
	if it == nil || it.Type != Likert {
		return 0, false
	}
	return f.itemScore(it, a)
}

func (f *Form) itemScore(it *Item, a Answers) (float64, bool) {
	v, ok := a[it.ID]
	if !ok || v.Kind != IntValue || f.IsMissingCode(it.ID, v.Int) {
		return 0, false
	}
	x := v.Int
	if it.Reverse {
		lo, hi, ok := f.ScaleRange(it.ID)
		if !ok {
			return 0, false
		}
		x = lo + hi - x
	}
	if lo, tlo, k, ok := f.rescaleOf(it); ok {
		return tlo + (float64(x)-lo)*k, true
	}
	return float64(x), true
}

// rescaleOf returns how an item's value maps onto its subscale's common
// scale, tlo + (x − lo) × k, when the subscale has combine: rescale; ok is
// false otherwise.
func (f *Form) rescaleOf(it *Item) (lo, tlo, k float64, ok bool) {
	if it.Subscale == "" {
		return 0, 0, 0, false
	}
	sub := f.Subscale(it.Subscale)
	if sub == nil || sub.Combine != CombineRescale {
		return 0, 0, 0, false
	}
	var first *Item
	for _, x := range f.order {
		if x.Type == Likert && x.Subscale == it.Subscale {
			first = x
			break
		}
	}
	if first == nil {
		return 0, 0, 0, false // not a likert item of the subscale
	}
	l, h, ok1 := f.ScaleRange(it.ID)
	tl, th, ok2 := f.ScaleRange(first.ID)
	if !ok1 || !ok2 || h == l {
		return 0, 0, 0, false
	}
	return float64(l), float64(tl), float64(th-tl) / float64(h-l), true
}

// Subscale returns the subscale with the given id, or nil.
func (f *Form) Subscale(id string) *Subscale {
	for i := range f.Instrument.Subscales {
		if f.Instrument.Subscales[i].ID == id {
			return &f.Instrument.Subscales[i]
		}
	}
	return nil
}

// Score returns the score of one subscale for the answers, and false when
// there is none: an unknown subscale, or fewer answered items than
// min_answered (see the rules at the top of this file). To score many
// responses, build a Scorer once instead.
func (f *Form) Score(subscale string, a Answers) (float64, bool) {
	return f.Scorer(subscale).Score(a)
}

// Scorer scores one subscale, with the subscale's items and their
// reversal worked out once: for exports and statistics over many
// responses. It is read-only and safe for concurrent use.
type Scorer struct {
	Subscale *Subscale
	items    []scoredItem
	need     int
	sum      bool
}

type scoredItem struct {
	id      string
	reverse bool
	// rescale maps the value onto the subscale's common scale:
	// tlo + (x − lo) × k (combine: rescale).
	rescale    bool
	lo, tlo, k float64
	flip       int64   // min + max of the item's scale, for reversing
	missing    []int64 // the scale's missing-data codes, never scored
}

// Scorer returns the scorer of a subscale, or nil for an unknown one (a
// nil Scorer scores nothing).
func (f *Form) Scorer(subscale string) *Scorer {
	sub := f.Subscale(subscale)
	if sub == nil {
		return nil
	}
	s := &Scorer{Subscale: sub, sum: sub.Scoring == ScoreSum}
	for _, it := range f.SubscaleItems(subscale) {
		si := scoredItem{id: it.ID, reverse: it.Reverse}
		for _, o := range f.options[it.ID] {
			if o.Missing {
				si.missing = append(si.missing, o.Value)
			}
		}
		if it.Reverse {
			lo, hi, ok := f.ScaleRange(it.ID)
			if !ok {
				continue // validation makes every likert item have a scale
			}
			si.flip = lo + hi
		}
		si.lo, si.tlo, si.k, si.rescale = f.rescaleOf(it)
		s.items = append(s.items, si)
	}
	s.need = sub.MinAnswered
	if s.need <= 0 || s.need > len(s.items) {
		s.need = len(s.items)
	}
	return s
}

// Score returns the subscale's score for the answers, and false when
// there is none.
func (s *Scorer) Score(a Answers) (float64, bool) {
	if s == nil {
		return 0, false
	}
	return s.score(func(i int) Value { return a[s.items[i].id] })
}

// ItemIDs lists the items the scorer reads, in document order.
func (s *Scorer) ItemIDs() []string {
	if s == nil {
		return nil
	}
	ids := make([]string, len(s.items))
	for i, it := range s.items {
		ids[i] = it.id
	}
	return ids
}

// ScoreValues is Score for answers already looked up: vals[i] is the
// answer to ItemIDs()[i], the zero Value when unanswered.
func (s *Scorer) ScoreValues(vals []Value) (float64, bool) {
	if s == nil || len(vals) != len(s.items) {
		return 0, false
	}
	return s.score(func(i int) Value { return vals[i] })
}

// score is the one implementation of the rules at the top of this file.
func (s *Scorer) score(answer func(i int) Value) (float64, bool) {
	if len(s.items) == 0 {
		return 0, false
	}
	var sum float64
	answered := 0
	for i := range s.items {
		v := answer(i)
		if v.Kind != IntValue {
			continue
		}
		x := v.Int
		it := &s.items[i]
		if slices.Contains(it.missing, x) {
			continue // a missing code counts as unanswered
		}
		if it.reverse {
			x = it.flip - x
		}
		if it.rescale {
			sum += it.tlo + (float64(x)-it.lo)*it.k
		} else {
			sum += float64(x)
		}
		answered++
	}
	if answered == 0 || answered < s.need {
		return 0, false
	}
	if s.sum {
		// sum × items / answered: the prorated sum, with one rounding.
		return sum * float64(len(s.items)) / float64(answered), true
	}
	return sum / float64(answered), true
}

// Scores returns the score of every subscale, keyed by subscale id; the
// value is nil where the subscale has no score for these answers.
func (f *Form) Scores(a Answers) map[string]*float64 {
	out := make(map[string]*float64, len(f.Instrument.Subscales))
	for _, s := range f.Instrument.Subscales {
		if v, ok := f.Score(s.ID, a); ok {
			out[s.ID] = &v
		} else {
			out[s.ID] = nil
		}
	}
	return out
}

// DescribeScoring puts a subscale's rule in words, for codebooks: "mean of
// eff_1, eff_2, eff_3 (reversed: 6 − value), ...; empty when fewer than 4
// of 5 items are answered".
func (f *Form) DescribeScoring(subscale string) string {
	s := f.Subscale(subscale)
	if s == nil {
		return ""
	}
	items := f.SubscaleItems(subscale)
	var b []byte
	if s.Scoring == ScoreSum {
		b = append(b, "prorated sum (mean of the answered items × "...)
		b = strconv.AppendInt(b, int64(len(items)), 10)
		b = append(b, ") of "...)
	} else {
		b = append(b, "mean of the answered items of "...)
	}
	for i, it := range items {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, it.ID...)
		if it.Reverse {
			if lo, hi, ok := f.ScaleRange(it.ID); ok {
				b = append(b, " (reversed: "...)
				b = strconv.AppendInt(b, lo+hi, 10)
				b = append(b, " − value)"...)
			}
		}
	}
	if s.Combine == CombineRescale && len(items) > 0 {
		if lo, hi, ok := f.ScaleRange(items[0].ID); ok {
			b = append(b, "; each item first mapped linearly onto "...)
			b = strconv.AppendInt(b, lo, 10)
			b = append(b, "–"...)
			b = strconv.AppendInt(b, hi, 10)
			b = append(b, " (the scale of "...)
			b = append(b, items[0].ID...)
			b = append(b, ")"...)
		}
	}
	// Missing codes, once per distinct code and label, in document order.
	seen := map[Option]bool{}
	var codes []Option
	for _, it := range items {
		for _, o := range f.options[it.ID] {
			if o.Missing && !seen[o] {
				seen[o] = true
				codes = append(codes, o)
			}
		}
	}
	need := s.MinAnswered
	if need <= 0 || need > len(items) {
		need = len(items)
	}
	if len(codes) > 0 {
		b = append(b, "; "...)
		for i, o := range codes {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = strconv.AppendInt(b, o.Value, 10)
			b = append(b, " ("...)
			b = append(b, o.Label...)
			b = append(b, ')')
		}
		if len(codes) == 1 {
			b = append(b, " counts as unanswered"...)
		} else {
			b = append(b, " count as unanswered"...)
		}
	}
	if need == len(items) {
		b = append(b, "; empty unless all "...)
		b = strconv.AppendInt(b, int64(len(items)), 10)
		b = append(b, " items are answered"...)
	} else {
		b = append(b, "; empty when fewer than "...)
		b = strconv.AppendInt(b, int64(need), 10)
		b = append(b, " of "...)
		b = strconv.AppendInt(b, int64(len(items)), 10)
		b = append(b, " items are answered"...)
	}
	return string(b)
}
