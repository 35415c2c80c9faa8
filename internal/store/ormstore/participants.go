package ormstore

// Participants (survey.MailingStore; templates, schedules and the outbox are
// in mailing.go), the same on every engine (migrations/0007_participants.sql). A
// participant's completion is never stored: it is read from the
// participant's invitations row (spent; held: started). Nothing in the
// database says which invitations row is a participant's: the row's keyed
// hash is not on the participant row (on PostgreSQL a response and the
// invitations row it spends share the system column xmin, so a shared
// value would join a name to a response). The Service, which holds the
// key, derives each participant's hash (survey.ParticipantHash); the store
// reads the survey's held and spent hashes into a set, in the transaction
// that reads or decides, and classifies the participants in Go.

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
	CreatedAt     string
	InvitedAt     *string
	Reminders     int
	LastContactAt *string
	OptedOutAt    *string
	BouncedAt     *string
}

func (participantRow) TableName() string { return "participants" }

func (r *participantRow) toDomain() *survey.Participant {
	p := &survey.Participant{ID: r.ID, SurveyID: r.SurveyID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
		Language: r.Language, CreatedAt: ParseTime(r.CreatedAt), InvitedAt: ParseTimePtr(r.InvitedAt),
		Reminders: r.Reminders, LastContactAt: ParseTimePtr(r.LastContactAt), OptedOutAt: ParseTimePtr(r.OptedOutAt),
		BouncedAt: ParseTimePtr(r.BouncedAt)}
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

// participantSelect reads participants; their tracking is added by track.
const participantSelect = `SELECT p.id, p.survey_id, p.email, p.first_name, p.last_name, p.language, p.attributes,
	p.created_at, p.invited_at, p.reminders, p.last_contact_at, p.opted_out_at, p.bounced_at
	FROM participants p`

// codeStates are a survey's invitation codes that are held or spent, by
// keyed hash: true if spent (completed), false if held (started).
type codeStates map[string]bool

// fewCodes is how many hashes readCodeStates looks up one by one (IN);
// for more it reads every held or spent code of the survey, which costs
// no more than the survey's responses.
const fewCodes = 100

// readCodeStates reads the held or spent codes of a survey among hashes,
// or all of them when hashes is nil or long.
func readCodeStates(db *gorm.DB, surveyID string, hashes [][]byte) (codeStates, error) {
	q := db.Table("invitations").Select("code_hash, spent").Where("survey_id = ? AND (spent = 1 OR held = 1)", surveyID)
	if hashes != nil && len(hashes) <= fewCodes {
		q = q.Where("code_hash IN ?", hashes)
	}
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	states := codeStates{}
	for rows.Next() {
		var h []byte
		var spent int
		if err := rows.Scan(&h, &spent); err != nil {
			return nil, err
		}
		states[string(h)] = spent != 0
	}
	return states, rows.Err()
}

// track fills the participants' CodeHash, Started and Completed through
// hash (nothing when hash is nil), reading the codes' states with db.
func track(db *gorm.DB, ps []*survey.Participant, hash survey.ParticipantHash, states codeStates) error {
	if hash == nil || len(ps) == 0 {
		return nil
	}
	bySurvey := map[string][][]byte{}
	for _, p := range ps {
		p.CodeHash = hash(p.SurveyID, p.ID)
		bySurvey[p.SurveyID] = append(bySurvey[p.SurveyID], p.CodeHash)
	}
	all := map[string]codeStates{}
	for id, hashes := range bySurvey {
		if states != nil {
			all[id] = states
			continue
		}
		s, err := readCodeStates(db, id, hashes)
		if err != nil {
			return err
		}
		all[id] = s
	}
	for _, p := range ps {
		spent, ok := all[p.SurveyID][string(p.CodeHash)]
		p.Started, p.Completed = ok, ok && spent
	}
	return nil
}

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
			Language: p.Language, Attributes: attributesJSON(p.Attributes), CreatedAt: FormatTime(p.CreatedAt)}
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

// readParticipants runs a participantSelect query and tracks the
// participants through hash (with states if given, else read). The rows
// are scanned by hand rather than by gorm's reflection: the tracking page
// reads every participant of a survey (10,000 in about a third of the
// time).
func (t *Tables) readParticipants(db *gorm.DB, hash survey.ParticipantHash, states codeStates, query string, args ...any) ([]*survey.Participant, error) {
	out, err := scanParticipants(db, query, args...)
	if err != nil {
		return nil, err
	}
	return out, track(db, out, hash, states)
}

func scanParticipants(db *gorm.DB, query string, args ...any) ([]*survey.Participant, error) {
	rows, err := db.Raw(participantSelect+query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*survey.Participant
	for rows.Next() {
		var r participantRow
		if err := rows.Scan(&r.ID, &r.SurveyID, &r.Email, &r.FirstName, &r.LastName, &r.Language, &r.Attributes,
			&r.CreatedAt, &r.InvitedAt, &r.Reminders, &r.LastContactAt, &r.OptedOutAt, &r.BouncedAt); err != nil {
			return nil, err
		}
		out = append(out, r.toDomain())
	}
	return out, rows.Err()
}

// FindParticipant implements survey.MailingStore.
func (t *Tables) FindParticipant(ctx context.Context, surveyID, id string, hash survey.ParticipantHash) (*survey.Participant, error) {
	ps, err := t.readParticipants(t.Read.WithContext(ctx), hash, nil, " WHERE p.survey_id = ? AND p.id = ?", surveyID, id)
	if err != nil {
		return nil, t.classify(err, "find participant")
	}
	if len(ps) == 0 {
		return nil, survey.Errorf(survey.ENotFound, "participant %q not found", id)
	}
	return ps[0], nil
}

// FindParticipants implements survey.MailingStore.
func (t *Tables) FindParticipants(ctx context.Context, surveyID string, hash survey.ParticipantHash) ([]*survey.Participant, error) {
	ps, err := t.readParticipants(t.Read.WithContext(ctx), hash, nil, " WHERE p.survey_id = ? ORDER BY p.email", surveyID)
	if err != nil {
		return nil, t.classify(err, "list participants")
	}
	return ps, nil
}

// FindParticipantsPage implements survey.MailingStore: the counts in one
// aggregate query, started and completed by hashing every participant's id
// against the survey's held and spent codes (read once, in the same read
// transaction), and only the page's rows read.
func (t *Tables) FindParticipantsPage(ctx context.Context, surveyID string, offset, limit int, hash survey.ParticipantHash) ([]*survey.Participant, survey.ParticipantCounts, error) {
	var c survey.ParticipantCounts
	var ps []*survey.Participant
	err := t.Read.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		err := db.Raw(`SELECT count(*), count(invited_at), COALESCE(sum(CASE WHEN reminders > 0 THEN 1 ELSE 0 END), 0),
			count(opted_out_at), count(bounced_at) FROM participants WHERE survey_id = ?`, surveyID).
			Row().Scan(&c.Total, &c.Invited, &c.Reminded, &c.OptedOut, &c.Bounced)
		if err != nil || hash == nil {
			return err
		}
		states, err := readCodeStates(db, surveyID, nil)
		if err != nil {
			return err
		}
		if len(states) > 0 {
			if err := countStates(db, surveyID, hash, states, &c); err != nil {
				return err
			}
		}
		ps, err = t.readParticipants(db, hash, states, " WHERE p.survey_id = ? ORDER BY p.email LIMIT ? OFFSET ?", surveyID, limit, offset)
		return err
	})
	if err != nil {
		return nil, c, t.classify(err, "list participants")
	}
	return ps, c, nil
}

// countStates counts the survey's participants whose code is held or
// spent. The ids are scanned by hand, not by gorm's reflection, which
// took longer than hashing them.
func countStates(db *gorm.DB, surveyID string, hash survey.ParticipantHash, states codeStates, c *survey.ParticipantCounts) error {
	rows, err := db.Raw(`SELECT id FROM participants WHERE survey_id = ?`, surveyID).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var id string
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if spent, ok := states[string(hash(surveyID, id))]; ok {
			c.Started++
			if spent {
				c.Completed++
			}
		}
	}
	return rows.Err()
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
func (t *Tables) DeleteParticipant(ctx context.Context, surveyID, id string, codeHash []byte) error {
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
		if err := tx.Where("survey_id = ? AND code_hash = ? AND spent = 0 AND held = 0", surveyID, codeHash).
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
