package psychometrics

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/dyad-survey/dyad/internal/survey"
)

// scanData streams the responses f selects into a matrix of the items'
// scored values (survey.Form.ItemScore: reverse-keyed items reversed),
// NaN where an item is not answered. Like stats.Builder.Scan it asks for
// the answers as stored and reads them with survey.EachCanonicalAnswer,
// no map per response, falling back to encoding/json for anything else;
// only the matrix grows with the responses (4 bytes a cell, see Data).
func scanData(ctx context.Context, sc survey.ResponseScanner, f survey.ExportFilter, form *survey.Form, items []*survey.Item) (*Data, error) {
	ids := make([]string, len(items))
	at := make(map[string]int, len(items))
	// A scored value is offset + slope × answer: two probes of ItemScore
	// keep the reversal rule in package survey.
	offset, slope := make([]float64, len(items)), make([]float64, len(items))
	for j, it := range items {
		ids[j] = it.ID
		at[it.ID] = j
		s0, _ := form.ItemScore(it.ID, survey.Answers{it.ID: survey.IntVal(0)})
		s1, _ := form.ItemScore(it.ID, survey.Answers{it.ID: survey.IntVal(1)})
		offset[j], slope[j] = s0, s1-s0
	}
	d := NewData(ids)
	row := make([]float64, len(items))
	answers := survey.Answers{}
	fromMap := func(a survey.Answers) {
		for j, id := range ids {
			if v, ok := form.ItemScore(id, a); ok {
				row[j] = v
			}
		}
	}
	f.RawAnswers = true
	err := sc.ScanResponses(ctx, f, func(r *survey.Response) error {
		for j := range row {
			row[j] = math.NaN()
		}
		switch {
		case len(r.AnswersJSON) == 0:
			fromMap(r.Answers) // a scanner that decoded them anyway
		case survey.EachCanonicalAnswer(r.AnswersJSON, func(id []byte, v survey.Value) {
			if j, ok := at[string(id)]; ok && v.Kind == survey.IntValue {
				row[j] = offset[j] + slope[j]*float64(v.Int)
			}
		}):
		default:
			for j := range row {
				row[j] = math.NaN()
			}
			clear(answers)
			if err := json.Unmarshal(r.AnswersJSON, &answers); err != nil {
				return fmt.Errorf("response %s: stored answers: %w", r.ID, err)
			}
			fromMap(answers)
		}
		d.Add(row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
