package ormstore

import (
	"context"
	"errors"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
)

// sessionRow is the sessions table (migrations/0005_sessions.sql).
type sessionRow struct {
	IDHash    []byte `gorm:"primaryKey"`
	CreatedAt string
	SeenAt    string
	UserID    *int64 // NULL: the researcher token's session
}

func (sessionRow) TableName() string { return "sessions" }

// CreateSession implements survey.Sessions.
func (t *Tables) CreateSession(ctx context.Context, sn *survey.Session, lim survey.SessionLimits) error {
	if err := t.writable(); err != nil {
		return err
	}
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("seen_at < ? OR created_at < ?", FormatTime(lim.IdleBefore), FormatTime(lim.CreatedBefore)).
			Delete(&sessionRow{}).Error; err != nil {
			return err
		}
		if lim.Max > 0 {
			var n int64
			if err := tx.Model(&sessionRow{}).Count(&n).Error; err != nil {
				return err
			}
			if extra := n - int64(lim.Max) + 1; extra > 0 {
				oldest := tx.Model(&sessionRow{}).Select("id_hash").Order("seen_at, id_hash").Limit(int(extra))
				if err := tx.Where("id_hash IN (?)", oldest).Delete(&sessionRow{}).Error; err != nil {
					return err
				}
			}
		}
		var user *int64
		if sn.UserID != 0 {
			user = &sn.UserID
		}
		return tx.Create(&sessionRow{IDHash: sn.IDHash, CreatedAt: FormatTime(sn.CreatedAt), SeenAt: FormatTime(sn.SeenAt), UserID: user}).Error
	})
	return t.classify(t.finishWrite(err), "create session")
}

// FindSession implements survey.Sessions.
func (t *Tables) FindSession(ctx context.Context, idHash []byte) (*survey.Session, error) {
	var row sessionRow
	err := t.Read.WithContext(ctx).Where("id_hash = ?", idHash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, survey.Errorf(survey.ENotFound, "session not found")
	}
	if err != nil {
		return nil, t.classify(err, "find session")
	}
	sn := &survey.Session{IDHash: row.IDHash, CreatedAt: ParseTime(row.CreatedAt), SeenAt: ParseTime(row.SeenAt)}
	if row.UserID != nil {
		sn.UserID = *row.UserID
	}
	return sn, nil
}

// TouchSession implements survey.Sessions.
func (t *Tables) TouchSession(ctx context.Context, idHash []byte, at time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	res := t.Write.WithContext(ctx).Model(&sessionRow{}).Where("id_hash = ?", idHash).Update("seen_at", FormatTime(at))
	if err := t.finishWrite(res.Error); err != nil {
		return t.classify(err, "touch session")
	}
	if res.RowsAffected == 0 {
		return survey.Errorf(survey.ENotFound, "session not found")
	}
	return nil
}

// DeleteSession implements survey.Sessions.
func (t *Tables) DeleteSession(ctx context.Context, idHash []byte) error {
	err := t.Write.WithContext(ctx).Where("id_hash = ?", idHash).Delete(&sessionRow{}).Error
	return t.classify(err, "delete session")
}
