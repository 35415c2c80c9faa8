package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestHardeningExcelSafeInvisiblePrefixes: with excel_safe, a text cell
// is guarded when, after any leading white space or invisible characters
// (spaces, no-break space, zero-width space, byte-order mark, direction
// marks, line breaks), it starts with one of OWASP's formula characters
// = + - @ or their full-width forms ＝ ＋ － ＠; a cell starting with tab
// or CR always is. Numeric columns are never changed, and without
// excel_safe every text is exact.
func TestHardeningExcelSafeInvisiblePrefixes(t *testing.T) {
	f := testForm(t)
	for _, tc := range []struct {
		text  string
		guard bool
	}{
		{"=1+1", true},
		{"+1", true},
		{"-1", true},
		{"@SUM(A1)", true},
		{"\t=1", true},
		{"\r=1", true},
		{"\tplain", true},
		{" =1+1", true},
		{"   @x", true},
		{"\n=1", true},
		{"\u00a0=1", true},       // no-break space
		{"\u200b=1", true},       // zero-width space
		{"\ufeff=1", true},       // byte-order mark
		{"\u200f\u200e-1", true}, // direction marks
		{"\u2060+1", true},       // word joiner
		{"\u3000=1", true},       // ideographic space
		{"\u2028=1", true},       // line separator
		{"＝1+1", true},           // full-width equals sign
		{"＋1", true},
		{"－1", true},
		{"＠x", true},
		{" \u00a0\u200b＝cmd|' /C calc'!A0", true},
		{"plain", false},
		{"a=b", false},
		{" plain", false},
		{"\u200bplain", false},
		{"é=1", false},
		{"1-2", false},
		{"'=quoted already", false},
		{" ", false},
		{"\u00a0", false},
	} {
		rs := []*survey.Response{{ID: "r", InstrumentVersion: 3, Status: survey.ResponseComplete, StartedAt: at("2026-01-02T10:00:00Z"),
			Answers: survey.Answers{"n": survey.IntVal(-3), "t": survey.TextVal(tc.text)}}}
		for _, layout := range []string{export.LayoutWide, export.LayoutLong} {
			recs := parseCSV(t, writeCSV(t, f, export.Options{ExcelSafe: true, Layout: layout}, rs))
			want := tc.text
			if tc.guard {
				want = "'" + tc.text
			}
			var got, num string
			if layout == export.LayoutLong { // rows: n, then t
				got, num = recs[2][8], recs[1][8]
			} else {
				got, num = recs[1][13], recs[1][12]
			}
			// encoding/csv reads a CRLF inside a quoted field as LF.
			want = strings.ReplaceAll(want, "\r\n", "\n")
			if got != want {
				t.Errorf("%s: excel_safe %q: got %q, want %q", layout, tc.text, got, want)
			}
			if num != "-3" {
				t.Errorf("%s: excel_safe changed a number: %q", layout, num)
			}
		}
		exact := parseCSV(t, writeCSV(t, f, export.Options{}, rs))
		if got := exact[1][13]; got != tc.text {
			t.Errorf("default export changed %q to %q", tc.text, got)
		}
	}
}

// FuzzCSVWriter writes an export with an arbitrary free-text answer and an
// arbitrary option label, in every combination of layout, values,
// excel_safe and line_breaks, and reads it back with encoding/csv: the
// file must parse, every row must have the header's number of cells, and
// the cells must be the texts exactly (encoding/csv reads a CRLF inside a
// quoted cell as LF), or, with excel_safe, the text with an apostrophe in
// front, or with line_breaks=space, the text on one line. The answers are
// written from the map and from their stored JSON, which must give the
// same file.
func FuzzCSVWriter(f *testing.F) {
	for _, s := range []string{"", "plain", "a,b", `"q"`, "x\r\ny", " lead", "=1", "\x00", "é\v", "\u200b=1", "＝1", "\xff"} {
		f.Add(s, "Neither", uint8(0))
	}
	f.Add("\r", "=label,\n", uint8(3))
	f.Add("a\"\"\"", " ", uint8(15))
	form := testForm(f)
	f.Fuzz(func(t *testing.T, text, label string, flags uint8) {
		form.Instrument.Scales[0].Options[1].Label = label // q1 = 2 below
		opt := export.Options{ExcelSafe: flags&1 != 0, BOM: flags&8 != 0}
		if flags&2 != 0 {
			opt.Values = export.ValuesLabels
		}
		if flags&4 != 0 {
			opt.Layout = export.LayoutLong
		}
		if flags&16 != 0 {
			opt.LineBreaks = export.LineBreaksSpace
		}
		r := &survey.Response{ID: "r1", InstrumentVersion: 3, Status: survey.ResponseComplete, StartedAt: at("2026-01-02T10:00:00Z"),
			Answers: survey.Answers{"q1": survey.IntVal(2), "n": survey.IntVal(-3), "t": survey.TextVal(text)}}
		var out bytes.Buffer
		if err := export.WriteCSV(context.Background(), &out, form, opt, scanOf([]*survey.Response{r})); err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(text) {
			raw := *r
			raw.AnswersJSON, raw.Answers = r.Answers.Canonical(), nil
			var fromJSON bytes.Buffer
			if err := export.WriteCSV(context.Background(), &fromJSON, form, opt, scanOf([]*survey.Response{&raw})); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fromJSON.Bytes(), out.Bytes()) {
				t.Fatalf("from the stored JSON:\n%q\nfrom the map:\n%q", fromJSON.Bytes(), out.Bytes())
			}
		}
		data := bytes.TrimPrefix(out.Bytes(), []byte("\xEF\xBB\xBF"))
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll() // FieldsPerRecord: every row as the first
		if err != nil {
			t.Fatalf("the CSV does not parse: %v\n%q", err, data)
		}
		if opt.LineBreaks == export.LineBreaksSpace && bytes.Count(data, []byte("\n")) != len(recs) {
			t.Fatalf("line_breaks=space: %d lines for %d records\n%q", bytes.Count(data, []byte("\n")), len(recs), data)
		}
		// The cells that hold the text and the label.
		var gotText, gotLabel string
		if opt.Layout == export.LayoutLong { // rows: q1, n, t
			if len(recs) != 4 {
				t.Fatalf("%d long rows, want 3\n%q", len(recs)-1, data)
			}
			gotLabel, gotText = recs[1][8], recs[3][8]
		} else {
			if len(recs) != 2 {
				t.Fatalf("%d wide rows, want 1\n%q", len(recs)-1, data)
			}
			gotLabel, gotText = recs[1][10], recs[1][13]
		}
		wantLabel := "2"
		if opt.Values == export.ValuesLabels {
			wantLabel = label
		}
		for _, c := range []struct{ got, want, what string }{{gotText, text, "text"}, {gotLabel, wantLabel, "label"}} {
			want := c.want
			if opt.LineBreaks == export.LineBreaksSpace {
				want = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\x00", "").Replace(want)
			}
			want = strings.ReplaceAll(want, "\r\n", "\n")
			if opt.ExcelSafe && c.got == "'"+want {
				continue
			}
			if c.got != want {
				t.Fatalf("%s: got %q, want %q\n%q", c.what, c.got, want, data)
			}
		}
	})
}
