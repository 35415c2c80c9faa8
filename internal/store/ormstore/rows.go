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

// ProgressColumns are ResponseColumns and what ReadProgress reads after them.
const ProgressColumns = ResponseColumns + `, sealed_code, updated_at`

// RowScanner is a *sql.Row or *sql.Rows.
type RowScanner interface{ Scan(...any) error }

// ScanResponse reads one row of ResponseColumns, with its seq.
func ScanResponse(sc RowScanner) (*survey.Response, int64, error) {
	var (
		r         survey.Response
		seq       int64
		answers   string
		started   string
		submitted sql.NullString
		test      int
		pageTimes string
	)
	if err := sc.Scan(&seq, &r.ID, &r.SurveyID, &r.InstrumentKey, &r.InstrumentVersion, &r.Status, &answers, &r.Digest, &started, &submitted, &test, &r.Language, &pageTimes); err != nil {
		return nil, 0, err
	}
	var err error
	if r.PageTimes, err = survey.ParsePageTimes(pageTimes); err != nil {
		return nil, 0, fmt.Errorf("response %s: stored page times: %w", r.ID, err)
	}
	r.Test = test != 0
	// The web form reads its response back on every page: the stored
	// shape is read directly (survey.EachCanonicalAnswer, as exports do),
	// with encoding/json only for anything else.
	// The map is sized by the answers' count, taken as one more than the
	// `,"` that separate them (text holding `,"` only makes it larger):
	// a response in progress has few answers on its first pages, and a
	// map made for 32 was the largest allocation of a web journey.
	b := []byte(answers)
	r.Answers = make(survey.Answers, 1+bytes.Count(b, []byte(`,"`)))
	if !survey.EachCanonicalAnswer(b, func(id []byte, v survey.Value) { r.Answers[string(id)] = v }) {
		r.Answers = nil
		if err := json.Unmarshal([]byte(answers), &r.Answers); err != nil {
			return nil, 0, fmt.Errorf("response %s: stored answers: %w", r.ID, err)
		}
	}
	r.StartedAt = ParseTime(started)
	if submitted.Valid {
		r.SubmittedAt = ParseTimePtr(&submitted.String)
	}
	return &r, seq, nil
}

// ReadProgress reads one row of ProgressColumns: the web form's response,
// ENotFound when there is none.
func (t *Tables) ReadProgress(row *sql.Row) (*survey.Progress, error) {
	var (
		p       survey.Progress
		sealed  []byte
		updated sql.NullString
	)
	r, _, err := ScanResponse(scanTail{row, []any{&sealed, &updated}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENotFound, "no response to resume with this link")
	}
	if err != nil {
		return nil, t.classify(err, "find response in progress")
	}
	p.Response = *r
	if len(sealed) > 0 {
		p.SealedCode = sealed
	}
	if updated.Valid {
		p.UpdatedAt = ParseTime(updated.String)
	}
	return &p, nil
}

// scanTail scans the columns ScanResponse knows, then the extra ones.
type scanTail struct {
	sc    RowScanner
	extra []any
}

func (t scanTail) Scan(dst ...any) error { return t.sc.Scan(append(dst, t.extra...)...) }

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
