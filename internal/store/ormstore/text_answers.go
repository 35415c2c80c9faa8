package ormstore

import (
	"database/sql"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// ReadTextAnswers pages through rows of (seq, response id, status,
// submitted_at, text), in seq order, as each driver's FindTextAnswers query
// returns them: it keeps the non-empty texts that contain f.Query (ignoring
// case by Go's Unicode rules, the same on every engine, whatever SQL's
// lower() or the collation would do), at most f.Limit of them, and returns
// the cursor of the next page (0 when there is none). The engines differ
// only in how their SQL picks the one answer out of a row.
func (t *Tables) ReadTextAnswers(rows *sql.Rows, f survey.TextAnswerFilter) ([]survey.TextAnswer, int64, error) {
	defer rows.Close()
	needle := strings.ToLower(f.Query)
	out := []survey.TextAnswer{}
	var last int64
	for rows.Next() {
		var (
			seq       int64
			a         survey.TextAnswer
			submitted sql.NullString
		)
		if err := rows.Scan(&seq, &a.ResponseID, &a.Status, &submitted, &a.Text); err != nil {
			return nil, 0, t.classify(err, "list text answers")
		}
		if a.Text == "" || (needle != "" && !strings.Contains(strings.ToLower(a.Text), needle)) {
			continue
		}
		if len(out) == f.Limit {
			return out, last, nil // one more matches: there is a next page
		}
		if submitted.Valid {
			a.SubmittedAt = ParseTimePtr(&submitted.String)
		}
		out = append(out, a)
		last = seq
	}
	if err := rows.Err(); err != nil {
		return nil, 0, t.classify(err, "list text answers")
	}
	return out, 0, nil
}
