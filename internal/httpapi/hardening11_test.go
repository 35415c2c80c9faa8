package httpapi_test

import (
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestHardening11AnswerControls: a free-text answer holding NUL or another
// control character (other than tab, LF and CR) or bytes that are not
// UTF-8 is refused with 422 at answers.<item>, naming
// the character, and nothing is stored (runScenarios compares every table
// before and after). Tabs, line breaks and the rest of Unicode (line
// separator, joiners, direction marks, emoji) are stored exactly.
func TestHardening11AnswerControls(t *testing.T) {
	t.Parallel()
	bad := func(name, text, wantInMessage string) scenario {
		return scenario{name: name, method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: submission(nil, map[string]any{"q_note": text}), contentType: ctJSON,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"answers.q_note"},
			wantContent: []string{wantInMessage}}
	}
	// raw sends the answer as JSON text, as it is written in the body.
	raw := func(name, jsonText, wantInMessage string) scenario {
		s := bad(name, "", wantInMessage)
		s.body = strings.Replace(submission(nil, map[string]any{"q_note": "@@"}), `"@@"`, jsonText, 1)
		return s
	}
	ok := func(name, text string) scenario {
		body := submission(nil, map[string]any{"q_note": text})
		return scenario{name: name, method: "POST", url: "/api/v1/public/surveys/{open}/responses", body: body,
			contentType: ctJSON, wantStatus: 201, changes: true,
			after: func(tb testing.TB, e *testEnv, v vars, res []byte) {
				var got submitted
				mustUnmarshal(tb, res, &got)
				for _, r := range e.responses(tb, v["open"]) {
					if r.ID == got.ID {
						if r.Answers["q_note"] != text {
							tb.Errorf("stored %q, sent %q", r.Answers["q_note"], text)
						}
						return
					}
				}
				tb.Errorf("response %s is not listed", got.ID)
			}}
	}
	runScenarios(t, fixture, []scenario{
		bad("NUL", "a\x00b", "U+0000"),
		bad("NUL only", "\x00", "U+0000"),
		bad("vertical tab", "é\vx", "U+000B"),
		bad("form feed", "a\fb", "U+000C"),
		bad("escape", "\x1b[31m", "U+001B"),
		bad("DEL", "a\x7f", "U+007F"),
		bad("C1 next line", "a\u0085b", "U+0085"),
		raw("escaped NUL", `"a\u0000b"`, "U+0000"),
		raw("invalid UTF-8", "\"a\xffb\"", "UTF-8"),
		raw("overlong UTF-8", "\"\xc0\xaf\"", "UTF-8"),
		{
			name: "every bad item at once", method: "POST", url: "/api/v1/public/surveys/{open}/responses",
			body: submission(nil, map[string]any{"q_note": "\x00", "q_years": 99}), contentType: ctJSON,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"answers.q_note", "answers.q_years"},
		},
		ok("tab and line breaks", "a\tb\r\nc\nd\re"),
		ok("separators and marks", "\u2028\u2029\u200f\u200d\ufeff"),
		ok("emoji pair", "👩‍⚕️🇫🇷"),
		ok("replacement character itself", "\ufffd"),
	})

	enginetest.Run(t, func(t *testing.T, engine string) {
		// Escaped surrogates: a pair is its character; a lone half (a client
		// cut an emoji in two) is U+FFFD, as encoding/json and browsers read it.
		e := newEnv(t, engine)
		v := fixture(t, e)
		for jsonText, want := range map[string]string{`"\ud83d\ude00"`: "😀", `"a\ud83db"`: "a\ufffdb", `"\ude00\ud83d"`: "\ufffd\ufffd"} {
			body := strings.Replace(submission(nil, map[string]any{"q_note": "@@"}), `"@@"`, jsonText, 1)
			res := e.submit(t, v["open"], body, 201)
			for _, r := range e.responses(t, v["open"]) {
				if r.ID == res.ID && r.Answers["q_note"] != want {
					t.Errorf("%s stored as %q, want %q", jsonText, r.Answers["q_note"], want)
				}
			}
		}
	})
}
