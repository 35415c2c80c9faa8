// Package exporttest builds databases for export tests and benchmarks: a
// fresh Dyad database with the shipped study instrument, one survey of it
// and any number of complete responses, written in bulk.
//
// Fill writes rows straight into the responses table, in the store's own
// formats (answers as survey.Answers.Canonical, timestamps in the fixed
// layout of migrations/0001_init.sql), in transactions of 5,000 rows with
// synchronous=OFF: 100,000 responses take seconds, where the service's
// durable path (one fsync per group commit) would take minutes.
// FillPostgres writes the same rows into a PostgreSQL database with COPY.
// It is for tests and benchmarks only.
package exporttest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/store/postgres"
	"github.com/dyad-survey/dyad/internal/store/sqlite"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/jackc/pgx/v5"
	_ "github.com/mattn/go-sqlite3" // the bulk writer's connection
)

// Fill creates the database at path (which must not exist yet) with the
// study instrument published, one open survey of it, and n complete
// responses generated from seed. It returns the survey.
func Fill(ctx context.Context, path string, n int, seed uint64) (*survey.Survey, error) {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	sv, form, err := deploy(ctx, st)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	const batch = 5000
	var (
		tx  *sql.Tx
		ins *sql.Stmt
	)
	err = Rows(form, sv, n, seed, func(i int, r Row) error {
		if i%batch == 0 {
			if tx != nil {
				ins.Close()
				if err := tx.Commit(); err != nil {
					return err
				}
			}
			var err error
			if tx, err = db.BeginTx(ctx, nil); err != nil {
				return err
			}
			if ins, err = tx.PrepareContext(ctx, `INSERT INTO responses
				(id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
				return err
			}
		}
		_, err := ins.ExecContext(ctx, r.Values()...)
		return err
	})
	if tx != nil {
		if err == nil {
			ins.Close()
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
	}
	if err != nil {
		return nil, err
	}
	// Leave a checkpointed file, as a long-running server would.
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return nil, err
	}
	return sv, nil
}

// FillPostgres is Fill for the empty PostgreSQL database at dsn: the same
// instrument and survey through the store, and the same n responses for
// the same seed, sent with COPY. It leaves the table vacuumed and
// analysed, as autovacuum leaves a long-running server's.
func FillPostgres(ctx context.Context, dsn string, n int, seed uint64) (*survey.Survey, error) {
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	sv, form, err := deploy(ctx, st)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	// COPY pulls rows from a channel that the generator fills.
	rows := make(chan []any, 256)
	gen := make(chan error, 1)
	genCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(rows)
		gen <- Rows(form, sv, n, seed, func(_ int, r Row) error {
			select {
			case rows <- r.Values():
				return nil
			case <-genCtx.Done():
				return genCtx.Err()
			}
		})
	}()
	var next []any
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"responses"},
		[]string{"id", "survey_id", "instrument_key", "instrument_version", "status", "answers", "digest", "started_at", "submitted_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			var ok bool
			next, ok = <-rows
			if !ok {
				return nil, nil
			}
			return next, nil
		}))
	cancel()
	if gerr := <-gen; err == nil && gerr != nil {
		err = gerr
	}
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) responses"); err != nil {
		return nil, err
	}
	return sv, nil
}

// deploy publishes the study instrument and opens a survey of it.
func deploy(ctx context.Context, st survey.Store) (*survey.Survey, *survey.Form, error) {
	study, err := sample.Study()
	if err != nil {
		return nil, nil, err
	}
	svc := survey.NewService(st)
	if _, err := svc.CreateInstrument(ctx, study); err != nil {
		return nil, nil, err
	}
	if _, err := svc.Publish(ctx, study.Key, study.Version); err != nil {
		return nil, nil, err
	}
	sv, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: study.Key, InstrumentVersion: study.Version,
		Title: "Export benchmark: " + study.Title, Access: survey.AccessOpen})
	if err != nil {
		return nil, nil, err
	}
	form, err := survey.NewForm(study)
	return sv, form, err
}

// Row is one generated response, in the responses table's stored formats.
type Row struct {
	ID, SurveyID, InstrumentKey string
	InstrumentVersion           int
	Status                      string
	Answers                     string // canonical JSON
	Digest                      []byte
	StartedAt, SubmittedAt      string // StoredTime
}

// Values are the row's columns in the order id, survey_id,
// instrument_key, instrument_version, status, answers, digest,
// started_at, submitted_at.
func (r Row) Values() []any {
	return []any{r.ID, r.SurveyID, r.InstrumentKey, r.InstrumentVersion, r.Status, r.Answers, r.Digest, r.StartedAt, r.SubmittedAt}
}

// Rows generates n complete, valid responses to form for the survey sv
// from seed, the same ones for the same seed, and hands each to fn with
// its index; it stops at fn's first error.
func Rows(form *survey.Form, sv *survey.Survey, n int, seed uint64, fn func(int, Row) error) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	for i := range n {
		a := sample.ExportAnswers(form, rng)
		if err := form.Check(a, false); err != nil {
			return fmt.Errorf("generated answers are not valid: %w", err)
		}
		canonical := a.Canonical()
		digest := sha256.Sum256(canonical)
		began := start.Add(time.Duration(i) * 7 * time.Second).Add(time.Duration(rng.IntN(1_000_000)) * time.Microsecond)
		submitted := began.Add(time.Duration(180+rng.IntN(1200)) * time.Second)
		err := fn(i, Row{ID: uuid(rng), SurveyID: sv.ID, InstrumentKey: sv.InstrumentKey, InstrumentVersion: sv.InstrumentVersion,
			Status: survey.ResponseComplete, Answers: string(canonical), Digest: digest[:],
			StartedAt: StoredTime(began), SubmittedAt: StoredTime(submitted)})
		if err != nil {
			return err
		}
	}
	return nil
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
