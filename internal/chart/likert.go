package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Likert is a diverging stacked bar chart of items that share a scale:
// one bar per item (or, when responses are compared in groups, one bar
// per group under each item), the low options to the left of the middle
// and the high options to the right, with a middle (neutral) option split
// across the middle. Each segment is as long as its share of the bar's
// answers; the bar's low and high totals are written at the sides.
type Likert struct {
	// ID prefixes the ids of the chart's elements; unique in the page.
	ID    string
	Title string
	// Labels are the scale's options, low to high.
	Labels []string
	// Low and High name the two sides ("disagree", "agree"); by default
	// the first and last labels.
	Low, High string
	Items     []LikertItem
}

// LikertItem is one item of the chart.
type LikertItem struct {
	Text string
	// Note is shown after the text, such as "(reverse-keyed)".
	Note string
	Bars []LikertBar
}

// LikertBar is one bar: the counts of each option, in the order of
// Likert.Labels. Label names the group when there are several bars.
type LikertBar struct {
	Label  string
	Counts []int
}

// likertLayout is the geometry of a Likert chart, in SVG units (1 unit =
// 1 CSS pixel at the chart's natural width).
type likertLayout struct {
	class          string
	width          float64
	labelW         float64 // item text column (0: the text goes above the bars)
	barX0, barX1   float64 // bar area
	font, line     float64
	wrap, wrapWide int // characters per line: beside the bar, across the chart
}

var (
	// wideLayout writes each item beside its bar.
	wideLayout = likertLayout{class: "likert", width: 960, labelW: 300, barX0: 356, barX1: 904,
		font: 14, line: 18, wrap: 40, wrapWide: 110}
	// narrowLayout, for phones, writes each item above its bar: drawn at a
	// third of the wide chart's width, its text stays legible.
	narrowLayout = likertLayout{class: "likert narrow", width: 400, barX0: 44, barX1: 356,
		font: 15, line: 19, wrapWide: 46}
)

const (
	lkBarH    = 26.0
	lkBarGap  = 8.0  // between the bars of one item
	lkItemGap = 18.0 // between items
	lkTop     = 34.0
	lkAxisH   = 34.0
	lkGroupH  = 17.0 // a group's label above its bar, in the narrow layout
)

// share is a bar's percentages: per option, and the low, middle and high
// totals.
type share struct {
	n                 int
	pct               []float64
	low, mid, high    float64
	midIndex          int // -1 without a middle option
	leftEdge, rightEd float64
}

func shareOf(counts []int) share {
	k := len(counts)
	s := share{pct: make([]float64, k), midIndex: -1}
	for _, c := range counts {
		s.n += c
	}
	if s.n > 0 {
		for i, c := range counts {
			s.pct[i] = 100 * float64(c) / float64(s.n)
		}
	}
	for i := range k / 2 {
		s.low += s.pct[i]
		s.high += s.pct[k-1-i]
	}
	if k%2 == 1 {
		s.midIndex = k / 2
		s.mid = s.pct[k/2]
	}
	s.leftEdge, s.rightEd = s.low+s.mid/2, s.high+s.mid/2
	return s
}

// extent is the percentage each side of the middle spans: 25, 50, 75 or
// 100, the least that holds every bar.
func extent(shares []share) float64 {
	m := 0.0
	for _, s := range shares {
		m = math.Max(m, math.Max(s.leftEdge, s.rightEd))
	}
	return math.Min(100, math.Max(25, 25*math.Ceil(m/25-1e-9)))
}

// Render draws the chart at its natural width of 960 units, each item's
// text beside its bar.
func (l Likert) Render() template.HTML { return l.render(wideLayout, l.ID) }

// RenderNarrow draws the chart 400 units wide for small screens, each
// item's text above its bar; its element ids end in "-n".
func (l Likert) RenderNarrow() template.HTML { return l.render(narrowLayout, l.ID+"-n") }

func (l Likert) render(lay likertLayout, id string) template.HTML {
	k := len(l.Labels)
	colours := Diverging(k)
	low, high := l.Low, l.High
	if low == "" && k > 0 {
		low, high = SideNames(l.Labels)
	}
	grouped := false
	var all []share
	for _, it := range l.Items {
		grouped = grouped || len(it.Bars) > 1 || (len(it.Bars) == 1 && it.Bars[0].Label != "")
		for _, b := range it.Bars {
			all = append(all, shareOf(b.Counts))
		}
	}
	ext := extent(all)
	mid := (lay.barX0 + lay.barX1) / 2
	half := (lay.barX1 - lay.barX0) / 2
	above := grouped || lay.labelW == 0 // item text above the bars
	groupLine := 0.0                    // room for a group's label above its bar
	if grouped && lay.labelW == 0 {
		groupLine = lkGroupH
	}
	x := func(p float64) float64 { return p / ext * half } // a percentage as a length

	// Lay the items out first: the height depends on the wrapped text.
	type placed struct {
		lines []string
		y     float64 // top of the item
		h     float64
	}
	layout := make([]placed, len(l.Items))
	y := lkTop
	for i, it := range l.Items {
		text := strings.TrimSpace(it.Text + " " + it.Note)
		var lines []string
		var h float64
		bars := float64(len(it.Bars))*(lkBarH+groupLine) + math.Max(0, float64(len(it.Bars)-1))*lkBarGap
		if above {
			// The text spans the chart above the item's bars.
			width := lay.wrapWide
			if grouped {
				width = width * 9 / 10 // bold
			}
			lines = wrap(text, width)
			h = float64(len(lines))*lay.line + 6 + bars
		} else {
			lines = wrap(text, lay.wrap)
			h = math.Max(float64(len(lines))*lay.line, bars)
		}
		layout[i] = placed{lines: lines, y: y, h: h}
		y += h + lkItemGap
	}
	height := y - lkItemGap + 10 + lkAxisH

	var s svg
	s.open(id, lay.class, lay.width, height, l.Title, l.describe(low, high))
	// Side headings and the axis grid.
	s.text(lay.barX0, 16, "start", muted, 13, "600", "← "+capitalise(low))
	s.text(lay.barX1, 16, "end", muted, 13, "600", capitalise(high)+" →")
	gridBottom := height - lkAxisH + 4
	for p := 25.0; p <= ext; p += 25 {
		for _, side := range []float64{-p, p} {
			s.line(mid+x(side), lkTop-6, mid+x(side), gridBottom, grid, 1, "")
			s.text(mid+x(side), gridBottom+18, "middle", muted, 12, "", Percent(p))
		}
	}
	s.text(mid, gridBottom+18, "middle", muted, 12, "", "0")
	// The middle, lightly behind the text, firmly across each bar without
	// a middle option.
	s.line(mid, lkTop-6, mid, gridBottom, axis, 1, "")

	for i, it := range l.Items {
		pl := layout[i]
		s.printf(`<g class="item" data-item="%d">`, i)
		var barTop float64
		if above {
			// The grid stops behind the text, which stays legible.
			s.printf(`<rect x="0" y="%s" width="%s" height="%s" fill="#fff"/>`,
				num(pl.y-3), num(lay.width), num(float64(len(pl.lines))*lay.line+6))
			weight := ""
			if grouped {
				weight = "600"
			}
			for j, line := range pl.lines {
				s.text(0, pl.y+lay.font-1+float64(j)*lay.line, "start", ink, lay.font, weight, line)
			}
			barTop = pl.y + float64(len(pl.lines))*lay.line + 6
		} else {
			// Centre the text block on the bar.
			textTop := pl.y + (pl.h-float64(len(pl.lines))*lay.line)/2
			for j, line := range pl.lines {
				s.text(0, textTop+lay.font-1+float64(j)*lay.line, "start", ink, lay.font, "", line)
			}
			barTop = pl.y + (pl.h-lkBarH)/2
		}
		for bi, b := range it.Bars {
			sh := shareOf(b.Counts)
			by := barTop + float64(bi)*(lkBarH+groupLine+lkBarGap) + groupLine
			s.printf(`<g class="bar" data-n="%d" data-low="%s" data-mid="%s" data-high="%s">`, sh.n, num(sh.low), num(sh.mid), num(sh.high))
			switch {
			case grouped && lay.labelW > 0:
				s.text(lay.labelW, by+lkBarH/2+5, "end", ink, 13, "", fmt.Sprintf("%s (n = %d)", b.Label, sh.n))
			case grouped:
				s.printf(`<rect x="0" y="%s" width="%s" height="%s" fill="#fff"/>`, num(by-groupLine), num(lay.width), num(groupLine-2))
				s.text(lay.barX0, by-5, "start", ink, 13, "", fmt.Sprintf("%s (n = %d)", b.Label, sh.n))
			}
			if sh.n == 0 {
				s.text(mid, by+lkBarH/2+5, "middle", muted, 13, "", "no answers")
			}
			// Segments from the middle outwards: left side first.
			left := mid - x(sh.mid)/2
			for j := k/2 - 1; j >= 0; j-- {
				w := x(sh.pct[j])
				left -= w
				s.segment(left, by, w, colours[j], j, sh.pct[j], l.Labels[j], lay.labelW > 0)
			}
			if sh.midIndex >= 0 {
				s.segment(mid-x(sh.mid)/2, by, x(sh.mid), colours[sh.midIndex], sh.midIndex, sh.mid, l.Labels[sh.midIndex], lay.labelW > 0)
			}
			right := mid + x(sh.mid)/2
			for j := (k + 1) / 2; j < k; j++ {
				w := x(sh.pct[j])
				s.segment(right, by, w, colours[j], j, sh.pct[j], l.Labels[j], lay.labelW > 0)
				right += w
			}
			if sh.midIndex < 0 { // with a middle option, its segment marks the middle
				s.line(mid, by-4, mid, by+lkBarH+4, ink, 1.5, "")
			}
			if sh.n > 0 {
				s.text(lay.barX0-6, by+lkBarH/2+5, "end", ink, 13, "700", Percent(sh.low))
				s.text(lay.barX1+6, by+lkBarH/2+5, "start", ink, 13, "700", Percent(sh.high))
			}
			s.printf(`</g>`)
		}
		s.printf(`</g>`)
	}
	return s.close()
}

// segment draws one option's part of a bar, with its percentage inside
// when there is room.
// A tooltip names the option and its exact share, for a pointer; the
// narrow chart, drawn for touch screens, goes without.
func (s *svg) segment(x, y, w float64, c Colour, option int, pct float64, label string, tooltip bool) {
	s.printf(`<rect class="seg" data-option="%d" data-percent="%s" x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#fff"`,
		option, num(pct), num(x), num(y), num(w), num(lkBarH), c.Fill)
	if tooltip {
		s.printf(`><title>%s: %s</title></rect>`, esc(label), esc(fmt.Sprintf("%.1f%%", pct)))
	} else {
		s.printf(`/>`)
	}
	if w >= 30 {
		s.text(x+w/2, y+lkBarH/2+5, "middle", c.Text, 12.5, "", Percent(pct))
	}
}

// describe is the chart's text alternative: per bar, the shares on each
// side.
func (l Likert) describe(low, high string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Diverging bar chart of %d items: per item, the percentage of answers on the %s side (left), in the middle and on the %s side (right).", len(l.Items), low, high)
	for _, it := range l.Items {
		for _, bar := range it.Bars {
			sh := shareOf(bar.Counts)
			b.WriteString(" ")
			b.WriteString(strings.TrimSuffix(strings.TrimSpace(it.Text), "."))
			if bar.Label != "" {
				b.WriteString(", " + bar.Label)
			}
			if sh.n == 0 {
				b.WriteString(": no answers.")
				continue
			}
			fmt.Fprintf(&b, ": %s %s", Percent(sh.low), low)
			if sh.midIndex >= 0 {
				fmt.Fprintf(&b, ", %s middle", Percent(sh.mid))
			}
			fmt.Fprintf(&b, ", %s %s (n = %d).", Percent(sh.high), high, sh.n)
		}
	}
	return b.String()
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// Legend returns the scale's options with their colours as an HTML list,
// for the page to show above a Likert chart. The swatches are hidden from
// screen readers; the labels are read.
func Legend(labels []string) template.HTML {
	colours := Diverging(len(labels))
	var b strings.Builder
	b.WriteString(`<ul class="legend">`)
	for i, l := range labels {
		fmt.Fprintf(&b, `<li><svg class="swatch" viewBox="0 0 14 14" width="14" height="14" aria-hidden="true" focusable="false"><rect width="14" height="14" rx="2" fill="%s"/></svg>%s</li>`,
			colours[i].Fill, esc(l))
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String())
}

// SideNames names the two sides of a scale by the word its options on
// each side end with ("Strongly disagree", "Disagree": "disagree"), or
// else by its first and last options.
func SideNames(labels []string) (low, high string) {
	k := len(labels)
	if k == 0 {
		return "", ""
	}
	side := func(ls []string, fallback string) string {
		word := ""
		for i, l := range ls {
			f := strings.Fields(strings.ToLower(l))
			if len(f) == 0 || (i > 0 && f[len(f)-1] != word) {
				return strings.ToLower(fallback)
			}
			word = f[len(f)-1]
		}
		if word == "" {
			return strings.ToLower(fallback)
		}
		return word
	}
	return side(labels[:k/2], labels[0]), side(labels[(k+1)/2:], labels[k-1])
}
