package survey

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"
)

// The audit trail. Every researcher action that reads or changes study
// data is one row, appended and never changed: who (Actor), when, what
// (Action, Target, Details: the route's parameters and filters, never an
// answer, a code or a token), the request id, the client address and the
// answer's status.
//
// Tamper evidence: each row carries the hash of the row before it
// (PrevHash) and its own hash over its fields and PrevHash (AuditHash).
// Editing a row changes its hash, which no longer matches the row's
// stored Hash or the next row's PrevHash; deleting a row leaves the next
// row's PrevHash pointing at nothing, and a gap in the ids. VerifyAudit
// walks the chain and names the first row that breaks it. What a chain
// cannot show alone is the removal of the newest rows: the chain that is
// left is intact. Copying the newest hash elsewhere from time to time
// (dyad audit verify prints it) closes that gap; docs/security.md says so.

// AuditEvent is one row of the audit trail.
type AuditEvent struct {
	ID        int64 // assigned by the store, increasing
	At        time.Time
	Actor     string // "user:<id> <email>", "researcher" (the bootstrap token) or "anonymous"
	Action    string // such as "export.download", "auth.sign_in_failed"
	Target    string // the route's subject: "survey:abc123", "user:4"
	Details   string // filters and parameters, as a query string
	RequestID string
	Client    string // the client address (see docs/security.md)
	Status    int    // the HTTP status answered
	PrevHash  []byte
	Hash      []byte
}

// AuditFilter selects audit rows; zero fields select everything.
type AuditFilter struct {
	Actor  string
	Action string
	Since  time.Time
	Until  time.Time
	// AfterID pages: only rows with a larger id.
	AfterID int64
	// Limit bounds the rows returned; 0 means no bound.
	Limit int
}

// AuditTrail is the append-only store of AuditEvents.
type AuditTrail interface {
	// AppendAudit stores e after the newest row: it sets e.ID, e.PrevHash
	// (the newest row's Hash, or nil for the first row) and e.Hash
	// (AuditHash), in one transaction that no other append interleaves.
	AppendAudit(ctx context.Context, e *AuditEvent) error
	// ScanAudit calls fn for each row the filter selects, by increasing
	// id, with the stored hashes as they are; an error from fn stops the
	// scan and is returned.
	ScanAudit(ctx context.Context, f AuditFilter, fn func(*AuditEvent) error) error
}

// AuditHash is the SHA-256 of e's fields and prev, each length-prefixed so
// that no two different rows encode alike. Times are hashed at the
// microsecond the stores keep.
func AuditHash(prev []byte, e *AuditEvent) []byte {
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte("dyad audit v1"))
	field(prev)
	field([]byte(strconv.FormatInt(e.ID, 10)))
	field([]byte(e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)))
	for _, s := range []string{e.Actor, e.Action, e.Target, e.Details, e.RequestID, e.Client, strconv.Itoa(e.Status)} {
		field([]byte(s))
	}
	return h.Sum(nil)
}

// AuditReport is the outcome of VerifyAudit.
type AuditReport struct {
	Rows int64
	// Head is the newest row's hash: kept elsewhere, it lets a later check
	// notice the removal of rows after it.
	Head []byte
	// BadID is the first row that breaks the chain, 0 if none; Problem
	// says how.
	BadID   int64
	Problem string
}

// VerifyAudit walks the whole trail and reports the first row whose
// stored hash is not its computed hash, whose PrevHash is not the hash of
// the row before it, or whose id does not follow the one before (a row
// was deleted).
func VerifyAudit(ctx context.Context, t AuditTrail) (AuditReport, error) {
	var r AuditReport
	var prev []byte
	var prevID int64
	errStop := fmt.Errorf("stop")
	err := t.ScanAudit(ctx, AuditFilter{}, func(e *AuditEvent) error {
		switch {
		case prevID != 0 && e.ID != prevID+1:
			r.Problem = fmt.Sprintf("row %d follows row %d: rows between them were deleted", e.ID, prevID)
		case !bytes.Equal(e.PrevHash, prev):
			r.Problem = fmt.Sprintf("row %d does not carry the hash of the row before it: that row was changed or deleted", e.ID)
		case !bytes.Equal(e.Hash, AuditHash(prev, e)):
			r.Problem = fmt.Sprintf("row %d does not match its hash: it was changed", e.ID)
		}
		if r.Problem != "" {
			r.BadID = e.ID
			return errStop
		}
		r.Rows++
		prev, prevID = e.Hash, e.ID
		return nil
	})
	if err != nil && err != errStop {
		return r, err
	}
	r.Head = prev
	return r, nil
}
