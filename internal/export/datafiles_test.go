package export_test

// Tests of the SPSS, Stata and Excel files that need no outside tool: the
// workbook read back with excelize, the .dta's column types, the variable
// names, the temporary spool file, and write errors. PSPP, R's haven and
// readstat read the .sav and .dta in datafiles_integration_test.go.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/xuri/excelize/v2"
)

// longText is a free-text answer longer than a .sav string segment (255
// bytes) and than Stata's widest str# (2,045 bytes), with non-ASCII
// letters, emoji (4-byte characters cut across segment boundaries) and
// line breaks.
var longText = strings.Repeat("é😀x\n", 800) + "END"

// dataResponses are testResponses plus awkward and long texts.
func dataResponses() []*survey.Response {
	rs := testResponses()
	texts := append(append([]string{}, awkwardTextsAll...), longText)
	for i, text := range texts {
		rs = append(rs, &survey.Response{ID: "a" + strconv.Itoa(i), InstrumentVersion: 3, Status: survey.ResponseComplete,
			StartedAt: at("2026-01-04T08:00:00Z"), SubmittedAt: ptr(at("2026-01-04T08:10:00Z")),
			Answers: survey.Answers{"to": survey.IntVal(0), "q1": survey.IntVal(2), "t": survey.TextVal(text)}})
	}
	return rs
}

// awkwardTextsAll are free texts that trip naive writers (the same as the
// integration tests' awkwardTexts, which live behind the build tag).
var awkwardTextsAll = []string{
	`He said "hi", then left`,
	"line one\nline two\n\nline four",
	"emoji 😀👩‍⚕️ and ünïcödé",
	"right-to-left: مرحبا بالعالم שלום",
	"=SUM(A1:A3)",
	"+1 -1 @x",
	" leading and trailing spaces ",
	`back\slash and 'single' quotes`,
}

var dataInfo = export.SyntaxInfo{Survey: &survey.Survey{ID: "7k2m9qx4ab", Title: "Unit export ✓"}, Base: "unit", Generated: at("2026-01-14T10:00:00Z")}

func writeFormat(t *testing.T, name string, opt export.Options, rs []*survey.Response) []byte {
	t.Helper()
	var b bytes.Buffer
	j := export.Job{Form: testForm(t), Info: dataInfo, Options: opt, Scan: scanOf(rs)}
	if err := export.FormatByName(name).Write(context.Background(), &b, j); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b.Bytes()
}

func TestXLSX(t *testing.T) {
	rs := dataResponses()
	x, err := excelize.OpenReader(bytes.NewReader(writeFormat(t, "xlsx", export.Options{}, rs)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); strings.Join(got, ",") != "data,codebook,value_labels" {
		t.Fatalf("sheets %q", got)
	}
	rows, err := x.GetRows("data", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(rs) {
		t.Fatalf("%d rows, want %d", len(rows), 1+len(rs))
	}
	if strings.Join(rows[0], ",") != strings.Join(export.Header(testForm(t), export.LayoutWide), ",") {
		t.Errorf("header %q", rows[0])
	}
	// Numbers are numbers, text is text, times are date-times.
	for _, c := range []struct {
		cell string
		typ  excelize.CellType
		raw  string
	}{
		{"B2", excelize.CellTypeNumber, "3"},      // instrument_version
		{"F2", excelize.CellTypeNumber, "124"},    // duration_s
		{"K2", excelize.CellTypeNumber, "3"},      // q1
		{"M2", excelize.CellTypeNumber, "-3"},     // n
		{"O2", excelize.CellTypeNumber, "2.5"},    // score_main
		{"I2", excelize.CellTypeNumber, "0"},      // option 1 not selected
		{"A2", excelize.CellTypeInlineString, ""}, // response_id
		{"G2", excelize.CellTypeInlineString, ""}, // language
		{"N2", excelize.CellTypeInlineString, ""}, // free text
	} {
		typ, err := x.GetCellType("data", c.cell)
		if typ == excelize.CellTypeUnset {
			typ = excelize.CellTypeNumber // no t attribute: a number, in OOXML
		}
		if err != nil || typ != c.typ {
			t.Errorf("%s: type %v (%v), want %v", c.cell, typ, err, c.typ)
		}
		if c.raw != "" {
			if v, _ := x.GetCellValue("data", c.cell, excelize.Options{RawCellValue: true}); v != c.raw {
				t.Errorf("%s = %q, want %q", c.cell, v, c.raw)
			}
		}
	}
	if v, _ := x.GetCellValue("data", "D2"); v != "2026-01-02 10:00:00" {
		t.Errorf("started_at shows as %q", v)
	}
	// Unanswered and not shown cells are empty, never 0.
	for _, cell := range []string{"E3", "F3", "G3", "I3", "J3", "L3", "M3", "N3", "O3"} {
		if v, _ := x.GetCellValue("data", cell); v != "" {
			t.Errorf("%s = %q, want empty", cell, v)
		}
	}
	// Text comes back exactly, and a text that looks like a formula is a
	// string, not a formula.
	texts := append(append([]string{"=1+1, \"quoted\"\r\nnext", ""}, awkwardTextsAll...), longText)
	for i, want := range texts {
		cell := "N" + strconv.Itoa(i+2)
		got, _ := x.GetCellValue("data", cell)
		if got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
		if f, _ := x.GetCellFormula("data", cell); f != "" {
			t.Errorf("%s holds the formula %q", cell, f)
		}
	}
	panes, err := x.GetPanes("data")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}
	if w, _ := x.GetColWidth("data", "N"); w < 40 {
		t.Errorf("the free-text column is %v wide", w)
	}
	cb, _ := x.GetRows("codebook")
	if len(cb) != 1+len(export.Columns(testForm(t))) || strings.Join(cb[0], ",") != strings.Join(export.CodebookHeader, ",") {
		t.Errorf("codebook sheet: %d rows, header %q", len(cb), cb[0])
	}
	vl, _ := x.GetRows("value_labels")
	want := [][]string{{"variable", "value", "label"}, {"to", "1", "Yes"}, {"to", "0", "No"},
		{"a_very_long_multiple_choice_idx__1", "0", "Not selected"}, {"a_very_long_multiple_choice_idx__1", "1", "Selected"},
		{"a_very_long_multiple_choice_idx__m2", "0", "Not selected"}, {"a_very_long_multiple_choice_idx__m2", "1", "Selected"},
		{"q1", "1", "Disagree"}, {"q1", "2", `Neither "yes" nor 'no'`}, {"q1", "3", "Agree, fully"}, {"q1", "9", "Not applicable"},
		{"q2", "1", "Disagree"}, {"q2", "2", `Neither "yes" nor 'no'`}, {"q2", "3", "Agree, fully"}, {"q2", "9", "Not applicable"}}
	for _, dq := range []string{"dq_speeder", "dq_straightline", "dq_attention", "dq_any"} {
		want = append(want, []string{dq, "0", "Not flagged"}, []string{dq, "1", "Flagged"})
	}
	if len(vl) != len(want) {
		t.Fatalf("value_labels: %q", vl)
	}
	for i := range want {
		if strings.Join(vl[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("value_labels row %d: %q, want %q", i, vl[i], want[i])
		}
	}

	// values=labels: labels in likert and single-choice cells, 0/1 stays.
	x2, err := excelize.OpenReader(bytes.NewReader(writeFormat(t, "xlsx", export.Options{Values: export.ValuesLabels}, rs)))
	if err != nil {
		t.Fatal(err)
	}
	defer x2.Close()
	for cell, want := range map[string]string{"G2": "de", "H2": "Yes", "K2": "Agree, fully", "L2": "Neither \"yes\" nor 'no'", "I2": "0", "M2": "-3"} {
		if got, _ := x2.GetCellValue("data", cell); got != want {
			t.Errorf("labels: %s = %q, want %q", cell, got, want)
		}
	}
	if got := export.FormatByName("xlsx").FileName("unit", export.Options{Values: export.ValuesLabels}); got != "unit_labels.xlsx" {
		t.Errorf("file name %q", got)
	}
}

// dtaTypes reads the variable types of a .dta file.
func dtaTypes(t *testing.T, b []byte) []uint16 {
	t.Helper()
	k := bytes.Index(b, []byte("<K>"))
	start := bytes.Index(b, []byte("<variable_types>"))
	if k < 0 || start < 0 {
		t.Fatal("not a .dta 118 file")
	}
	n := int(binary.LittleEndian.Uint16(b[k+3:]))
	types := make([]uint16, n)
	for i := range types {
		types[i] = binary.LittleEndian.Uint16(b[start+len("<variable_types>")+2*i:])
	}
	return types
}

func TestDTATypes(t *testing.T) {
	const strL, double, long, byte_ = 32768, 65526, 65528, 65530
	// response_id, instrument_version, status, started_at, submitted_at,
	// duration_s, language, to, two option columns, q1, q2, n, t,
	// score_main, duration_s1_s, dq_speeder, dq_straightline,
	// dq_attention, dq_any.
	short := dtaTypes(t, writeFormat(t, "dta", export.Options{}, testResponses()))
	want := []uint16{2, long, 11, double, double, double, 2, byte_, byte_, byte_, byte_, byte_, byte_, 20, double, double, byte_, byte_, byte_, byte_}
	if !slicesEqual(short, want) {
		t.Errorf("short texts: types %v, want %v", short, want)
	}
	// A text longer than 2,045 bytes needs a strL.
	long_ := dtaTypes(t, writeFormat(t, "dta", export.Options{}, dataResponses()))
	if long_[13] != strL {
		t.Errorf("long text: type %d, want strL", long_[13])
	}
	// Many short answers in a column with one long one: strL as well
	// (str# would pad every row to the longest).
	rs := testResponses()
	for i := range 50 {
		rs = append(rs, &survey.Response{ID: "x" + strconv.Itoa(i), InstrumentVersion: 3, Status: survey.ResponseComplete,
			StartedAt: at("2026-01-04T08:00:00Z"), Answers: survey.Answers{"t": survey.TextVal("ok")}})
	}
	rs = append(rs, &survey.Response{ID: "y", InstrumentVersion: 3, Status: survey.ResponseComplete,
		StartedAt: at("2026-01-04T08:00:00Z"), Answers: survey.Answers{"t": survey.TextVal(strings.Repeat("a", 500))}})
	if got := dtaTypes(t, writeFormat(t, "dta", export.Options{}, rs))[13]; got != strL {
		t.Errorf("mostly short texts: type %d, want strL", got)
	}
}

// TestDTAValuesOutsideDeclaredRange: a row stored before today's rules
// may hold a value outside the instrument's options or range; the column
// type widens to hold it instead of wrapping it round.
func TestDTAValuesOutsideDeclaredRange(t *testing.T) {
	const int16Type, long = 65529, 65528
	rs := []*survey.Response{{ID: "old", InstrumentVersion: 3, Status: survey.ResponseComplete, StartedAt: at("2026-01-04T08:00:00Z"),
		Answers: survey.Answers{"q1": survey.IntVal(300), "n": survey.IntVal(-100000)}}}
	b := writeFormat(t, "dta", export.Options{}, rs)
	types := dtaTypes(t, b)
	if types[10] != int16Type || types[12] != long {
		t.Fatalf("types of q1 and n: %d, %d", types[10], types[12])
	}
	// The row: str#, long, str#, 3 doubles, str# (language), 3 bytes,
	// then q1 (int), q2 (byte), n (long).
	row := b[bytes.Index(b, []byte("<data>"))+len("<data>"):]
	off := int(types[0]) + 4 + int(types[2]) + 3*8 + int(types[6]) + 3
	if q1 := int16(binary.LittleEndian.Uint16(row[off:])); q1 != 300 {
		t.Errorf("q1 = %d", q1)
	}
	if n := int32(binary.LittleEndian.Uint32(row[off+3:])); n != -100000 {
		t.Errorf("n = %d", n)
	}
}

func slicesEqual(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSAVHeader(t *testing.T) {
	b := writeFormat(t, "sav", export.Options{}, dataResponses())
	if !bytes.HasPrefix(b, []byte("$FL2@(#) SPSS DATA FILE")) {
		t.Fatalf("header %q", b[:40])
	}
	le := binary.LittleEndian
	if layout, compression, ncases := le.Uint32(b[64:]), le.Uint32(b[72:]), le.Uint32(b[80:]); layout != 2 || compression != 1 || int(ncases) != len(dataResponses()) {
		t.Errorf("layout %d, compression %d, cases %d", layout, compression, ncases)
	}
	for _, want := range []string{"UTF-8", "T=" + fmt.Sprintf("%05d", len(longText)) + "\x00\t", "TO_V=to_v\t", "Neither \"yes\" nor 'no'"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("no %q in the dictionary", want)
		}
	}
}

// TestDataFilesSpoolRemoved: the .sav and .dta spool every response to a
// temporary file; it holds answers, so it must be gone when the export
// ends, whether it succeeded, the output failed, or the scan failed
// (docs/security.md). The workbook's temporary files too.
func TestDataFilesSpoolRemoved(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := testForm(t)
	boom := errors.New("boom")
	failing := func(ctx context.Context, fn func(*survey.Response) error) error {
		for _, r := range dataResponses() {
			if err := fn(r); err != nil {
				return err
			}
		}
		return boom
	}
	for _, name := range []string{"sav", "dta", "xlsx"} {
		ft := export.FormatByName(name)
		j := export.Job{Form: f, Info: dataInfo, Scan: scanOf(dataResponses())}
		if err := ft.Write(context.Background(), &bytes.Buffer{}, j); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if err := ft.Write(context.Background(), failingWriter{boom}, j); !errors.Is(err, boom) {
			t.Errorf("%s: a failing output gave %v", name, err)
		}
		j.Scan = failing
		if err := ft.Write(context.Background(), &bytes.Buffer{}, j); !errors.Is(err, boom) {
			t.Errorf("%s: a failing scan gave %v", name, err)
		}
		left, _ := os.ReadDir(tmp)
		for _, e := range left {
			t.Errorf("%s left %s behind", name, e.Name())
		}
	}
}

func TestDataFilesZeroResponses(t *testing.T) {
	for _, name := range []string{"sav", "dta", "xlsx"} {
		if b := writeFormat(t, name, export.Options{}, nil); len(b) < 100 {
			t.Errorf("%s: %d bytes", name, len(b))
		}
	}
	b := writeFormat(t, "dta", export.Options{}, nil)
	if n := binary.LittleEndian.Uint64(b[bytes.Index(b, []byte("<N>"))+3:]); n != 0 {
		t.Errorf("N = %d", n)
	}
}

// spssStataName is the intersection of SPSS's and Stata's name rules.
var spssStataName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,31}$`)

func checkNames(t *testing.T, cols []export.Column) {
	t.Helper()
	names := export.StatNames(cols)
	seen := map[string]bool{}
	for i, n := range names {
		if !spssStataName.MatchString(n) {
			t.Errorf("column %q: name %q is not legal in SPSS and Stata", cols[i].Short, n)
		}
		if export.ReservedName(strings.ToLower(n)) {
			t.Errorf("column %q: name %q is reserved", cols[i].Short, n)
		}
		if seen[strings.ToLower(n)] {
			t.Errorf("column %q: name %q is taken (ignoring case)", cols[i].Short, n)
		}
		seen[strings.ToLower(n)] = true
	}
}

func TestStatNames(t *testing.T) {
	cols := export.Columns(testForm(t))
	names := export.StatNames(cols)
	for i, c := range cols {
		if names[i] != c.Short {
			t.Errorf("a valid instrument's column %s is named %q in the files, %q in the codebook", c.Name, names[i], c.Short)
		}
	}
	var odd []export.Column
	for _, s := range []string{"", "1abc", "_x", "é", "to", "TO", "with", "str12", "a b", "a-b", "Q1", "q1", "q1",
		strings.Repeat("x", 40), strings.Repeat("x", 40) + "y", "strl", "_all", "v1abc", "v_"} {
		odd = append(odd, export.Column{Short: s})
	}
	checkNames(t, odd)
}

// FuzzStatNames: whatever the names (an instrument stored before today's
// id rules, say), the files' variable names are legal and unique.
func FuzzStatNames(f *testing.F) {
	f.Add("q1", "Q1", "to")
	f.Add("", "1x", "é-ü")
	f.Add(strings.Repeat("a", 33), strings.Repeat("a", 34), "str9")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		checkNames(t, []export.Column{{Short: a}, {Short: b}, {Short: c}, {Short: a + b}, {Short: a}})
	})
}

func TestDataFilesTimes(t *testing.T) {
	// A time before SPSS's or Stata's epoch still comes out as a number.
	rs := []*survey.Response{{ID: "old", InstrumentVersion: 3, Status: survey.ResponseInProgress,
		StartedAt: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}}
	for _, name := range []string{"sav", "dta", "xlsx"} {
		writeFormat(t, name, export.Options{}, rs)
	}
}

// TestDTALabelNames: an item named like the option columns' shared value
// label keeps its own labels.
func TestDTALabelNames(t *testing.T) {
	in := &survey.Instrument{Key: "lbl", Version: 1, Title: "Labels", Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{
		{ID: "selected", Type: survey.SingleChoice, Text: "Q", Options: []survey.Option{{Value: 7, Label: "Seven"}, {Value: 8, Label: "Eight"}}},
		{ID: "m", Type: survey.MultipleChoice, Text: "M", Options: []survey.Option{{Value: 1, Label: "One"}, {Value: 2, Label: "Two"}}},
	}}}}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	j := export.Job{Form: f, Info: dataInfo, Scan: scanOf(nil)}
	if err := export.FormatByName("dta").Write(context.Background(), &b, j); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b.Bytes(), []byte("<lbl>")); n != 3 || !bytes.Contains(b.Bytes(), []byte("Seven\x00")) || !bytes.Contains(b.Bytes(), []byte("Not selected\x00")) || !bytes.Contains(b.Bytes(), []byte("Not flagged\x00")) {
		t.Errorf("%d value labels; want the item's, the option columns' and the flags'", n)
	}
}

// TestDataFilesDeterministic: the same export gives the same bytes, so a
// file can be checked against another download of it.
func TestDataFilesDeterministic(t *testing.T) {
	for _, name := range []string{"sav", "dta", "xlsx"} {
		first := writeFormat(t, name, export.Options{}, dataResponses())
		for range 5 {
			if !bytes.Equal(first, writeFormat(t, name, export.Options{}, dataResponses())) {
				t.Errorf("%s: two writes of one export differ", name)
				break
			}
		}
	}
}
