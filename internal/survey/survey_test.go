package survey

import (
	"strings"
	"testing"
	"time"
)

// TestOpenClosedPrecedence holds the one open/closed rule: a researcher's
// close wins over any dates, a passed closes_at over an opens_at still
// ahead, and CheckOpen says what Availability decided.
func TestOpenClosedPrecedence(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	for _, tc := range []struct {
		name    string
		s       Survey
		want    Availability
		message string // what CheckOpen says; "" for nil
	}{
		{"Open", Survey{Status: SurveyOpen}, Accepting, ""},
		{"ClosedBeatsFutureOpen", Survey{Status: SurveyClosed, OpensAt: &later}, NoLongerOpen, "is closed"},
		{"ClosedBeatsWindow", Survey{Status: SurveyClosed, OpensAt: &earlier, ClosesAt: &later}, NoLongerOpen, "is closed"},
		{"PastCloseBeatsFutureOpen", Survey{Status: SurveyOpen, OpensAt: &later, ClosesAt: &earlier}, NoLongerOpen, "closed at"},
		{"NotYet", Survey{Status: SurveyOpen, OpensAt: &later, ClosesAt: &later}, NotYetOpen, "opens at"},
		{"ClosesAtIsExclusive", Survey{Status: SurveyOpen, ClosesAt: &now}, NoLongerOpen, "closed at"},
		{"OpensAtIsInclusive", Survey{Status: SurveyOpen, OpensAt: &now}, Accepting, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Availability(now); got != tc.want {
				t.Errorf("Availability = %d, want %d", got, tc.want)
			}
			err := tc.s.CheckOpen(now)
			switch {
			case tc.message == "" && err != nil:
				t.Errorf("CheckOpen = %v, want nil", err)
			case tc.message != "" && (err == nil || !strings.Contains(err.Error(), tc.message) || ErrorCode(err) != EConflict):
				t.Errorf("CheckOpen = %v, want EConflict saying %q", err, tc.message)
			}
		})
	}
}

// TestParseStatusFilter holds the one reading of the status filter.
func TestParseStatusFilter(t *testing.T) {
	for _, tc := range []struct {
		in         string
		dflt, want StatusFilter
		status     string // the filters' Status field
		problem    string
	}{
		{"", StatusComplete, StatusComplete, "complete", ""},
		{"", StatusAll, StatusAll, "", ""},
		{"complete", StatusAll, StatusComplete, "complete", ""},
		{"in_progress", StatusComplete, StatusInProgress, "in_progress", ""},
		{"all", StatusComplete, StatusAll, "", ""},
		{"Complete", StatusComplete, "", "", `must be complete, in_progress or all, got "Complete"`},
		{"done", StatusAll, "", "", `must be complete, in_progress or all, got "done"`},
	} {
		var p Problems
		got := ParseStatusFilter(&p, tc.in, tc.dflt)
		if got != tc.want || got.Status() != tc.status {
			t.Errorf("%q (default %s) = %q, Status %q; want %q, %q", tc.in, tc.dflt, got, got.Status(), tc.want, tc.status)
		}
		switch {
		case tc.problem == "" && len(p) > 0:
			t.Errorf("%q: problems %v", tc.in, p)
		case tc.problem != "" && (len(p) != 1 || p[0].Path != "status" || p[0].Message != tc.problem):
			t.Errorf("%q: problems %v, want status: %s", tc.in, p, tc.problem)
		}
	}
}
