// Package chart draws the researcher dashboard's charts as inline SVG,
// on the server: a diverging stacked bar chart of Likert items, a
// histogram and a line of counts per day. No script, no style attribute
// and no <style> element, so the pages keep their strict
// Content-Security-Policy: geometry and colours are SVG presentation
// attributes, and text takes the page's font.
//
// Every chart is an <svg role="img"> named by its <title> and described
// by its <desc>, a sentence or two that says what the chart shows; the
// page puts the numbers beside it in a table. Colours come from a
// blue–orange diverging palette, which people with the common forms of
// colour blindness tell apart, and no chart relies on colour alone:
// segments carry their percentages, series differ in dash and marker.
//
// The package knows nothing of surveys: callers pass counts and labels.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Colours. Text on a fill uses whichever of ink and paper has the higher
// contrast with it (at least 4.5:1 for every fill of the palettes).
const (
	ink   = "#1b2330" // the pages' text colour
	muted = "#4a5361"
	paper = "#ffffff"
	grid  = "#dfe3e8"
	axis  = "#6b7382"
)

// Colour is a fill and the colour of text drawn on it.
type Colour struct {
	Fill string
	Text string
}

// Ramps of the diverging palette, from the end of the scale to its
// middle: orange for the low (disagree) side, blue for the high (agree)
// side, and a neutral grey between them.
var (
	orangeRamp = [2]rgb{{0x9c, 0x45, 0x00}, {0xf6, 0xc2, 0x8b}}
	blueRamp   = [2]rgb{{0x1d, 0x4e, 0x9e}, {0xa9, 0xc6, 0xea}}
	neutral    = rgb{0xd3, 0xd6, 0xdb}
)

// Blue is the colour of single-series bars and lines; Orange that of a
// second series.
var (
	Blue   = Colour{Fill: "#1d4e9e", Text: paper}
	Orange = Colour{Fill: "#b35309", Text: paper}
)

type rgb [3]uint8

func (c rgb) hex() string { return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]) }

// luminance is the relative luminance of WCAG 2.
func (c rgb) luminance() float64 {
	ch := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c[0]) + 0.7152*ch(c[1]) + 0.0722*ch(c[2])
}

// Contrast is the WCAG 2 contrast ratio of two colours given as #rrggbb.
func Contrast(a, b string) float64 {
	la, lb := parseHex(a).luminance(), parseHex(b).luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func parseHex(s string) rgb {
	v, _ := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	return rgb{uint8(v >> 16), uint8(v >> 8), uint8(v)}
}

func mix(a, b rgb, t float64) rgb {
	var out rgb
	for i := range out {
		out[i] = uint8(math.Round(float64(a[i]) + t*(float64(b[i])-float64(a[i]))))
	}
	return out
}

// colourOf pairs a fill with the text colour that reads best on it. A
// fill of middling lightness, on which neither reaches 4.5:1, is first
// moved the shortest way to one that does: lighter, for dark text, or
// darker, for white.
func colourOf(c rgb) Colour {
	best := func(c rgb) (string, float64) {
		if r := Contrast(c.hex(), paper); r > Contrast(c.hex(), ink) {
			return paper, r
		}
		return ink, Contrast(c.hex(), ink)
	}
	if _, r := best(c); r < 4.5 {
		white, black := rgb{255, 255, 255}, rgb{0, 0, 0}
		for t := 0.02; t <= 1; t += 0.02 {
			if l := mix(c, white, t); Contrast(l.hex(), ink) >= 4.5 {
				c = l
				break
			}
			if d := mix(c, black, t); Contrast(d.hex(), paper) >= 4.5 {
				c = d
				break
			}
		}
	}
	text, _ := best(c)
	return Colour{Fill: c.hex(), Text: text}
}

// Diverging returns the colours of a scale of k options, low to high:
// orange shades darkest at the low end, blue shades darkest at the high
// end, and grey for the middle option when k is odd.
func Diverging(k int) []Colour {
	out := make([]Colour, k)
	side := k / 2
	for i := range side {
		t := 0.0
		if side > 1 {
			t = float64(i) / float64(side-1)
		}
		out[i] = colourOf(mix(orangeRamp[0], orangeRamp[1], t))
		out[k-1-i] = colourOf(mix(blueRamp[0], blueRamp[1], t))
	}
	if k%2 == 1 {
		out[side] = colourOf(neutral)
	}
	return out
}

// svg collects the markup of one chart.
type svg struct{ b strings.Builder }

func (s *svg) printf(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// open starts the <svg> element with its title and description.
func (s *svg) open(id, class string, w, h float64, title, desc string) {
	s.printf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg %s" id="%s" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%s-title %s-desc" focusable="false">`,
		esc(class), esc(id), num(w), num(h), num(w), num(h), esc(id), esc(id))
	s.printf(`<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
}

func (s *svg) close() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String()) // every text and attribute went through esc
}

// text draws a line of text; anchor is start, middle or end.
func (s *svg) text(x, y float64, anchor, fill string, size float64, weight, t string) {
	s.printf(`<text x="%s" y="%s" text-anchor="%s" fill="%s" font-size="%s"`, num(x), num(y), anchor, fill, num(size))
	if weight != "" {
		s.printf(` font-weight="%s"`, weight)
	}
	s.printf(`>%s</text>`, esc(t))
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string, width float64, extra string) {
	s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"%s/>`,
		num(x1), num(y1), num(x2), num(y2), stroke, num(width), extra)
}

func esc(s string) string { return html.EscapeString(s) }

// num writes a coordinate with at most two decimals.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// Percent formats a percentage for a label: whole numbers, "<1%" for a
// share too small to round up to 1.
func Percent(p float64) string {
	switch {
	case p > 0 && p < 0.5:
		return "<1%"
	default:
		return strconv.Itoa(int(math.Round(p))) + "%"
	}
}

// wrap breaks s into lines of at most width characters, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// niceStep returns a round step (1, 2 or 5 times a power of ten) that
// divides 0..max into at most n intervals.
func niceStep(max float64, n int) float64 {
	if max <= 0 {
		return 1
	}
	raw := max / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// intStep is niceStep for counts: never below 1.
func intStep(max float64, n int) float64 { return math.Max(1, math.Ceil(niceStep(max, n))) }
