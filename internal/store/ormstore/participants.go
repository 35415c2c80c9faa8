package ormstore

// Participants, templates, schedules and the outbox (survey.MailingStore),
// the same on every engine (migrations/0007_participants.sql). A
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
	"gorm.io/gorm/clause"
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
func (t *Tables) QueueReminders(ctx context.Context, surveyID string, contactBefore time.Time, maxReminders int, at time.Time, newID func() string) (int, error) {
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
			JOIN invitations i ON i.survey_id = p.survey_id AND i.code_hash = p.code_hash
			WHERE p.survey_id = ? AND p.invited_at IS NOT NULL AND p.last_contact_at <= ? AND p.reminders < ?
			AND p.opted_out_at IS NULL AND p.bounced_at IS NULL AND i.spent = 0
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.participant_id = p.id AND o.status = 'queued')
			ORDER BY p.id`, surveyID, FormatTime(contactBefore), maxReminders).Scan(&due).Error; err != nil {
			return err
		}
		ids, seqs := make([]string, len(due)), make([]int, len(due))
		for i, d := range due {
			ids[i], seqs[i] = d.ID, d.Reminders+1
		}
		var err error
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
func (t *Tables) DueMessages(ctx context.Context, now time.Time, limit int) ([]*survey.OutboxMessage, error) {
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
	ps, err := t.readParticipants(db, " WHERE p.id IN ?", ids)
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
