package redcap_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/instruments"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/instrument/redcap"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestRoundTripShipped holds the export: every shipped instrument
// written as a data dictionary and read back is the same questionnaire
// (interop.Diff), and the dictionary has REDCap's 18 columns.
func TestRoundTripShipped(t *testing.T) {
	files, err := instrument.LoadFS(instruments.FS)
	if err != nil || len(files) == 0 {
		t.Fatalf("shipped instruments: %v (%d)", err, len(files))
	}
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			csv, err := redcap.Encode(f.Instrument)
			if err != nil {
				t.Fatal(err)
			}
			if !redcap.Sniff(csv) {
				t.Error("the dictionary is not recognised as one")
			}
			res, err := redcap.Decode(csv)
			if err != nil {
				t.Fatalf("the exported dictionary does not read back: %v\n%s", err, csv)
			}
			for _, d := range interop.Diff(f.Instrument, res.Instrument) {
				t.Error(d)
			}
			// The randomised order and attention checks travel in
			// annotations; a consent's decline text has no place in a
			// data dictionary and is the one thing expected to be lost.
			want := *f.Instrument
			want.Sections = slices.Clone(want.Sections)
			for si := range want.Sections {
				want.Sections[si].Items = slices.Clone(want.Sections[si].Items)
				for ii := range want.Sections[si].Items {
					want.Sections[si].Items[ii].Decline = ""
				}
			}
			for _, d := range interop.DiffDesign(&want, res.Instrument) {
				t.Error(d)
			}
			// Only the record identifier is reported: everything else maps.
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, "record identifier") {
				t.Errorf("warnings: %v", res.Warnings)
			}
		})
	}
}

// TestRealWorld reads dictionaries written by others (testdata/interop,
// SOURCES.md): each becomes a valid instrument whose form builds, what
// does not map is reported with its row and column, and the instrument
// goes out and back in unchanged.
func TestRealWorld(t *testing.T) {
	for name, want := range map[string][]string{
		"redcap-survey.csv": {`row 4 "Identifier?"`, `row 3 "Text Validation Type OR Show Slider Number"`},
		"redcap-longitudinal.csv": {
			`row 24 "Field Type"`, // calc
		},
		"redcap-validation-types.csv": nil,
		"redcap-problematic.csv":      nil,
		"redcap-checkboxes.csv":       {`row 4 "Choices, Calculations, OR Slider Labels"`}, // a, b, c codes renumbered
	} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "testdata", "interop", name))
			if err != nil {
				t.Fatal(err)
			}
			if !redcap.Sniff(data) {
				t.Fatal("not recognised as a data dictionary")
			}
			res, err := redcap.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := survey.NewForm(res.Instrument); err != nil {
				t.Fatalf("the form does not build: %v", err)
			}
			at := map[string]bool{}
			for _, w := range res.Warnings {
				at[w.Path] = true
			}
			for _, p := range want {
				if !at[p] {
					t.Errorf("no warning at %s; warnings: %v", p, res.Warnings)
				}
			}
			csv, err := redcap.Encode(res.Instrument)
			if err != nil {
				t.Fatal(err)
			}
			back, err := redcap.Decode(csv)
			if err != nil {
				t.Fatalf("exported again, it does not read back: %v", err)
			}
			for _, d := range interop.Diff(res.Instrument, back.Instrument) {
				t.Error(d)
			}
		})
	}
}

// TestLongitudinalLogic checks what the real longitudinal dictionary's
// branching logic became: one field tested, or two joined by and.
func TestLongitudinalLogic(t *testing.T) {
	data, err := os.ReadFile("../testdata/interop/redcap-longitudinal.csv")
	if err != nil {
		t.Fatal(err)
	}
	res, err := redcap.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]*survey.Item{}
	for si := range res.Instrument.Sections {
		for ii := range res.Instrument.Sections[si].Items {
			it := &res.Instrument.Sections[si].Items[ii]
			items[it.ID] = it
		}
	}
	if c := items["given_birth"].ShowIf; c == nil || c.Item != "sex" || c.Equals == nil || *c.Equals != 0 {
		t.Errorf("given_birth show_if = %+v, want sex = 0", c)
	}
	if c, _ := json.Marshal(items["num_children"].ShowIf); string(c) != `{"all":[{"item":"sex","equals":0},{"item":"given_birth","equals":1}]}` {
		t.Errorf("num_children show_if = %s, want sex = 0 and given_birth = 1", c)
	}
	if items["bmi"] != nil {
		t.Error("the calculated field became an item")
	}
	if it := items["specify_mood"]; it == nil || it.Type != survey.Integer || *it.Min != 0 || *it.Max != 100 {
		t.Errorf("the slider = %+v, want an integer item from 0 to 100", it)
	}
}

const header = `"Variable / Field Name","Form Name","Section Header","Field Type","Field Label","Choices, Calculations, OR Slider Labels","Field Note","Text Validation Type OR Show Slider Number","Text Validation Min","Text Validation Max",Identifier?,"Branching Logic (Show field only if...)","Required Field?","Custom Alignment","Question Number (surveys only)","Matrix Group Name","Matrix Ranking?","Field Annotation"
record_id,f,,text,ID,,,,,,,,,,,,,
`

// TestBranching holds the branching logic that becomes a condition, and
// that which is reported instead.
func TestBranching(t *testing.T) {
	base := header +
		"color,f,,radio,Colour,\"1, Red | 2, Green | 3, Blue\",,,,,,,,,,,,\n" +
		"fruit,f,,checkbox,Fruit,\"1, Apple | 2, Pear\",,,,,,,,,,,,\n" +
		"age,f,,text,Age,,,integer,18,30,,,,,,,,\n" +
		"name,f,,text,Name,,,,,,,,,,,,,\n"
	for _, tc := range []struct {
		logic string
		want  []int64 // nil: no condition, a warning
		ref   string
		cond  string // the condition as JSON, when it is not a list of values
	}{
		{`[color] = '1'`, []int64{1}, "color", ""},
		{`[color] = "2" or [color] = '3'`, []int64{2, 3}, "color", ""},
		{`[color] <> '1'`, []int64{2, 3}, "color", ""},
		{`[color] != ""`, []int64{1, 2, 3}, "color", ""},
		{`[color] >= 2`, []int64{2, 3}, "color", ""},
		{`'2' < [color]`, []int64{3}, "color", ""},
		{`([color] = '1' or [color] = '2') and [color] <> '1'`, []int64{2}, "color", ""},
		{`[fruit(2)] = '1'`, []int64{2}, "fruit", ""},
		{`[fruit(1)] = '1' or [fruit(2)] = '1'`, []int64{1, 2}, "fruit", ""},
		{`[age] > 28`, []int64{29, 30}, "age", ""},
		{`[age] = 40`, nil, "", ""},
		{`[color] = '1' and [age] > 20`, nil, "", `{"all":[{"item":"color","equals":1},{"item":"age","in":[21,22,23,24,25,26,27,28,29,30]}]}`},
		{`[color] = '1' or [fruit(2)] = '1'`, nil, "", `{"any":[{"item":"color","equals":1},{"item":"fruit","equals":2}]}`},
		{`[fruit(1)] = '1' and [fruit(2)] = '1'`, nil, "", `{"all":[{"item":"fruit","equals":1},{"item":"fruit","equals":2}]}`},
		{`([color] = '1' or [age] >= 29) and [name] <> ''`, nil, "", `{"all":[{"any":[{"item":"color","equals":1},{"item":"age","in":[29,30]}]},{"item":"name","answered":true}]}`},
		{`[name] = ''`, nil, "", `{"item":"name","answered":false}`},
		{`[fruit(1)] = '0'`, nil, "", ""},
		{`[fruit] = '1'`, nil, "", ""},
		{`[name] = 'x'`, nil, "", ""},
		{`[color] = '9'`, nil, "", ""},
		{`[color] = ''`, nil, "", `{"item":"color","answered":false}`},
		{`[later] = '1'`, nil, "", ""},
		{`[event_1_arm_1][color] = '1'`, nil, "", ""},
		{`datediff([age], 'today', 'y') > 1`, nil, "", ""},
		{`[color] = '1' [color]`, nil, "", ""},
		{`([color] = '1'`, nil, "", ""},
		{`[color = '1'`, nil, "", ""},
	} {
		t.Run(tc.logic, func(t *testing.T) {
			data := base + "q,f,,yesno,Q,,,,,,,\"" + strings.ReplaceAll(tc.logic, `"`, `""`) + "\",,,,,,\n" +
				"later,f,,yesno,Later,,,,,,,,,,,,,\n"
			res, err := redcap.Decode([]byte(data))
			if err != nil {
				t.Fatal(err)
			}
			q := res.Instrument.Sections[0].Items[4]
			warned := false
			for _, w := range res.Warnings {
				warned = warned || w.Path == `row 7 "Branching Logic (Show field only if...)"`
			}
			if tc.cond != "" {
				got, _ := json.Marshal(q.ShowIf)
				if string(got) != tc.cond || warned {
					t.Errorf("show_if = %s, warnings %v; want %s", got, res.Warnings, tc.cond)
				}
				return
			}
			if tc.want == nil {
				if q.ShowIf != nil || !warned {
					t.Errorf("show_if = %+v, warned %v; want none and a warning (%v)", q.ShowIf, warned, res.Warnings)
				}
				return
			}
			if q.ShowIf == nil || warned {
				t.Fatalf("show_if = %+v, warnings %v", q.ShowIf, res.Warnings)
			}
			if got := interop.SortedValues(q.ShowIf); q.ShowIf.Item != tc.ref || len(got) != len(tc.want) || func() bool {
				for i := range got {
					if got[i] != tc.want[i] {
						return true
					}
				}
				return false
			}() {
				t.Errorf("show_if = %s %v, want %s %v", q.ShowIf.Item, got, tc.ref, tc.want)
			}
		})
	}
}

// TestDecodeErrors: a file that cannot become an instrument is refused
// with every problem at its row and column.
func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data, code string
		paths            []string
	}{
		{"not a dictionary", "a,b,c\n1,2,3\n", survey.EMalformed, []string{"row 1"}},
		{"bad quoting", header + "x,f,,text,\"unclosed,,,,,,,,,,,,,\n", survey.EMalformed, []string{"row 3"}},
		{"header only", strings.SplitN(header, "\n", 2)[0] + "\n", survey.EInvalid, []string{""}},
		{"problems", header +
			"a,f,,radio,A,,,,,,,,,,,,,\n" + // no choices
			"b,f,,magic,B,,,,,,,,,,,,,\n" + // unknown type
			"c,f,,radio,,\"1, X | 2, Y\",,,,,,,,,,,,\n" + // no label
			"d,f,,slider,D,,,,ten,,,,,,,,,\n" + // bad bound
			"e,f,,radio,E,\"1, X | 1, Y\",,,,,,,,,,,,\n", // duplicate code
			survey.EInvalid, []string{`row 3 "Choices, Calculations, OR Slider Labels"`, `row 4 "Field Type"`, `row 6 "Text Validation Min"`}},
		{"invalid after mapping", header +
			"c,f,,radio,,\"1, X | 2, Y\",,,,,,,,,,,,\n" +
			"e,f,,radio,E,\"1, X | 1, Y\",,,,,,,,,,,,\n",
			survey.EInvalid, []string{"row 3", "row 4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := redcap.Decode([]byte(tc.data))
			if err == nil {
				t.Fatalf("took it: %+v", res.Instrument)
			}
			se, ok := err.(*survey.Error)
			if !ok || se.Code != tc.code {
				t.Fatalf("error %v, want code %s", err, tc.code)
			}
			at := map[string]bool{}
			for _, d := range se.Details {
				at[d.Path] = true
			}
			for _, p := range tc.paths {
				if !at[p] {
					t.Errorf("no problem at %q: %v", p, se.Details)
				}
			}
		})
	}
}
