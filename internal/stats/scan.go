package stats

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Scan adds every response that f selects, streamed from sc: the one way
// a report is computed from the store, shared by the statistics API and
// the researcher dashboard. Add keeps nothing of the response it is given,
// so the scanner may reuse it (and decode the next one on its own
// goroutine while this one counts).
//
// Scan asks for the answers as stored (f.RawAnswers) and reads them into
// slots by item position, reused from one response to the next, then
// counts them with AddValues: no map per response, and no copy of the
// free texts beyond what the decoder makes. Answers the fast decoder
// declines go through encoding/json and Add, as the store would have
// decoded them (and stored answers that are not JSON at all fail the scan,
// as they did in the store); answers a scanner decoded into r.Answers
// despite RawAnswers are counted with Add. Either way the counts are
// those of Add.
func (b *Builder) Scan(ctx context.Context, sc survey.ResponseScanner, f survey.ExportFilter) error {
	f.RawAnswers = true
	rd := newSlotReader(b.form)
	return sc.ScanResponses(ctx, f, func(r *survey.Response) error {
		if len(r.AnswersJSON) == 0 && len(r.Answers) > 0 {
			b.Add(r) // a scanner that decoded them anyway
			return nil
		}
		if rd.read(r.AnswersJSON) {
			b.AddValues(r, rd.vals, rd.shown)
			return nil
		}
		// Not the stored shape: decode as the store's fallback does.
		clear(rd.answers)
		if err := json.Unmarshal(r.AnswersJSON, &rd.answers); err != nil {
			return fmt.Errorf("response %s: stored answers: %w", r.ID, err)
		}
		saved := r.Answers
		r.Answers = rd.answers
		b.Add(r)
		r.Answers = saved
		return nil
	})
}

// slotReader reads stored answers into values by form position.
type slotReader struct {
	form    *survey.Form
	at      map[string]int // item id -> position
	vals    []survey.Value
	lists   [][]int64 // reused for list answers, by position
	shown   []bool
	answers survey.Answers // for the encoding/json fallback
	keep    []bool         // by position: texts the counts read (number, date)
}

func newSlotReader(f *survey.Form) *slotReader {
	items := f.Items()
	rd := &slotReader{form: f, at: make(map[string]int, len(items)),
		vals: make([]survey.Value, len(items)), lists: make([][]int64, len(items)),
		answers: survey.Answers{}}
	for i, it := range items {
		rd.at[it.ID] = i
		if it.Type == survey.Number || it.Type == survey.DateItem {
			if rd.keep == nil {
				rd.keep = make([]bool, len(items))
			}
			rd.keep[i] = true
		}
	}
	return rd
}

// read decodes an answers object of the stored shape into rd.vals and
// rd.shown, and reports whether it could (readCounted declines exactly what
// survey.EachCanonicalAnswer declines). Answers to ids the form does not have are
// skipped, as Add skips them.
func (rd *slotReader) read(js []byte) bool {
	clear(rd.vals)
	if !readCountedKeep(js, rd.at, rd.vals, rd.lists, rd.keep) {
		return false
	}
	rd.shown = rd.form.ShownByPosition(rd.vals, rd.shown)
	return true
}
