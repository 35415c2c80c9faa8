package chart

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Histogram is a bar chart of counts in adjacent bins.
type Histogram struct {
	ID     string
	Title  string
	XLabel string // what the bins measure, such as "Score (mean of 5 items)"
	Bins   []Bin
	// YMax, when above the largest count, sets the top of the count axis:
	// histograms shown side by side share it.
	YMax int
}

// Bin counts the values v with From ≤ v < To (the last bin includes To).
type Bin struct {
	From, To float64
	Count    int
}

const (
	hWidth  = 480.0
	hHeight = 270.0
	hLeft   = 48.0
	hRight  = 14.0
	hTop    = 16.0
	hBottom = 58.0
)

// maxBars bounds the bars of a histogram: more would be thinner than a
// pixel in its 418-pixel plot, and a page must not grow with whatever bins
// a caller hands in.
const maxBars = 100

// merged returns the bins, adjacent ones merged when there are more than
// maxBars, so that every bar stands for the same number of bins.
func (h Histogram) merged() []Bin {
	if len(h.Bins) <= maxBars {
		return h.Bins
	}
	k := (len(h.Bins) + maxBars - 1) / maxBars
	out := make([]Bin, 0, maxBars)
	for i := 0; i < len(h.Bins); i += k {
		group := h.Bins[i:min(i+k, len(h.Bins))]
		b := Bin{From: group[0].From, To: group[len(group)-1].To}
		for _, g := range group {
			b.Count += g.Count
		}
		out = append(out, b)
	}
	return out
}

// Render draws the histogram, with at most 100 bars (adjacent bins are
// merged beyond that).
func (h Histogram) Render() template.HTML {
	h.Bins = h.merged()
	var s svg
	s.open(h.ID, "histogram", hWidth, hHeight, h.Title, h.describe())
	plotW, plotH := hWidth-hLeft-hRight, hHeight-hTop-hBottom
	base := hTop + plotH
	maxCount := h.YMax
	for _, b := range h.Bins {
		maxCount = max(maxCount, b.Count)
	}
	step := intStep(float64(maxCount), 5)
	top := math.Max(step, step*math.Ceil(float64(maxCount)/step))
	yOf := func(c float64) float64 { return base - c/top*plotH }
	for v := 0.0; v <= top+1e-9; v += step {
		s.line(hLeft, yOf(v), hLeft+plotW, yOf(v), grid, 1, "")
		s.text(hLeft-8, yOf(v)+4, "end", muted, 12, "", strconv.Itoa(int(v)))
	}
	s.printf(`<text x="14" y="%s" text-anchor="middle" fill="%s" font-size="12" transform="rotate(-90 14 %s)">Responses</text>`,
		num(hTop+plotH/2), muted, num(hTop+plotH/2))
	if len(h.Bins) > 0 {
		lo, hi := h.Bins[0].From, h.Bins[len(h.Bins)-1].To
		xOf := func(v float64) float64 { return hLeft + (v-lo)/(hi-lo)*plotW }
		if hi <= lo {
			xOf = func(float64) float64 { return hLeft }
		}
		for i, b := range h.Bins {
			x0, x1 := xOf(b.From)+1.5, xOf(b.To)-1.5
			y := yOf(float64(b.Count))
			s.printf(`<rect class="bin" data-count="%d" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s to %s: %d</title></rect>`,
				b.Count, num(x0), num(y), num(math.Max(0, x1-x0)), num(base-y), Blue.Fill, fmtEdge(b.From), fmtEdge(b.To), b.Count)
			if b.Count > 0 && x1-x0 >= 14 {
				s.text((x0+x1)/2, y-5, "middle", ink, 12, "", strconv.Itoa(b.Count))
			}
			// Label every edge when there is room, else every other one.
			every := 1
			if len(h.Bins) > 10 {
				every = 2
			}
			if i%every == 0 {
				s.text(xOf(b.From), base+18, "middle", muted, 12, "", fmtEdge(b.From))
			}
			if i == len(h.Bins)-1 {
				s.text(xOf(b.To), base+18, "middle", muted, 12, "", fmtEdge(b.To))
			}
		}
	}
	s.line(hLeft, base, hLeft+plotW, base, axis, 1, "")
	s.text(hLeft+plotW/2, hHeight-12, "middle", ink, 13, "", h.XLabel)
	return s.close()
}

func fmtEdge(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

func (h Histogram) describe() string {
	var b strings.Builder
	total, mode := 0, -1
	for i, bin := range h.Bins {
		total += bin.Count
		if mode < 0 || bin.Count > h.Bins[mode].Count {
			mode = i
		}
	}
	fmt.Fprintf(&b, "Histogram of %d values", total)
	if h.XLabel != "" {
		fmt.Fprintf(&b, " (%s)", strings.ToLower(h.XLabel[:1])+h.XLabel[1:])
	}
	if len(h.Bins) == 0 || total == 0 {
		b.WriteString(": no values yet.")
		return b.String()
	}
	fmt.Fprintf(&b, " in %d bins from %s to %s; the most values, %d, are between %s and %s.", len(h.Bins),
		fmtEdge(h.Bins[0].From), fmtEdge(h.Bins[len(h.Bins)-1].To), h.Bins[mode].Count, fmtEdge(h.Bins[mode].From), fmtEdge(h.Bins[mode].To))
	return b.String()
}
