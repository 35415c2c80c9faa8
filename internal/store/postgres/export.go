package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// ScanResponses implements survey.ResponseScanner: one SELECT, in seq
// order, read row by row. One statement is one snapshot in PostgreSQL, and
// pgx reads the result from the connection as it is consumed, not all at
// once, so memory stays flat at any size: one Response and one Answers map
// are reused for every row, and the answers' stored bytes are decoded
// (or, with RawAnswers, copied) into them without a map per row.
//
// A large export holds one connection and its snapshot for its duration;
// that keeps old row versions from being vacuumed meanwhile, which is the
// price of a consistent export and no worse than a pg_dump.
func (s *Store) ScanResponses(ctx context.Context, f survey.ExportFilter, fn func(*survey.Response) error) error {
	q := `SELECT id, instrument_key, instrument_version, status, answers, started_at, submitted_at, language, page_times
		FROM responses WHERE survey_id = $1`
	args := []any{f.SurveyID}
	if f.Status != "" {
		args = append(args, f.Status)
		q += fmt.Sprintf(` AND status = $%d`, len(args))
	}
	if !f.IncludeTest {
		q += ` AND test = 0` // responses made in test mode are left out unless asked for
	}
	// Timestamps are fixed-width UTC text, so text order is time order.
	if f.Since != nil {
		args = append(args, formatTime(*f.Since))
		q += fmt.Sprintf(` AND submitted_at >= $%d`, len(args))
	}
	if f.Until != nil {
		args = append(args, formatTime(*f.Until))
		q += fmt.Sprintf(` AND submitted_at < $%d`, len(args))
	}
	q += ` ORDER BY seq`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return classify(err, "export responses")
	}
	defer rows.Close()

	var (
		r         = survey.Response{SurveyID: f.SurveyID, Answers: survey.Answers{}}
		answers   sql.RawBytes
		started   sql.RawBytes
		submitted sql.RawBytes
		language  sql.RawBytes
		pageTimes sql.RawBytes
		pt        survey.PageTimes // reused
		sub       = new(timeHolder)
		keys      = map[string]string{} // item ids, allocated once per export
	)
	for rows.Next() {
		if err := rows.Scan(&r.ID, &r.InstrumentKey, &r.InstrumentVersion, &r.Status, &answers, &started, &submitted, &language, &pageTimes); err != nil {
			return classify(err, "export responses")
		}
		r.StartedAt = parseTime(string(started))
		var err error
		if r.PageTimes, err = survey.DecodePageTimesInto(&pt, pageTimes); err != nil {
			return fmt.Errorf("response %s: stored page times: %w", r.ID, err)
		}
		if string(language) != r.Language { // one string per change, not per row
			r.Language = string(language)
		}
		r.SubmittedAt = nil
		if submitted != nil {
			sub.t = parseTime(string(submitted))
			r.SubmittedAt = &sub.t
		}
		if f.RawAnswers {
			r.AnswersJSON = append(r.AnswersJSON[:0], answers...)
		} else {
			clear(r.Answers)
			ok := survey.EachCanonicalAnswer(answers, func(id []byte, v survey.Value) {
				k, ok := keys[string(id)]
				if !ok {
					k = string(id)
					if len(keys) < maxKeys {
						keys[k] = k
					}
				}
				r.Answers[k] = v
			})
			if !ok {
				clear(r.Answers)
				if err := json.Unmarshal(answers, &r.Answers); err != nil {
					return fmt.Errorf("response %s: stored answers: %w", r.ID, err)
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return ctxErr
		}
		return classify(err, "export responses")
	}
	// database/sql may end the rows quietly when the context is cancelled
	// between rows; a cut-short export must not look complete.
	return ctx.Err()
}

// maxKeys bounds the item ids kept for reuse: an instrument has a few
// dozen, so only corrupt data could reach it.
const maxKeys = 4096

// timeHolder is where the reused Response's SubmittedAt points.
type timeHolder struct{ t time.Time }
