package ormstore

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dyad-survey/dyad/internal/survey"
)

// ResponseColumns are the responses columns ScanResponse reads, in its
// order; every driver's hand-written queries select them.
const ResponseColumns = `seq, id, survey_id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at, test, language, page_times`

// ProgressColumns are the responses columns ReadProgress reads, in its
// order: ResponseColumns without what the web form has no use for or
// knows already (seq; survey_id, which its query matches), and with the
// progress columns. The web form reads one on every request, and with
// the SQLite driver every column read costs allocations (its name and
// declared type, per query) whether it is used or not.
const ProgressColumns = `id, instrument_key, instrument_version, status, answers, digest, started_at, submitted_at, test, language, page_times, sealed_code, updated_at`

// RowScanner is a *sql.Row or *sql.Rows.
type RowScanner interface{ Scan(...any) error }

// responseCols is where one row of ResponseColumns is scanned before it
// becomes a survey.Response. The web form reads its response back on every
// request: as one struct, every column Scan is given costs one allocation
// together, where a local variable per column cost one each.
type responseCols struct {
	seq       int64
	answers   string
	started   string
	submitted sql.NullString
	test      int
	pageTimes string
}

// dest lists where the columns go, in ResponseColumns' order, into dst.
func (c *responseCols) dest(r *survey.Response, dst []any) []any {
	return append(dst, &c.seq, &r.ID, &r.SurveyID, &r.InstrumentKey, &r.InstrumentVersion, &r.Status, &c.answers, &r.Digest, &c.started, &c.submitted, &c.test, &r.Language, &c.pageTimes)
}

// ScanResponse reads one row of ResponseColumns, with its seq.
func ScanResponse(sc RowScanner) (*survey.Response, int64, error) {
	var (
		r   = new(survey.Response)
		c   = new(responseCols)
		dst [13]any
	)
	if err := sc.Scan(c.dest(r, dst[:0])...); err != nil {
		return nil, 0, err
	}
	if err := c.decode(r); err != nil {
		return nil, 0, err
	}
	return r, c.seq, nil
}

// decode fills what r takes from the columns scanned into c.
func (c *responseCols) decode(r *survey.Response) error {
	var err error
	if r.PageTimes, err = survey.ParsePageTimes(c.pageTimes); err != nil {
		return fmt.Errorf("response %s: stored page times: %w", r.ID, err)
	}
	r.Test = c.test != 0
	// The web form reads its response back on every page: the stored
	// shape is read directly, its ids and texts kept in the string the
	// driver gave (survey.DecodeCanonicalAnswers), with encoding/json only
	// for anything else.
	var ok bool
	if r.Answers, ok = survey.DecodeCanonicalAnswers(c.answers); !ok {
		r.Answers = nil
		if err := json.Unmarshal([]byte(c.answers), &r.Answers); err != nil {
			return fmt.Errorf("response %s: stored answers: %w", r.ID, err)
		}
	}
	r.StartedAt = ParseTime(c.started)
	if c.submitted.Valid {
		r.SubmittedAt = ParseTimePtr(&c.submitted.String)
	}
	return nil
}

// progressRow is one row of ProgressColumns as ReadProgress scans it:
// the Progress it returns and every column's destination in a single
// allocation (Scan's arguments included), since the web form reads one
// on every request.
type progressRow struct {
	p       survey.Progress
	c       responseCols
	sealed  []byte
	updated sql.NullString
	dst     [13]any
}

// ReadProgress reads one row of ProgressColumns, of the survey surveyID
// (the one its query asked for): the web form's response, ENotFound when
// there is none.
func (t *Tables) ReadProgress(row RowScanner, surveyID string) (*survey.Progress, error) {
	x := new(progressRow)
	err := row.Scan(x.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENotFound, "no response to resume with this link")
	}
	if err != nil {
		return nil, t.classify(err, "find response in progress")
	}
	return t.finishProgress(x, surveyID)
}

// dest lists where the columns of ProgressColumns go, in its order.
func (x *progressRow) dest() []any {
	r := &x.p.Response
	x.dst = [...]any{&r.ID, &r.InstrumentKey, &r.InstrumentVersion, &r.Status, &x.c.answers, &r.Digest, &x.c.started, &x.c.submitted, &x.c.test, &r.Language, &x.c.pageTimes, &x.sealed, &x.updated}
	return x.dst[:]
}

// finishProgress decodes what x's scan left undecoded.
func (t *Tables) finishProgress(x *progressRow, surveyID string) (*survey.Progress, error) {
	r := &x.p.Response
	r.SurveyID = surveyID
	if err := x.c.decode(r); err != nil {
		return nil, t.classify(err, "find response in progress")
	}
	if len(x.sealed) > 0 {
		x.p.SealedCode = x.sealed
	}
	if x.updated.Valid {
		x.p.UpdatedAt = ParseTime(x.updated.String)
	}
	// The scan's scratch (x.c, x.dst) lives as long as the Progress: a few
	// words more, where freeing it apart would cost an allocation.
	return &x.p, nil
}

// ProgressRecord is one row of ProgressColumns as ReadProgress scans it,
// not yet decoded: what the SQLite store keeps of a response in progress
// right after writing it (its progress cache), to be decoded into a new
// Progress by ProgressOf each time it is read. Nothing changes it once
// made, so one record may be decoded by many goroutines at once.
type ProgressRecord struct{ x progressRow }

// ProgressValues are the columns of a row of ProgressColumns as Go values,
// as a store binds them when it writes the row.
type ProgressValues struct {
	ID, InstrumentKey string
	InstrumentVersion int
	Status, Answers   string
	Digest            []byte
	StartedAt         string
	SubmittedAt       *string // NULL when nil
	Test              int
	Language          string
	PageTimes         string
	SealedCode        []byte // NULL when empty
	UpdatedAt         *string
}

// NewProgressRecord is the record ReadProgress would scan from a row
// holding v (the byte slices copied).
func NewProgressRecord(v ProgressValues) *ProgressRecord {
	rec := new(ProgressRecord)
	x := &rec.x
	x.p.ID, x.p.InstrumentKey, x.p.InstrumentVersion, x.p.Status = v.ID, v.InstrumentKey, v.InstrumentVersion, v.Status
	x.p.Digest = bytes.Clone(v.Digest)
	x.p.Language = v.Language
	x.c.answers, x.c.started, x.c.test, x.c.pageTimes = v.Answers, v.StartedAt, v.Test, v.PageTimes
	if v.SubmittedAt != nil {
		x.c.submitted = sql.NullString{String: *v.SubmittedAt, Valid: true}
	}
	if len(v.SealedCode) > 0 {
		x.sealed = bytes.Clone(v.SealedCode)
	}
	if v.UpdatedAt != nil {
		x.updated = sql.NullString{String: *v.UpdatedAt, Valid: true}
	}
	return rec
}

// Saved is rec after a page save that set answers, digest, updated_at and
// page_times to these values and the language to language unless it is
// empty (the save's UPDATE, in each engine's SQL).
func (rec *ProgressRecord) Saved(answers string, digest []byte, updatedAt, language, pageTimes string) *ProgressRecord {
	out := &ProgressRecord{x: progressRow{p: rec.x.p, c: rec.x.c, sealed: rec.x.sealed, updated: rec.x.updated}}
	x := &out.x
	x.c.answers, x.c.pageTimes = answers, pageTimes
	x.p.Digest = bytes.Clone(digest)
	x.updated = sql.NullString{String: updatedAt, Valid: true}
	if language != "" {
		x.p.Language = language
	}
	return out
}

// Completed is rec after the completion's UPDATE (in each engine's SQL):
// status complete; answers, digest and page_times set to these values;
// submitted_at and updated_at both to submittedAt (NULL when nil); the
// sealed code cleared; the language set to language unless it is empty.
func (rec *ProgressRecord) Completed(answers string, digest []byte, submittedAt *string, language, pageTimes string) *ProgressRecord {
	out := rec.Saved(answers, digest, "", language, pageTimes)
	x := &out.x
	x.p.Status = survey.ResponseComplete
	x.c.submitted, x.updated = sql.NullString{}, sql.NullString{}
	if submittedAt != nil {
		x.c.submitted = sql.NullString{String: *submittedAt, Valid: true}
		x.updated = x.c.submitted
	}
	x.sealed = nil
	return out
}

// Complete reports whether the record is of a complete response.
func (rec *ProgressRecord) Complete() bool { return rec.x.p.Status == survey.ResponseComplete }

// Size is about the bytes the record holds, for a cache's bound.
func (rec *ProgressRecord) Size() int {
	x := &rec.x
	return 256 + len(x.c.answers) + len(x.c.pageTimes) + len(x.c.started) + len(x.c.submitted.String) +
		len(x.p.ID) + len(x.p.InstrumentKey) + len(x.p.Status) + len(x.p.Language) + len(x.p.Digest) + len(x.sealed) + len(x.updated.String)
}

// ProgressOf decodes rec into a new Progress of the survey surveyID, as
// ReadProgress would have decoded the row: the same scanned values (the
// byte slices copied, so that nothing the caller does reaches rec) and
// the same decoding.
func (t *Tables) ProgressOf(rec *ProgressRecord, surveyID string) (*survey.Progress, error) {
	x := new(progressRow)
	x.p.Response = rec.x.p.Response // the scanned columns; the rest is zero until finishProgress
	x.p.Digest = bytes.Clone(rec.x.p.Digest)
	x.c = rec.x.c // strings and integers
	x.sealed = bytes.Clone(rec.x.sealed)
	x.updated = rec.x.updated
	return t.finishProgress(x, surveyID)
}

// ReadResponses reads a page of ResponseColumns rows, in seq order, as each
// driver's FindResponses query returns them, and the cursor of the last
// one (after when the page is empty).
func (t *Tables) ReadResponses(rows *sql.Rows, after int64) ([]*survey.Response, int64, error) {
	defer rows.Close()
	var out []*survey.Response
	last := after
	for rows.Next() {
		r, seq, err := ScanResponse(rows)
		if err != nil {
			return nil, 0, t.classify(err, "read response")
		}
		out = append(out, r)
		last = seq
	}
	if err := rows.Err(); err != nil {
		return nil, 0, t.classify(err, "list responses")
	}
	return out, last, nil
}

// AnswersText is the stored JSON of a response's answers: the canonical
// bytes as received when the caller has them, else Answers.Canonical().
func AnswersText(r *survey.Response) string {
	if r.AnswersJSON != nil {
		return string(r.AnswersJSON)
	}
	return string(r.Answers.Canonical())
}
