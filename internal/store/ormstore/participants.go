package ormstore

// Participants (survey.MailingStore; templates, schedules and the outbox are
// in mailing.go), the same on every engine (migrations/0007_participants.sql). A
// participant's completion is never stored: it is read through the
// participant's invitations row (spent), joined by the code's keyed hash.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
)

type participantRow struct {
	ID            string `gorm:"primaryKey"`
	SurveyID      string
	Email         string
	FirstName     string
	LastName      string
	Language      string
	Attributes    string
	CodeHash      []byte
	CreatedAt     string
	InvitedAt     *string
	Reminders     int
	LastContactAt *string
	OptedOutAt    *string
	BouncedAt     *string
	// Filled by participantSelect only.
	Started   int `gorm:"->"`
	Completed int `gorm:"->"`
}

func (participantRow) TableName() string { return "participants" }

func (r *participantRow) toDomain() *survey.Participant {
	p := &survey.Participant{ID: r.ID, SurveyID: r.SurveyID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
		Language: r.Language, CodeHash: r.CodeHash, CreatedAt: ParseTime(r.CreatedAt), InvitedAt: ParseTimePtr(r.InvitedAt),
		Reminders: r.Reminders, LastContactAt: ParseTimePtr(r.LastContactAt), OptedOutAt: ParseTimePtr(r.OptedOutAt),
		BouncedAt: ParseTimePtr(r.BouncedAt), Started: r.Started != 0, Completed: r.Completed != 0}
	if err := json.Unmarshal([]byte(r.Attributes), &p.Attributes); err != nil || p.Attributes == nil {
		p.Attributes = map[string]string{}
	}
	return p
}

func attributesJSON(a map[string]string) string {
	if len(a) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(a) // a map of strings always encodes
	return string(b)
}

// participantSelect reads participants with started and completed from
// their invitation row, at the moment of reading.
const participantSelect = `SELECT p.id, p.survey_id, p.email, p.first_name, p.last_name, p.language, p.attributes, p.code_hash,
	p.created_at, p.invited_at, p.reminders, p.last_contact_at, p.opted_out_at, p.bounced_at,
	CASE WHEN i.spent = 1 OR i.held = 1 THEN 1 ELSE 0 END AS started,
	CASE WHEN i.spent = 1 THEN 1 ELSE 0 END AS completed
	FROM participants p LEFT JOIN invitations i ON i.survey_id = p.survey_id AND i.code_hash = p.code_hash`

// CreateParticipants implements survey.MailingStore. The invitation rows
// go in in hash order, like every code's (CreateInvitations).
func (t *Tables) CreateParticipants(ctx context.Context, surveyID string, ps []*survey.Participant) error {
	if len(ps) == 0 {
		return nil
	}
	if err := t.writable(); err != nil {
		return err
	}
	rows := make([]participantRow, len(ps))
	inv := make([]InvitationRecord, len(ps))
	for i, p := range ps {
		rows[i] = participantRow{ID: p.ID, SurveyID: surveyID, Email: p.Email, FirstName: p.FirstName, LastName: p.LastName,
			Language: p.Language, Attributes: attributesJSON(p.Attributes), CodeHash: p.CodeHash, CreatedAt: FormatTime(p.CreatedAt)}
		inv[i] = InvitationRecord{SurveyID: surveyID, CodeHash: p.CodeHash, Keyed: 1}
	}
	slices.SortFunc(inv, func(a, b InvitationRecord) int { return bytes.Compare(a.CodeHash, b.CodeHash) })
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(rows, 200).Error; err != nil {
			return err
		}
		return tx.CreateInBatches(inv, 500).Error
	})
	if err != nil && t.IsUnique(err) {
		return survey.Errorf(survey.EConflict, "an address is already on the survey's participant list")
	}
	return t.classify(t.finishWrite(err), "create participants")
}

// readParticipants runs a participantSelect query. The rows are scanned
// by hand rather than by gorm's reflection: the tracking page reads every
// participant of a survey (10,000 in about a third of the time).
func (t *Tables) readParticipants(db *gorm.DB, query string, args ...any) ([]*survey.Participant, error) {
	rows, err := db.Raw(participantSelect+query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*survey.Participant
	for rows.Next() {
		var r participantRow
		if err := rows.Scan(&r.ID, &r.SurveyID, &r.Email, &r.FirstName, &r.LastName, &r.Language, &r.Attributes, &r.CodeHash,
			&r.CreatedAt, &r.InvitedAt, &r.Reminders, &r.LastContactAt, &r.OptedOutAt, &r.BouncedAt, &r.Started, &r.Completed); err != nil {
			return nil, err
		}
		out = append(out, r.toDomain())
	}
	return out, rows.Err()
}

// FindParticipant implements survey.MailingStore.
func (t *Tables) FindParticipant(ctx context.Context, surveyID, id string) (*survey.Participant, error) {
	ps, err := t.readParticipants(t.Read.WithContext(ctx), " WHERE p.survey_id = ? AND p.id = ?", surveyID, id)
	if err != nil {
		return nil, t.classify(err, "find participant")
	}
	if len(ps) == 0 {
		return nil, survey.Errorf(survey.ENotFound, "participant %q not found", id)
	}
	return ps[0], nil
}

// FindParticipants implements survey.MailingStore.
func (t *Tables) FindParticipants(ctx context.Context, surveyID string) ([]*survey.Participant, error) {
	ps, err := t.readParticipants(t.Read.WithContext(ctx), " WHERE p.survey_id = ? ORDER BY p.email", surveyID)
	if err != nil {
		return nil, t.classify(err, "list participants")
	}
	return ps, nil
}

// FindParticipantsPage implements survey.MailingStore: the counts in one
// aggregate query and only the page's rows read, so the dashboard's page
// costs the same for 500 participants as for 50,000.
func (t *Tables) FindParticipantsPage(ctx context.Context, surveyID string, offset, limit int) ([]*survey.Participant, survey.ParticipantCounts, error) {
	db := t.Read.WithContext(ctx)
	var c survey.ParticipantCounts
	err := db.Raw(`SELECT count(*),
		count(p.invited_at),
		COALESCE(sum(CASE WHEN p.reminders > 0 THEN 1 ELSE 0 END), 0),
		count(p.opted_out_at),
		count(p.bounced_at),
		COALESCE(sum(CASE WHEN i.spent = 1 OR i.held = 1 THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN i.spent = 1 THEN 1 ELSE 0 END), 0)
		FROM participants p LEFT JOIN invitations i ON i.survey_id = p.survey_id AND i.code_hash = p.code_hash
		WHERE p.survey_id = ?`, surveyID).Row().Scan(&c.Total, &c.Invited, &c.Reminded, &c.OptedOut, &c.Bounced, &c.Started, &c.Completed)
	if err != nil {
		return nil, c, t.classify(err, "count participants")
	}
	ps, err := t.readParticipants(db, " WHERE p.survey_id = ? ORDER BY p.email LIMIT ? OFFSET ?", surveyID, limit, offset)
	if err != nil {
		return nil, c, t.classify(err, "list participants")
	}
	return ps, c, nil
}

// UpdateParticipant implements survey.MailingStore.
func (t *Tables) UpdateParticipant(ctx context.Context, p *survey.Participant) error {
	if err := t.writable(); err != nil {
		return err
	}
	res := t.Write.WithContext(ctx).Model(&participantRow{}).Where("survey_id = ? AND id = ?", p.SurveyID, p.ID).
		Updates(map[string]any{"email": p.Email, "first_name": p.FirstName, "last_name": p.LastName,
			"language": p.Language, "attributes": attributesJSON(p.Attributes)})
	if res.Error != nil && t.IsUnique(res.Error) {
		return &survey.Error{Code: survey.EConflict, Message: "another participant has this address",
			Details: []survey.Detail{{Path: "email", Message: p.Email + " is already on the survey's participant list"}}}
	}
	if err := t.finishWrite(res.Error); err != nil {
		return t.classify(err, "update participant")
	}
	if res.RowsAffected == 0 {
		return survey.Errorf(survey.ENotFound, "participant %q not found", p.ID)
	}
	return nil
}

// DeleteParticipant implements survey.MailingStore. A code spent, or held
// by a response in progress, keeps its invitations row: the response
// counts, and its holder can still finish.
func (t *Tables) DeleteParticipant(ctx context.Context, surveyID, id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row participantRow
		if err := tx.Where("survey_id = ? AND id = ?", surveyID, id).Take(&row).Error; err != nil {
			return err
		}
		if err := tx.Where("participant_id = ?", id).Delete(&outboxRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("survey_id = ? AND code_hash = ? AND spent = 0 AND held = 0", surveyID, row.CodeHash).
			Delete(&InvitationRecord{}).Error; err != nil {
			return err
		}
		return tx.Delete(&row).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return survey.Errorf(survey.ENotFound, "participant %q not found", id)
	}
	return t.classify(t.finishWrite(err), "delete participant")
}

// OptOutParticipant implements survey.MailingStore.
func (t *Tables) OptOutParticipant(ctx context.Context, surveyID, id string, at time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	found := true
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&participantRow{}).Where("survey_id = ? AND id = ?", surveyID, id).
			Update("opted_out_at", gorm.Expr("COALESCE(opted_out_at, ?)", FormatTime(at)))
		if res.Error != nil || res.RowsAffected == 0 {
			found = res.Error != nil
			return res.Error
		}
		return tx.Model(&outboxRow{}).Where("participant_id = ? AND status = ?", id, survey.MessageQueued).
			Updates(map[string]any{"status": survey.MessageCancelled, "last_error": "the participant opted out"}).Error
	})
	if err := t.finishWrite(err); err != nil {
		return t.classify(err, "opt out")
	}
	if !found {
		return survey.Errorf(survey.ENotFound, "participant %q not found", id)
	}
	return nil
}
