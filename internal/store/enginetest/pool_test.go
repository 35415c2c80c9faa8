package enginetest

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store/postgres/pgtest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// fill stores one of everything a study makes: an instrument, a survey,
// responses, invitation codes, a setting (the invitation key's check).
func fill(t *testing.T, st survey.Store) {
	t.Helper()
	ctx := context.Background()
	svc := survey.NewService(st, survey.WithInvitationKey([]byte("enginetest invitation key, 32 b.")))
	study, err := sample.Study()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInstrument(ctx, study); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, study.Key, study.Version); err != nil {
		t.Fatal(err)
	}
	form, err := svc.Form(ctx, study.Key, study.Version)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: study.Key, InstrumentVersion: study.Version, Title: "t", Access: survey.AccessOpen})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: study.Key, InstrumentVersion: study.Version, Title: "t", Access: survey.AccessInvitation})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvitations(ctx, inv.ID, 3); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3 {
		if _, _, err := svc.Submit(ctx, sv.ID, survey.Submission{Answers: sample.Answers(form, rng)}); err != nil {
			t.Fatal(err)
		}
	}
}

// freshDSN names a database made for the purpose, apart from any pool.
func freshDSN(t *testing.T, engine string) string {
	if engine == SQLite {
		return filepath.Join(t.TempDir(), "fresh.db")
	}
	return pgtest.URL(t)
}

// withoutGoose drops goose's version rows from a dump: they hold the time
// the migrations ran, which differs between two databases.
func withoutGoose(dump string) string {
	var out []string
	for _, l := range strings.Split(dump, "\n") {
		if !strings.HasPrefix(l, "goose_db_version") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestPoolHandsOutEmptyDatabases: a database handed to a second test
// after a first one filled it holds what a fresh one holds (compared with
// a database made for the purpose, row for row), and its sequences start
// again, so the responses' seq numbers are those of a fresh database.
func TestPoolHandsOutEmptyDatabases(t *testing.T) {
	Run(t, func(t *testing.T, engine string) {
		var first string
		t.Run("fill", func(t *testing.T) {
			d := Open(t, engine)
			first = d.DSN
			fill(t, d.Store)
		})
		t.Run("again", func(t *testing.T) {
			d := Open(t, engine)
			if engine == Postgres && d.DSN != first {
				t.Fatalf("the second test got a new database, not the first one emptied")
			}
			fresh := OpenDSN(t, freshDSN(t, engine))
			if got, want := withoutGoose(d.Dump(t)), withoutGoose(fresh.Dump(t)); got != want {
				t.Errorf("an emptied database holds\n%s\nwant, as a fresh one,\n%s", got, want)
			}
			fill(t, d.Store)
			if got := d.Count(t, `SELECT min(seq) FROM responses`); got != 1 {
				t.Errorf("responses start at seq %d after emptying, want 1", got)
			}
		})
	})
}
