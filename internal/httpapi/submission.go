package httpapi

import "github.com/dyad-survey/dyad/internal/survey"

// Decoding a submission.
//
// decodeSubmissionJSON is the reference: encoding/json into submitRequest
// (strict: unknown fields and wrong types named), then
// survey.DecodeAnswers and the started_at check, every problem at once.
// It cost about a quarter of the server's CPU per submission (the body
// scanned for syntax, then again field by field with reflection, a
// Value.UnmarshalJSON call per answer, a second map), so decodeSubmission
// first tries readSubmission, which reads the usual shape in one pass:
// an object with the fields id, invitation_code and started_at as plain
// ASCII strings, each at most once, and answers as an object
// survey.ReadSubmittedAnswers takes. It declines anything else (an
// escape, a null, another field, a malformed time, an answer of a shape
// no item takes, trailing bytes) and never reports an error itself, so
// every verdict, message and detail path a submission can get still comes
// from the reference; FuzzDecodeSubmission holds the two to the same
// results on every input.
//
// When the answers came exactly as survey.Answers.Canonical writes them,
// readSubmission passes those bytes on (Submission.Canonical), and the
// service stores and hashes them as they are instead of encoding the
// answers again. They share the body's memory, which is therefore never
// reused (admitSubmission allocates each body).

// decodeSubmission reads a submission body (POST
// /api/v1/public/surveys/{id}/responses) into a survey.Submission: see
// decodeSubmissionJSON for what it checks.
func decodeSubmission(body []byte) (survey.Submission, error) {
	if sub, ok := readSubmission(body); ok {
		return sub, nil
	}
	return decodeSubmissionJSON(body)
}

// decodeSubmissionJSON reads a submission body with encoding/json: the
// JSON strictly (400 for bad syntax, 422 naming an unknown field or a
// wrong type), answers required, every answer of a shape some item
// accepts, started_at an RFC 3339 time; every problem of the last two at
// once.
func decodeSubmissionJSON(body []byte) (survey.Submission, error) {
	var req submitRequest
	if err := unmarshalStrict(body, &req); err != nil {
		return survey.Submission{}, err
	}
	if req.Answers == nil {
		return survey.Submission{}, invalid("answers", "is required: an object mapping item ids to answers")
	}
	answers, problems := survey.DecodeAnswers(req.Answers)
	started := req.StartedAt.value(&problems, "started_at")
	if err := problems.Err(survey.EInvalid, "the response is not valid"); err != nil {
		return survey.Submission{}, err
	}
	return survey.Submission{ID: req.ID, InvitationCode: req.InvitationCode, StartedAt: started, Answers: answers}, nil
}

// readSubmission reads a well-formed submission of the usual shape in one
// pass, or declines (ok false); see the overview above.
func readSubmission(body []byte) (sub survey.Submission, ok bool) {
	const (
		seenID = 1 << iota
		seenCode
		seenStarted
		seenAnswers
	)
	var seen int
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return sub, false
	}
	i++
	for {
		i = skipSpace(body, i)
		key, j, ok := plainString(body, i)
		if !ok {
			return sub, false
		}
		i = skipSpace(body, j)
		if i >= len(body) || body[i] != ':' {
			return sub, false
		}
		i = skipSpace(body, i+1)
		var field int
		switch string(key) {
		case "id":
			field = seenID
		case "invitation_code":
			field = seenCode
		case "started_at":
			field = seenStarted
		case "answers":
			field = seenAnswers
		default:
			return sub, false
		}
		if seen&field != 0 {
			return sub, false // encoding/json keeps the last, or merges answers
		}
		seen |= field
		if field == seenAnswers {
			answers, canonical, n, ok := survey.ReadSubmittedAnswers(body[i:])
			if !ok {
				return sub, false
			}
			sub.Answers, sub.Canonical = answers, canonical
			i += n
		} else {
			v, j, ok := plainString(body, i)
			if !ok {
				return sub, false
			}
			i = j
			switch field {
			case seenID:
				sub.ID = string(v)
			case seenCode:
				sub.InvitationCode = string(v)
			case seenStarted:
				f := parseTimeField(string(v))
				if f.bad != "" {
					return sub, false
				}
				sub.StartedAt = f.t
			}
		}
		i = skipSpace(body, i)
		if i < len(body) && body[i] == ',' {
			i++
			continue
		}
		if i >= len(body) || body[i] != '}' {
			return sub, false
		}
		if seen&seenAnswers == 0 || skipSpace(body, i+1) != len(body) {
			return sub, false
		}
		return sub, true
	}
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a JSON string at b[i] made only of printable ASCII
// without escapes (the shape of ids, codes and times), returning its
// contents and the index after its closing quote.
func plainString(b []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c < 0x20 || c >= 0x80 || c == '\\':
			return nil, 0, false
		}
	}
	return nil, 0, false
}
