package ormstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
)

// Studies and the study of each instrument key (survey.StudyStore; the
// tables are studies and instrument_studies, migrations/0013). A key in
// the default study has no instrument_studies row: its versions alone
// say it exists.

type instrumentStudyRow struct {
	Key     string `gorm:"primaryKey"`
	StudyID int64
}

func (instrumentStudyRow) TableName() string { return "instrument_studies" }

func (r *studyRow) toDomain() survey.Study {
	return survey.Study{ID: r.ID, Name: r.Name, CreatedAt: ParseTime(r.CreatedAt), RequireTOTP: r.RequireTOTP == 1}
}

// CreateStudy implements survey.StudyStore.
func (t *Tables) CreateStudy(ctx context.Context, st *survey.Study, owner int64) error {
	if err := t.writable(); err != nil {
		return err
	}
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		id, err := nextID(tx, "studies")
		if err != nil {
			return err
		}
		if owner != 0 {
			var n int64
			if err := tx.Model(&userRow{}).Where("id = ?", owner).Count(&n).Error; err != nil || n == 0 {
				return errOr(err, survey.Errorf(survey.ENotFound, "account %d not found", owner))
			}
		}
		if err := tx.Create(&studyRow{ID: id, Name: st.Name, CreatedAt: FormatTime(st.CreatedAt), RequireTOTP: boolInt(st.RequireTOTP)}).Error; err != nil {
			if t.IsUnique(err) {
				return survey.Errorf(survey.EConflict, "a study named %q exists already", st.Name)
			}
			return err
		}
		st.ID = id
		if owner == 0 {
			return nil
		}
		return tx.Create(&membershipRow{StudyID: id, UserID: owner, Role: string(survey.RoleOwner)}).Error
	})
	return t.classify(t.finishWrite(err), "create study")
}

// FindStudy implements survey.StudyStore.
func (t *Tables) FindStudy(ctx context.Context, id int64) (*survey.Study, error) {
	var row studyRow
	err := t.Read.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, survey.Errorf(survey.ENotFound, "study %d not found", id)
	}
	if err != nil {
		return nil, t.classify(err, "find study")
	}
	st := row.toDomain()
	return &st, nil
}

// FindStudies implements survey.StudyStore.
func (t *Tables) FindStudies(ctx context.Context) ([]survey.Study, error) {
	var rows []studyRow
	if err := t.Read.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, t.classify(err, "find studies")
	}
	out := make([]survey.Study, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// SetStudyRequireTOTP implements survey.StudyStore.
func (t *Tables) SetStudyRequireTOTP(ctx context.Context, id int64, require bool) error {
	if err := t.writable(); err != nil {
		return err
	}
	res := t.Write.WithContext(ctx).Model(&studyRow{}).Where("id = ?", id).Update("require_totp", boolInt(require))
	if err := t.finishWrite(res.Error); err != nil {
		return t.classify(err, "set the study's second factor")
	}
	if res.RowsAffected == 0 {
		return survey.Errorf(survey.ENotFound, "study %d not found", id)
	}
	return nil
}

// studyOfKey returns the study of an instrument key read through db, and
// whether the key exists (has a version or a row of its own).
func studyOfKey(db *gorm.DB, key string) (int64, bool, error) {
	var rows []instrumentStudyRow
	if err := db.Where("key = ?", key).Limit(1).Find(&rows).Error; err != nil {
		return 0, false, err
	}
	if len(rows) == 1 {
		return rows[0].StudyID, true, nil
	}
	var n int64
	if err := db.Model(&instrumentRow{}).Where("key = ?", key).Count(&n).Error; err != nil {
		return 0, false, err
	}
	return survey.DefaultStudy, n > 0, nil
}

// CreateInstrumentInStudy implements survey.StudyStore: the key's study
// is read and, for a new key of another study than the default, written
// in the transaction that stores the version. On SQLite the one writer
// serialises these transactions. On PostgreSQL two first versions of one
// new key made at the same moment, one in the default study and one in
// another, can both pass the check (the default study's has no row to
// conflict on), and the key is then the other study's; two in studies
// other than the default conflict on the row's key. Keys are typed by
// people, and rarely the same one at the same moment.
func (t *Tables) CreateInstrumentInStudy(ctx context.Context, study int64, in *survey.Instrument, at time.Time) (*survey.InstrumentVersion, error) {
	if err := t.writable(); err != nil {
		return nil, err
	}
	def, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	row := instrumentRow{Key: in.Key, Version: in.Version, Status: survey.StatusDraft, Title: in.Title,
		Definition: string(def), CreatedAt: FormatTime(at)}
	err = t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		have, exists, err := studyOfKey(tx, in.Key)
		switch {
		case err != nil:
			return err
		case exists && have != study:
			return survey.Errorf(survey.EConflict, "instrument key %q is used by another study; choose another key", in.Key)
		case !exists && study != survey.DefaultStudy:
			var n int64
			if err := tx.Model(&studyRow{}).Where("id = ?", study).Count(&n).Error; err != nil || n == 0 {
				return errOr(err, survey.Errorf(survey.ENotFound, "study %d not found", study))
			}
			if err := tx.Create(&instrumentStudyRow{Key: in.Key, StudyID: study}).Error; err != nil {
				return err
			}
		}
		if err := tx.Create(&row).Error; err != nil {
			if t.IsUnique(err) {
				return survey.Errorf(survey.EConflict, "instrument %s version %d already exists; a change is a new version", in.Key, in.Version)
			}
			return err
		}
		return nil
	})
	if err = t.finishWrite(err); err != nil {
		var se *survey.Error
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, t.classify(err, "create instrument")
	}
	return row.toDomain()
}

// FindStudyOfInstrument implements survey.StudyStore.
func (t *Tables) FindStudyOfInstrument(ctx context.Context, key string) (int64, error) {
	id, exists, err := studyOfKey(t.Read.WithContext(ctx), key)
	if err != nil {
		return 0, t.classify(err, "find the study of an instrument")
	}
	if !exists {
		return 0, survey.Errorf(survey.ENotFound, "instrument %q not found", key)
	}
	return id, nil
}

// FindStudyOfSurvey implements survey.StudyStore: one query, the survey
// joined to its key's row if it has one.
func (t *Tables) FindStudyOfSurvey(ctx context.Context, id string) (int64, error) {
	var rows []struct{ StudyID *int64 }
	err := t.Read.WithContext(ctx).Table("surveys").Select("instrument_studies.study_id AS study_id").
		Joins("LEFT JOIN instrument_studies ON instrument_studies.key = surveys.instrument_key").
		Where("surveys.id = ?", id).Limit(1).Scan(&rows).Error
	switch {
	case err != nil:
		return 0, t.classify(err, "find the study of a survey")
	case len(rows) == 0:
		return 0, survey.Errorf(survey.ENotFound, "survey %q not found", id)
	case rows[0].StudyID == nil:
		return survey.DefaultStudy, nil
	}
	return *rows[0].StudyID, nil
}

// FindInstrumentStudies implements survey.StudyStore.
func (t *Tables) FindInstrumentStudies(ctx context.Context) (map[string]int64, error) {
	var rows []instrumentStudyRow
	if err := t.Read.WithContext(ctx).Find(&rows).Error; err != nil {
		return nil, t.classify(err, "find the studies of instruments")
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Key] = r.StudyID
	}
	return out, nil
}
