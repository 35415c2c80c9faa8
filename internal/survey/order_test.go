package survey_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
	"gonum.org/v1/gonum/stat/distuv"
)

// orderInstrument has randomised sections (the first and last fixed) and
// a section "attitudes" of six items with randomised order: a1 fixed
// first, a2 with its follow-up a2why, a3 to a5, and a6 fixed last.
func orderInstrument() *survey.Instrument {
	scale := []survey.Option{{Value: 1, Label: "No"}, {Value: 2, Label: "Yes"}}
	one := int64(2)
	likert := func(id string) survey.Item {
		return survey.Item{ID: id, Type: survey.Likert, Text: "Item " + id, Scale: "yn"}
	}
	att := []survey.Item{likert("a1"), likert("a2"),
		{ID: "a2why", Type: survey.Text, Text: "Why?", ShowIf: &survey.Condition{Item: "a2", Equals: &one}},
		likert("a3"), likert("a4"), likert("a5"), likert("a6")}
	att[0].Fixed, att[6].Fixed = true, true
	return &survey.Instrument{
		Key: "order-test", Version: 1, Title: "Order", Randomize: survey.RandomizeSections,
		Scales: []survey.Scale{{ID: "yn", Options: scale}},
		Sections: []survey.Section{
			{ID: "intro", Title: "Intro", Fixed: true, Items: []survey.Item{likert("i1")}},
			{ID: "attitudes", Title: "Attitudes", Randomize: survey.RandomizeItems, Items: att},
			{ID: "s2", Title: "Two", Items: []survey.Item{likert("b1")}},
			{ID: "s3", Title: "Three", Items: []survey.Item{likert("c1")}},
			{ID: "s4", Title: "Four", Items: []survey.Item{likert("d1")}},
			{ID: "outro", Title: "Outro", Fixed: true, Items: []survey.Item{likert("e1")}},
		},
	}
}

func mustForm(tb testing.TB, in *survey.Instrument) *survey.Form {
	tb.Helper()
	if err := in.Validate(); err != nil {
		tb.Fatalf("validate: %v", err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// itemIDs lists section si's item ids in the order shown.
func itemIDs(f *survey.Form, o *survey.Order, si int) []string {
	var ids []string
	for _, ii := range o.Items(si) {
		ids = append(ids, f.Instrument.Sections[si].Items[ii].ID)
	}
	return ids
}

func sectionIDs(f *survey.Form, o *survey.Order) []string {
	var ids []string
	for _, si := range o.Sections() {
		ids = append(ids, f.Instrument.Sections[si].ID)
	}
	return ids
}

func responseID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

func TestOrder_StableForSeed(t *testing.T) {
	f := mustForm(t, orderInstrument())
	g := mustForm(t, orderInstrument()) // another process's form of the same version
	differs := 0
	first := f.Order(responseID(0))
	for i := range 50 {
		id := responseID(i)
		a, b := f.Order(id), g.Order(id)
		if !slices.Equal(a.Sections(), b.Sections()) || !slices.Equal(a.Items(1), b.Items(1)) {
			t.Fatalf("%s: two orders for one response: %v %v / %v %v", id, a.Sections(), a.Items(1), b.Sections(), b.Items(1))
		}
		if !slices.Equal(a.Items(1), first.Items(1)) || !slices.Equal(a.Sections(), first.Sections()) {
			differs++
		}
		// Page and Position are the inverses of Sections and Items.
		for p, si := range a.Sections() {
			if a.Page(si) != p {
				t.Fatalf("Page(%d) = %d, want %d", si, a.Page(si), p)
			}
		}
		for p, ii := range a.Items(1) {
			if a.Position(1, ii) != p {
				t.Fatalf("Position(1, %d) = %d, want %d", ii, a.Position(1, ii), p)
			}
		}
	}
	if differs < 40 {
		t.Errorf("only %d of 49 other responses have another order than the first", differs)
	}
}

// TestOrder_KeptAsDrawn asks a form for more orders than it keeps, then
// again for the first ones (dropped by then) and the last ones (kept):
// each is the order a form that never saw the id draws, and a kept one is
// the same value on every ask.
func TestOrder_KeptAsDrawn(t *testing.T) {
	f := mustForm(t, orderInstrument())
	const n = 5000 // more than a form keeps
	for i := range n {
		f.Order(responseID(i))
	}
	for _, i := range []int{0, 1, 2, n - 2, n - 1} {
		id := responseID(i)
		a, fresh := f.Order(id), mustForm(t, orderInstrument()).Order(id)
		for si := range a.Sections() {
			if !slices.Equal(a.Sections(), fresh.Sections()) || !slices.Equal(a.Items(si), fresh.Items(si)) {
				t.Fatalf("%s: kept %v %v, drawn %v %v", id, a.Sections(), a.Items(si), fresh.Sections(), fresh.Items(si))
			}
		}
	}
	if a, b := f.Order(responseID(n-1)), f.Order(responseID(n-1)); a != b {
		t.Error("a kept order is drawn again")
	}
}

// TestOrderGolden pins the order drawn for two response ids: the export
// recomputes the order each stored response was shown in, so a change to
// the seed or the shuffle would silently rewrite recorded positions.
func TestOrderGolden(t *testing.T) {
	f := mustForm(t, orderInstrument())
	for _, tc := range []struct{ id, sections, items string }{
		{"0f6f1ac3-5d7e-4f0a-9c9e-0c2b7f1a9d11", "intro attitudes s2 s4 s3 outro", "a1 a2 a2why a5 a4 a3 a6"},
		{"5b1e9c74-2a36-4e8b-a1f0-7d3c9e2b6a40", "intro s2 s3 attitudes s4 outro", "a1 a3 a5 a4 a2 a2why a6"},
	} {
		o := f.Order(tc.id)
		gotS, gotI := strings.Join(sectionIDs(f, o), " "), strings.Join(itemIDs(f, o, 1), " ")
		if gotS != tc.sections || gotI != tc.items {
			t.Errorf("%s: sections %q items %q, want %q %q", tc.id, gotS, gotI, tc.sections, tc.items)
		}
	}
}

func TestOrder_FixedStayFollowUpsFollow(t *testing.T) {
	f := mustForm(t, orderInstrument())
	for i := range 300 {
		o := f.Order(responseID(i))
		s := sectionIDs(f, o)
		if s[0] != "intro" || s[5] != "outro" {
			t.Fatalf("fixed sections moved: %v", s)
		}
		items := itemIDs(f, o, 1)
		if items[0] != "a1" || items[6] != "a6" {
			t.Fatalf("fixed items moved: %v", items)
		}
		if k := slices.Index(items, "a2"); items[k+1] != "a2why" {
			t.Fatalf("follow-up not right after its parent: %v", items)
		}
		got := slices.Clone(items)
		slices.Sort(got)
		if !slices.Equal(got, []string{"a1", "a2", "a2why", "a3", "a4", "a5", "a6"}) {
			t.Fatalf("not a permutation: %v", items)
		}
	}
}

func TestOrder_NotRandomized(t *testing.T) {
	in := orderInstrument()
	in.Randomize = ""
	in.Sections[0].Fixed, in.Sections[5].Fixed = false, false
	in.Sections[1].Randomize = ""
	in.Sections[1].Items[0].Fixed, in.Sections[1].Items[6].Fixed = false, false
	f := mustForm(t, in)
	if f.Randomized() {
		t.Fatal("Randomized() = true")
	}
	o := f.Order(responseID(7))
	if o != f.DocumentOrder() {
		t.Error("an unrandomised form's order is not its document order")
	}
	if !slices.Equal(o.Sections(), []int{0, 1, 2, 3, 4, 5}) || !slices.Equal(o.Items(1), []int{0, 1, 2, 3, 4, 5, 6}) {
		t.Errorf("document order: %v %v", o.Sections(), o.Items(1))
	}
}

// chiSquareP returns the p-value of the chi-square statistic of a table
// of counts of k units by k positions, each unit counted n times in all,
// against the hypothesis that every unit is equally likely at every
// position: (k-1)^2 degrees of freedom, the rows and columns both summing
// to n.
func chiSquareP(t *testing.T, counts [][]int, n int) (stat, p float64) {
	t.Helper()
	k := len(counts)
	want := float64(n) / float64(k)
	for _, row := range counts {
		for _, c := range row {
			d := float64(c) - want
			stat += d * d / want
		}
	}
	return stat, distuv.ChiSquared{K: float64((k - 1) * (k - 1))}.Survival(stat)
}

// TestOrder_NoPositionBias draws the orders of 2,000 responses and tests,
// for the items that move and for the sections that move, that no unit is
// more likely at one place than another (chi-square, p > 0.01). The ids
// are consecutive, not random, so the test gives the same verdict on
// every run; the seed hashes them, so they are as good as random ids.
func TestOrder_NoPositionBias(t *testing.T) {
	f := mustForm(t, orderInstrument())
	const n = 2000
	// The moving item units (a2 with a2why, a3, a4, a5) over places 1..4
	// of the section's units; the moving sections over pages 1..4.
	units := []string{"a2", "a3", "a4", "a5"}
	itemCounts := make([][]int, len(units))
	secCounts := make([][]int, 4)
	for i := range units {
		itemCounts[i] = make([]int, len(units))
		secCounts[i] = make([]int, 4)
	}
	for i := range n {
		o := f.Order(responseID(i))
		var heads []string
		for _, id := range itemIDs(f, o, 1) {
			if id != "a2why" && id != "a1" && id != "a6" {
				heads = append(heads, id)
			}
		}
		for place, id := range heads {
			itemCounts[slices.Index(units, id)][place]++
		}
		for page, si := range o.Sections()[1:5] {
			secCounts[si-1][page]++
		}
	}
	for name, counts := range map[string][][]int{"items": itemCounts, "sections": secCounts} {
		stat, p := chiSquareP(t, counts, n)
		t.Logf("%s: chi-square %.2f, p = %.3f, counts %v", name, stat, p, counts)
		if p <= 0.01 {
			t.Errorf("%s: position bias, chi-square %.2f, p = %.4f: %v", name, stat, p, counts)
		}
	}
}

func TestOrder_Pages(t *testing.T) {
	f := mustForm(t, orderInstrument())
	// Find a response whose pages are intro, s4, ... to test the steps.
	var o *survey.Order
	for i := 0; o == nil; i++ {
		if c := f.Order(responseID(i)); c.Sections()[1] != 1 {
			o = c
		}
	}
	pages := o.Sections()
	a := survey.Answers{}
	for p, si := range pages {
		want := -1
		if p+1 < len(pages) {
			want = pages[p+1]
		}
		if got := o.NextSection(a, si); got != want {
			t.Errorf("NextSection(%d) = %d, want %d (pages %v)", si, got, want, pages)
		}
		want = -1
		if p > 0 {
			want = pages[p-1]
		}
		if got := o.PrevSection(a, si); got != want {
			t.Errorf("PrevSection(%d) = %d, want %d", si, got, want)
		}
	}
	if got := o.ResumeSection(a); got != pages[0] {
		t.Errorf("ResumeSection(empty) = %d, want %d", got, pages[0])
	}
	// Answered on the first two pages: resume on the third.
	a["i1"] = survey.IntVal(1)
	sec := f.Instrument.Sections[pages[1]]
	a[sec.Items[0].ID] = survey.IntVal(1)
	if got := o.ResumeSection(a); got != pages[2] {
		t.Errorf("ResumeSection = %d, want %d (pages %v)", got, pages[2], pages)
	}
}

func TestValidateOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(in *survey.Instrument)
		path string // "" when valid
		msg  string
	}{
		{"OK", func(*survey.Instrument) {}, "", ""},
		{"ErrInstrumentRandomizeItems", func(in *survey.Instrument) { in.Randomize = "items" }, "randomize", "must be sections"},
		{"ErrSectionRandomizeSections", func(in *survey.Instrument) { in.Sections[1].Randomize = "sections" }, "sections[1].randomize", "must be items"},
		{"ErrFixedSectionNotRandomized", func(in *survey.Instrument) { in.Randomize = "" }, "sections[0].fixed", "randomize: sections"},
		{"ErrFixedItemNotRandomized", func(in *survey.Instrument) { in.Sections[1].Randomize = "" }, "sections[1].items[0].fixed", "randomize: items"},
		{"ErrFixedFollowUp", func(in *survey.Instrument) { in.Sections[1].Items[2].Fixed = true }, "sections[1].items[2].fixed", `mark "a2" fixed instead`},
		{"ErrShowIfAcrossMovingSections", func(in *survey.Instrument) {
			v := int64(1)
			in.Sections[3].Items[0].ShowIf = &survey.Condition{Item: "b1", Equals: &v}
		}, "sections[3].items[0].show_if.item", "does not come before"},
		{"OKShowIfFromFixedLast", func(in *survey.Instrument) {
			v := int64(1)
			in.Sections[5].Items[0].ShowIf = &survey.Condition{Item: "a3", Equals: &v}
		}, "", ""}, // attitudes moves, but always before outro: fine
		{"OKShowIfOnFixedFirst", func(in *survey.Instrument) {
			v := int64(1)
			in.Sections[3].Items[0].ShowIf = &survey.Condition{Item: "i1", Equals: &v}
		}, "", ""},
		{"OKShowIfAcrossSectionsNotRandomized", func(in *survey.Instrument) {
			in.Randomize = ""
			in.Sections[0].Fixed, in.Sections[5].Fixed = false, false
			v := int64(1)
			in.Sections[3].Items[0].ShowIf = &survey.Condition{Item: "b1", Equals: &v}
		}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := orderInstrument()
			tc.edit(in)
			err := in.Validate()
			if tc.path == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var found bool
			var se *survey.Error
			if !errors.As(err, &se) {
				t.Fatalf("Validate: %v, want problems", err)
			}
			for _, d := range se.Details {
				if d.Path == tc.path && strings.Contains(d.Message, tc.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem at %s containing %q in %v", tc.path, tc.msg, err)
			}
		})
	}
}

// FuzzOrder holds the order's invariants for any response id: every
// section and item shown once, the fixed ones in place, the follow-up
// right after its item, and the same order when asked again.
func FuzzOrder(f *testing.F) {
	form := mustForm(f, orderInstrument())
	f.Add("")
	f.Add(responseID(1))
	f.Add("\x00\xff not a uuid")
	f.Fuzz(func(t *testing.T, id string) {
		o := form.Order(id)
		s := sectionIDs(form, o)
		if len(s) != 6 || s[0] != "intro" || s[5] != "outro" {
			t.Fatalf("sections %v", s)
		}
		seen := map[string]bool{}
		for _, x := range s {
			seen[x] = true
		}
		items := itemIDs(form, o, 1)
		if len(seen) != 6 || len(items) != 7 || items[0] != "a1" || items[6] != "a6" || items[slices.Index(items, "a2")+1] != "a2why" {
			t.Fatalf("sections %v, items %v", s, items)
		}
		again := form.Order(id)
		if !slices.Equal(again.Sections(), o.Sections()) || !slices.Equal(again.Items(1), o.Items(1)) {
			t.Fatal("two orders for one id")
		}
	})
}

// BenchmarkOrder measures asking for a response's order, which every page
// of a randomised form does once, with a thousand responses in progress:
// their orders kept after the first draw.
func BenchmarkOrder(b *testing.B) {
	f := mustForm(b, orderInstrument())
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f.Order(responseID(i % 1000))
	}
}
