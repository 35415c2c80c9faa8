package sqlite

import (
	"bytes"
	"context"
	"database/sql"
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
	var counts []struct {
		Status string
		N      int
	}
	err = s.read.WithContext(ctx).Table("responses").Select("status, count(*) AS n").
		Where("survey_id = ?", surveyID).Group("status").Scan(&counts).Error
	for _, c := range counts {
		switch c.Status {
		case survey.ResponseComplete:
			complete = c.N
		case survey.ResponseInProgress:
			inProgress = c.N
		}
	}
	return complete, inProgress, classify(err, "count responses")
}

// invitationRecord is the invitations table (0001, 0004). Spent and
// held change only in the hand-written transactions of the group commit
// and the web form (responses.go, progress.go).
type invitationRecord struct {
	SurveyID string `gorm:"primaryKey"`
	CodeHash []byte `gorm:"primaryKey"`
	Keyed    int
	Spent    int `gorm:"->"`
	Held     int `gorm:"->"`
}

func (invitationRecord) TableName() string { return "invitations" }

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

// Closing a survey while responses arrive.
//
// The service checks that a survey is open before it validates a response,
// against a cached survey row and at the time it stamps as submitted_at;
// the response then waits for the writer. A close in between used to be
// missed: the response was stored with submitted_at after closed_at. So
// closedness is decided again where it cannot race: in the transaction
// that writes the response. The group commit's insert (writeOne) and the
// web form's completing update (CompleteProgress) carry the condition
// surveyOpenAt, evaluated inside their transaction: the survey row is
// open and its closes_at, if any, is after the response's submitted_at.
// A response that loses the race writes nothing and gets the error that a
// closed survey always gives (survey.Survey.CheckOpen: EConflict, "survey
// ... is closed"), never a 201.
//
// The serialisation point is the writer pool's single connection: the
// batches, the web form's writes and the close all run on it, one
// transaction at a time (BEGIN IMMEDIATE holds the write lock). A response
// transaction that runs before the close's is stored before closed_at is
// set; one that runs after sees the survey closed and stores nothing. For
// the first kind, submitted_at was stamped by the service before the
// response was queued, possibly after the researcher's clock reading
// (at). So the close sets closed_at to the later of at and the latest
// submitted_at already stored for the survey, read in its own
// transaction: no stored response can have submitted_at after closed_at,
// whatever the clocks did, and closed_at is at most the few milliseconds
// of one batch later than the researcher's request. Reading that maximum
// scans the survey's responses once, on a rare operation.

// surveyOpenAt is the SQL condition, for a write's WHERE clause, that the
// survey (first argument) takes a response submitted at the second
// argument: status open and not past closes_at. It is the storage side of
// survey.Survey.CheckOpen's closing rules (opens_at never changes after
// creation, so the service's check of it cannot race).
const surveyOpenAt = `EXISTS (SELECT 1 FROM surveys WHERE surveys.id = ? AND surveys.status = 'open'
	AND (surveys.closes_at IS NULL OR surveys.closes_at > ?))`

// closedError says, in CheckOpen's words, why the survey refused a
// response submitted at t.
func closedError(ctx context.Context, tx *sql.Tx, surveyID string, t *time.Time) error {
	var (
		sv       = survey.Survey{ID: surveyID}
		closesAt *string
	)
	err := tx.QueryRowContext(ctx, `SELECT status, closes_at FROM surveys WHERE id = ?`, surveyID).Scan(&sv.Status, &closesAt)
	if errors.Is(err, sql.ErrNoRows) {
		// The service found it; its absence now clashes with stored state,
		// as the foreign key would say.
		return survey.Errorf(survey.EConflict, "survey %q does not exist", surveyID)
	}
	if err != nil {
		return classify(err, "check survey")
	}
	sv.ClosesAt = parseTimePtr(closesAt)
	at := time.Now()
	if t != nil {
		at = *t
	}
	if err := sv.CheckOpen(at); err != nil {
		return err
	}
	return survey.Errorf(survey.EConflict, "survey %s is closed", surveyID)
}

// CloseSurvey implements survey.Store. closed_at is the later of at and
// the latest stored submission (see the overview above).
func (s *Store) CloseSurvey(ctx context.Context, id string, at time.Time) (*survey.Survey, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	var out *survey.Survey
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE surveys SET status = ?, closed_at = max(?,
			coalesce((SELECT max(submitted_at) FROM responses WHERE survey_id = surveys.id), ''))
			WHERE id = ? AND status = ?`, survey.SurveyClosed, formatTime(at), id, survey.SurveyOpen).Error; err != nil {
			return err
		}
		var err error
		out, err = s.findSurvey(tx, id)
		return err
	})
	if err := s.finishWrite(err); err != nil {
		return nil, classify(err, "close survey")
	}
	return out, nil
}

// CreateInvitations implements survey.Store. The hashes are inserted in
// their own order, not the order of the codes, and marked keyed: rows,
// pages and the order SQLite lays them out in say nothing of which code
// came first (migrations/0004_invitation_keys.sql).
func (s *Store) CreateInvitations(ctx context.Context, surveyID string, hashes [][]byte) error {
	sorted := slices.Clone(hashes)
	slices.SortFunc(sorted, bytes.Compare)
	rows := make([]invitationRecord, len(sorted))
	for i, h := range sorted {
		rows[i] = invitationRecord{SurveyID: surveyID, CodeHash: h, Keyed: 1}
	}
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.CreateInBatches(rows, 500).Error
	})
	return classify(err, "create invitations")
}
