package ormstore

import (
	"context"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
)

// auditRow is the audit_events table (migrations/0008_accounts.sql).
type auditRow struct {
	ID        int64 `gorm:"primaryKey;autoIncrement:false"`
	At        string
	Actor     string
	Action    string
	Target    string
	Details   string
	RequestID string
	Client    string
	Status    int
	PrevHash  []byte
	Hash      []byte
}

func (auditRow) TableName() string { return "audit_events" }

// AppendAudit implements survey.AuditTrail. The newest row is read and the
// new one written in one transaction that no other append interleaves: on
// SQLite the one writer serialises them; on PostgreSQL the transaction
// first takes the table in EXCLUSIVE mode (readers go on, a second
// appender waits), since two appends reading the same newest row would
// fork the chain.
func (t *Tables) AppendAudit(ctx context.Context, e *survey.AuditEvent) error {
	if err := t.writable(); err != nil {
		return err
	}
	var id int64
	var prev, hash []byte
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("LOCK TABLE audit_events IN EXCLUSIVE MODE").Error; err != nil {
				return err
			}
		}
		var last auditRow
		res := tx.Order("id DESC").Limit(1).Find(&last)
		if res.Error != nil {
			return res.Error
		}
		id = 1
		prev = nil
		if res.RowsAffected > 0 {
			id, prev = last.ID+1, last.Hash
		}
		ev := *e
		ev.ID = id
		hash = survey.AuditHash(prev, &ev)
		return tx.Create(&auditRow{ID: id, At: FormatTime(e.At), Actor: e.Actor, Action: e.Action, Target: e.Target,
			Details: e.Details, RequestID: e.RequestID, Client: e.Client, Status: e.Status, PrevHash: prev, Hash: hash}).Error
	})
	if err = t.finishWrite(err); err != nil {
		return t.classify(err, "append audit event")
	}
	e.ID, e.PrevHash, e.Hash = id, prev, hash
	return nil
}

// auditBatch is how many rows ScanAudit reads per query: the trail may be
// long, and memory stays bounded by the batch.
const auditBatch = 500

// ScanAudit implements survey.AuditTrail.
func (t *Tables) ScanAudit(ctx context.Context, f survey.AuditFilter, fn func(*survey.AuditEvent) error) error {
	after, left := f.AfterID, f.Limit
	for {
		q := t.Read.WithContext(ctx).Model(&auditRow{}).Where("id > ?", after)
		if f.Actor != "" {
			q = q.Where("actor = ?", f.Actor)
		}
		if f.Action != "" {
			q = q.Where("action = ?", f.Action)
		}
		if !f.Since.IsZero() {
			q = q.Where("at >= ?", FormatTime(f.Since))
		}
		if !f.Until.IsZero() {
			q = q.Where("at < ?", FormatTime(f.Until))
		}
		n := auditBatch
		if f.Limit > 0 && left < n {
			n = left
		}
		var rows []auditRow
		if err := q.Order("id").Limit(n).Find(&rows).Error; err != nil {
			return t.classify(err, "scan audit trail")
		}
		for i := range rows {
			r := &rows[i]
			e := survey.AuditEvent{ID: r.ID, At: ParseTime(r.At), Actor: r.Actor, Action: r.Action, Target: r.Target,
				Details: r.Details, RequestID: r.RequestID, Client: r.Client, Status: r.Status, PrevHash: r.PrevHash, Hash: r.Hash}
			if err := fn(&e); err != nil {
				return err
			}
			after = r.ID
		}
		if f.Limit > 0 {
			left -= len(rows)
			if left <= 0 {
				return nil
			}
		}
		if len(rows) < n {
			return nil
		}
	}
}
