package stats

import "github.com/dyad-survey/dyad/internal/survey"

// Reading stored answers for counting.
//
// Statistics read every answer of every response but need little of it:
// integers and lists of integers, and of a text only whether it is empty.
// readCounted reads the stored shape with survey.EachRawCanonicalAnswer,
// which copies nothing out of the JSON, into values by position; it
// accepts and declines exactly what survey.EachCanonicalAnswer does.

// countedText stands for a non-empty text answer: its content is never
// read by the counts.
const countedText = "\x00"

// readCounted decodes s into vals (by the positions at gives each item id,
// other ids skipped) and reports whether it could. vals must be cleared by
// the caller; lists[i] is reused for the list answer of item i.
func readCounted(s []byte, at map[string]int, vals []survey.Value, lists [][]int64) bool {
	return readCountedKeep(s, at, vals, lists, nil)
}

// readCountedKeep is readCounted that also reads the text of the items
// keep marks by position: number and date answers, which the counts read
// (stats/itemtypes.go). Those are short and never escaped when valid; an
// escaped one is unescaped.
func readCountedKeep(s []byte, at map[string]int, vals []survey.Value, lists [][]int64, keep []bool) bool {
	var raw survey.RawAnswer
	return survey.EachRawCanonicalAnswer(s, &raw, func(id []byte, a *survey.RawAnswer) {
		i, ok := at[string(id)]
		if !ok {
			return
		}
		switch a.Kind {
		case survey.IntValue:
			vals[i] = survey.IntVal(a.Int)
		case survey.TextValue:
			// Every escape stands for at least one character, so the raw
			// bytes are empty exactly when the text is.
			t := ""
			switch {
			case keep != nil && keep[i] && a.Escaped:
				t = string(survey.AppendUnescaped(nil, s[a.Start:a.End]))
			case keep != nil && keep[i]:
				t = string(s[a.Start:a.End])
			case a.End > a.Start:
				t = countedText
			}
			vals[i] = survey.TextVal(t)
		case survey.ListValue:
			if lists[i] == nil {
				lists[i] = make([]int64, 0, len(a.List))
			}
			lists[i] = append(lists[i][:0], a.List...)
			vals[i] = survey.Value{Kind: survey.ListValue, List: lists[i]}
		}
	})
}
