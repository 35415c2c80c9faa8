package chart

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Rate is a line chart of a mailing's cumulative response rate per day
// (0 to 100 %), with the days of contact (invitations, reminders) marked
// by dashed vertical lines and labelled above the plot.
type Rate struct {
	ID    string
	Title string
	Days  []RateDay
	// Width is the natural width; 0 means 960.
	Width float64
}

// RateDay is one day: Date is 2006-01-02, Percent the cumulative response
// rate at its end, Contact what was sent that day ("" for nothing).
type RateDay struct {
	Date    string
	Percent float64
	Contact string
}

// Render draws the chart.
func (r Rate) Render() template.HTML {
	width := r.Width
	if width <= 0 {
		width = dWidth
	}
	var s svg
	s.open(r.ID, "rate", width, dHeight, r.Title, r.describe())
	plotW, plotH := width-dLeft-dRight, dHeight-dTop-dBottom
	base := dTop + plotH
	yOf := func(p float64) float64 { return base - math.Min(math.Max(p, 0), 100)/100*plotH }
	for v := 0.0; v <= 100; v += 25 {
		s.line(dLeft, yOf(v), dLeft+plotW, yOf(v), grid, 1, "")
		s.text(dLeft-8, yOf(v)+4, "end", muted, 12, "", strconv.Itoa(int(v))+"%")
	}
	n := len(r.Days)
	xOf := func(i int) float64 {
		if n == 1 {
			return dLeft + plotW/2
		}
		return dLeft + float64(i)/float64(n-1)*plotW
	}
	every := max(1, int(math.Ceil(float64(n)/math.Floor(plotW/110))))
	for i, day := range r.Days {
		if i%every == 0 || i == n-1 {
			if i != n-1 && n-1-i < every/2 {
				continue
			}
			s.text(xOf(i), base+20, "middle", muted, 12, "", shortDate(day.Date))
		}
	}
	s.line(dLeft, base, dLeft+plotW, base, axis, 1, "")
	s.printf(`<g class="contacts">`)
	for i, day := range r.Days {
		if day.Contact == "" {
			continue
		}
		s.printf(`<g class="contact">`)
		s.line(xOf(i), dTop, xOf(i), base, Orange.Fill, 1.5, ` stroke-dasharray="4 3"`)
		s.text(xOf(i), dTop-6, "middle", Orange.Fill, 12, "", day.Contact)
		s.printf(`<title>%s</title></g>`, esc(day.Date+": "+day.Contact))
	}
	s.printf(`</g>`)
	var pts []string
	for i, day := range r.Days {
		pts = append(pts, num(xOf(i))+","+num(yOf(day.Percent)))
	}
	s.printf(`<g class="series rate">`)
	if n > 1 {
		s.printf(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5" stroke-linejoin="round"/>`, strings.Join(pts, " "), Blue.Fill)
	}
	if n <= 62 {
		for i, day := range r.Days {
			s.printf(`<circle class="point" cx="%s" cy="%s" r="3.5" fill="%s"><title>%s</title></circle>`,
				num(xOf(i)), num(yOf(day.Percent)), Blue.Fill, esc(fmt.Sprintf("%s: %.1f%%", day.Date, day.Percent)))
		}
	}
	s.printf(`</g>`)
	return s.close()
}

func (r Rate) describe() string {
	if len(r.Days) == 0 {
		return "Line chart of the response rate per day: no messages sent yet."
	}
	contacts := 0
	for _, d := range r.Days {
		if d.Contact != "" {
			contacts++
		}
	}
	first, last := r.Days[0], r.Days[len(r.Days)-1]
	return fmt.Sprintf("Line chart of the cumulative response rate from %s to %s, reaching %.1f%%, with %d days of contact marked.",
		first.Date, last.Date, last.Percent, contacts)
}
