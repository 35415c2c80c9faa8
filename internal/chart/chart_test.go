package chart

import (
	"encoding/xml"
	"html/template"
	"math"
	"strconv"
	"strings"
	"testing"
)

// node is a parsed SVG element.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) float(t testing.TB, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return v
}

// find returns the elements below n (n included) that match.
func (n node) find(match func(node) bool) []node {
	var out []node
	if match(n) {
		out = append(out, n)
	}
	for _, c := range n.Children {
		out = append(out, c.find(match)...)
	}
	return out
}

func class(name string) func(node) bool {
	return func(n node) bool { return strings.Contains(" "+n.attr("class")+" ", " "+name+" ") }
}

// parse checks that the chart is well-formed XML (so also well-formed in
// HTML) with the accessible name and description every chart must have.
func parse(t *testing.T, h template.HTML) node {
	t.Helper()
	var root node
	if err := xml.Unmarshal([]byte(h), &root); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, h)
	}
	if root.XMLName.Local != "svg" || root.attr("role") != "img" {
		t.Fatalf("root <%s role=%q>", root.XMLName.Local, root.attr("role"))
	}
	id := root.attr("id")
	if got := root.attr("aria-labelledby"); got != id+"-title "+id+"-desc" {
		t.Errorf("aria-labelledby %q", got)
	}
	titles := root.find(func(n node) bool { return n.attr("id") == id+"-title" && n.XMLName.Local == "title" })
	descs := root.find(func(n node) bool { return n.attr("id") == id+"-desc" && n.XMLName.Local == "desc" })
	if len(titles) != 1 || strings.TrimSpace(titles[0].Text) == "" || len(descs) != 1 || strings.TrimSpace(descs[0].Text) == "" {
		t.Errorf("want one non-empty <title> and <desc>, got %d and %d", len(titles), len(descs))
	}
	for _, bad := range []string{"style=", "<style", "<script", "javascript:"} {
		if strings.Contains(string(h), bad) {
			t.Errorf("the chart contains %s, which the CSP forbids", bad)
		}
	}
	return root
}

var agree5 = []string{"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"}

func TestLikert(t *testing.T) {
	l := Likert{ID: "lk", Title: "Efficiency", Labels: agree5, Items: []LikertItem{
		{Text: "AI saves time & <effort>.", Bars: []LikertBar{{Counts: []int{1, 2, 3, 4, 10}}}},
		{Text: "AI takes time.", Note: "(reverse-keyed)", Bars: []LikertBar{{Counts: []int{10, 5, 5, 0, 0}}}},
		{Text: "Nobody answered.", Bars: []LikertBar{{Counts: []int{0, 0, 0, 0, 0}}}},
		{Text: "All neutral.", Bars: []LikertBar{{Counts: []int{0, 0, 7, 0, 0}}}},
	}}
	for _, tc := range []struct {
		name   string
		render func() template.HTML
	}{{"Wide", l.Render}, {"Narrow", l.RenderNarrow}} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.render()
			root := parse(t, h)
			if !strings.Contains(string(h), "AI saves time &amp; &lt;effort&gt;.") {
				t.Error("item text is not escaped")
			}
			items := root.find(class("item"))
			if len(items) != len(l.Items) {
				t.Fatalf("%d item groups, want %d", len(items), len(l.Items))
			}
			// The middle: where the neutral segment of the all-neutral bar is
			// centred, and the same for every bar.
			var mid, unit float64 // unit: SVG units per percentage point
			{
				seg := items[3].find(class("seg"))[2]
				mid = seg.float(t, "x") + seg.float(t, "width")/2
				unit = seg.float(t, "width") / 100
			}
			for i, it := range items {
				bars := it.find(class("bar"))
				if len(bars) != 1 {
					t.Fatalf("item %d: %d bars, want one", i, len(bars))
				}
				segs := bars[0].find(class("seg"))
				if len(segs) != len(agree5) {
					t.Fatalf("item %d: %d segments, want %d", i, len(segs), len(agree5))
				}
				counts := l.Items[i].Bars[0].Counts
				n := 0
				for _, c := range counts {
					n += c
				}
				for _, s := range segs {
					opt, _ := strconv.Atoi(s.attr("data-option"))
					x, w := s.float(t, "x"), s.float(t, "width")
					want := 0.0
					if n > 0 {
						want = 100 * float64(counts[opt]) / float64(n)
					}
					// Widths proportional to the percentages.
					if math.Abs(w-want*unit) > 0.02 || math.Abs(s.float(t, "data-percent")-want) > 0.01 {
						t.Errorf("item %d option %d: width %.2f (%s%%), want %.2f for %.2f%%", i, opt, w, s.attr("data-percent"), want*unit, want)
					}
					switch {
					case opt < 2 && x+w > mid-100*float64(counts[2])/math.Max(1, float64(n))*unit/2+0.02:
						t.Errorf("item %d: disagree option %d ends at %.2f, right of the neutral segment", i, opt, x+w)
					case opt > 2 && x < mid+100*float64(counts[2])/math.Max(1, float64(n))*unit/2-0.02:
						t.Errorf("item %d: agree option %d starts at %.2f, left of the neutral segment", i, opt, x)
					case opt == 2 && math.Abs(x+w/2-mid) > 0.02:
						t.Errorf("item %d: the neutral segment is centred at %.2f, not on the middle %.2f", i, x+w/2, mid)
					}
				}
				// Segments touch: strongly disagree ... strongly agree, left to right.
				for j := 1; j < len(segs); j++ {
					a, b := segByOption(t, segs, j-1), segByOption(t, segs, j)
					if math.Abs(a.float(t, "x")+a.float(t, "width")-b.float(t, "x")) > 0.02 {
						t.Errorf("item %d: options %d and %d do not meet", i, j-1, j)
					}
				}
			}
			// The first item: 3 of 20 on the disagree side, 14 of 20 agree.
			bar := items[0].find(class("bar"))[0]
			if bar.attr("data-low") != "15" || bar.attr("data-mid") != "15" || bar.attr("data-high") != "70" {
				t.Errorf("first bar: low %s mid %s high %s", bar.attr("data-low"), bar.attr("data-mid"), bar.attr("data-high"))
			}
			desc := root.find(func(n node) bool { return n.XMLName.Local == "desc" })[0].Text
			for _, want := range []string{"4 items", "AI saves time & <effort>: 15% disagree, 15% middle, 70% agree (n = 20).", "Nobody answered: no answers."} {
				if !strings.Contains(desc, want) {
					t.Errorf("description lacks %q:\n%s", want, desc)
				}
			}
		})
	}
}

func segByOption(t *testing.T, segs []node, opt int) node {
	t.Helper()
	for _, s := range segs {
		if s.attr("data-option") == strconv.Itoa(opt) {
			return s
		}
	}
	t.Fatalf("no segment for option %d", opt)
	return node{}
}

func TestLikertGroupsAndEvenScale(t *testing.T) {
	labels := []string{"Never", "Rarely", "Often", "Always"}
	l := Likert{ID: "g", Title: "Frequency", Labels: labels, Items: []LikertItem{
		{Text: "One", Bars: []LikertBar{{Label: "Psychiatry", Counts: []int{1, 1, 1, 1}}, {Label: "Family medicine", Counts: []int{0, 0, 2, 2}}}},
		{Text: "Two", Bars: []LikertBar{{Label: "Psychiatry", Counts: []int{4, 0, 0, 0}}, {Label: "Family medicine", Counts: []int{0, 1, 1, 0}}}},
	}}
	for _, h := range []template.HTML{l.Render(), l.RenderNarrow()} {
		root := parse(t, h)
		items := root.find(class("item"))
		if len(items) != 2 {
			t.Fatalf("%d items", len(items))
		}
		for _, it := range items {
			if n := len(it.find(class("bar"))); n != 2 {
				t.Errorf("%d bars in an item, want one per group", n)
			}
		}
		if !strings.Contains(string(h), "Family medicine (n = 4)") {
			t.Error("no group label with its n")
		}
		// No middle option: the low side ends exactly where the high begins.
		segs := items[0].find(class("bar"))[0].find(class("seg"))
		if a, b := segByOption(t, segs, 1), segByOption(t, segs, 2); math.Abs(a.float(t, "x")+a.float(t, "width")-b.float(t, "x")) > 0.02 {
			t.Error("an even scale has a gap in the middle")
		}
	}
	if low, high := SideNames(labels); low != "never" || high != "always" {
		t.Errorf("SideNames %q %q", low, high)
	}
}

func TestSideNames(t *testing.T) {
	for _, tc := range []struct {
		labels    []string
		low, high string
	}{
		{agree5, "disagree", "agree"},
		{[]string{"Very negative", "Somewhat negative", "Neither positive nor negative", "Somewhat positive", "Very positive"}, "negative", "positive"},
		{[]string{"No", "Yes"}, "no", "yes"},
		{nil, "", ""},
	} {
		if low, high := SideNames(tc.labels); low != tc.low || high != tc.high {
			t.Errorf("SideNames(%q) = %q, %q, want %q, %q", tc.labels, low, high, tc.low, tc.high)
		}
	}
}

// TestPalette: text on every fill is legible (WCAG AA, 4.5:1), the two
// sides are orange and blue, darkest at the ends, and the middle is grey.
func TestPalette(t *testing.T) {
	for k := 2; k <= 11; k++ {
		cs := Diverging(k)
		for i, c := range cs {
			if r := Contrast(c.Fill, c.Text); r < 4.5 {
				t.Errorf("k=%d option %d: text %s on %s has contrast %.2f", k, i, c.Text, c.Fill, r)
			}
		}
		lo, hi := parseHex(cs[0].Fill), parseHex(cs[k-1].Fill)
		if !(lo[0] > lo[2]) || !(hi[2] > hi[0]) {
			t.Errorf("k=%d: ends %s and %s are not orange and blue", k, cs[0].Fill, cs[k-1].Fill)
		}
		if k > 3 && (parseHex(cs[0].Fill).luminance() >= parseHex(cs[1].Fill).luminance() || parseHex(cs[k-1].Fill).luminance() >= parseHex(cs[k-2].Fill).luminance()) {
			t.Errorf("k=%d: the ends are not the darkest", k)
		}
		if k%2 == 1 && parseHex(cs[k/2].Fill) != neutral {
			t.Errorf("k=%d: middle %s, want grey", k, cs[k/2].Fill)
		}
	}
	for _, c := range []Colour{Blue, Orange} {
		if r := Contrast(c.Fill, paper); r < 4.5 {
			t.Errorf("%s on white: %.2f", c.Fill, r)
		}
	}
	if r := Contrast("#000000", "#ffffff"); math.Abs(r-21) > 1e-9 {
		t.Errorf("contrast of black on white %.3f, want 21", r)
	}
}

func TestHistogram(t *testing.T) {
	bins := []Bin{{1, 1.5, 2}, {1.5, 2, 0}, {2, 2.5, 8}, {2.5, 3, 4}}
	root := parse(t, Histogram{ID: "h", Title: "Scores", XLabel: "Mean score (1 to 3)", Bins: bins}.Render())
	rects := root.find(class("bin"))
	if len(rects) != len(bins) {
		t.Fatalf("%d bars, want %d", len(rects), len(bins))
	}
	unit := rects[2].float(t, "height") / 8
	base := rects[2].float(t, "y") + rects[2].float(t, "height")
	for i, r := range rects {
		if h := r.float(t, "height"); math.Abs(h-float64(bins[i].Count)*unit) > 0.02 {
			t.Errorf("bin %d: height %.2f for %d", i, h, bins[i].Count)
		}
		if b := r.float(t, "y") + r.float(t, "height"); math.Abs(b-base) > 0.02 {
			t.Errorf("bin %d does not stand on the axis", i)
		}
		if i > 0 && r.float(t, "x") <= rects[i-1].float(t, "x") {
			t.Errorf("bin %d is not right of bin %d", i, i-1)
		}
	}
	desc := root.find(func(n node) bool { return n.XMLName.Local == "desc" })[0].Text
	if !strings.Contains(desc, "Histogram of 14 values") || !strings.Contains(desc, "the most values, 8, are between 2 and 2.5") {
		t.Errorf("description: %s", desc)
	}
	parse(t, Histogram{ID: "e", Title: "Empty"}.Render())
}

func TestDaily(t *testing.T) {
	days := []Day{{"2026-01-05", 3, 1}, {"2026-01-06", 0, 0}, {"2026-01-07", 7, 2}}
	for _, d := range []Daily{{ID: "d", Title: "Per day", Days: days}, {ID: "n", Title: "Per day", Days: days, Width: 400}} {
		root := parse(t, d.Render())
		complete := root.find(class("complete"))
		if len(complete) != 1 || len(complete[0].find(class("point"))) != 3 {
			t.Fatalf("want one complete series with 3 points")
		}
		pts := complete[0].find(class("point"))
		if y0, y2 := pts[0].float(t, "cy"), pts[2].float(t, "cy"); !(y2 < y0) {
			t.Errorf("7 is drawn below 3 (%v, %v)", y2, y0)
		}
		if len(root.find(class("in-progress"))) != 1 {
			t.Error("no in-progress series")
		}
		desc := root.find(func(n node) bool { return n.XMLName.Local == "desc" })[0].Text
		if !strings.Contains(desc, "10 complete and 3 in progress") || !strings.Contains(desc, "7, came on 2026-01-07") {
			t.Errorf("description: %s", desc)
		}
	}
	root := parse(t, Daily{ID: "c", Title: "Complete only", Days: days, OmitInProgress: true}.Render())
	if len(root.find(class("in-progress"))) != 0 {
		t.Error("the omitted series is drawn")
	}
	parse(t, Daily{ID: "e", Title: "None"}.Render())
	parse(t, Daily{ID: "o", Title: "One day", Days: days[:1]}.Render())
}

func TestNiceStep(t *testing.T) {
	for _, tc := range []struct {
		max  float64
		n    int
		want float64
	}{{14, 5, 5}, {8, 5, 2}, {100, 4, 50}, {3, 5, 1}, {0, 5, 1}} {
		if got := intStep(tc.max, tc.n); got != tc.want {
			t.Errorf("intStep(%v, %d) = %v, want %v", tc.max, tc.n, got, tc.want)
		}
	}
}

func TestRate(t *testing.T) {
	days := []RateDay{{"2026-03-02", 0, "Invitation"}, {"2026-03-03", 20, ""}, {"2026-03-09", 35.5, "Reminder 1"}}
	root := parse(t, Rate{ID: "r", Title: "Response rate", Days: days}.Render())
	if got := len(root.find(class("contact"))); got != 2 {
		t.Fatalf("%d contact marks, want 2", got)
	}
	pts := root.find(class("rate"))[0].find(class("point"))
	if len(pts) != 3 || !(pts[2].float(t, "cy") < pts[1].float(t, "cy")) {
		t.Fatal("35.5% is not drawn above 20%")
	}
	desc := root.find(func(n node) bool { return n.XMLName.Local == "desc" })[0].Text
	if !strings.Contains(desc, "reaching 35.5%") || !strings.Contains(desc, "2 days of contact") {
		t.Errorf("description: %s", desc)
	}
	parse(t, Rate{ID: "e", Title: "None"}.Render())
	parse(t, Rate{ID: "o", Title: "One", Days: days[:1]}.Render())
}

func TestScree(t *testing.T) {
	c := Scree{ID: "s", Title: "Scree", Observed: []float64{4.2, 1.9, 1.3, 0.2, -0.1, -0.3}, Simulated: []float64{0.3, 0.2, 0.1, 0.05, 0, -0.1},
		ObservedLabel: "Observed", SimulatedLabel: "Simulated (95th percentile)", Suggested: 3}
	root := parse(t, c.Render())
	obs, sim := root.find(class("observed")), root.find(class("simulated"))
	if len(obs) != 1 || len(sim) != 1 || len(obs[0].find(class("point"))) != 6 || len(sim[0].find(class("point"))) != 6 {
		t.Fatal("want an observed and a simulated series of 6 points each")
	}
	pts := obs[0].find(class("point"))
	if y0, y5 := pts[0].float(t, "cy"), pts[5].float(t, "cy"); !(y0 < y5) {
		t.Errorf("4.2 is drawn below −0.3 (%v, %v)", y0, y5)
	}
	// Negative eigenvalues stay inside the plot.
	if y5 := pts[5].float(t, "cy"); y5 > sHeight-sBottom+1e-9 {
		t.Errorf("−0.3 drawn at %v, below the plot", y5)
	}
	desc := root.find(func(n node) bool { return n.XMLName.Local == "desc" })[0].Text
	if !strings.Contains(desc, "parallel analysis retains 3 factors") || !strings.Contains(desc, "from 4.20 down to -0.30") {
		t.Errorf("description: %s", desc)
	}
	if !strings.Contains(string(c.Render()), "3 retained") {
		t.Error("no mark of the retained factors")
	}
	parse(t, Scree{ID: "e", Title: "Empty", ObservedLabel: "Observed"}.Render())
	parse(t, Scree{ID: "o", Title: "One", Observed: []float64{1}, ObservedLabel: "Observed"}.Render())
}
