package ormstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
)

// The failed-authentication budgets (survey.AuthFailures; the table is
// migrations/0013_studies_and_sign_in_limits.sql, postgres/0009).

type authFailureRow struct {
	Key     []byte `gorm:"primaryKey"`
	UntilUs int64
}

func (authFailureRow) TableName() string { return "auth_failures" }

// FindAuthFailures implements survey.AuthFailures.
func (t *Tables) FindAuthFailures(ctx context.Context, key []byte) (time.Time, error) {
	var row authFailureRow
	err := t.Read.WithContext(ctx).Where("key = ?", key).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, t.classify(err, "find failed sign-ins")
	}
	return time.UnixMicro(row.UntilUs).UTC(), nil
}

// addAuthFailure is survey.Backoff.Next as one upsert, so that failures
// racing on two instances (or two connections) both count: the row is
// read and changed by the one statement, under the row's lock.
const addAuthFailure = `INSERT INTO auth_failures (key, until_us) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET until_us = CASE
	WHEN auth_failures.until_us <= ? THEN ?
	WHEN auth_failures.until_us + ? > ? THEN ?
	ELSE auth_failures.until_us + ? END`

// AddAuthFailure implements survey.AuthFailures.
func (t *Tables) AddAuthFailure(ctx context.Context, key []byte, now time.Time, b survey.Backoff) error {
	if err := t.writable(); err != nil {
		return err
	}
	nowUs, every := now.UnixMicro(), b.Every.Microseconds()
	first := survey.Backoff.Next(b, time.Time{}, now).UnixMicro() // now + Every
	limit := nowUs + int64(b.Burst)*every
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("until_us < ?", nowUs).Delete(&authFailureRow{}).Error; err != nil {
			return err
		}
		return tx.Exec(addAuthFailure, blob(key), first, nowUs, first, every, limit, limit, every).Error
	})
	return t.classify(t.finishWrite(err), "count a failed sign-in")
}

// blob passes bytes to a raw statement as one value: gorm expands a bare
// []byte inside parentheses into a list of its bytes.
type blob []byte

// Value implements driver.Valuer.
func (b blob) Value() (driver.Value, error) { return []byte(b), nil }
