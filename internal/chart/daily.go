package chart

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// Daily is a line chart of responses per day: complete ones as a solid
// blue line with round markers, in-progress ones as a dashed orange line
// with square markers.
type Daily struct {
	ID    string
	Title string
	Days  []Day
	// OmitComplete and OmitInProgress leave a series out, when the
	// responses shown are of the other status only.
	OmitComplete, OmitInProgress bool
	// Width is the natural width; 0 means 960. At 400 the chart suits a
	// phone, with fewer date labels.
	Width float64
}

// Day is one day's counts; Date is 2006-01-02.
type Day struct {
	Date                 string
	Complete, InProgress int
}

const (
	dWidth  = 960.0 // by default
	dHeight = 260.0
	dLeft   = 48.0
	dRight  = 20.0
	dTop    = 34.0
	dBottom = 36.0
)

// Render draws the chart.
func (d Daily) Render() template.HTML {
	width := d.Width
	if width <= 0 {
		width = dWidth
	}
	class := "daily"
	if width < dWidth {
		class = "daily narrow"
	}
	var s svg
	s.open(d.ID, class, width, dHeight, d.Title, d.describe())
	plotW, plotH := width-dLeft-dRight, dHeight-dTop-dBottom
	base := dTop + plotH
	maxCount := 0
	for _, day := range d.Days {
		maxCount = max(maxCount, day.Complete, day.InProgress)
	}
	step := intStep(float64(maxCount), 4)
	top := math.Max(step, step*math.Ceil(float64(maxCount)/step))
	yOf := func(c int) float64 { return base - float64(c)/top*plotH }
	for v := 0.0; v <= top+1e-9; v += step {
		s.line(dLeft, yOf(int(v)), dLeft+plotW, yOf(int(v)), grid, 1, "")
		s.text(dLeft-8, yOf(int(v))+4, "end", muted, 12, "", strconv.Itoa(int(v)))
	}
	n := len(d.Days)
	xOf := func(i int) float64 {
		if n == 1 {
			return dLeft + plotW/2
		}
		return dLeft + float64(i)/float64(n-1)*plotW
	}
	// Date labels: one per 120 units at most, evenly spaced, the last day
	// always.
	every := max(1, int(math.Ceil(float64(n)/math.Floor(plotW/110))))
	for i, day := range d.Days {
		if i%every == 0 || i == n-1 {
			if i != n-1 && n-1-i < every/2 {
				continue // too close to the last label
			}
			s.line(xOf(i), base, xOf(i), base+5, axis, 1, "")
			s.text(xOf(i), base+20, "middle", muted, 12, "", shortDate(day.Date))
		}
	}
	s.line(dLeft, base, dLeft+plotW, base, axis, 1, "")
	markers := n <= 62
	series := func(class string, c Colour, dash string, value func(Day) int, square bool) {
		var pts []string
		for i, day := range d.Days {
			pts = append(pts, num(xOf(i))+","+num(yOf(value(day))))
		}
		s.printf(`<g class="series %s">`, class)
		if n > 1 {
			s.printf(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5" stroke-linejoin="round"%s/>`, strings.Join(pts, " "), c.Fill, dash)
		}
		if markers || n == 1 {
			for i, day := range d.Days {
				x, y := xOf(i), yOf(value(day))
				tip := fmt.Sprintf("%s: %d", day.Date, value(day))
				if square {
					s.printf(`<rect class="point" x="%s" y="%s" width="7" height="7" fill="%s"><title>%s</title></rect>`, num(x-3.5), num(y-3.5), c.Fill, esc(tip))
				} else {
					s.printf(`<circle class="point" cx="%s" cy="%s" r="4" fill="%s"><title>%s</title></circle>`, num(x), num(y), c.Fill, esc(tip))
				}
			}
		}
		s.printf(`</g>`)
	}
	if !d.OmitInProgress {
		series("in-progress", Orange, ` stroke-dasharray="6 4"`, func(d Day) int { return d.InProgress }, true)
	}
	if !d.OmitComplete {
		series("complete", Blue, "", func(d Day) int { return d.Complete }, false)
	}
	// Legend, top right.
	lx := dLeft + plotW - 250
	if !d.OmitComplete {
		s.line(lx, 14, lx+26, 14, Blue.Fill, 2.5, "")
		s.printf(`<circle cx="%s" cy="14" r="4" fill="%s"/>`, num(lx+13), Blue.Fill)
		s.text(lx+32, 18, "start", ink, 13, "", "Complete")
	}
	lx += 120
	if !d.OmitInProgress {
		s.line(lx, 14, lx+26, 14, Orange.Fill, 2.5, ` stroke-dasharray="6 4"`)
		s.printf(`<rect x="%s" y="10.5" width="7" height="7" fill="%s"/>`, num(lx+9.5), Orange.Fill)
		s.text(lx+32, 18, "start", ink, 13, "", "In progress")
	}
	return s.close()
}

func shortDate(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.Format("2 Jan")
}

func (d Daily) describe() string {
	if len(d.Days) == 0 {
		return "Line chart of responses per day: no responses yet."
	}
	total, open, peak := 0, 0, 0
	for i, day := range d.Days {
		total += day.Complete
		open += day.InProgress
		if day.Complete > d.Days[peak].Complete {
			peak = i
		}
	}
	first, last := d.Days[0].Date, d.Days[len(d.Days)-1].Date
	var b strings.Builder
	fmt.Fprintf(&b, "Line chart of responses per day from %s to %s (%d days): ", first, last, len(d.Days))
	switch {
	case d.OmitInProgress:
		fmt.Fprintf(&b, "%d complete.", total)
	case d.OmitComplete:
		fmt.Fprintf(&b, "%d in progress.", open)
	default:
		fmt.Fprintf(&b, "%d complete and %d in progress.", total, open)
	}
	if total > 0 {
		fmt.Fprintf(&b, " The most complete responses in one day, %d, came on %s.", d.Days[peak].Complete, d.Days[peak].Date)
	}
	return b.String()
}
