package survey_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// checkSubmitted checks ReadSubmittedAnswers against encoding/json and
// DecodeAnswers on s: what it reads, they read the same, without a
// problem; the canonical bytes it finds are Canonical's. It reports
// whether s was read, and whether it was found canonical.
func checkSubmitted(t *testing.T, s []byte) (read, canonical bool) {
	t.Helper()
	got, canon, n, ok := survey.ReadSubmittedAnswers(s)
	if !ok {
		return false, false
	}
	var in survey.Answers
	if err := json.Unmarshal(s[:n], &in); err != nil || in == nil {
		t.Fatalf("read what encoding/json rejects (%v): %q", err, s)
	}
	want, p := survey.DecodeAnswers(in)
	if len(p) > 0 {
		t.Fatalf("read what DecodeAnswers refuses (%v): %q", p, s)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\ngot  %#v\nwant %#v", s, got, want)
	}
	if canon != nil && !bytes.Equal(canon, want.Canonical()) {
		t.Fatalf("%q: canonical %q, want %q", s, canon, want.Canonical())
	}
	return true, canon != nil
}

// TestReadSubmittedAnswersMutations cross-checks the one-pass reader of
// submitted answers with encoding/json and DecodeAnswers on a canonical
// object and an indented one, each with one or two bytes changed.
func TestReadSubmittedAnswersMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	a := survey.Answers{
		"n": survey.IntVal(-7), "z": survey.IntVal(0), "l": survey.ListVal(5, 1, -3), "e": survey.ListVal(),
		"t": survey.TextVal("He said \"hi\", then\r\nleft\t=SUM(A1) \u2028 😀 שלום \x01 \\ and more"),
		"u": survey.TextVal("plain text"),
	}
	base := a.Canonical()
	if read, canon := checkSubmitted(t, base); !read || !canon {
		t.Fatalf("Canonical's own encoding: read %v, canonical %v", read, canon)
	}
	indented, err := json.MarshalIndent(a, " ", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if read, canon := checkSubmitted(t, indented); !read || canon {
		t.Fatalf("indented: read %v, canonical %v; want read, not canonical", read, canon)
	}
	alphabet := []byte("\"\\/,:[]{}-0123456789 \t\r\nabnrtu\x00\x1f\x7f\x80\xbf\xc3\xe2\xf0\xff")
	var read, canonical int
	for _, s0 := range [][]byte{base, indented} {
		for range 20000 {
			s := append([]byte(nil), s0...)
			for range 1 + rng.IntN(2) {
				s[rng.IntN(len(s))] = alphabet[rng.IntN(len(alphabet))]
			}
			r, c := checkSubmitted(t, s)
			if r {
				read++
			}
			if c {
				canonical++
			}
		}
	}
	if read == 0 || canonical == 0 {
		t.Fatalf("%d mutations read, %d canonical: the check checked nothing", read, canonical)
	}
}
