package stats

import (
	"slices"
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Statistics of the number and date items of survey/itemtypes.go (sliders
// and consents count as integer items).
//
// A number item's answers are counted by their exact decimal text and
// turned into float64 only for the summary (15 significant digits, which
// survey.ParseDecimal bounds, are exact in a float64). A date item's are
// counted by day; a mean date says little, so a date item reports its
// earliest, median and latest answer instead (the median of an even count
// is the earlier of the two middle days, so it is always a day someone
// gave).

// addNewType counts an answer to a number or date item.
func (c *itemCounts) addNewType(it *survey.Item, v survey.Value) {
	switch it.Type {
	case survey.Number:
		if d, ok := survey.NumberText(v); ok {
			c.decimals[d]++
			c.n++
		}
	case survey.DateItem:
		if v.Kind != survey.TextValue {
			return
		}
		if t, err := time.Parse(time.DateOnly, v.Text); err == nil {
			c.values[t.Unix()/86400]++
			c.n++
		}
	}
}

// newTypeStats completes out, an item's statistics, for a number or date
// item.
func newTypeStats(it *survey.Item, c *itemCounts, out ItemStats) ItemStats {
	var x, w []float64
	switch it.Type {
	case survey.Number:
		type pair struct {
			x float64
			n int
		}
		ps := make([]pair, 0, len(c.decimals))
		for d, n := range c.decimals {
			if f, err := strconv.ParseFloat(d, 64); err == nil {
				ps = append(ps, pair{f, n})
			}
		}
		slices.SortFunc(ps, func(a, b pair) int {
			switch {
			case a.x < b.x:
				return -1
			case a.x > b.x:
				return 1
			}
			return 0
		})
		for _, p := range ps {
			x, w = append(x, p.x), append(w, float64(p.n))
		}
		out.Summary, out.Note = summarize(x, w, "answers")
	case survey.DateItem:
		days := make([]int64, 0, len(c.values))
		for d := range c.values {
			days = append(days, d)
		}
		slices.Sort(days)
		if len(days) == 0 {
			out.Note = "no answers"
			return out
		}
		day := func(d int64) string { return time.Unix(d*86400, 0).UTC().Format(time.DateOnly) }
		out.Earliest, out.Latest = day(days[0]), day(days[len(days)-1])
		seen, half := 0, (c.n+1)/2
		for _, d := range days {
			if seen += c.values[d]; seen >= half {
				out.MedianDate = day(d)
				break
			}
		}
		out.Note = "dates from " + out.Earliest + " to " + out.Latest + ", median " + out.MedianDate + " (a date has no mean)"
	}
	return out
}
