package stats

import (
	"encoding/json"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/chart"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestHardening03ScaleRange: a scale whose option values span a huge range
// is refused when an instrument enters Dyad, and an instrument stored
// before that rule (built here without the parser) still gets statistics
// and charts of bounded size: histogram bins and listed integer values are
// bounded by count, never by the value range.
func TestHardening03ScaleRange(t *testing.T) {
	t.Run("Refused", func(t *testing.T) {
		doc := `
key: wide
version: 1
title: Wide
scales:
  - id: wide
    options: [{value: 0, label: Low}, {value: 1000000000, label: High}]
sections:
  - id: s
    title: S
    items:
      - {id: n, type: integer, text: N, min: -9000000000000000000, max: 9000000000000000000}
      - {id: w, type: likert, text: W, scale: wide}
`
		_, err := instrument.Parse([]byte(doc), instrument.YAML)
		var se *survey.Error
		if !errors.As(err, &se) || se.Code != survey.EInvalid {
			t.Fatalf("got %v, want an %s error (422)", err, survey.EInvalid)
		}
		paths := map[string]bool{}
		for _, d := range se.Details {
			paths[d.Path] = true
		}
		for _, p := range []string{"scales[0].options[1].value", "sections[0].items[0].min", "sections[0].items[0].max"} {
			if !paths[p] {
				t.Errorf("no problem at %s; got %v", p, se.Details)
			}
		}
	})

	t.Run("StoredExtremeInstrumentIsBounded", func(t *testing.T) {
		lo, hi := int64(-9e18), int64(9e18)
		in := &survey.Instrument{Key: "wide", Version: 1, Title: "Wide",
			Scales:    []survey.Scale{{ID: "wide", Options: []survey.Option{{Value: 0, Label: "Low"}, {Value: 1e9, Label: "High"}}}},
			Subscales: []survey.Subscale{{ID: "sub", Title: "Sub", Scoring: survey.ScoreSum}},
			Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{
				{ID: "w1", Type: survey.Likert, Text: "W1", Scale: "wide", Subscale: "sub"},
				{ID: "w2", Type: survey.Likert, Text: "W2", Scale: "wide", Subscale: "sub", Reverse: true},
				{ID: "n", Type: survey.Integer, Text: "N", Min: &lo, Max: &hi},
			}}}}
		f, err := survey.NewForm(in)
		if err != nil {
			t.Fatalf("a stored instrument accepted by older rules must still load: %v", err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		b, err := New(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			b.Add(complete(i%3, 5, survey.Answers{"w1": survey.IntVal(int64(i%2) * 1e9), "w2": survey.IntVal(0), "n": survey.IntVal(int64(i))}))
		}
		rep := b.Report()
		g := rep.Groups[0]
		var bars int
		var page []byte
		for _, s := range g.Subscales {
			if len(s.Histogram) == 0 || len(s.Histogram) > maxHistogramBins {
				t.Errorf("subscale %s: %d bins, want 1 to %d", s.ID, len(s.Histogram), maxHistogramBins)
			}
			var bins []chart.Bin
			for _, x := range s.Histogram {
				bins = append(bins, chart.Bin{From: x.From, To: x.To, Count: x.Count})
			}
			svg := chart.Histogram{ID: s.ID, Title: s.Title, XLabel: "Score", Bins: bins}.Render()
			page = append(page, svg...)
			bars += len(bins)
		}
		for _, it := range g.Items {
			if len(it.Options) > maxIntegerValues {
				t.Errorf("item %s lists %d values, want at most %d", it.ID, len(it.Options), maxIntegerValues)
			}
		}
		// A chart handed a histogram of value-range bins (as a stored
		// report or another caller might) draws a bounded number of bars.
		many := make([]chart.Bin, 400000)
		for i := range many {
			many[i] = chart.Bin{From: float64(i), To: float64(i + 1), Count: i % 7}
		}
		page = append(page, chart.Histogram{ID: "many", Title: "Many", Bins: many}.Render()...)
		js, _ := json.Marshal(rep)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%d bars, report %d bytes, charts %d bytes, %d MB allocated, %v", bars, len(js), len(page), alloc>>20, elapsed)
		if len(js) > 64<<10 || len(page) > 256<<10 {
			t.Errorf("report %d bytes and charts %d bytes, want under 64 KiB and 256 KiB", len(js), len(page))
		}
		if alloc > 64<<20 || elapsed > 5*time.Second {
			t.Errorf("%d MB allocated in %v, want under 64 MB and 5 s", alloc>>20, elapsed)
		}
	})
}
