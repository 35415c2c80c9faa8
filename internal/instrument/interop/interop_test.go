package interop

import (
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestIDs holds the turning of foreign names into Dyad ids: the id
// pattern, distinct ids for names that come out the same, the same id
// for the same name, and the export's reserved names avoided.
func TestIDs(t *testing.T) {
	for in, want := range map[string]string{
		"q1": "q1", "Q1": "q1", "/44250-9": "x44250_9", "g1.q2": "g1_q2", "a__b": "a_b", "__x": "x",
		"2bab9480-5251-4997-8a2e-937a1701cfe9": "x2bab9480_5251_4997_8a2e_937a170", "émoi": "moi", "": "", "---": "",
	} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	var ids IDs
	a, b, c := ids.ID("q-1", "item"), ids.ID("q_1", "item"), ids.ID("q-1", "item")
	if a != "q_1" || b != "q_1_2" || c != a {
		t.Errorf("ids %q %q %q", a, b, c)
	}
	if id := ids.ID("status", "item"); id == "status" {
		t.Error("a reserved export column became an item id")
	}
	if id := ids.ID("?!", "item"); id != "item" {
		t.Errorf("fallback %q", id)
	}
	long := strings.Repeat("a", 40)
	if x, y := ids.ID(long, "item"), ids.ID(long+"b", "item"); len(x) > 32 || len(y) > 32 || x == y {
		t.Errorf("long ids %q %q", x, y)
	}
	if k := Key("GAD-7 (English)", "x"); k != "gad-7-english" {
		t.Errorf("Key = %q", k)
	}
	if k := Key(strings.Repeat("ab ", 40), "x"); len(k) > 64 || strings.HasSuffix(k, "-") {
		t.Errorf("long Key = %q", k)
	}
}

// TestFinish: validation problems are reported at the place in the
// source the element came from, the Dyad path kept in the message.
func TestFinish(t *testing.T) {
	var r Report
	r.Locate("sections[0]", "form a")
	r.Locate("sections[0].items[1]", "row 12")
	r.Warn("row 3", "something %d", 1)
	in := &survey.Instrument{Key: "k1", Version: 1, Title: "T", Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{
		{ID: "a", Type: survey.Text, Text: "A"},
		{ID: "b", Type: survey.SingleChoice, Text: "B", Options: []survey.Option{{Value: 1, Label: "X"}, {Value: 1, Label: ""}}},
	}}}}
	bad, err := r.Finish(in)
	se, ok := err.(*survey.Error)
	if !ok || se.Code != survey.EInvalid {
		t.Fatalf("error %v", err)
	}
	// The instrument as imported comes with the error, for correction.
	if bad == nil || bad.Instrument != in || len(bad.Warnings) != 1 {
		t.Errorf("with the error, Finish gives %+v", bad)
	}
	for _, d := range se.Details {
		if d.Path != "row 12" || !strings.HasPrefix(d.Message, "sections[0].items[1].options[1]") {
			t.Errorf("detail %+v", d)
		}
	}
	in.Sections[0].Items[1].Options[1] = survey.Option{Value: 2, Label: "Y"}
	res, err := r.Finish(in)
	if err != nil || len(res.Warnings) != 1 || res.Warnings[0].Path != "row 3" {
		t.Fatalf("Finish = %+v, %v", res, err)
	}
}
