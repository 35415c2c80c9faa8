package sample

import "github.com/dyad-survey/dyad/internal/survey"

// Fixed answers every shown item of the form the same way on every call,
// for tests that compare what was sent with what was stored or shown:
// items in given take that value (shown or not: a test sets a branch this
// way), a Likert or single-choice item at position i of the form takes
// option i modulo its options, a multiple-choice item its first and last
// options, an integer 12, a text item text(item id), and an attention
// check the answer it asks for (so a fixed response is never flagged).
func Fixed(f *survey.Form, given survey.Answers, text func(itemID string) string) survey.Answers {
	a := survey.Answers{}
	for i, it := range f.Items() {
		if v, ok := given[it.ID]; ok {
			a[it.ID] = v
			continue
		}
		if !f.Shown(a)[it.ID] {
			continue
		}
		if it.Attention != nil {
			a[it.ID] = survey.IntVal(it.Attention.Expect)
			continue
		}
		opts := f.Options(it.ID)
		switch it.Type {
		case survey.Likert, survey.SingleChoice:
			a[it.ID] = survey.IntVal(opts[i%len(opts)].Value)
		case survey.MultipleChoice:
			a[it.ID] = survey.ListVal(standAlone(opts, []int64{opts[0].Value, opts[len(opts)-1].Value})...)
		case survey.Integer:
			a[it.ID] = survey.IntVal(12)
		case survey.Text:
			a[it.ID] = survey.TextVal(text(it.ID))
		default:
			if v, ok := newTypeValue(it, func(k int64) int64 { return int64(i) % k }); ok {
				a[it.ID] = v
			}
		}
	}
	return a
}
