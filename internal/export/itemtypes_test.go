package export_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/export"
	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
	"github.com/xuri/excelize/v2"
)

// typesForm is the instrument with every item type of
// survey/itemtypes.go.
func typesForm(t testing.TB) *survey.Form {
	t.Helper()
	in, err := instrument.Parse([]byte(fixtures.Instrument("item-types.yaml")), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// typesResponses answer it as stored: a fraction is decimal text, a
// whole number an integer, a decimal sent as text kept as text.
func typesResponses() []*survey.Response {
	done := ptr(at("2026-01-04T08:10:00Z"))
	start := at("2026-01-04T08:00:00Z")
	return []*survey.Response{
		{ID: "t1", InstrumentVersion: 1, Status: survey.ResponseComplete, StartedAt: start, SubmittedAt: done,
			Answers: survey.Answers{"agree": survey.IntVal(1), "visit": survey.TextVal("2024-05-31"), "weight": survey.TextVal("72.5"),
				"pain": survey.IntVal(37), "place": survey.IntVal(3), "place_other": survey.TextVal("Pharmacy ü"),
				"aids": survey.ListVal(1, 4), "aids_other": survey.TextVal("Glasses")}},
		{ID: "t2", InstrumentVersion: 1, Status: survey.ResponseComplete, StartedAt: start, SubmittedAt: done,
			Answers: survey.Answers{"agree": survey.IntVal(1), "visit": survey.TextVal("1969-12-31"), "weight": survey.IntVal(30),
				"pain": survey.IntVal(0), "place": survey.IntVal(1), "aids": survey.ListVal(3)}},
		{ID: "t3", InstrumentVersion: 1, Status: survey.ResponseComplete, StartedAt: start, SubmittedAt: done,
			Answers: survey.Answers{"agree": survey.IntVal(1), "visit": survey.TextVal("2030-12-31"), "weight": survey.TextVal("0.30")}},
	}
}

func writeTypes(t *testing.T, name string, opt export.Options) []byte {
	t.Helper()
	var b bytes.Buffer
	j := export.Job{Form: typesForm(t), Info: dataInfo, Options: opt, Scan: scanOf(typesResponses())}
	if err := export.FormatByName(name).Write(context.Background(), &b, j); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b.Bytes()
}

// TestItemTypesCSV: no column for the info item, the Other text right
// after its item, the Other option among the option columns, dates and
// decimals written exactly as answered.
func TestItemTypesCSV(t *testing.T) {
	recs := parseCSV(t, writeCSV(t, typesForm(t), export.Options{}, typesResponses()))
	// The item columns: after the 7 meta columns, before the data-quality
	// columns.
	items := func(rec []string) []string { return rec[7 : len(rec)-6] }
	head := strings.Join(items(recs[0]), ",")
	if want := "agree,visit,weight,pain,place,place_other,aids__1,aids__2,aids__3,aids__4,aids_other"; head != want {
		t.Fatalf("item columns %s\nwant %s", head, want)
	}
	for i, want := range []string{
		"1,2024-05-31,72.5,37,3,Pharmacy ü,1,0,0,1,Glasses",
		"1,1969-12-31,30,0,1,,0,0,1,0,",
		"1,2030-12-31,0.3,,,,,,,,",
	} {
		if got := strings.Join(items(recs[1+i]), ","); got != want {
			t.Errorf("row %d: %s\nwant   %s", i+1, got, want)
		}
	}
	long := writeCSV(t, typesForm(t), export.Options{Layout: export.LayoutLong, ExcelSafe: true}, typesResponses())
	for _, want := range []string{",weight,72.5\n", ",weight,0.3\n", ",visit,2024-05-31\n", ",place_other,Pharmacy ü\n", ",aids,4\n"} {
		if !strings.Contains(strings.ReplaceAll(long, "\r\n", "\n"), want) {
			t.Errorf("long layout lacks %q", want)
		}
	}
	labels := parseCSV(t, writeCSV(t, typesForm(t), export.Options{Values: export.ValuesLabels}, typesResponses()))
	if got := strings.Join(labels[1][7:12], ","); got != "Consent given,2024-05-31,72.5,37,Other, please specify" {
		t.Errorf("labels mode: %s", got)
	}
}

func TestItemTypesCodebook(t *testing.T) {
	var b bytes.Buffer
	if err := export.WriteCodebook(&b, typesForm(t), export.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"weight,weight,about,About you,Your weight (kg),number,\"number from 30 to 250.5, at most 1 decimal places, in kg\"",
		"visit,visit,about,About you,When was your last visit?,date,ISO date from 2020-01-01 to 2030-12-31",
		"integer from 0 (No pain) to 100 (Worst pain imaginable)",
		"agree,agree,about,About you,I agree to take part in this study.,consent,1=Consent given",
		"place_other,place_other,care,Care,\"Where were you seen? (Other, please specify)\",text",
		"the text of \"\"Something else\"\" (option 4 of aids)",
		"exclusive: never selected together with another option",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("codebook lacks %s", want)
		}
	}
	if strings.Contains(b.String(), "intro") {
		t.Errorf("the info item has a codebook row:\n%s", b.String())
	}
}

// TestItemTypesXLSX: dates are date cells, decimals numbers, the Other
// text text.
func TestItemTypesXLSX(t *testing.T) {
	x, err := excelize.OpenReader(bytes.NewReader(writeTypes(t, "xlsx", export.Options{})))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(export.XLSXDataSheet)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[1][7:13], "|"); got != "1|2024-05-31|72.5|37|3|Pharmacy ü" {
		t.Errorf("row 1: %s", got)
	}
	if got := rows[3][9]; got != "0.3" {
		t.Errorf("0.30 written as %q", got)
	}
	typ, err := x.GetCellType(export.XLSXDataSheet, "I2")
	if err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("the date cell is text (%v, %v)", typ, err)
	}
}

// TestItemTypesSyntax: the scripts turn dates into dates and show
// decimals as answered (run by R and PSPP in the integration tests).
func TestItemTypesSyntax(t *testing.T) {
	f := typesForm(t)
	var r, sps, do bytes.Buffer
	if err := export.WriteR(&r, f, dataInfo); err != nil {
		t.Fatal(err)
	}
	if err := export.WriteSPSS(&sps, f, dataInfo); err != nil {
		t.Fatal(err)
	}
	if err := export.WriteStata(&do, f, dataInfo); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, text, want string }{
		{"R", r.String(), `dyad[["visit"]] <- as.Date(dyad[["visit"]], format = "%Y-%m-%d")`},
		{"R", r.String(), `"weight" = "numeric"`},
		{"R", r.String(), `"place_other" = "character"`},
		{"SPSS", sps.String(), "visit SDATE10"},
		{"SPSS", sps.String(), "FORMATS weight (F18.1)."},
		{"Stata", do.String(), `generate double dyad_d = date(visit, "YMD")`},
		{"Stata", do.String(), "format dyad_d %td"},
	} {
		if !strings.Contains(c.text, c.want) {
			t.Errorf("%s syntax lacks %s", c.name, c.want)
		}
	}
}
