// Package sample is the one home of synthetic responses, for tests,
// benchmarks and the load tool (nothing in the service imports it):
//
//   - Answers: a simulated respondent with a latent attitude per
//     subscale, so answers correlate within a subscale (and reliability
//     statistics have something to find), reverse-keyed items run the
//     other way, skip logic is followed, and free text is about 200
//     characters; an attention check is passed nine times in ten. The
//     load tool, the process tests, the statistics and the dashboard's
//     fixtures use it.
//   - ExportAnswers: complete responses with long, multi-line free text,
//     the rows of the export tests and benchmarks (export.go says why it
//     stays apart).
//   - Fixed: the same answers on every call, for tests that compare what
//     was sent with what was stored.
//
// JSONBody and JSONBodyWithID wrap answers as a public-API submission;
// Study and StudyForm load the shipped study instrument they answer.
package sample

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

var phrases = []string{
	"Documentation takes most of my evening, and an ambient scribe would give that time back to patients.",
	"Patients sometimes say things in passing that matter; a summary tool might miss the tone.",
	"I worry that \"efficiency\" becomes the goal instead of the relationship, even if the notes improve.",
	"Shared decisions need the patient's values, which a recommendation engine does not know.",
	"Telling patients when AI is used seems essential to keep their trust — trust is the treatment.",
	"Empathy is not only words; it is presence, silence and timing, which no chatbot offers.",
	"In our clinic, translation support has already reduced misunderstandings with families.",
}

// Answers answers every shown item of the form as one respondent would.
// Text items get a sentence of about 200 characters; optional items are
// answered about four times in five.
func Answers(f *survey.Form, rng *rand.Rand) survey.Answers {
	latent := map[string]float64{}
	a := survey.Answers{}
	for _, it := range f.Items() {
		if !f.IsShown(it.ID, a) {
			continue
		}
		if !it.IsRequired() && rng.IntN(5) == 0 {
			continue
		}
		if it.Attention != nil && rng.IntN(10) != 0 {
			// Most respondents read the check and pass it; one in ten
			// answers it like any other item and is flagged.
			a[it.ID] = survey.IntVal(it.Attention.Expect)
			continue
		}
		opts := f.Options(it.ID)
		switch it.Type {
		case survey.Likert:
			key := it.Subscale
			if key == "" {
				key = it.ID
			}
			mu, ok := latent[key]
			if !ok {
				mu = rng.NormFloat64() * 0.9
				latent[key] = mu
			}
			if it.Reverse {
				mu = -mu
			}
			// Map the latent value onto the scale's options, centred.
			pos := (float64(len(opts))-1)/2 + mu + rng.NormFloat64()*0.7
			i := int(math.Round(pos))
			i = max(0, min(len(opts)-1, i))
			a[it.ID] = survey.IntVal(opts[i].Value)
		case survey.SingleChoice:
			a[it.ID] = survey.IntVal(opts[rng.IntN(len(opts))].Value)
		case survey.MultipleChoice:
			var picked []int64
			for _, o := range opts {
				if rng.IntN(3) == 0 {
					picked = append(picked, o.Value)
				}
			}
			if len(picked) == 0 {
				picked = []int64{opts[rng.IntN(len(opts))].Value}
			}
			a[it.ID] = survey.ListVal(standAlone(opts, picked)...)
		case survey.Integer:
			lo, hi := int64(0), int64(40)
			if it.Min != nil {
				lo = *it.Min
			}
			if it.Max != nil {
				hi = min(*it.Max, lo+40)
			}
			a[it.ID] = survey.IntVal(lo + rng.Int64N(hi-lo+1))
		case survey.Text:
			a[it.ID] = survey.TextVal(Text(rng, min(200, it.TextLimit())))
		default:
			if v, ok := newTypeValue(it, rng.Int64N); ok {
				a[it.ID] = v
			}
		}
	}
	return a
}

// Text returns free text of about n characters made of plausible
// sentences.
func Text(rng *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(phrases[rng.IntN(len(phrases))])
	}
	s := []rune(b.String())
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimSpace(string(s))
}

// JSONBody returns a public-API submission body for the answers.
func JSONBody(a survey.Answers) []byte {
	return []byte(fmt.Sprintf(`{"answers":%s}`, a.Canonical()))
}

// JSONBodyWithID returns a public-API submission body for the answers
// that carries its own response id, as a client that retries does.
func JSONBodyWithID(id string, a survey.Answers) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"answers":%s}`, id, a.Canonical()))
}
