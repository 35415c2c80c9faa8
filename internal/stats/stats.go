// Package stats computes the statistics a researcher reads while a survey
// runs: counts of responses, the distribution of every item, subscale
// scores and their reliability, optionally side by side for the groups of
// a single-choice item.
//
// A Builder takes responses one at a time (so a survey of any size streams
// through it), keeping counts per option and, per subscale, the scores and
// the complete cases; Report then computes every figure with gonum. Scoring
// follows survey.Scorer and survey.Form.ItemScore, the one definition of a
// score that the export uses too.
package stats

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"gonum.org/v1/gonum/stat"
)

// Options selects how a Report is grouped.
type Options struct {
	// By is the id of a single-choice item; the report then has one group
	// per option. ByLanguage groups by the language each response was
	// answered in. "" gives one group of every response.
	By string
}

// ByLanguage is the By that groups responses by their language: a group
// per language of the instrument, in its order (its own first), then one
// per other language a response was answered in (the interface's, where
// the instrument has no translation), then the responses with none
// recorded (those sent through the API). Comparing the groups' reliability
// is a first check that the translations measure alike. It takes
// precedence over an item with the id "language".
const ByLanguage = "language"

// Builder accumulates responses for a Report. It is not safe for
// concurrent use.
type Builder struct {
	form      *survey.Form
	by        *survey.Item
	items     []*survey.Item // likert, choice and integer items
	options   [][]survey.Option
	texts     []*survey.Item
	subscales []subscalePlan
	vals      []survey.Value // scratch: this response's answers to items

	// Answers by form position (survey.Form.Position), for AddValues: where
	// each of items and texts is, and where by is (-1 without by).
	itemAt, textAt []int
	byAt           int

	groups  []*group
	byValue map[int64]*group
	none    *group // responses that did not answer By; made when needed
	// byLang groups by language (ByLanguage), its groups by code.
	byLang map[string]*group
}

type subscalePlan struct {
	sub     *survey.Subscale
	scorer  *survey.Scorer
	items   []*survey.Item // in the scorer's order (ItemIDs)
	ids     []string
	reverse []bool
	codes   [][]int64 // each item's missing codes: not a complete case
	at      []int     // where each item is in Builder.items
	// An item's scored value is offset + slope × answer (see planSubscale).
	offset, slope []float64
	vals          []survey.Value // scratch: this response's answers to items
	min, max      float64        // the possible scores
	bins          int
}

// group accumulates the responses of one group.
type group struct {
	value    *int64
	label    string
	language string // by language: the code; "" for none recorded

	n, complete, inProgress int
	durations               []float64 // seconds, complete responses
	days                    map[int64]*DayCount

	items     []itemCounts
	texts     []textCounts
	subscales []subscaleData
}

type itemCounts struct {
	n, missing   int
	missingCodes int            // answers that were only missing codes
	options      []int          // per option of a likert or choice item
	values       map[int64]int  // integer, slider and consent items; date items by day (itemtypes.go)
	decimals     map[string]int // number items, by canonical decimal text
}

type textCounts struct{ n, missing int }

// subscaleData holds what a subscale's figures need, in memory that does
// not grow with the responses (moments.go).
type subscaleData struct {
	scores   frequencies // the scores, as a frequency table
	complete *comoments  // the complete cases' scored item values
	x        []float64   // scratch: one complete case
}

// New returns a Builder for responses to the form. It fails with an
// EInvalid *survey.Error naming "by" when opt.By is not an item responses
// can be grouped by (survey.Form.GroupingItem).
func New(f *survey.Form, opt Options) (*Builder, error) {
	b := &Builder{form: f}
	if opt.By != "" && opt.By != ByLanguage {
		it, err := f.GroupingItem(opt.By)
		if err != nil {
			return nil, err
		}
		b.by = it
	}
	for _, it := range f.Items() {
		switch it.Type {
		case survey.Text:
			b.texts = append(b.texts, it)
		case survey.Info:
			// text only: nothing to count
		default:
			b.items = append(b.items, it)
			b.options = append(b.options, f.Options(it.ID))
		}
	}
	b.vals = make([]survey.Value, len(b.items))
	b.byAt = -1
	if b.by != nil {
		b.byAt = f.Position(b.by.ID)
	}
	for _, it := range b.items {
		b.itemAt = append(b.itemAt, f.Position(it.ID))
	}
	for _, it := range b.texts {
		b.textAt = append(b.textAt, f.Position(it.ID))
	}
	at := map[string]int{}
	for i, it := range b.items {
		at[it.ID] = i
	}
	for i := range f.Instrument.Subscales {
		b.subscales = append(b.subscales, planSubscale(f, &f.Instrument.Subscales[i], at))
	}
	switch {
	case opt.By == ByLanguage:
		b.byLang = map[string]*group{}
		for _, l := range f.Instrument.AllLanguages() {
			b.langGroup(l)
		}
	case b.by == nil:
		b.groups = []*group{b.newGroup(nil, LabelAll)}
	default:
		b.byValue = map[int64]*group{}
		for _, o := range f.Options(b.by.ID) {
			g := b.newGroup(&o.Value, o.Label)
			b.groups = append(b.groups, g)
			b.byValue[o.Value] = g
		}
	}
	return b, nil
}

func planSubscale(f *survey.Form, s *survey.Subscale, at map[string]int) subscalePlan {
	p := subscalePlan{sub: s, scorer: f.Scorer(s.ID)}
	for _, id := range p.scorer.ItemIDs() {
		it := f.Item(id)
		p.items = append(p.items, it)
		p.ids = append(p.ids, id)
		p.reverse = append(p.reverse, it.Reverse)
		p.at = append(p.at, at[id])
		// ItemScore is linear in the answer (its reversal, min + max −
		// answer, and with combine: rescale a linear map onto the first
		// item's scale), so two probes give its offset and slope: the rule stays in
		// package survey, and no map is read per response. The probes are
		// the scale's lowest and highest substantive values, which
		// validation keeps apart: 0 or 1 could be a missing code, which
		// ItemScore does not score.
		var offset, slope float64
		if lo, hi, ok := f.ScaleRange(id); ok && hi > lo {
			slo, _ := f.ItemScore(id, survey.Answers{id: survey.IntVal(lo)})
			shi, _ := f.ItemScore(id, survey.Answers{id: survey.IntVal(hi)})
			slope = (shi - slo) / float64(hi-lo)
			offset = slo - slope*float64(lo)
		}
		p.offset = append(p.offset, offset)
		p.slope = append(p.slope, slope)
		var codes []int64
		for _, o := range f.Options(id) {
			if o.Missing {
				codes = append(codes, o.Value)
			}
		}
		p.codes = append(p.codes, codes)
	}
	p.vals = make([]survey.Value, len(p.items))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, it := range p.items {
		if i > 0 && s.Combine == survey.CombineRescale {
			break // every item is mapped onto the first one's scale
		}
		if l, h, ok := f.ScaleRange(it.ID); ok {
			lo, hi = min(lo, float64(l)), max(hi, float64(h))
		}
	}
	if len(p.items) == 0 || lo >= hi {
		return p
	}
	p.min, p.max = lo, hi
	if s.Scoring == survey.ScoreSum {
		k := float64(len(p.items))
		p.min, p.max = k*lo, k*hi
	}
	// Half a scale point per bin: 8 bars for a 1–5 scale. The count is
	// bounded, never the value range: a scale stored with options 0 and
	// 10^9 (before instruments' option values were bounded) would
	// otherwise ask for two billion bins.
	p.bins = int(min(2*(hi-lo), maxHistogramBins))
	return p
}

func (b *Builder) newGroup(value *int64, label string) *group {
	g := &group{value: value, label: label, days: map[int64]*DayCount{},
		items: make([]itemCounts, len(b.items)), texts: make([]textCounts, len(b.texts)),
		subscales: make([]subscaleData, len(b.subscales))}
	for i, it := range b.items {
		switch it.Type {
		case survey.Integer, survey.Slider, survey.Consent, survey.DateItem:
			g.items[i].values = map[int64]int{}
		case survey.Number:
			g.items[i].decimals = map[string]int{}
		default:
			g.items[i].options = make([]int, len(b.options[i]))
		}
	}
	for i, p := range b.subscales {
		g.subscales[i].complete = newComoments(len(p.items))
		g.subscales[i].x = make([]float64, len(p.items))
	}
	return g
}

// Add counts one response. Responses should all answer the Builder's form.
func (b *Builder) Add(r *survey.Response) {
	a := r.Answers
	var by survey.Value
	if b.by != nil {
		by = a[b.by.ID]
	}
	g := b.groupOf(r, by)
	g.addResponse(r)
	for i, it := range b.items {
		c := &g.items[i]
		v, ok := a[it.ID]
		b.vals[i] = v
		if !ok {
			if b.form.IsShown(it.ID, a) {
				c.missing++
			}
			continue
		}
		c.add(b.options[i], it, v)
	}
	for i, it := range b.texts {
		if v, ok := a[it.ID]; ok && v.Text != "" {
			g.texts[i].n++
		} else if b.form.IsShown(it.ID, a) {
			g.texts[i].missing++
		}
	}
	b.addScores(g)
}

// AddValues counts one response whose answers are given by position
// rather than in r.Answers (which it ignores): vals[i] is the answer to
// the form's Items()[i], the zero Value when there is none, and shown[i]
// whether that item is shown (survey.Form.ShownByPosition). It counts
// exactly what Add counts for the same answers. Of a text answer only
// whether Text is empty matters. AddValues keeps nothing of its arguments.
func (b *Builder) AddValues(r *survey.Response, vals []survey.Value, shown []bool) {
	var by survey.Value
	if b.byAt >= 0 {
		by = vals[b.byAt]
	}
	g := b.groupOf(r, by)
	g.addResponse(r)
	for i, it := range b.items {
		c := &g.items[i]
		at := b.itemAt[i]
		v := vals[at]
		b.vals[i] = v
		if v.Kind == 0 {
			if shown[at] {
				c.missing++
			}
			continue
		}
		c.add(b.options[i], it, v)
	}
	for i, at := range b.textAt {
		if v := vals[at]; v.Kind != 0 && v.Text != "" {
			g.texts[i].n++
		} else if shown[at] {
			g.texts[i].missing++
		}
	}
	b.addScores(g)
}

// addScores scores the response whose answers to items are in b.vals.
func (b *Builder) addScores(g *group) {
	for i := range b.subscales {
		p := &b.subscales[i]
		for j, at := range p.at {
			p.vals[j] = b.vals[at]
		}
		d := &g.subscales[i]
		if s, ok := p.scorer.ScoreValues(p.vals); ok {
			d.scores.add(s)
			// Only a scored response can have every item answered.
			d.addCompleteCase(p)
		}
	}
}

// langGroup returns the group of the responses in language l ("" for
// none recorded), made when first needed.
func (b *Builder) langGroup(l string) *group {
	if g := b.byLang[l]; g != nil {
		return g
	}
	label := l
	if l == "" {
		label = LabelNoLanguage
	}
	g := b.newGroup(nil, label)
	g.language = l
	b.byLang[l] = g
	b.groups = append(b.groups, g)
	return g
}

// groupOf returns the group of response r, whose answer to By is v.
func (b *Builder) groupOf(r *survey.Response, v survey.Value) *group {
	if b.byLang != nil {
		return b.langGroup(r.Language)
	}
	if b.by == nil {
		return b.groups[0]
	}
	if v.Kind == survey.IntValue {
		if g := b.byValue[v.Int]; g != nil {
			return g
		}
	}
	if b.none == nil {
		b.none = b.newGroup(nil, LabelNotAnswered)
		b.groups = append(b.groups, b.none)
	}
	return b.none
}

func (g *group) addResponse(r *survey.Response) {
	g.n++
	day := r.StartedAt
	if r.Status == survey.ResponseComplete {
		g.complete++
		if r.SubmittedAt != nil {
			day = *r.SubmittedAt
			g.durations = append(g.durations, r.SubmittedAt.Sub(r.StartedAt).Seconds())
		}
	} else {
		g.inProgress++
	}
	k := dayNumber(day)
	d := g.days[k]
	if d == nil {
		d = &DayCount{}
		g.days[k] = d
	}
	if r.Status == survey.ResponseComplete {
		d.Complete++
	} else {
		d.InProgress++
	}
}

// dayNumber numbers UTC days from 1970-01-01.
func dayNumber(t time.Time) int64 {
	return t.UTC().Truncate(24*time.Hour).Unix() / 86400
}

// add counts an answer. Answers were checked against the form when they
// were submitted, and a published form never changes, so a value of the
// wrong kind or outside the options cannot occur; it would be skipped.
//
// An answer that is a missing code (an option marked missing) is counted
// on its option and in missingCodes, not in n: n, the percentages of the
// substantive options and every summary are of the substantive answers.
// A multiple-choice answer counts in n when it selects at least one
// substantive option (or none: an empty list counts in n, as before).
func (c *itemCounts) add(opts []survey.Option, it *survey.Item, v survey.Value) {
	switch it.Type {
	case survey.Integer, survey.Slider, survey.Consent:
		if v.Kind == survey.IntValue {
			c.values[v.Int]++
			c.n++
		}
	case survey.Number, survey.DateItem:
		c.addNewType(it, v)
	case survey.MultipleChoice:
		if v.Kind == survey.ListValue {
			substantive := false
			for _, x := range v.List {
				if i := optionIndex(opts, x); i >= 0 {
					c.options[i]++
					substantive = substantive || !opts[i].Missing
				}
			}
			// An empty list counts in n, as it always has.
			if substantive || len(v.List) == 0 {
				c.n++
			} else {
				c.missingCodes++
			}
		}
	default:
		if v.Kind == survey.IntValue {
			if i := optionIndex(opts, v.Int); i >= 0 {
				c.options[i]++
				if opts[i].Missing {
					c.missingCodes++
				} else {
					c.n++
				}
			}
		}
	}
}

func optionIndex(opts []survey.Option, v int64) int {
	for i, o := range opts {
		if o.Value == v {
			return i
		}
	}
	return -1
}

// addCompleteCase keeps the scored values of a response that answered
// every item of the subscale.
func (d *subscaleData) addCompleteCase(p *subscalePlan) {
	for j, v := range p.vals {
		if v.Kind != survey.IntValue || slices.Contains(p.codes[j], v.Int) {
			return // unanswered, or a missing code: not a complete case
		}
	}
	for j, v := range p.vals {
		d.x[j] = p.offset[j] + p.slope[j]*float64(v.Int)
	}
	d.complete.add(d.x)
}

// Report computes every figure from the responses added so far.
func (b *Builder) Report() *Report {
	rep := &Report{Groups: make([]Group, len(b.groups))}
	if b.by != nil {
		rep.By = &ByItem{ID: b.by.ID, Text: b.by.Text}
	}
	if b.byLang != nil {
		rep.By = &ByItem{ID: ByLanguage, Text: "Language"}
	}
	for i, g := range b.groups {
		rep.Groups[i] = b.groupReport(g)
	}
	return rep
}

func (b *Builder) groupReport(g *group) Group {
	out := Group{Value: g.value, Label: g.label, Language: g.language, Responses: g.responseStats(),
		Items: make([]ItemStats, len(b.items)), Texts: make([]TextStats, len(b.texts)),
		Subscales: make([]SubscaleStats, len(b.subscales))}
	for i, it := range b.items {
		out.Items[i] = itemStats(b.form, it, &g.items[i])
	}
	for i, it := range b.texts {
		out.Texts[i] = TextStats{ID: it.ID, Text: it.Text, N: g.texts[i].n, Missing: g.texts[i].missing}
	}
	for i := range b.subscales {
		out.Subscales[i] = subscaleStats(&b.subscales[i], &g.subscales[i])
	}
	return out
}

// maxPerDaySpan bounds the days listed with zeros in between: a response
// started years before the others (a client's clock) must not make the
// list grow without bound.
const maxPerDaySpan = 3660

func (g *group) responseStats() ResponseStats {
	rs := ResponseStats{N: g.n, Complete: g.complete, InProgress: g.inProgress, PerDay: []DayCount{}}
	if g.n > 0 {
		rs.CompletionRate = finite(float64(g.complete) / float64(g.n))
	}
	if len(g.durations) > 0 {
		s, _ := summarizeSample(g.durations, "durations")
		rs.MedianCompletionSeconds = s.Median
	}
	keys := make([]int64, 0, len(g.days))
	for k := range g.days {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > 0 && keys[len(keys)-1]-keys[0] < maxPerDaySpan {
		filled := make([]int64, 0, keys[len(keys)-1]-keys[0]+1)
		for k := keys[0]; k <= keys[len(keys)-1]; k++ {
			filled = append(filled, k)
		}
		keys = filled
	}
	for _, k := range keys {
		d := DayCount{Date: time.Unix(k*86400, 0).UTC().Format(time.DateOnly)}
		if c := g.days[k]; c != nil {
			d.Complete, d.InProgress = c.Complete, c.InProgress
		}
		rs.PerDay = append(rs.PerDay, d)
	}
	return rs
}

// maxHistogramBins bounds the bins of a subscale's score histogram.
const maxHistogramBins = 40

// maxIntegerValues bounds the values listed for an integer item.
const maxIntegerValues = 100

func itemStats(f *survey.Form, it *survey.Item, c *itemCounts) ItemStats {
	out := ItemStats{ID: it.ID, Type: it.Type, Text: it.Text, Subscale: it.Subscale, Reverse: it.Reverse,
		N: c.n, Missing: c.missing, MissingCodes: c.missingCodes, Options: []OptionCount{}}
	percent := func(count int) *float64 {
		if c.n == 0 {
			return nil
		}
		return finite(100 * float64(count) / float64(c.n))
	}
	// x and w: the distinct values, ascending, and how often each was given.
	var x, w []float64
	switch it.Type {
	case survey.Number, survey.DateItem:
		return newTypeStats(it, c, out)
	case survey.Integer, survey.Slider, survey.Consent:
		vals := make([]int64, 0, len(c.values))
		for v := range c.values {
			vals = append(vals, v)
		}
		slices.Sort(vals)
		for _, v := range vals {
			x, w = append(x, float64(v)), append(w, float64(c.values[v]))
		}
		switch {
		// The span is taken in uint64, where max − min cannot overflow
		// (as int64 it does for bounds far apart, and the list would have
		// 10^19 values), and the loop counts, so max = MaxInt64 ends too.
		case it.Min != nil && it.Max != nil && *it.Min <= *it.Max && uint64(*it.Max)-uint64(*it.Min) < maxIntegerValues:
			for k := range uint64(*it.Max) - uint64(*it.Min) + 1 {
				v := *it.Min + int64(k)
				out.Options = append(out.Options, OptionCount{Value: v, Count: c.values[v], Percent: percent(c.values[v])})
			}
		case len(vals) <= maxIntegerValues:
			for _, v := range vals {
				out.Options = append(out.Options, OptionCount{Value: v, Count: c.values[v], Percent: percent(c.values[v])})
			}
		default:
			out.Note = fmt.Sprintf("%d different values were given, too many to list (at most %d are)", len(vals), maxIntegerValues)
		}
	default:
		opts := f.Options(it.ID)
		for i, o := range opts {
			oc := OptionCount{Value: o.Value, Label: o.Label, Count: c.options[i], Percent: percent(c.options[i])}
			if o.Missing {
				// A missing code's share is of every answer given, the
				// substantive ones and the codes.
				oc.MissingCode = true
				oc.Percent = nil
				if all := c.n + c.missingCodes; all > 0 {
					oc.Percent = finite(100 * float64(c.options[i]) / float64(all))
				}
			}
			out.Options = append(out.Options, oc)
		}
		if it.Type == survey.MultipleChoice {
			out.Note = "a multiple-choice item has no single value per response, so no mean, SD or median"
			return out
		}
		order := make([]int, len(opts))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(i, j int) bool { return opts[order[i]].Value < opts[order[j]].Value })
		for _, i := range order {
			if opts[i].Missing {
				continue // a missing code is no value on the scale
			}
			x, w = append(x, float64(opts[i].Value)), append(w, float64(c.options[i]))
		}
	}
	s, note := summarize(x, w, "answers")
	out.Summary = s
	if out.Note == "" {
		out.Note = note
	}
	return out
}

func subscaleStats(p *subscalePlan, d *subscaleData) SubscaleStats {
	scoring := p.sub.Scoring
	if scoring == "" {
		scoring = survey.ScoreMean
	}
	out := SubscaleStats{ID: p.sub.ID, Title: p.sub.Title, Scoring: scoring, N: d.scores.n,
		Min: p.min, Max: p.max, Histogram: []Bin{}}
	x, w := d.scores.sorted()
	out.Summary, out.Note = summarize(x, w, "scores")
	if p.bins > 0 {
		dividers := make([]float64, p.bins+1)
		width := (p.max - p.min) / float64(p.bins)
		for i := range dividers {
			dividers[i] = p.min + float64(i)*width
		}
		dividers[p.bins] = p.max
		// gonum's bins are half-open; nudge the last edge so the highest
		// possible score falls in the last bin.
		edges := slices.Clone(dividers)
		edges[p.bins] = math.Nextafter(p.max, math.Inf(1))
		counts := make([]float64, p.bins)
		if len(x) > 0 {
			counts = stat.Histogram(counts, edges, x, w)
		}
		for i := range counts {
			out.Histogram = append(out.Histogram, Bin{From: dividers[i], To: dividers[i+1], Count: int(counts[i])})
		}
	}
	out.Reliability = reliabilityFrom(p.ids, p.reverse, d.complete)
	return out
}
