package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/store/storetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestPublicSurveyKeepsItsPointerWhileUnchanged: the respondent pages and
// the public API cache what they render by the *Survey that
// Service.PublicSurvey returns (a new pointer means a changed survey). So
// an expired entry re-read unchanged must come back as the same pointer,
// or those caches would grow by one entry per survey every SurveyCacheTTL;
// a real change (a close) must give a new one.
func TestPublicSurveyKeepsItsPointerWhileUnchanged(t *testing.T) {
	st, _ := openTestStore(t)
	ctx := context.Background()
	sv := storetest.SeedSurvey(t, st, survey.AccessOpen)
	svc := survey.NewService(st, survey.WithSurveyCacheTTL(time.Millisecond))

	first, err := svc.PublicSurvey(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		time.Sleep(3 * time.Millisecond) // past the TTL: the row is read again
		again, err := svc.PublicSurvey(ctx, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again != first {
			t.Fatalf("read %d after expiry: a new *Survey for an unchanged row", i+1)
		}
	}
	if _, err := st.CloseSurvey(ctx, sv.ID, time.Now()); err != nil { // as another instance would
		t.Fatal(err)
	}
	time.Sleep(3 * time.Millisecond)
	closed, err := svc.PublicSurvey(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if closed == first || closed.Status != survey.SurveyClosed {
		t.Fatalf("after a close elsewhere: same pointer %v, status %q", closed == first, closed.Status)
	}
}
