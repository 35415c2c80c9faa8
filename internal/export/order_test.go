package export_test

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
	"github.com/xuri/excelize/v2"
)

func randomForm(t testing.TB) *survey.Form {
	t.Helper()
	in, err := instrument.Parse([]byte(fixtures.Instrument("randomized.yaml")), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// randomResponses are three web responses (language set) and one sent
// through the API (no language), each with some answers.
func randomResponses() []*survey.Response {
	var rs []*survey.Response
	for i, lang := range []string{"en", "de", "en", ""} {
		sub := at("2026-01-14T10:00:00Z")
		rs = append(rs, &survey.Response{
			ID: "3f2b8c1e-7a4d-4c9b-8e6f-00000000000" + strconv.Itoa(i), InstrumentKey: "randomized-test", InstrumentVersion: 1,
			Status: survey.ResponseComplete, StartedAt: at("2026-01-14T09:50:00Z"), SubmittedAt: &sub, Language: lang,
			Answers: survey.Answers{"role": survey.IntVal(1), "v_1": survey.IntVal(int64(i + 1)), "t_2": survey.IntVal(3)},
		})
	}
	return rs
}

// wantPlaces returns, per order column name, the cell the export must
// write for r: the page or place form.Order gives, 1-based; "" for a
// response sent through the API.
func wantPlaces(f *survey.Form, r *survey.Response) map[string]string {
	o := f.Order(r.ID)
	want := map[string]string{}
	for si, sec := range f.Instrument.Sections {
		if f.SectionsRandomized() {
			want[sec.ID+"__page"] = strconv.Itoa(o.Page(si) + 1)
		}
		if f.ItemsRandomized(si) {
			for ii, it := range sec.Items {
				want[it.ID+"__pos"] = strconv.Itoa(o.Position(si, ii) + 1)
			}
		}
	}
	if r.Language == "" {
		for k := range want {
			want[k] = ""
		}
	}
	return want
}

func TestOrderColumns(t *testing.T) {
	f := randomForm(t)
	cols := export.Columns(f)
	var names []string
	for _, c := range cols {
		if c.Kind == export.OrderColumn {
			names = append(names, c.Name)
			if !c.Numeric || !c.Integer {
				t.Errorf("%s is not an integer column", c.Name)
			}
		}
	}
	want := "start__page views__page trust__page use__page end__page " +
		"v_intro__pos v_1__pos v_2__pos v_2_why__pos v_3__pos v_4__pos v_comment__pos t_1__pos t_2__pos t_3__pos"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("order columns\n%s\nwant\n%s", got, want)
	}
	// The order columns come after the scores, before the data-quality
	// columns.
	if i := slices.IndexFunc(cols, func(c export.Column) bool { return c.Kind == export.PageColumn }); i < 1 || cols[i-1].Name != "t_3__pos" {
		t.Errorf("the order columns do not come right before the data-quality columns")
	}
	checkNames(t, cols)
	// A long item id keeps its suffix in the short name.
	in := f.Instrument
	in2 := *in
	in2.Sections = append([]survey.Section{}, in.Sections...)
	sec := in2.Sections[2]
	sec.Items = append([]survey.Item{}, sec.Items...)
	sec.Items[0].ID = strings.Repeat("t", 32)
	in2.Sections[2] = sec
	g, err := survey.NewForm(&in2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range export.Columns(g) {
		if c.Name == strings.Repeat("t", 32)+"__pos" && c.Short != strings.Repeat("t", 27)+"__pos" {
			t.Errorf("short name of %s: %s", c.Name, c.Short)
		}
	}

	// Nothing randomised, no order columns.
	for _, c := range export.Columns(testForm(t)) {
		if c.Kind == export.OrderColumn {
			t.Errorf("order column %s in an export of an instrument that randomises nothing", c.Name)
		}
	}
}

// TestOrderCells: the CSV and the workbook write the place form.Order
// gives each response (the order the web form showed), and nothing for a
// response sent through the API.
func TestOrderCells(t *testing.T) {
	f := randomForm(t)
	rs := randomResponses()
	var b bytes.Buffer
	if err := export.WriteCSV(context.Background(), &b, f, export.Options{}, scanOf(rs)); err != nil {
		t.Fatal(err)
	}
	rows := parseCSV(t, b.String())
	var xb bytes.Buffer
	j := export.Job{Form: f, Info: dataInfo, Scan: scanOf(rs)}
	if err := export.FormatByName("xlsx").Write(context.Background(), &xb, j); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	xrows, err := x.GetRows("data", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for i, r := range rs {
		want := wantPlaces(f, r)
		var key strings.Builder
		for c, name := range rows[0] {
			w, ok := want[name]
			if !ok {
				continue
			}
			if got := rows[i+1][c]; got != w {
				t.Errorf("CSV %s, response %d: %q, want %q", name, i, got, w)
			}
			xcell := ""
			if c < len(xrows[i+1]) {
				xcell = xrows[i+1][c]
			}
			if xcell != w {
				t.Errorf("xlsx %s, response %d: %q, want %q", name, i, xcell, w)
			}
			key.WriteString(w + " ")
			delete(want, name)
		}
		if len(want) > 0 {
			t.Errorf("order columns missing from the CSV: %v", want)
		}
		distinct[key.String()] = true
	}
	if len(distinct) < 3 {
		t.Errorf("the three web responses do not have three orders: %v", distinct)
	}
	// The answers and scores are those of an export without the order
	// columns: the order changes nothing else.
	for i, r := range rs {
		for c, name := range rows[0] {
			if v, ok := r.Answers[name]; ok && rows[i+1][c] != strconv.FormatInt(v.Int, 10) {
				t.Errorf("%s of response %d: %q", name, i, rows[i+1][c])
			}
		}
	}
}

func TestOrderCodebookAndSyntax(t *testing.T) {
	f := randomForm(t)
	var cb, r, sps, do bytes.Buffer
	if err := export.WriteCodebook(&cb, f, export.Options{}); err != nil {
		t.Fatal(err)
	}
	info := export.SyntaxInfo{Survey: &survey.Survey{ID: "x", Title: "X"}, Base: "x", Generated: at("2026-01-14T10:00:00Z")}
	for _, w := range []struct {
		b  *bytes.Buffer
		fn func(*bytes.Buffer) error
	}{
		{&r, func(b *bytes.Buffer) error { return export.WriteR(b, f, info) }},
		{&sps, func(b *bytes.Buffer) error { return export.WriteSPSS(b, f, info) }},
		{&do, func(b *bytes.Buffer) error { return export.WriteStata(b, f, info) }},
	} {
		if err := w.fn(w.b); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ file, text, want string }{
		{"codebook", cb.String(), "views__page,views__page,views,Your views,Page on which section views (Your views) was shown,position,integer from 1,,,,\"sections shown in an order of each response's own (randomize: sections); the page number this section had, 1 = first; the order is drawn from the response id"},
		{"codebook", cb.String(), "v_2_why__pos,v_2_why__pos,views,Your views,Place of item v_2_why on its page: What helps most?,position,integer from 1,,,,\"items of section views shown in an order of each response's own (randomize: items); this item's place on the page, 1 = first, counting every item of the section, a follow-up that was not shown included"},
		{"codebook", cb.String(), "empty for a response sent through the API"},
		{"R", r.String(), `"v_1__pos" = "integer"`},
		{"sps", sps.String(), "v_1__pos F20.0"},
		{"do", do.String(), "label variable v_1__pos `\"Place of item v_1 on its page: AI saves me time.\"'"},
	} {
		if !strings.Contains(c.text, c.want) {
			t.Errorf("%s lacks %q:\n%s", c.file, c.want, c.text)
		}
	}
}
