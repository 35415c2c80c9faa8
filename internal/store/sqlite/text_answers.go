package sqlite

import (
	"context"

	"github.com/dyad-survey/dyad/internal/survey"
)

// FindTextAnswers implements survey.Store. SQLite's JSON functions pick
// the one answer out of each row, so only the texts cross into Go; the
// search is done here rather than in SQL because SQLite's lower() folds
// ASCII only, and "ÄRZTE" must find "ärzte".
func (s *Store) FindTextAnswers(ctx context.Context, f survey.TextAnswerFilter) ([]survey.TextAnswer, int64, error) {
	// Item ids are [a-z][a-z0-9_]*; quoting the key keeps the path exact
	// whatever it holds.
	path := `$."` + f.ItemID + `"`
	q := `SELECT seq, id, status, submitted_at, json_extract(answers, ?) FROM responses
		WHERE survey_id = ? AND seq > ? AND json_type(answers, ?) = 'text'`
	args := []any{path, f.SurveyID, f.After, path}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if !f.IncludeTest {
		q += ` AND test = 0` // responses made in test mode are left out unless asked for
	}
	if f.By != "" {
		byPath := `$."` + f.By + `"`
		if f.ByValue != nil {
			q += ` AND json_extract(answers, ?) = ?`
			args = append(args, byPath, *f.ByValue)
		} else {
			q += ` AND json_type(answers, ?) IS NULL`
			args = append(args, byPath)
		}
	}
	q += ` ORDER BY seq`
	rows, err := s.readSQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, classify(err, "list text answers")
	}
	return s.ReadTextAnswers(rows, f)
}
