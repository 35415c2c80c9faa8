package ormstore

// Message templates, mailing schedules and the outbox of participants'
// e-mails (survey.MailingStore; migrations/0007_participants.sql). A
// decision to send is one transaction: the select of who is due and the
// inserts of their messages, which the unique index outbox_once keeps to
// one per participant, kind and number however often the decision is
// taken.

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type templateRow struct {
	SurveyID  string `gorm:"primaryKey"`
	Kind      string `gorm:"primaryKey"`
	Language  string `gorm:"primaryKey"`
	Subject   string
	TextBody  string
	HTMLBody  string `gorm:"column:html_body"`
	UpdatedAt string
}

func (templateRow) TableName() string { return "message_templates" }

// PutTemplate implements survey.MailingStore.
func (t *Tables) PutTemplate(ctx context.Context, m *survey.MessageTemplate) error {
	if err := t.writable(); err != nil {
		return err
	}
	err := t.Write.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "survey_id"}, {Name: "kind"}, {Name: "language"}},
		DoUpdates: clause.AssignmentColumns([]string{"subject", "text_body", "html_body", "updated_at"}),
	}).Create(&templateRow{SurveyID: m.SurveyID, Kind: m.Kind, Language: m.Language, Subject: m.Subject,
		TextBody: m.Text, HTMLBody: m.HTML, UpdatedAt: FormatTime(m.UpdatedAt)}).Error
	return t.classify(t.finishWrite(err), "store template")
}

// FindTemplates implements survey.MailingStore.
func (t *Tables) FindTemplates(ctx context.Context, surveyID string) ([]*survey.MessageTemplate, error) {
	var rows []templateRow
	if err := t.Read.WithContext(ctx).Where("survey_id = ?", surveyID).Order("kind, language").Find(&rows).Error; err != nil {
		return nil, t.classify(err, "list templates")
	}
	out := make([]*survey.MessageTemplate, len(rows))
	for i, r := range rows {
		out[i] = &survey.MessageTemplate{SurveyID: r.SurveyID, Kind: r.Kind, Language: r.Language, Subject: r.Subject,
			Text: r.TextBody, HTML: r.HTMLBody, UpdatedAt: ParseTime(r.UpdatedAt)}
	}
	return out, nil
}

type mailingRow struct {
	SurveyID     string `gorm:"primaryKey"`
	InviteAt     *string
	ReminderDays int
	MaxReminders int
	UpdatedAt    string
}

func (mailingRow) TableName() string { return "mailings" }

func (r *mailingRow) toDomain() *survey.Mailing {
	return &survey.Mailing{SurveyID: r.SurveyID, InviteAt: ParseTimePtr(r.InviteAt), ReminderDays: r.ReminderDays,
		MaxReminders: r.MaxReminders, UpdatedAt: ParseTime(r.UpdatedAt)}
}

// PutMailing implements survey.MailingStore.
func (t *Tables) PutMailing(ctx context.Context, m *survey.Mailing) error {
	if err := t.writable(); err != nil {
		return err
	}
	err := t.Write.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "survey_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"invite_at", "reminder_days", "max_reminders", "updated_at"}),
	}).Create(&mailingRow{SurveyID: m.SurveyID, InviteAt: FormatTimePtr(m.InviteAt), ReminderDays: m.ReminderDays,
		MaxReminders: m.MaxReminders, UpdatedAt: FormatTime(m.UpdatedAt)}).Error
	return t.classify(t.finishWrite(err), "store schedule")
}

// FindMailing implements survey.MailingStore.
func (t *Tables) FindMailing(ctx context.Context, surveyID string) (*survey.Mailing, error) {
	var row mailingRow
	err := t.Read.WithContext(ctx).Where("survey_id = ?", surveyID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, survey.Errorf(survey.ENotFound, "survey %q has no schedule", surveyID)
	}
	if err != nil {
		return nil, t.classify(err, "find schedule")
	}
	return row.toDomain(), nil
}

// FindMailings implements survey.MailingStore.
func (t *Tables) FindMailings(ctx context.Context) ([]*survey.Mailing, error) {
	var rows []mailingRow
	if err := t.Read.WithContext(ctx).Order("survey_id").Find(&rows).Error; err != nil {
		return nil, t.classify(err, "list schedules")
	}
	out := make([]*survey.Mailing, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

type outboxRow struct {
	ID            string `gorm:"primaryKey"`
	SurveyID      string
	ParticipantID *string
	Kind          string
	Seq           int
	ToAddr        string
	Status        string
	Attempts      int
	NextAt        string
	LastError     string
	CreatedAt     string
	SentAt        *string
}

func (outboxRow) TableName() string { return "outbox" }

func (r *outboxRow) toDomain() *survey.OutboxMessage {
	m := &survey.OutboxMessage{ID: r.ID, SurveyID: r.SurveyID, Kind: r.Kind, Seq: r.Seq, To: r.ToAddr, Status: r.Status,
		Attempts: r.Attempts, NextAt: ParseTime(r.NextAt), LastError: r.LastError, CreatedAt: ParseTime(r.CreatedAt),
		SentAt: ParseTimePtr(r.SentAt)}
	if r.ParticipantID != nil {
		m.ParticipantID = *r.ParticipantID
	}
	return m
}

// queue inserts messages for the participants ids, skipping any that a
// participant has already (outbox_once): a decision taken twice queues
// once.
func queue(tx *gorm.DB, surveyID, kind string, ids []string, seqs []int, at time.Time, newID func() string) (int, error) {
	rows := make([]outboxRow, len(ids))
	now := FormatTime(at)
	for i, id := range ids {
		rows[i] = outboxRow{ID: newID(), SurveyID: surveyID, ParticipantID: &id, Kind: kind, Seq: seqs[i],
			Status: survey.MessageQueued, NextAt: now, CreatedAt: now}
	}
	n := 0
	for chunk := range slices.Chunk(rows, 500) {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&chunk)
		if res.Error != nil {
			return 0, res.Error
		}
		n += int(res.RowsAffected)
	}
	return n, nil
}

// QueueInvitations implements survey.MailingStore.
func (t *Tables) QueueInvitations(ctx context.Context, surveyID string, at time.Time, newID func() string) (int, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	n := 0
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []string
		if err := tx.Raw(`SELECT p.id FROM participants p WHERE p.survey_id = ?
			AND p.opted_out_at IS NULL AND p.bounced_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.participant_id = p.id AND o.kind = 'invitation')
			ORDER BY p.id`, surveyID).Scan(&ids).Error; err != nil {
			return err
		}
		var err error
		n, err = queue(tx, surveyID, survey.MessageInvitation, ids, make([]int, len(ids)), at, newID)
		return err
	})
	return n, t.classify(t.finishWrite(err), "queue invitations")
}

// QueueReminders implements survey.MailingStore.
// Who has completed is decided in Go from the survey's spent codes, read
// in the same transaction as the candidates (participantRow's comment
// says why there is no join).
func (t *Tables) QueueReminders(ctx context.Context, surveyID string, contactBefore time.Time, maxReminders int, at time.Time, newID func() string, hash survey.ParticipantHash) (int, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	n := 0
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var due []struct {
			ID        string
			Reminders int
		}
		if err := tx.Raw(`SELECT p.id, p.reminders FROM participants p
			WHERE p.survey_id = ? AND p.invited_at IS NOT NULL AND p.last_contact_at <= ? AND p.reminders < ?
			AND p.opted_out_at IS NULL AND p.bounced_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.participant_id = p.id AND o.status = 'queued')
			ORDER BY p.id`, surveyID, FormatTime(contactBefore), maxReminders).Scan(&due).Error; err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		states, err := readCodeStates(tx, surveyID, nil)
		if err != nil {
			return err
		}
		ids, seqs := make([]string, 0, len(due)), make([]int, 0, len(due))
		for _, d := range due {
			if states[string(hash(surveyID, d.ID))] { // spent: completed
				continue
			}
			ids, seqs = append(ids, d.ID), append(seqs, d.Reminders+1)
		}
		n, err = queue(tx, surveyID, survey.MessageReminder, ids, seqs, at, newID)
		return err
	})
	return n, t.classify(t.finishWrite(err), "queue reminders")
}

// QueueMessage implements survey.MailingStore.
func (t *Tables) QueueMessage(ctx context.Context, m *survey.OutboxMessage) error {
	if err := t.writable(); err != nil {
		return err
	}
	row := outboxRow{ID: m.ID, SurveyID: m.SurveyID, Kind: m.Kind, Seq: m.Seq, ToAddr: m.To, Status: m.Status,
		NextAt: FormatTime(m.NextAt), CreatedAt: FormatTime(m.CreatedAt)}
	if m.ParticipantID != "" {
		row.ParticipantID = &m.ParticipantID
	}
	return t.classify(t.finishWrite(t.Write.WithContext(ctx).Create(&row).Error), "queue message")
}

// DueMessages implements survey.MailingStore.
func (t *Tables) DueMessages(ctx context.Context, now time.Time, limit int, hash survey.ParticipantHash) ([]*survey.OutboxMessage, error) {
	var rows []outboxRow
	db := t.Read.WithContext(ctx)
	// status is written into the SQL, not bound: SQLite uses the partial
	// index outbox_due (WHERE status = 'queued') only for a literal.
	if err := db.Where("status = 'queued' AND next_at <= ?", FormatTime(now)).
		Order("next_at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, t.classify(err, "read due messages")
	}
	out := make([]*survey.OutboxMessage, len(rows))
	var ids []string
	for i := range rows {
		out[i] = rows[i].toDomain()
		if out[i].ParticipantID != "" {
			ids = append(ids, out[i].ParticipantID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	ps, err := t.readParticipants(db, hash, nil, " WHERE p.id IN ?", ids)
	if err != nil {
		return nil, t.classify(err, "read due messages' participants")
	}
	byID := make(map[string]*survey.Participant, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	for _, m := range out {
		m.Participant = byID[m.ParticipantID]
	}
	return out, nil
}

// ClaimMessage implements survey.MailingStore.
func (t *Tables) ClaimMessage(ctx context.Context, id string, now, until time.Time) (bool, error) {
	if err := t.writable(); err != nil {
		return false, err
	}
	res := t.Write.WithContext(ctx).Model(&outboxRow{}).
		Where("id = ? AND status = ? AND next_at <= ?", id, survey.MessageQueued, FormatTime(now)).
		Update("next_at", FormatTime(until))
	if err := t.finishWrite(res.Error); err != nil {
		return false, t.classify(err, "claim message")
	}
	return res.RowsAffected == 1, nil
}

// FinishMessage implements survey.MailingStore. Only a queued message
// changes: a message finished already (by a sender whose lease ran out,
// say) is not counted twice.
func (t *Tables) FinishMessage(ctx context.Context, id string, o survey.MessageOutcome) error {
	if err := t.writable(); err != nil {
		return err
	}
	at := FormatTime(o.At)
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row outboxRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return err
		}
		if row.Status != survey.MessageQueued {
			return nil
		}
		upd := map[string]any{"status": o.Status, "last_error": o.Error}
		switch o.Status {
		case survey.MessageSent:
			upd["sent_at"] = at
			upd["attempts"] = row.Attempts + 1
		case survey.MessageQueued, survey.MessageFailed, survey.MessageBounced:
			upd["attempts"] = row.Attempts + 1
			if o.Status == survey.MessageQueued {
				upd["next_at"] = FormatTime(o.NextAt)
			}
		}
		if err := tx.Model(&outboxRow{}).Where("id = ? AND status = ?", id, survey.MessageQueued).Updates(upd).Error; err != nil {
			return err
		}
		if row.ParticipantID == nil {
			return nil
		}
		p := tx.Model(&participantRow{}).Where("id = ?", *row.ParticipantID)
		switch {
		case o.Status == survey.MessageSent && row.Kind == survey.MessageInvitation:
			return p.Updates(map[string]any{"invited_at": gorm.Expr("COALESCE(invited_at, ?)", at), "last_contact_at": at}).Error
		case o.Status == survey.MessageSent && row.Kind == survey.MessageReminder:
			return p.Updates(map[string]any{"reminders": gorm.Expr("reminders + 1"), "last_contact_at": at}).Error
		case o.Status == survey.MessageBounced:
			return p.Update("bounced_at", gorm.Expr("COALESCE(bounced_at, ?)", at)).Error
		}
		return nil
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return survey.Errorf(survey.ENotFound, "message %q not found", id)
	}
	return t.classify(t.finishWrite(err), "record message outcome")
}

// FindOutbox implements survey.MailingStore.
func (t *Tables) FindOutbox(ctx context.Context, surveyID string, limit int) ([]*survey.OutboxMessage, error) {
	var rows []outboxRow
	if err := t.Read.WithContext(ctx).Where("survey_id = ?", surveyID).Order("created_at DESC, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, t.classify(err, "list messages")
	}
	out := make([]*survey.OutboxMessage, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// ResponseDays implements survey.MailingStore.
func (t *Tables) ResponseDays(ctx context.Context, surveyID string) ([]survey.DayCount, error) {
	var out []survey.DayCount
	err := t.Read.WithContext(ctx).Raw(`SELECT substr(submitted_at, 1, 10) AS day, count(*) AS count FROM responses
		WHERE survey_id = ? AND status = 'complete' GROUP BY substr(submitted_at, 1, 10) ORDER BY day`, surveyID).Scan(&out).Error
	return out, t.classify(err, "count responses by day")
}

// ContactDays implements survey.MailingStore.
func (t *Tables) ContactDays(ctx context.Context, surveyID string) ([]survey.DayCount, error) {
	var out []survey.DayCount
	err := t.Read.WithContext(ctx).Raw(`SELECT substr(sent_at, 1, 10) AS day, kind, count(*) AS count FROM outbox
		WHERE survey_id = ? AND status = 'sent' AND kind <> 'test' GROUP BY substr(sent_at, 1, 10), kind ORDER BY day, kind`, surveyID).Scan(&out).Error
	return out, t.classify(err, "count contacts by day")
}
