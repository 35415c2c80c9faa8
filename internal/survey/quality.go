package survey

// Data quality: flags on complete responses, never deletions.
//
// Three rules, each computed from one response and, for speeders, one
// figure of the whole set (the median time). A flag marks a response for
// the researcher to look at; exports carry the flags as dq_* columns (the
// codebook states each rule) and the statistics leave flagged responses
// out only when asked (exclude=dq: ExcludeFlagged). Responses in
// progress are never flagged: they may simply not be finished.
//
//   - Speeder: the response's time is under Fraction (default 0.3) of the
//     median time of the complete responses of the same selection. A web
//     response's time is the total of its page times (pagetimes.go: time
//     on the pages, breaks not counted); a response without page times
//     (sent through the API) counts from started_at to submitted_at.
//   - Straightlining: the same substantive answer to every item of a
//     Likert block, a run of at least StraightlineBlock consecutive
//     likert items of one section on one scale (attention checks in the
//     run left out), every one answered; or a
//     contradiction with reverse keying: the same extreme answer (the
//     lowest, or the highest, substantive value of each item's scale) to
//     an item and to a reverse-keyed item of the same subscale, which
//     says both one thing and its opposite as strongly as the scale can.
//   - Attention: an attention check (Item.Attention) that was shown and
//     answered otherwise than expected, or left unanswered. A check its
//     show_if hid does not count.

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// DefaultSpeederFraction is the speeder rule's fraction of the median
// time when the caller gives none.
const DefaultSpeederFraction = 0.3

// StraightlineBlock is the fewest items of a Likert block the
// straightlining rule looks at.
const StraightlineBlock = 5

// QualityFlags are one response's flags.
type QualityFlags struct {
	Speeder, Straightline, Attention bool
}

// Any reports whether any rule flags the response.
func (q QualityFlags) Any() bool { return q.Speeder || q.Straightline || q.Attention }

// Quality applies the rules to the responses of one form. Build it with
// Form.Quality; it is not safe for concurrent use (it reuses its scratch
// memory). The rules work on answers by form position (FlagsByPosition),
// as exports hold them, so a row costs no map.
type Quality struct {
	form   *Form
	cutoff float64 // seconds; a response under it is a speeder; 0: none
	// median and fraction, as the codebook states them.
	median, fraction float64
	blocks           [][]int // positions of each Likert block's items
	reversePairs     []reversePair
	checks           []int // positions of the attention checks
	checksHide       bool  // some check has a condition
	// Per position: the item's substantive range (likert) and whether a
	// value is a missing code.
	lo, hi  []int64
	missing []map[int64]bool
	// scratch memory of Flags and FlagsByPosition
	vals  []Value
	shown []bool
}

// reversePair is a subscale's items in two groups, by position: regular
// and reversed.
type reversePair struct {
	regular, reversed []int
}

// Quality returns the rules for the form with the speeder cutoff
// fraction × median (median in seconds, from MedianSeconds; 0 means no
// speeder can be told).
func (f *Form) Quality(fraction, median float64) *Quality {
	n := len(f.order)
	q := &Quality{form: f, median: median, fraction: fraction, cutoff: fraction * median,
		lo: make([]int64, n), hi: make([]int64, n), missing: make([]map[int64]bool, n), vals: make([]Value, n)}
	for i, it := range f.order {
		q.lo[i], q.hi[i], _ = f.ScaleRange(it.ID)
		for _, o := range f.options[it.ID] {
			if o.Missing {
				if q.missing[i] == nil {
					q.missing[i] = map[int64]bool{}
				}
				q.missing[i][o.Value] = true
			}
		}
	}
	for si := range f.Instrument.Sections {
		items := f.Instrument.Sections[si].Items
		for i := 0; i < len(items); {
			j := i
			for j < len(items) && items[j].Type == Likert && items[j].Scale == items[i].Scale {
				j++
			}
			// An attention check inside a run asks for one answer: it is
			// no part of the block.
			var b []int
			for k := i; k < j; k++ {
				if items[k].Attention == nil {
					b = append(b, f.index[items[k].ID])
				}
			}
			if len(b) >= StraightlineBlock {
				q.blocks = append(q.blocks, b)
			}
			i = max(j, i+1)
		}
	}
	for _, s := range f.Instrument.Subscales {
		var pair reversePair
		for _, it := range f.SubscaleItems(s.ID) {
			if it.Reverse {
				pair.reversed = append(pair.reversed, f.index[it.ID])
			} else {
				pair.regular = append(pair.regular, f.index[it.ID])
			}
		}
		if pair.regular != nil && pair.reversed != nil {
			q.reversePairs = append(q.reversePairs, pair)
		}
	}
	for i, it := range f.order {
		if it.Attention != nil {
			q.checks = append(q.checks, i)
			q.checksHide = q.checksHide || it.ShowIf != nil
		}
	}
	return q
}

// Median is the median time the speeder rule compares with, in seconds.
func (q *Quality) Median() float64 { return q.median }

// Fraction is the speeder rule's fraction of the median.
func (q *Quality) Fraction() float64 { return q.fraction }

// HasStraightlineRule reports whether the form has a Likert block or a
// subscale with reverse-keyed items: without, dq_straightline is never
// set.
func (q *Quality) HasStraightlineRule() bool { return q.blocks != nil || q.reversePairs != nil }

// HasAttentionChecks reports whether the form declares any.
func (q *Quality) HasAttentionChecks() bool { return q.checks != nil }

// readsAnswers reports whether any rule but the speeder's reads answers.
func (q *Quality) readsAnswers() bool { return q.HasStraightlineRule() || q.HasAttentionChecks() }

// ResponseSeconds is the time the speeder rule reads: the total of the
// page times when the response has them, else submitted_at − started_at;
// ok is false for a response not submitted.
func ResponseSeconds(r *Response) (float64, bool) {
	if r.Status != ResponseComplete || r.SubmittedAt == nil {
		return 0, false
	}
	if r.PageTimes != nil {
		return float64(r.PageTimes.Total()) / 1000, true
	}
	return max(r.SubmittedAt.Sub(r.StartedAt).Seconds(), 0), true
}

// MedianSeconds returns the median of the times (it sorts them); 0 for
// none.
func MedianSeconds(times []float64) float64 {
	if len(times) == 0 {
		return 0
	}
	slices.Sort(times)
	n := len(times)
	if n%2 == 1 {
		return times[n/2]
	}
	return (times[n/2-1] + times[n/2]) / 2
}

// Flags applies the rules to r; a response not complete has none. The
// answers are r.Answers, or r.AnswersJSON when the scan asked for the
// answers as stored.
func (q *Quality) Flags(r *Response) QualityFlags {
	if r.Status != ResponseComplete {
		return QualityFlags{}
	}
	var vals []Value
	if q.readsAnswers() {
		vals = q.vals
		clear(vals)
		set := func(id string, v Value) {
			if i, ok := q.form.index[id]; ok {
				vals[i] = v
			}
		}
		if len(r.Answers) == 0 && len(r.AnswersJSON) > 0 {
			if !EachCanonicalAnswer(r.AnswersJSON, func(id []byte, v Value) { set(string(id), v) }) {
				clear(vals)
			}
		} else {
			for id, v := range r.Answers {
				set(id, v)
			}
		}
	}
	return q.FlagsByPosition(r, vals)
}

// FlagsByPosition is Flags for answers held by position: vals[i] is the
// answer to Form.Items()[i] (the zero Value for none; Kind and Int are
// read, and List where a condition reads it). vals may be nil when no
// rule but the speeder's reads answers.
func (q *Quality) FlagsByPosition(r *Response, vals []Value) QualityFlags {
	var out QualityFlags
	if r.Status != ResponseComplete {
		return out
	}
	if s, ok := ResponseSeconds(r); ok && q.cutoff > 0 && s < q.cutoff {
		out.Speeder = true
	}
	if q.readsAnswers() {
		out.Straightline = q.straightline(vals)
		out.Attention = q.attention(vals)
	}
	return out
}

// substantive returns the answer at position i when it is a substantive
// value (not a missing code).
func (q *Quality) substantive(vals []Value, i int) (int64, bool) {
	v := vals[i]
	if v.Kind != IntValue || q.missing[i][v.Int] {
		return 0, false
	}
	return v.Int, true
}

func (q *Quality) straightline(vals []Value) bool {
	for _, b := range q.blocks {
		first, ok := q.substantive(vals, b[0])
		same := ok
		for _, i := range b[1:] {
			if !same {
				break
			}
			v, answered := q.substantive(vals, i)
			same = answered && v == first
		}
		if same {
			return true
		}
	}
	for _, p := range q.reversePairs {
		lowReg, highReg := q.extremes(p.regular, vals)
		lowRev, highRev := q.extremes(p.reversed, vals)
		if lowReg && lowRev || highReg && highRev {
			return true
		}
	}
	return false
}

// extremes reports whether any of the items was answered with the lowest,
// and whether any with the highest, substantive value of its scale.
func (q *Quality) extremes(items []int, vals []Value) (low, high bool) {
	for _, i := range items {
		v, ok := q.substantive(vals, i)
		if !ok || q.lo[i] == q.hi[i] {
			continue
		}
		low = low || v == q.lo[i]
		high = high || v == q.hi[i]
	}
	return low, high
}

func (q *Quality) attention(vals []Value) bool {
	if q.checks == nil {
		return false
	}
	if q.checksHide {
		q.shown = q.form.ShownByPosition(vals, q.shown)
	}
	for _, i := range q.checks {
		if q.checksHide && !q.shown[i] {
			continue
		}
		v := vals[i]
		if v.Kind != IntValue || v.Int != q.form.order[i].Attention.Expect {
			return true
		}
	}
	return false
}

// Describe states the rules as the codebook prints them, one text per
// flag column.
func (q *Quality) Describe() (speeder, straightline, attention string) {
	speeder = "1 when the response's time is under " + strconv.FormatFloat(q.fraction, 'g', -1, 64) +
		" × the median time of the complete responses exported (speeder_fraction; the export's selection decides the median); the time is the total of the page times for a web response (time on the pages, breaks left out), else submitted_at − started_at; empty for a response in progress"
	straightline = "1 when every item of a Likert block (at least " + strconv.Itoa(StraightlineBlock) +
		" consecutive likert items of one section on one scale) has the same answer, or an item and a reverse-keyed item of the same subscale have the same extreme answer (both the scale's lowest or both its highest value)"
	if !q.HasStraightlineRule() {
		straightline += "; this instrument has no such block or subscale: always 0"
	}
	attention = "1 when an attention check shown to the respondent was not answered with the answer it asks for"
	var ids []string
	for _, i := range q.checks {
		it := q.form.order[i]
		ids = append(ids, it.ID+" (expects "+strconv.FormatInt(it.Attention.Expect, 10)+")")
	}
	if ids == nil {
		attention += "; this instrument has none: always 0"
	} else {
		attention += ": " + strings.Join(ids, ", ")
	}
	return
}

// QualityOptions are the caller's choices for the flags: the speeder
// fraction and whether flagged responses are left out.
type QualityOptions struct {
	Fraction float64
	Exclude  bool
}

// ParseQualityOptions reads the exclude and speeder_fraction parameters
// of the statistics and exports: exclude is "" or dq (leave flagged
// responses out); speeder_fraction a number above 0 and below 1 (default
// DefaultSpeederFraction). Problems go to p with the parameter's name.
func ParseQualityOptions(p *Problems, exclude, fraction string) QualityOptions {
	o := QualityOptions{Fraction: DefaultSpeederFraction}
	switch exclude {
	case "":
	case "dq":
		o.Exclude = true
	default:
		p.Add("exclude", "must be dq (leave out the responses a data-quality rule flags) or left out, got %q", exclude)
	}
	if fraction != "" {
		f, err := strconv.ParseFloat(fraction, 64)
		if err != nil || !(f > 0 && f < 1) {
			p.Add("speeder_fraction", "must be a number above 0 and below 1, got %q", fraction)
		} else {
			o.Fraction = f
		}
	}
	return o
}

// ScanQuality reads the median time of the complete responses that f
// selects (one scan of the stored rows, answers left undecoded) and
// returns the form's rules with it.
func ScanQuality(ctx context.Context, sc ResponseScanner, form *Form, f ExportFilter, fraction float64) (*Quality, error) {
	f.Status, f.RawAnswers = ResponseComplete, true
	var times []float64
	err := sc.ScanResponses(ctx, f, func(r *Response) error {
		if s, ok := ResponseSeconds(r); ok {
			times = append(times, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return form.Quality(fraction, MedianSeconds(times)), nil
}

// ExcludeFlagged returns a scanner that passes on only the responses of
// sc that no rule of q flags, for statistics with exclude=dq; responses
// in progress pass (they have no flags).
func ExcludeFlagged(sc ResponseScanner, q *Quality) *Excluding {
	return &Excluding{sc: sc, q: q}
}

// Excluding is ExcludeFlagged's scanner; it counts what it leaves out.
type Excluding struct {
	sc       ResponseScanner
	q        *Quality
	excluded int
}

// ScanResponses implements ResponseScanner.
func (e *Excluding) ScanResponses(ctx context.Context, f ExportFilter, fn func(*Response) error) error {
	e.excluded = 0
	return e.sc.ScanResponses(ctx, f, func(r *Response) error {
		if e.q.Flags(r).Any() {
			e.excluded++
			return nil
		}
		return fn(r)
	})
}

// Excluded is how many responses the last scan left out.
func (e *Excluding) Excluded() int { return e.excluded }

// ExcludeIfAsked is the statistics' one rule for exclude=dq: with
// o.Exclude, the median of the complete responses that f selects (any
// status asked for: the median is always of complete ones) is scanned and
// the flagged responses are left out of sc; without, sc is returned as it
// is and ex is nil.
func ExcludeIfAsked(ctx context.Context, sc ResponseScanner, form *Form, f ExportFilter, o QualityOptions) (out ResponseScanner, ex *Excluding, err error) {
	if !o.Exclude {
		return sc, nil, nil
	}
	q, err := ScanQuality(ctx, sc, form, f, o.Fraction)
	if err != nil {
		return nil, nil, err
	}
	ex = ExcludeFlagged(sc, q)
	return ex, ex, nil
}

// QualityCounts are how many complete responses each rule flags, for the
// dashboard's panel.
type QualityCounts struct {
	Complete                                  int
	Speeder, Straightline, Attention, AnyFlag int
	// Median is the median time in seconds (0 without responses).
	Median float64
}

// CountQuality counts the flags of the complete responses f selects in
// one scan (the answers as stored): the speeder rule is applied after it,
// once the median is known, from the times kept (8 bytes a response).
func CountQuality(ctx context.Context, sc ResponseScanner, form *Form, f ExportFilter, fraction float64) (QualityCounts, error) {
	f.Status, f.RawAnswers = ResponseComplete, true
	q := form.Quality(fraction, 0) // no median yet: no speeder
	type seen struct {
		seconds float64
		other   bool // flagged by another rule
	}
	var all []seen
	var c QualityCounts
	err := sc.ScanResponses(ctx, f, func(r *Response) error {
		s, ok := ResponseSeconds(r)
		if !ok {
			return nil
		}
		fl := q.Flags(r)
		if fl.Straightline {
			c.Straightline++
		}
		if fl.Attention {
			c.Attention++
		}
		all = append(all, seen{s, fl.Any()})
		return nil
	})
	if err != nil {
		return QualityCounts{}, err
	}
	times := make([]float64, len(all))
	for i, s := range all {
		times[i] = s.seconds
	}
	c.Complete, c.Median = len(all), MedianSeconds(times)
	cutoff := fraction * c.Median
	for _, s := range all {
		speeder := cutoff > 0 && s.seconds < cutoff
		if speeder {
			c.Speeder++
		}
		if speeder || s.other {
			c.AnyFlag++
		}
	}
	return c, nil
}
