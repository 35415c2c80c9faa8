package survey_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/survey"
)

// decodeCanonical reads s with EachCanonicalAnswer into a map.
func decodeCanonical(s []byte) (survey.Answers, bool) {
	got := survey.Answers{}
	ok := survey.EachCanonicalAnswer(s, func(id []byte, v survey.Value) { got[string(id)] = v })
	return got, ok
}

// checkCanonical checks the decoder against encoding/json on s: what it
// accepts, encoding/json reads the same; what encoding/json rejects or
// reads from invalid UTF-8, it declines. DecodeCanonicalAnswers must
// agree with it on both.
func checkCanonical(t *testing.T, s []byte) bool {
	t.Helper()
	got, ok := decodeCanonical(s)
	dec, decOK := survey.DecodeCanonicalAnswers(string(s))
	if decOK != ok {
		t.Fatalf("%q: DecodeCanonicalAnswers accepted = %v, EachCanonicalAnswer %v", s, decOK, ok)
	}
	if ok && !reflect.DeepEqual(dec, got) {
		t.Fatalf("%q: DecodeCanonicalAnswers:\ngot  %#v\nwant %#v", s, dec, got)
	}
	var want survey.Answers
	err := json.Unmarshal(s, &want)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("accepted what encoding/json rejects (%v): %q", err, s)
	}
	if !utf8.Valid(s) {
		t.Fatalf("accepted invalid UTF-8: %q", s)
	}
	if want == nil {
		want = survey.Answers{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\ngot  %#v\nwant %#v", s, got, want)
	}
	return true
}

// TestEachCanonicalAnswerTexts covers the string scanner's paths: short
// ids, long runs checked eight bytes at a time, escapes, and a control
// byte or invalid UTF-8 at every offset.
func TestEachCanonicalAnswerTexts(t *testing.T) {
	long := strings.Repeat("abcdefgh", 5)
	for _, tc := range []struct {
		in     string
		accept bool
	}{
		{`{"a":"` + long + `"}`, true},
		{`{"a":"` + long + `é` + long + `"}`, true},
		{`{"a":"` + long + `\"` + long + `\"x"}`, true},
		{`{"a":"` + long + `\\"}`, true},
		{`{"a":"\"","b":"` + long + `"}`, true},
		{`{"a":"` + long + `\u00e9\ud83d\ude00\ud83d` + long + `"}`, true},
		{`{"é` + long + `":1,"\u00e9":"x"}`, true},
		{`{"a":"` + long + `\q"}`, false},
		{`{"a":"` + long + `\u12g4"}`, false},
		{`{"a":"` + long + `\"}`, false},
		{`{"a":"` + long + `\`, false},
		{`{"a":1}` + "\xff", false},
		{"{\"a\":1,\xc3\xa9:1}", false},
	} {
		if got := checkCanonical(t, []byte(tc.in)); got != tc.accept {
			t.Errorf("%q: accepted = %v, want %v", tc.in, got, tc.accept)
		}
	}
	for _, bad := range []string{"\x01", "\n", "\x1f", "\xff", "\xc3", "\xed\xa0\x80", "\xe2\x82"} {
		for i := 0; i <= 40; i++ {
			for _, esc := range []string{"", `\n`} {
				text := long[:i] + bad + esc + long[i:]
				for _, in := range []string{`{"a":"` + text + `"}`, `{"a":"` + esc + text + `"}`, `{"` + text + `":1}`} {
					if checkCanonical(t, []byte(in)) {
						t.Fatalf("accepted %q", in)
					}
				}
			}
		}
	}
}

// TestEachCanonicalAnswerMutations cross-checks the decoder and
// encoding/json on stored answers with one byte changed.
func TestEachCanonicalAnswerMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a := survey.Answers{
		"n": survey.IntVal(-7), "l": survey.ListVal(5, 1), "e": survey.ListVal(),
		"t": survey.TextVal("He said \"hi\", then\r\nleft\t=SUM(A1) \u2028 😀 שלום \x01 \\ and some more text to go past the short path"),
		"u": survey.TextVal("plain text without escapes, long enough for the word-at-a-time check"),
	}
	base := a.Canonical()
	if !checkCanonical(t, base) {
		t.Fatal("declined the store's own encoding")
	}
	alphabet := []byte("\"\\/,:[]{}-0123456789 \t\r\nabnrtu\x00\x1f\x7f\x80\xbf\xc3\xe2\xf0\xff")
	accepted := 0
	for range 20000 {
		s := append([]byte(nil), base...)
		for range 1 + rng.IntN(2) {
			s[rng.IntN(len(s))] = alphabet[rng.IntN(len(alphabet))]
		}
		if checkCanonical(t, s) {
			accepted++
		}
	}
	if accepted == 0 {
		t.Fatal("no mutation accepted: the check checked nothing")
	}
}

// TestEachRawCanonicalAnswer checks the copy-free reader against
// EachCanonicalAnswer, reusing one RawAnswer across objects.
func TestEachRawCanonicalAnswer(t *testing.T) {
	var raw survey.RawAnswer
	for _, s := range []string{
		`{"a":1,"b":[3,4,5],"c":"x\ny \"q\" \u00e9 \ud83d","d":[],"e":"plain"}`,
		`{"a":[1],"b":"t","c":-4}`,
		`{}`,
		`{"a":null}`,
	} {
		want, wantOK := decodeCanonical([]byte(s))
		got := survey.Answers{}
		ok := survey.EachRawCanonicalAnswer([]byte(s), &raw, func(id []byte, a *survey.RawAnswer) {
			v := survey.Value{Kind: a.Kind, Int: a.Int}
			switch a.Kind {
			case survey.TextValue:
				text := []byte(s[a.Start:a.End])
				if a.Escaped {
					text = survey.AppendUnescaped(nil, text)
				} else if strings.Contains(string(text), `\`) {
					t.Errorf("%s: escapes not flagged", s)
				}
				v.Text = string(text)
			case survey.ListValue:
				v.List = append([]int64{}, a.List...)
			}
			got[string(id)] = v
		})
		if ok != wantOK {
			t.Fatalf("%s: accepted = %v, want %v", s, ok, wantOK)
		}
		if ok && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\ngot  %#v\nwant %#v", s, got, want)
		}
	}
}
