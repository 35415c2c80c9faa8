package sample

import (
	"math/rand/v2"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// ExportAnswers generates a plausible complete response to a form, the
// shape of the rows the export tests and benchmarks fill a database with
// (internal/export/exporttest): every shown item answered as a physician
// might (Likert answers leaning to one side, conditional items only when
// shown), and each optional free-text item answered one time in four with
// 40 to 400 characters that include line breaks now and then, which the
// CSV writer must quote.
//
// It is kept apart from Answers, whose respondents have a latent attitude
// per subscale for the statistics: the export figures in
// docs/performance.md (rows per second, bytes per row, file sizes) were
// measured on these rows, and stay comparable only while the rows stay
// the same for a seed.
func ExportAnswers(f *survey.Form, rng *rand.Rand) survey.Answers {
	a := survey.Answers{}
	lean := rng.IntN(3) - 1
	for _, it := range f.Items() {
		if !f.IsShown(it.ID, a) {
			continue
		}
		opts := f.Options(it.ID)
		switch it.Type {
		case survey.Likert:
			i := len(opts)/2 + lean + rng.IntN(3) - 1
			i = max(0, min(len(opts)-1, i))
			a[it.ID] = survey.IntVal(opts[i].Value)
		case survey.SingleChoice:
			if !it.Required && rng.IntN(10) == 0 {
				continue
			}
			a[it.ID] = survey.IntVal(opts[rng.IntN(len(opts))].Value)
		case survey.MultipleChoice:
			var vals []int64
			for _, o := range opts {
				if rng.IntN(3) == 0 {
					vals = append(vals, o.Value)
				}
			}
			if len(vals) == 0 && it.Required {
				vals = append(vals, opts[0].Value)
			}
			a[it.ID] = survey.ListVal(standAlone(opts, vals)...)
		case survey.Integer:
			lo, hi := int64(0), int64(100)
			if it.Min != nil {
				lo = *it.Min
			}
			if it.Max != nil {
				hi = *it.Max
			}
			a[it.ID] = survey.IntVal(lo + rng.Int64N(hi-lo+1))
		case survey.Text:
			if !it.Required && rng.IntN(4) != 0 {
				continue
			}
			a[it.ID] = survey.TextVal(lineText(rng, min(it.TextLimit(), 40+rng.IntN(361))))
		default:
			if v, ok := newTypeValue(it, rng.Int64N); ok {
				a[it.ID] = v
			}
		}
	}
	return a
}

var words = strings.Fields(`the patient said that notes take time away from the consultation and an AI scribe
could help, but "trust" matters: I worry about errors, bias, privacy; empathy cannot be automated.
Sometimes — rarely — it works well, e.g. for letters, summaries, translation & follow-up.`)

// lineText makes up to n characters of words, with a line break now and
// then.
func lineText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			if rng.IntN(12) == 0 {
				b.WriteString("\n")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(words[rng.IntN(len(words))])
	}
	s := []rune(b.String())
	return strings.TrimSpace(string(s[:min(len(s), n)]))
}
