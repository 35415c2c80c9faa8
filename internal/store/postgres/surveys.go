package postgres

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
	return classify(s.orm.WithContext(ctx).Create(&row).Error, "create survey")
}

// FindSurvey implements survey.Store. It leaves the response counts zero:
// it serves every submission, which must not count the table each time.
func (s *Store) FindSurvey(ctx context.Context, id string) (*survey.Survey, error) {
	return s.findSurvey(s.orm.WithContext(ctx), id)
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
	err = s.orm.WithContext(ctx).Table("responses").Select("status, count(*) AS n").
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

// invitationRecord is the invitations table. Spent and held change only
// in the hand-written transactions of the group commit and the web form
// (writer.go, progress.go).
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
	if err := s.orm.WithContext(ctx).Raw(surveySelect + " ORDER BY s.created_at DESC, s.id").Scan(&rows).Error; err != nil {
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
// The rule is SQLite's (internal/store/sqlite/surveys.go): closedness is
// decided again inside the transaction that writes a response, and no
// stored response has a submitted_at after the survey's closed_at. SQLite
// gets the order of the two from its single writer connection; here any
// number of connections and instances write at once, so the order comes
// from the survey row's lock:
//   - a response's insert (writer.go) or completing update (progress.go)
//     selects the survey row FOR SHARE with the condition surveyOpenAt.
//     Many responses share the lock; it is held to their commit.
//   - a close first takes the row FOR UPDATE, which waits for every
//     response transaction holding it FOR SHARE to commit and keeps new
//     ones waiting; then, in a new statement (so, at READ COMMITTED, a new
//     snapshot that sees those commits), it sets closed_at to the later of
//     its time and the latest stored submitted_at.
//   - a response transaction that waited for the close re-reads the
//     survey row once the close commits (PostgreSQL re-checks a locked
//     row's conditions against its newest version), finds it closed and
//     stores nothing: EConflict, "survey ... is closed".

// surveyOpenAt is the SQL condition, for a write's WHERE clause, that the
// survey ($a) takes a response submitted at $b, locking the survey row
// FOR SHARE until the write's commit. Format it with the two parameter
// numbers.
const surveyOpenAt = `EXISTS (SELECT 1 FROM surveys WHERE surveys.id = $%d AND surveys.status = 'open'
	AND (surveys.closes_at IS NULL OR surveys.closes_at > $%d) FOR SHARE)`

// closedError says, in CheckOpen's words, why the survey refused a
// response submitted at t.
func closedError(ctx context.Context, tx *sql.Tx, surveyID string, t *time.Time) error {
	var (
		sv       = survey.Survey{ID: surveyID}
		closesAt *string
	)
	err := tx.QueryRowContext(ctx, `SELECT status, closes_at FROM surveys WHERE id = $1`, surveyID).Scan(&sv.Status, &closesAt)
	if errors.Is(err, sql.ErrNoRows) {
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
	var out *survey.Survey
	err := s.orm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Wait out the response transactions that hold the row FOR SHARE.
		if err := tx.Exec(`SELECT 1 FROM surveys WHERE id = ? FOR UPDATE`, id).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE surveys SET status = ?, closed_at = greatest(?::text,
			coalesce((SELECT max(submitted_at) FROM responses WHERE survey_id = surveys.id), ''))
			WHERE id = ? AND status = ?`, survey.SurveyClosed, formatTime(at), id, survey.SurveyOpen).Error; err != nil {
			return err
		}
		var err error
		out, err = s.findSurvey(tx, id)
		return err
	})
	if err != nil {
		return nil, classify(err, "close survey")
	}
	return out, nil
}

// CreateInvitations implements survey.Store. The hashes are inserted in
// their own order, not the order of the codes, and marked keyed
// (migrations/0004_invitation_keys.sql).
func (s *Store) CreateInvitations(ctx context.Context, surveyID string, hashes [][]byte) error {
	sorted := slices.Clone(hashes)
	slices.SortFunc(sorted, bytes.Compare)
	rows := make([]invitationRecord, len(sorted))
	for i, h := range sorted {
		rows[i] = invitationRecord{SurveyID: surveyID, CodeHash: h, Keyed: 1}
	}
	err := s.orm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.CreateInBatches(rows, 500).Error
	})
	return classify(err, "create invitations")
}
