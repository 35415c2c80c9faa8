package mail

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/storetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

func participantsCSV(n int) string {
	var b strings.Builder
	b.WriteString("email,first_name,last_name,site\n")
	for i := range n {
		fmt.Fprintf(&b, "doctor%05d@example.org,Dr,No%d,S%d\n", i, i, i%7)
	}
	return b.String()
}

// BenchmarkQueueInvitations queues the invitation for 10,000 participants
// in one transaction on a real SQLite file (the upload, untimed, is
// reported by BenchmarkImportParticipants).
func BenchmarkQueueInvitations(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	csv := participantsCSV(10_000)
	for b.Loop() {
		b.StopTimer()
		sv := storetest.SeedSurvey(b, f.st, survey.AccessInvitation)
		if _, err := f.svc.ImportParticipants(ctx, sv.ID, strings.NewReader(csv), false); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := f.svc.SendInvitations(ctx, sv.ID)
		if err != nil || n != 10_000 {
			b.Fatalf("queued %d, %v", n, err)
		}
	}
}

// BenchmarkImportParticipants uploads a list of 10,000.
func BenchmarkImportParticipants(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	csv := participantsCSV(10_000)
	for b.Loop() {
		b.StopTimer()
		sv := storetest.SeedSurvey(b, f.st, survey.AccessInvitation)
		b.StartTimer()
		if _, err := f.svc.ImportParticipants(ctx, sv.ID, strings.NewReader(csv), false); err != nil {
			b.Fatal(err)
		}
	}
}
