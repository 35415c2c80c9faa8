package postgres

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
}

func (sessionRow) TableName() string { return "sessions" }

// CreateSession implements survey.Sessions.
func (s *Store) CreateSession(ctx context.Context, sn *survey.Session, lim survey.SessionLimits) error {
	err := s.orm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("seen_at < ? OR created_at < ?", formatTime(lim.IdleBefore), formatTime(lim.CreatedBefore)).
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
		return tx.Create(&sessionRow{IDHash: sn.IDHash, CreatedAt: formatTime(sn.CreatedAt), SeenAt: formatTime(sn.SeenAt)}).Error
	})
	return classify(err, "create session")
}

// FindSession implements survey.Sessions.
func (s *Store) FindSession(ctx context.Context, idHash []byte) (*survey.Session, error) {
	var row sessionRow
	err := s.orm.WithContext(ctx).Where("id_hash = ?", idHash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, survey.Errorf(survey.ENotFound, "session not found")
	}
	if err != nil {
		return nil, classify(err, "find session")
	}
	return &survey.Session{IDHash: row.IDHash, CreatedAt: parseTime(row.CreatedAt), SeenAt: parseTime(row.SeenAt)}, nil
}

// TouchSession implements survey.Sessions.
func (s *Store) TouchSession(ctx context.Context, idHash []byte, at time.Time) error {
	res := s.orm.WithContext(ctx).Model(&sessionRow{}).Where("id_hash = ?", idHash).Update("seen_at", formatTime(at))
	if err := res.Error; err != nil {
		return classify(err, "touch session")
	}
	if res.RowsAffected == 0 {
		return survey.Errorf(survey.ENotFound, "session not found")
	}
	return nil
}

// DeleteSession implements survey.Sessions.
func (s *Store) DeleteSession(ctx context.Context, idHash []byte) error {
	err := s.orm.WithContext(ctx).Where("id_hash = ?", idHash).Delete(&sessionRow{}).Error
	return classify(err, "delete session")
}
