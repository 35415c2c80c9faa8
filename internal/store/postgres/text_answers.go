package postgres

import (
	"context"
	"fmt"

	"github.com/dyad-survey/dyad/internal/survey"
)

// FindTextAnswers implements survey.Store. The answers column is text
// (migrations/postgres/0001_init.sql); the query casts it to jsonb to pick
// the one answer out of each row, so only the texts cross into Go. The
// search is done here rather than in SQL, as on SQLite, so that both
// engines fold case the same way (Go's Unicode rules), whatever the
// database's collation.
func (s *Store) FindTextAnswers(ctx context.Context, f survey.TextAnswerFilter) ([]survey.TextAnswer, int64, error) {
	q := `SELECT seq, id, status, submitted_at, a ->> $1 FROM responses, LATERAL (SELECT answers::jsonb AS a) j
		WHERE survey_id = $2 AND seq > $3 AND jsonb_typeof(a -> $1) = 'string'`
	args := []any{f.ItemID, f.SurveyID, f.After}
	if f.Status != "" {
		args = append(args, f.Status)
		q += fmt.Sprintf(` AND status = $%d`, len(args))
	}
	if !f.IncludeTest {
		q += ` AND test = 0` // responses made in test mode are left out unless asked for
	}
	if f.By != "" {
		args = append(args, f.By)
		if f.ByValue != nil {
			args = append(args, *f.ByValue)
			q += fmt.Sprintf(` AND jsonb_typeof(a -> $%d) = 'number' AND (a -> $%d)::numeric = $%d::bigint`, len(args)-1, len(args)-1, len(args))
		} else {
			q += fmt.Sprintf(` AND NOT a ? $%d`, len(args))
		}
	}
	q += ` ORDER BY seq`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, classify(err, "list text answers")
	}
	return s.ReadTextAnswers(rows, f)
}
