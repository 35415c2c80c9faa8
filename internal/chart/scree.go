package chart

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Scree is a scree plot with a parallel analysis: the observed
// eigenvalues by factor number as a solid blue line with round markers,
// and the eigenvalues of simulated random data as a dashed orange line
// with square markers. Factors whose observed eigenvalue lies above the
// simulated one are the ones parallel analysis retains; Suggested, when
// above 0, is marked with a vertical rule after the last of them.
type Scree struct {
	ID, Title string
	// Observed and Simulated are eigenvalues, largest first; Simulated
	// may be empty.
	Observed, Simulated           []float64
	ObservedLabel, SimulatedLabel string
	Suggested                     int
	// Width is the natural width; 0 means 720.
	Width float64
}

const (
	sWidth  = 720.0
	sHeight = 300.0
	sLeft   = 52.0
	sRight  = 20.0
	sTop    = 40.0
	sBottom = 44.0
)

// Render draws the chart.
func (c Scree) Render() template.HTML {
	width := c.Width
	if width <= 0 {
		width = sWidth
	}
	class := "scree"
	if width < sWidth {
		class = "scree narrow"
	}
	var s svg
	s.open(c.ID, class, width, sHeight, c.Title, c.describe())
	plotW, plotH := width-sLeft-sRight, sHeight-sTop-sBottom
	lo, hi := 0.0, 0.0
	for _, v := range append(append([]float64{}, c.Observed...), c.Simulated...) {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	step := niceStep(hi-lo, 5)
	lo = step * math.Floor(lo/step)
	hi = math.Max(step, step*math.Ceil(hi/step))
	yOf := func(v float64) float64 { return sTop + (hi-v)/(hi-lo)*plotH }
	for v := lo; v <= hi+step/1e6; v += step {
		stroke := grid
		if math.Abs(v) < step/1e6 {
			stroke = axis // the zero line
		}
		s.line(sLeft, yOf(v), sLeft+plotW, yOf(v), stroke, 1, "")
		s.text(sLeft-8, yOf(v)+4, "end", muted, 12, "", strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64))
	}
	n := max(len(c.Observed), len(c.Simulated))
	xOf := func(i int) float64 {
		if n <= 1 {
			return sLeft + plotW/2
		}
		return sLeft + float64(i)/float64(n-1)*plotW
	}
	base := sTop + plotH
	every := max(1, int(math.Ceil(float64(n)/math.Floor(plotW/28))))
	for i := range n {
		if i%every == 0 || i == n-1 {
			s.text(xOf(i), base+18, "middle", muted, 12, "", strconv.Itoa(i+1))
		}
	}
	s.text(sLeft+plotW/2, base+38, "middle", muted, 12, "", "Factor number")
	if c.Suggested > 0 && c.Suggested < n {
		x := (xOf(c.Suggested-1) + xOf(c.Suggested)) / 2
		s.line(x, sTop, x, base, axis, 1, ` stroke-dasharray="2 3"`)
		s.text(x+4, sTop+12, "start", ink, 12, "", fmt.Sprintf("%d retained", c.Suggested))
	}
	series := func(class string, col Colour, dash string, vals []float64, square bool, label string) {
		if len(vals) == 0 {
			return
		}
		var pts []string
		for i, v := range vals {
			pts = append(pts, num(xOf(i))+","+num(yOf(v)))
		}
		s.printf(`<g class="series %s">`, class)
		if len(vals) > 1 {
			s.printf(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5" stroke-linejoin="round"%s/>`, strings.Join(pts, " "), col.Fill, dash)
		}
		for i, v := range vals {
			x, y := xOf(i), yOf(v)
			tip := fmt.Sprintf("%s, factor %d: %.3f", label, i+1, v)
			if square {
				s.printf(`<rect class="point" x="%s" y="%s" width="7" height="7" fill="%s"><title>%s</title></rect>`, num(x-3.5), num(y-3.5), col.Fill, esc(tip))
			} else {
				s.printf(`<circle class="point" cx="%s" cy="%s" r="4" fill="%s"><title>%s</title></circle>`, num(x), num(y), col.Fill, esc(tip))
			}
		}
		s.printf(`</g>`)
	}
	series("simulated", Orange, ` stroke-dasharray="6 4"`, c.Simulated, true, c.SimulatedLabel)
	series("observed", Blue, "", c.Observed, false, c.ObservedLabel)
	// Legend, top left.
	lx := sLeft
	s.line(lx, 16, lx+26, 16, Blue.Fill, 2.5, "")
	s.printf(`<circle cx="%s" cy="16" r="4" fill="%s"/>`, num(lx+13), Blue.Fill)
	s.text(lx+32, 20, "start", ink, 13, "", c.ObservedLabel)
	if len(c.Simulated) > 0 {
		lx += 32 + 7.5*float64(len(c.ObservedLabel)) + 24
		s.line(lx, 16, lx+26, 16, Orange.Fill, 2.5, ` stroke-dasharray="6 4"`)
		s.printf(`<rect x="%s" y="12.5" width="7" height="7" fill="%s"/>`, num(lx+9.5), Orange.Fill)
		s.text(lx+32, 20, "start", ink, 13, "", c.SimulatedLabel)
	}
	return s.close()
}

func (c Scree) describe() string {
	if len(c.Observed) == 0 {
		return "Scree plot: no eigenvalues."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Scree plot of %d eigenvalues (%s), from %.2f down to %.2f", len(c.Observed), c.ObservedLabel, c.Observed[0], c.Observed[len(c.Observed)-1])
	if len(c.Simulated) > 0 {
		fmt.Fprintf(&b, ", with %s for comparison", c.SimulatedLabel)
	}
	b.WriteString(".")
	if c.Suggested > 0 {
		fmt.Fprintf(&b, " The first %d observed eigenvalues lie above the simulated ones: parallel analysis retains %d factors.", c.Suggested, c.Suggested)
	}
	return b.String()
}
