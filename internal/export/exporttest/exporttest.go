// Package exporttest builds databases for export tests and benchmarks: a
// fresh Dyad database with the shipped study instrument, one survey of it
// and any number of complete responses, written in bulk.
//
// Fill writes rows straight into the responses table, in the store's own
// formats (answers as survey.Answers.Canonical, timestamps in the fixed
// layout of migrations/0001_init.sql), in transactions of 5,000 rows with
// synchronous=OFF: 100,000 responses take seconds, where the service's
// durable path (one fsync per group commit) would take minutes. It is for
// tests and benchmarks only.
package exporttest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
	_ "github.com/mattn/go-sqlite3" // the bulk writer's connection
)

// Fill creates the database at path (which must not exist yet) with the
// study instrument published, one open survey of it, and n complete
// responses generated from seed. It returns the survey.
func Fill(ctx context.Context, path string, n int, seed uint64) (*survey.Survey, error) {
	study, err := sample.Study()
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	svc := survey.NewService(st)
	sv, err := func() (*survey.Survey, error) {
		if _, err := svc.CreateInstrument(ctx, study); err != nil {
			return nil, err
		}
		if _, err := svc.Publish(ctx, study.Key, study.Version); err != nil {
			return nil, err
		}
		return svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: study.Key, InstrumentVersion: study.Version,
			Title: "Export benchmark: " + study.Title, Access: survey.AccessOpen})
	}()
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	form, err := survey.NewForm(study)
	if err != nil {
		return nil, err
	}

	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	const batch = 5000
	for done := 0; done < n; {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO responses
			(id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return nil, err
		}
		for i := 0; i < batch && done < n; i, done = i+1, done+1 {
			a := sample.ExportAnswers(form, rng)
			if err := form.Check(a, false); err != nil {
				tx.Rollback()
				return nil, fmt.Errorf("generated answers are not valid: %w", err)
			}
			canonical := a.Canonical()
			digest := sha256.Sum256(canonical)
			began := start.Add(time.Duration(done) * 7 * time.Second).Add(time.Duration(rng.IntN(1_000_000)) * time.Microsecond)
			submitted := began.Add(time.Duration(180+rng.IntN(1200)) * time.Second)
			if _, err := ins.ExecContext(ctx, uuid(rng), sv.ID, study.Key, study.Version, survey.ResponseComplete,
				string(canonical), digest[:], StoredTime(began), StoredTime(submitted)); err != nil {
				tx.Rollback()
				return nil, err
			}
		}
		ins.Close()
		if err := tx.Commit(); err != nil {
			return nil, err
		}
	}
	// Leave a checkpointed file, as a long-running server would.
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return nil, err
	}
	return sv, nil
}

// StoredTime formats t as the store keeps timestamps.
func StoredTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func uuid(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
