package survey_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestProblemsCapped checks the cap on error details (survey.MaxDetails):
// Problems keeps the first 50 and counts the rest in one detail at path
// "", CapDetails does the same to any list (and leaves a capped one as it
// is), and a detail quoting a huge input is clipped.
func TestProblemsCapped(t *testing.T) {
	var p survey.Problems
	for i := range 1000 {
		p.Add(fmt.Sprintf("answers.x%d", i), "unknown item %d", i)
	}
	if len(p) != survey.MaxDetails+1 || p.Count() != 1000 {
		t.Fatalf("%d details kept, count %d; want %d kept and a count of 1000", len(p), p.Count(), survey.MaxDetails+1)
	}
	err := p.Err(survey.EInvalid, "not valid").(*survey.Error)
	last := err.Details[len(err.Details)-1]
	if last.Path != "" || last.Message != "and 950 more problems" || err.Details[49].Path != "answers.x49" {
		t.Fatalf("details end with %+v after %+v", last, err.Details[49])
	}
	if !strings.Contains(err.Error(), "1000 problems") {
		t.Errorf("Error() = %q, want the full count", err.Error())
	}

	// Two capped lists appended, as a handler merging errors would.
	merged := survey.CapDetails(append(append([]survey.Detail{}, err.Details...), err.Details...))
	if len(merged) != survey.MaxDetails+1 || survey.Problems(merged).Count() != 2000 || merged[50].Message != "and 1950 more problems" {
		t.Fatalf("merged: %d details, count %d, last %+v", len(merged), survey.Problems(merged).Count(), merged[len(merged)-1])
	}
	if again := survey.CapDetails(merged); len(again) != len(merged) || again[50] != merged[50] {
		t.Error("CapDetails changed a capped list")
	}

	// A few details, then a capped list (a parser merging a validator's
	// problems): the plain ones first, one count last.
	var few survey.Problems
	for i := range 10 {
		few.Add(fmt.Sprintf("f%d", i), "problem")
	}
	mixed := survey.CapDetails(append(few, err.Details...))
	if len(mixed) != survey.MaxDetails+1 || mixed[0].Path != "f0" || mixed[10].Path != "answers.x0" ||
		mixed[50].Path != "" || mixed[50].Message != "and 960 more problems" {
		t.Fatalf("mixed: %d details, [0] %+v, [10] %+v, last %+v", len(mixed), mixed[0], mixed[10], mixed[len(mixed)-1])
	}
	short := survey.CapDetails(append(few[:2:2], err.Details[50]))
	if len(short) != 3 || short[2].Message != "and 950 more problems" || survey.Problems(short).Count() != 952 {
		t.Fatalf("short: %+v", short)
	}

	var q survey.Problems
	q.Add("answers."+strings.Repeat("x", 1<<20), "got %s", strings.Repeat("é", 1<<20))
	b, _ := json.Marshal(q)
	if len(b) > 2000 {
		t.Errorf("one detail quoting 3 MB of input encodes to %d bytes", len(b))
	}
}
