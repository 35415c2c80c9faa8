package redcap_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/instrument/redcap"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// TestWriteRecordsItemTypes: the records of the new item types fit the
// dictionary Encode writes: no column for an info item (a descriptive
// field), a consent as its one checkbox choice, the Other choice among a
// checkbox's columns and its text field after the item, decimals and
// dates as stored.
func TestWriteRecordsItemTypes(t *testing.T) {
	in, err := instrument.Parse([]byte(fixtures.Instrument("item-types.yaml")), instrument.YAML)
	if err != nil {
		t.Fatal(err)
	}
	form, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r := &survey.Response{ID: "r1", Status: survey.ResponseComplete, StartedAt: at, SubmittedAt: &at, InstrumentVersion: 1,
		Answers: survey.Answers{"agree": survey.IntVal(1), "visit": survey.TextVal("2024-05-31"), "weight": survey.TextVal("72.5"),
			"pain": survey.IntVal(37), "place": survey.IntVal(3), "place_other": survey.TextVal("Pharmacy"),
			"aids": survey.ListVal(1, 4), "aids_other": survey.TextVal("Glasses")}}
	var out bytes.Buffer
	err = redcap.WriteRecords(context.Background(), &out, form, func(_ context.Context, fn func(*survey.Response) error) error { return fn(r) })
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for i, col := range recs[0] {
		got[col] = recs[1][i]
	}
	want := map[string]string{"agree___1": "1", "visit": "2024-05-31", "weight": "72.5", "pain": "37", "place": "3",
		"place_other": "Pharmacy", "aids___1": "1", "aids___2": "0", "aids___3": "0", "aids___4": "1", "aids_other": "Glasses"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	dict, err := redcap.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(bytes.NewReader(dict)).ReadAll()
	fields := map[string]string{}
	for _, row := range rows[1:] {
		fields[row[0]] = row[3]
	}
	for _, col := range recs[0][1:] {
		name, _, _ := strings.Cut(col, "___")
		if f, ok := strings.CutSuffix(col, "_complete"); ok && (f == "about" || f == "care") {
			continue
		}
		if typ := fields[name]; typ == "" || typ == "descriptive" {
			t.Errorf("column %s is no data field of the dictionary (%q)", col, typ)
		}
	}
	if _, ok := got["intro"]; ok {
		t.Error("the info item has a column")
	}
}
