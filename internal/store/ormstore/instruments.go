package ormstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
)

// instrumentRow is the instruments table. Row structs stay in this package:
// the domain types carry no storage tags.
type instrumentRow struct {
	Key         string `gorm:"primaryKey"`
	Version     int    `gorm:"primaryKey"`
	Status      string
	Title       string
	Definition  string
	CreatedAt   string
	PublishedAt *string
	RetiredAt   *string
}

func (instrumentRow) TableName() string { return "instruments" }

func (r *instrumentRow) toDomain() (*survey.InstrumentVersion, error) {
	iv := &survey.InstrumentVersion{
		Status:      r.Status,
		CreatedAt:   ParseTime(r.CreatedAt),
		PublishedAt: ParseTimePtr(r.PublishedAt),
		RetiredAt:   ParseTimePtr(r.RetiredAt),
	}
	if err := json.Unmarshal([]byte(r.Definition), &iv.Instrument); err != nil {
		return nil, fmt.Errorf("instrument %s v%d: stored definition: %w", r.Key, r.Version, err)
	}
	return iv, nil
}

func notFoundInstrument(key string, version int) error {
	return survey.Errorf(survey.ENotFound, "instrument %s version %d not found", key, version)
}

// CreateInstrument implements survey.Store.
func (t *Tables) CreateInstrument(ctx context.Context, in *survey.Instrument, at time.Time) (*survey.InstrumentVersion, error) {
	def, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	row := instrumentRow{Key: in.Key, Version: in.Version, Status: survey.StatusDraft, Title: in.Title,
		Definition: string(def), CreatedAt: FormatTime(at)}
	if err := t.Write.WithContext(ctx).Create(&row).Error; err != nil {
		if t.IsUnique(err) {
			return nil, survey.Errorf(survey.EConflict, "instrument %s version %d already exists; a change is a new version", in.Key, in.Version)
		}
		return nil, t.classify(err, "create instrument")
	}
	return row.toDomain()
}

// FindInstrument implements survey.Store.
func (t *Tables) FindInstrument(ctx context.Context, key string, version int) (*survey.InstrumentVersion, error) {
	return t.findInstrument(t.Read.WithContext(ctx), key, version)
}

func (t *Tables) findInstrument(db *gorm.DB, key string, version int) (*survey.InstrumentVersion, error) {
	var row instrumentRow
	err := db.Where("key = ? AND version = ?", key, version).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFoundInstrument(key, version)
	}
	if err != nil {
		return nil, t.classify(err, "find instrument")
	}
	return row.toDomain()
}

// FindInstruments implements survey.Store.
func (t *Tables) FindInstruments(ctx context.Context) ([]survey.InstrumentSummary, error) {
	var rows []struct {
		Key     string
		Version int
		Title   string
		Status  string
		Surveys int
	}
	err := t.Read.WithContext(ctx).Raw(`SELECT i.key, i.version, i.title, i.status,
		(SELECT count(*) FROM surveys s WHERE s.instrument_key = i.key AND s.instrument_version = i.version) AS surveys
		FROM instruments i ORDER BY i.key, i.version`).Scan(&rows).Error
	if err != nil {
		return nil, t.classify(err, "list instruments")
	}
	out := make([]survey.InstrumentSummary, len(rows))
	for i, r := range rows {
		out[i] = survey.InstrumentSummary{Key: r.Key, Version: r.Version, Title: r.Title, Status: r.Status, Surveys: r.Surveys}
	}
	return out, nil
}

// UpdateDraft implements survey.Store.
func (t *Tables) UpdateDraft(ctx context.Context, in *survey.Instrument) (*survey.InstrumentVersion, error) {
	def, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var out *survey.InstrumentVersion
	err = t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := t.findInstrument(tx, in.Key, in.Version)
		if err != nil {
			return err
		}
		if cur.Status != survey.StatusDraft {
			return survey.Errorf(survey.EConflict, "instrument %s version %d is %s and can no longer change; create version %d instead",
				in.Key, in.Version, cur.Status, in.Version+1)
		}
		if err := tx.Model(&instrumentRow{}).Where("key = ? AND version = ?", in.Key, in.Version).
			Updates(map[string]any{"title": in.Title, "definition": string(def)}).Error; err != nil {
			return err
		}
		out, err = t.findInstrument(tx, in.Key, in.Version)
		return err
	})
	return out, t.classify(err, "update instrument")
}

// SetTranslation implements survey.Store. The definition is read,
// changed and written in one transaction holding the row, so two
// languages added at once are both kept.
func (t *Tables) SetTranslation(ctx context.Context, key string, version int, lang string, tr survey.Translation) (*survey.InstrumentVersion, error) {
	var out *survey.InstrumentVersion
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// PostgreSQL's read committed would let two transactions read the
		// same definition and the second write drop the first's language:
		// the row is locked first. SQLite's writes are one connection's,
		// one transaction at a time, and it has no FOR UPDATE.
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec(`SELECT 1 FROM instruments WHERE key = ? AND version = ? FOR UPDATE`, key, version).Error; err != nil {
				return err
			}
		}
		cur, err := t.findInstrument(tx, key, version)
		if err != nil {
			return err
		}
		in, err := cur.Instrument.WithTranslation(lang, tr)
		if err != nil {
			return err
		}
		def, err := json.Marshal(in)
		if err != nil {
			return err
		}
		if err := tx.Model(&instrumentRow{}).Where("key = ? AND version = ?", key, version).
			Update("definition", string(def)).Error; err != nil {
			return err
		}
		out, err = t.findInstrument(tx, key, version)
		return err
	})
	return out, t.classify(err, "set translation")
}

// SetInstrumentStatus implements survey.Store.
func (t *Tables) SetInstrumentStatus(ctx context.Context, key string, version int, from []string, to string, at time.Time) (*survey.InstrumentVersion, error) {
	var out *survey.InstrumentVersion
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := t.findInstrument(tx, key, version)
		if err != nil {
			return err
		}
		if cur.Status == to {
			out = cur // publishing a published version again changes nothing
			return nil
		}
		allowed := false
		for _, f := range from {
			allowed = allowed || cur.Status == f
		}
		if !allowed {
			return survey.Errorf(survey.EConflict, "instrument %s version %d is %s; it cannot become %s", key, version, cur.Status, to)
		}
		upd := map[string]any{"status": to}
		switch to {
		case survey.StatusPublished:
			upd["published_at"] = FormatTime(at)
		case survey.StatusRetired:
			upd["retired_at"] = FormatTime(at)
		}
		if err := tx.Model(&instrumentRow{}).Where("key = ? AND version = ?", key, version).Updates(upd).Error; err != nil {
			return err
		}
		out, err = t.findInstrument(tx, key, version)
		return err
	})
	return out, t.classify(err, "change instrument status")
}

// DeleteInstrument implements survey.Store.
func (t *Tables) DeleteInstrument(ctx context.Context, key string, version int) error {
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := t.findInstrument(tx, key, version); err != nil {
			return err
		}
		var n int64
		if err := tx.Table("surveys").Where("instrument_key = ? AND instrument_version = ?", key, version).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return survey.Errorf(survey.EConflict, "instrument %s version %d is used by %d survey(s) and cannot be deleted; retire it instead", key, version, n)
		}
		// The foreign keys would refuse the delete too; the count above is
		// there for the message.
		return tx.Where("key = ? AND version = ?", key, version).Delete(&instrumentRow{}).Error
	})
	return t.classify(err, "delete instrument")
}
