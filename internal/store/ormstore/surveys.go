package ormstore

import (
	"bytes"
	"context"
	"errors"
	"slices"

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
	PublicTitle       string
	PublicDescription string
	TimeZone          string
	EndMessage        string
	EndRedirect       string
	Mode              string
	// Filled by queries only.
	Complete   int `gorm:"->"`
	InProgress int `gorm:"->"`
	Test       int `gorm:"->"`
}

func (surveyRow) TableName() string { return "surveys" }

func (r *surveyRow) toDomain() *survey.Survey {
	return &survey.Survey{
		ID: r.ID, InstrumentKey: r.InstrumentKey, InstrumentVersion: r.InstrumentVersion,
		Title: r.Title, Access: r.Access,
		OpensAt: ParseTimePtr(r.OpensAt), ClosesAt: ParseTimePtr(r.ClosesAt),
		Status: r.Status, CreatedAt: ParseTime(r.CreatedAt), ClosedAt: ParseTimePtr(r.ClosedAt),
		PublicTitle: r.PublicTitle, PublicDescription: r.PublicDescription, TimeZone: r.TimeZone,
		EndMessage: r.EndMessage, EndRedirect: r.EndRedirect, Mode: r.Mode,
		Complete: r.Complete, InProgress: r.InProgress, Test: r.Test,
	}
}

const surveySelect = `SELECT s.*,
	(SELECT count(*) FROM responses r WHERE r.survey_id = s.id AND r.status = 'complete' AND r.test = 0) AS complete,
	(SELECT count(*) FROM responses r WHERE r.survey_id = s.id AND r.status = 'in_progress' AND r.test = 0) AS in_progress,
	(SELECT count(*) FROM responses r WHERE r.survey_id = s.id AND r.test = 1) AS test
	FROM surveys s`

// CreateSurvey implements survey.Store.
func (t *Tables) CreateSurvey(ctx context.Context, sv *survey.Survey) error {
	row := surveyRow{
		ID: sv.ID, InstrumentKey: sv.InstrumentKey, InstrumentVersion: sv.InstrumentVersion,
		Title: sv.Title, Access: sv.Access, OpensAt: FormatTimePtr(sv.OpensAt), ClosesAt: FormatTimePtr(sv.ClosesAt),
		Status: sv.Status, CreatedAt: FormatTime(sv.CreatedAt),
		PublicTitle: sv.PublicTitle, PublicDescription: sv.PublicDescription, TimeZone: sv.TimeZone,
		EndMessage: sv.EndMessage, EndRedirect: sv.EndRedirect, Mode: sv.Mode,
	}
	if row.TimeZone == "" {
		row.TimeZone = survey.DefaultTimeZone
	}
	if row.Mode == "" {
		row.Mode = survey.ModeLive
	}
	return t.classify(t.Write.WithContext(ctx).Create(&row).Error, "create survey")
}

// UpdateSurvey implements survey.Store. Status and access are not
// written but for a reopen: a close goes through the driver's
// CloseSurvey, which orders itself with the responses being written.
// Moving closes_at is safe against them the same way: each response's
// write re-checks the survey row inside its transaction.
func (t *Tables) UpdateSurvey(ctx context.Context, sv *survey.Survey, reopen bool) (*survey.Survey, error) {
	if err := t.writable(); err != nil {
		return nil, err
	}
	cols := map[string]any{
		"title": sv.Title, "public_title": sv.PublicTitle, "public_description": sv.PublicDescription,
		"time_zone": sv.TimeZone, "opens_at": FormatTimePtr(sv.OpensAt), "closes_at": FormatTimePtr(sv.ClosesAt),
		"end_message": sv.EndMessage, "end_redirect": sv.EndRedirect,
	}
	if reopen {
		cols["status"], cols["closed_at"] = survey.SurveyOpen, nil
	}
	var out *survey.Survey
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Table("surveys").Where("id = ?", sv.ID).Updates(cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return survey.Errorf(survey.ENotFound, "survey %q not found", sv.ID)
		}
		var err error
		out, err = t.FindSurveyIn(tx, sv.ID)
		return err
	})
	if err = t.finishWrite(err); err != nil {
		return nil, t.classify(err, "update survey")
	}
	return out, nil
}

// DeleteSurvey implements survey.Store. The responses table's foreign key
// (ON DELETE RESTRICT) is what finally keeps a survey with responses: a
// response written between the check and the delete makes the delete
// fail as a conflict; the check is there to say why in words.
func (t *Tables) DeleteSurvey(ctx context.Context, id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("surveys").Where("id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return survey.Errorf(survey.ENotFound, "survey %q not found", id)
		}
		var complete, inProgress int64
		live := tx.Table("responses").Where("survey_id = ? AND test = 0", id)
		if err := live.Session(&gorm.Session{}).Where("status = ?", survey.ResponseComplete).Count(&complete).Error; err != nil {
			return err
		}
		if err := live.Session(&gorm.Session{}).Where("status = ?", survey.ResponseInProgress).Count(&inProgress).Error; err != nil {
			return err
		}
		if complete+inProgress > 0 {
			return survey.Errorf(survey.EConflict,
				"survey %s has live responses (%d complete, %d in progress) and cannot be deleted: its data stays; close it instead",
				id, complete, inProgress)
		}
		if err := tx.Exec(`DELETE FROM responses WHERE survey_id = ? AND test = 1`, id).Error; err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM invitations WHERE survey_id = ?`, id).Error; err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM surveys WHERE id = ?`, id).Error
	})
	return t.classify(t.finishWrite(err), "delete survey")
}

// FindSurvey implements survey.Store. It leaves the response counts zero:
// it serves every submission, which must not count the table each time.
func (t *Tables) FindSurvey(ctx context.Context, id string) (*survey.Survey, error) {
	return t.FindSurveyIn(t.Read.WithContext(ctx), id)
}

// FindSurveyIn reads one survey through db, which may be a driver's
// transaction (a close reads the survey it just closed).
func (t *Tables) FindSurveyIn(db *gorm.DB, id string) (*survey.Survey, error) {
	var row surveyRow
	err := db.Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, survey.Errorf(survey.ENotFound, "survey %q not found", id)
	}
	if err != nil {
		return nil, t.classify(err, "find survey")
	}
	return row.toDomain(), nil
}

// CountResponses implements survey.Store.
func (t *Tables) CountResponses(ctx context.Context, surveyID string) (complete, inProgress, test int, err error) {
	var counts []struct {
		Status string
		Test   int
		N      int
	}
	err = t.Read.WithContext(ctx).Table("responses").Select("status, test, count(*) AS n").
		Where("survey_id = ?", surveyID).Group("status, test").Scan(&counts).Error
	for _, c := range counts {
		switch {
		case c.Test != 0:
			test += c.N
		case c.Status == survey.ResponseComplete:
			complete = c.N
		case c.Status == survey.ResponseInProgress:
			inProgress = c.N
		}
	}
	return complete, inProgress, test, t.classify(err, "count responses")
}

// CountInvitations implements survey.Store.
func (t *Tables) CountInvitations(ctx context.Context, surveyID string) (issued, spent, held int, err error) {
	var n struct{ Issued, Spent, Held int }
	err = t.Read.WithContext(ctx).Table("invitations").
		Select("count(*) AS issued, coalesce(sum(spent), 0) AS spent, coalesce(sum(held), 0) AS held").
		Where("survey_id = ?", surveyID).Scan(&n).Error
	return n.Issued, n.Spent, n.Held, t.classify(err, "count invitations")
}

// InvitationRecord is the invitations table (0001, 0004). Spent and
// held change only in the hand-written transactions of the group commit
// and the web form (each driver's responses.go and progress.go).
type InvitationRecord struct {
	SurveyID string `gorm:"primaryKey"`
	CodeHash []byte `gorm:"primaryKey"`
	Keyed    int
	Spent    int `gorm:"->"`
	Held     int `gorm:"->"`
}

func (InvitationRecord) TableName() string { return "invitations" }

// FindSurveys implements survey.Store.
func (t *Tables) FindSurveys(ctx context.Context) ([]*survey.Survey, error) {
	var rows []surveyRow
	if err := t.Read.WithContext(ctx).Raw(surveySelect + " ORDER BY s.created_at DESC, s.id").Scan(&rows).Error; err != nil {
		return nil, t.classify(err, "list surveys")
	}
	out := make([]*survey.Survey, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// CreateInvitations implements survey.Store. The hashes are inserted in
// their own order, not the order of the codes, and marked keyed: rows,
// pages and the order SQLite lays them out in say nothing of which code
// came first (migrations/0004_invitation_keys.sql).
func (t *Tables) CreateInvitations(ctx context.Context, surveyID string, hashes [][]byte) error {
	sorted := slices.Clone(hashes)
	slices.SortFunc(sorted, bytes.Compare)
	rows := make([]InvitationRecord, len(sorted))
	for i, h := range sorted {
		rows[i] = InvitationRecord{SurveyID: surveyID, CodeHash: h, Keyed: 1}
	}
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.CreateInBatches(rows, 500).Error
	})
	return t.classify(err, "create invitations")
}

// SetSurveyMode implements survey.Store. A response being written while
// the mode changes is marked by the mode its own statement reads (each
// driver's responseTest); the deletion runs after the mode is set, in the
// same transaction.
func (t *Tables) SetSurveyMode(ctx context.Context, id, mode string, deleteTest bool) (*survey.Survey, int, error) {
	if err := t.writable(); err != nil {
		return nil, 0, err
	}
	var (
		out     *survey.Survey
		deleted int
	)
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE surveys SET mode = ? WHERE id = ?`, mode, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return survey.Errorf(survey.ENotFound, "survey %q not found", id)
		}
		if deleteTest {
			del := tx.Exec(`DELETE FROM responses WHERE survey_id = ? AND test = 1`, id)
			if del.Error != nil {
				return del.Error
			}
			deleted = int(del.RowsAffected)
		}
		var err error
		out, err = t.FindSurveyIn(tx, id)
		return err
	})
	if err = t.finishWrite(err); err != nil {
		return nil, 0, t.classify(err, "set survey mode")
	}
	return out, deleted, nil
}

// DeleteTestResponses implements survey.Store.
func (t *Tables) DeleteTestResponses(ctx context.Context, surveyID string) (int, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	deleted := 0
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("surveys").Where("id = ?", surveyID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return survey.Errorf(survey.ENotFound, "survey %q not found", surveyID)
		}
		del := tx.Exec(`DELETE FROM responses WHERE survey_id = ? AND test = 1`, surveyID)
		deleted = int(del.RowsAffected)
		return del.Error
	})
	if err = t.finishWrite(err); err != nil {
		return 0, t.classify(err, "delete test responses")
	}
	return deleted, nil
}
