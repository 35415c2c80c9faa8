package ormstore

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// settingRow is the settings table.
type settingRow struct {
	Name  string `gorm:"primaryKey"`
	Value []byte
}

func (settingRow) TableName() string { return "settings" }

// Setting implements survey.Settings.
func (t *Tables) Setting(ctx context.Context, name string) ([]byte, error) {
	var row settingRow
	err := t.Read.WithContext(ctx).Where("name = ?", name).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, t.classify(err, "read setting")
	}
	return row.Value, nil
}

// PutSetting implements survey.Settings.
func (t *Tables) PutSetting(ctx context.Context, name string, value []byte) error {
	err := t.Write.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"value"}),
	}).Create(&settingRow{Name: name, Value: value}).Error
	return t.classify(err, "write setting")
}
