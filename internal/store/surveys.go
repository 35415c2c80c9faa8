package store

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
)

type surveyRow struct {
	ID                string `gorm:"primaryKey"`
	InstrumentKey     string
	InstrumentVersion int
	Title             string
	Access            string
	OpensAt           *string
	ClosesAt          *string
	Status            string
	CreatedAt         string
	ClosedAt          *string
	// Filled by queries only.
	Complete   int `gorm:"->"`
	InProgress int `gorm:"->"`
}

func (surveyRow) TableName() string { return "surveys" }

func (r *surveyRow) toDomain() *survey.Survey {
	return &survey.Survey{
		ID: r.ID, InstrumentKey: r.InstrumentKey, InstrumentVersion: r.InstrumentVersion,
		Title: r.Title, Access: r.Access,
		OpensAt: parseTimePtr(r.OpensAt), ClosesAt: parseTimePtr(r.ClosesAt),
		Status: r.Status, CreatedAt: parseTime(r.CreatedAt), ClosedAt: parseTimePtr(r.ClosedAt),
		Complete: r.Complete, InProgress: r.InProgress,
	}
}

const surveySelect = `SELECT s.*,
	(SELECT count(*) FROM responses r WHERE r.survey_id = s.id AND r.status = 'complete') AS complete,
	(SELECT count(*) FROM responses r WHERE r.survey_id = s.id AND r.status = 'in_progress') AS in_progress
	FROM surveys s`

// CreateSurvey implements survey.Store.
func (s *Store) CreateSurvey(ctx context.Context, sv *survey.Survey) error {
	row := surveyRow{
		ID: sv.ID, InstrumentKey: sv.InstrumentKey, InstrumentVersion: sv.InstrumentVersion,
		Title: sv.Title, Access: sv.Access, OpensAt: formatTimePtr(sv.OpensAt), ClosesAt: formatTimePtr(sv.ClosesAt),
		Status: sv.Status, CreatedAt: formatTime(sv.CreatedAt),
	}
	return classify(s.write.WithContext(ctx).Create(&row).Error, "create survey")
}

// FindSurvey implements survey.Store. It leaves the response counts zero:
// it serves every submission, which must not count the table each time.
func (s *Store) FindSurvey(ctx context.Context, id string) (*survey.Survey, error) {
	return s.findSurvey(s.read.WithContext(ctx), id)
}

func (s *Store) findSurvey(db *gorm.DB, id string) (*survey.Survey, error) {
	var row surveyRow
	err := db.Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, survey.Errorf(survey.ENotFound, "survey %q not found", id)
	}
	if err != nil {
		return nil, classify(err, "find survey")
	}
	return row.toDomain(), nil
}

// CountResponses implements survey.Store.
func (s *Store) CountResponses(ctx context.Context, surveyID string) (complete, inProgress int, err error) {
	err = s.readSQL.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE status = 'complete'), count(*) FILTER (WHERE status = 'in_progress')
		FROM responses WHERE survey_id = ?`, surveyID).Scan(&complete, &inProgress)
	return complete, inProgress, classify(err, "count responses")
}

// FindSurveys implements survey.Store.
func (s *Store) FindSurveys(ctx context.Context) ([]*survey.Survey, error) {
	var rows []surveyRow
	if err := s.read.WithContext(ctx).Raw(surveySelect + " ORDER BY s.created_at DESC, s.id").Scan(&rows).Error; err != nil {
		return nil, classify(err, "list surveys")
	}
	out := make([]*survey.Survey, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// CloseSurvey implements survey.Store.
func (s *Store) CloseSurvey(ctx context.Context, id string, at time.Time) (*survey.Survey, error) {
	var out *survey.Survey
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&surveyRow{}).Where("id = ? AND status = ?", id, survey.SurveyOpen).
			Updates(map[string]any{"status": survey.SurveyClosed, "closed_at": formatTime(at)}).Error; err != nil {
			return err
		}
		var err error
		out, err = s.findSurvey(tx, id)
		return err
	})
	return out, classify(err, "close survey")
}

// CreateInvitations implements survey.Store. The hashes are inserted in
// their own order, not the order of the codes, and marked keyed: rows,
// pages and the order SQLite lays them out in say nothing of which code
// came first (migrations/0004_invitation_keys.sql).
func (s *Store) CreateInvitations(ctx context.Context, surveyID string, hashes [][]byte) error {
	type invitationRow struct {
		SurveyID string
		CodeHash []byte
		Keyed    int
	}
	sorted := slices.Clone(hashes)
	slices.SortFunc(sorted, bytes.Compare)
	rows := make([]invitationRow, len(sorted))
	for i, h := range sorted {
		rows[i] = invitationRow{surveyID, h, 1}
	}
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Table("invitations").CreateInBatches(rows, 500).Error
	})
	return classify(err, "create invitations")
}
