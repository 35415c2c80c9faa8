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
