package admin

import (
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/stats"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestLikertChartLeavesOutMissingCodes: a scale with a missing code draws
// only its points in the chart (title, legend and bars), and the table
// keeps the code's own column with its count.
func TestLikertChartLeavesOutMissingCodes(t *testing.T) {
	in := &survey.Instrument{Key: "mc-admin", Version: 1, Title: "T",
		Scales: []survey.Scale{{ID: "a3", Options: []survey.Option{
			{Value: 1, Label: "Disagree"}, {Value: 2, Label: "Neutral"}, {Value: 3, Label: "Agree"},
			{Value: 9, Label: "Not applicable", Missing: true},
		}}},
		Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{
			{ID: "q", Type: survey.Likert, Text: "Q", Scale: "a3"},
		}}},
	}
	form, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := stats.New(form, stats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{1, 3, 3, 9} {
		b.Add(&survey.Response{Status: survey.ResponseComplete, Answers: survey.Answers{"q": survey.IntVal(v)}})
	}
	blocks := likertBlocks("lk", form, b.Report(), []int{0}, func(stats.Group) string { return "All" })
	if len(blocks) != 1 {
		t.Fatalf("%d blocks", len(blocks))
	}
	bl := blocks[0]
	if bl.Title != "Answers to 1 item, from Disagree to Agree" {
		t.Errorf("title %q", bl.Title)
	}
	if strings.Contains(string(bl.Legend), "Not applicable") || strings.Contains(string(bl.Chart), "Not applicable") {
		t.Errorf("the missing code is drawn as a point of the scale:\n%s\n%s", bl.Legend, bl.Chart)
	}
	if got := strings.Join(bl.Table.Options, "|"); got != "Disagree|Neutral|Agree|Not applicable" {
		t.Errorf("table columns %q", got)
	}
	if row := bl.Table.Rows[0]; row.N != 3 || row.Cells[3] != "1 (25.0%)" || row.Cells[2] != "2 (66.7%)" {
		t.Errorf("table row %+v: want n 3, Agree 2 (66.7%% of 3), the code 1 (25.0%% of all 4)", row)
	}
}
