package httpapi

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// studyBodies returns n submission bodies to the study instrument, as the
// load tool sends them.
func studyBodies(tb testing.TB, n int) [][]byte {
	tb.Helper()
	form, err := sample.StudyForm()
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = sample.JSONBodyWithID("3f2c5a9e-8d1b-4c7a-9e2f-1b3d5c7e9a0b", sample.Answers(form, rng))
	}
	return bodies
}

// BenchmarkDecodeSubmission decodes study submissions (1.4 KB, 31
// answers, five free texts) as the submission route does before the
// service sees them.
//
//	go test -run '^$' -bench DecodeSubmission ./internal/httpapi
func BenchmarkDecodeSubmission(b *testing.B) {
	bodies := studyBodies(b, 64)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := decodeSubmission(bodies[i%len(bodies)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// FuzzDecodeSubmission holds the one-pass decoder to the encoding/json
// one it stands in for: on every body the same verdict, the same error
// (code, message, detail paths and messages), the same fields and answers;
// and the canonical bytes it passes on are exactly Answers.Canonical().
//
//	go test -run '^$' -fuzz FuzzDecodeSubmission -fuzztime 30s ./internal/httpapi
func FuzzDecodeSubmission(f *testing.F) {
	for _, seed := range []string{
		`{"answers":{"a":1,"b":"x","c":[1,2]}}`,
		`{"id":"3f2c5a9e-8d1b-4c7a-9e2f-1b3d5c7e9a0b","started_at":"2026-03-01T09:00:00Z","invitation_code":"ABCD-EFGH","answers":{"q":[],"t":"caf\u00e9 \"x\"\n"}}`,
		` { "answers" : { "b" : 2 , "a" : -0 , "c" : [ 3 , -0 ] } } `,
		`{"answers":{"a":1,"a":""}}`,
		`{"answers":{"a":"","b":null,"c":true,"d":1.0,"e":1.5,"f":{},"g":[1,"x"]}}`,
		`{"answers":{"t":"\u2028 \ud83d\ude00 \ud800 é"}}`,
		`{"answers":{}}}`,
		`{"answers":{ }}`,
		`{"answers":{ "a":1}}`, `{"answers":{"a" :1}}`, `{"answers":{"a": 1}}`, `{"answers":{"a":1 ,"b":2}}`,
		`{"answers":{"a":[ ]}}`, `{"answers":{"a":1,"a":2}}`, `{"answers":{"b":1,"a":1}}`,
		`{"answers":{"a":-9223372036854775808,"b":[-1,0]}}`, `{"answers":{"\"":"\u007f\"\/"}}`,
		`{"answers":{},"answers":{"a":1}}`,
		`{"answers":{"\u0061":1},"ID":"x"}`,
		`{"answers":null,"started_at":"yesterday"}`,
		`{"started_at":null,"answers":{"a":99999999999999999999}}`,
		`{"extra":1,"answers":{}}`,
		`{"answers":{"a":1}`,
		`[]`,
		"{\"answers\":{\"t\":\"\xff\"}}",
		`{"answers":{"a":[` + strings.Repeat("1,", survey.MaxOptions) + `1]}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, wantErr := decodeSubmissionJSON(body)
		got, err := decodeSubmission(body)
		if !reflect.DeepEqual(err, wantErr) {
			t.Fatalf("error %#v, want %#v", err, wantErr)
		}
		if _, ok := readSubmission(body); ok && wantErr != nil {
			t.Fatalf("the one-pass reader took a body encoding/json refuses: %v", wantErr)
		}
		if err != nil {
			return
		}
		if got.ID != want.ID || got.InvitationCode != want.InvitationCode {
			t.Fatalf("id %q, code %q; want %q, %q", got.ID, got.InvitationCode, want.ID, want.InvitationCode)
		}
		if (got.StartedAt == nil) != (want.StartedAt == nil) ||
			got.StartedAt != nil && (!got.StartedAt.Equal(*want.StartedAt) || got.StartedAt.String() != want.StartedAt.String()) {
			t.Fatalf("started_at %v, want %v", got.StartedAt, want.StartedAt)
		}
		if !reflect.DeepEqual(got.Answers, want.Answers) {
			t.Fatalf("answers %#v, want %#v", got.Answers, want.Answers)
		}
		if got.Canonical != nil && !bytes.Equal(got.Canonical, want.Answers.Canonical()) {
			t.Fatalf("canonical %s, want %s", got.Canonical, want.Answers.Canonical())
		}
	})
}

// TestReadSubmissionTakesStudyBodies: the one-pass reader takes the
// bodies the load tool sends (else the fast path would only ever fall
// back), and finds their answers already canonical.
func TestReadSubmissionTakesStudyBodies(t *testing.T) {
	for i, body := range studyBodies(t, 32) {
		sub, ok := readSubmission(body)
		if !ok {
			t.Fatalf("body %d declined: %s", i, body)
		}
		if sub.Canonical == nil || !bytes.Equal(sub.Canonical, sub.Answers.Canonical()) {
			t.Fatalf("body %d: canonical %q", i, sub.Canonical)
		}
	}
	// Whitespace, an unsorted object or a -0 still read in one pass, but
	// the answers are encoded again.
	for _, body := range []string{
		`{"answers": {"a": 1}}`, `{"answers":{"b":1,"a":2}}`, `{"answers":{"a":-0}}`, `{"answers":{"a":[1, 2]}}`,
		"{\"answers\":{\"a\":\"\u2028\"}}", `{"answers":{"a":"x\u0041"}}`, `{"answers":{"a":""}}`,
	} {
		sub, ok := readSubmission([]byte(body))
		if !ok || sub.Canonical != nil {
			t.Errorf("%s: ok %v, canonical %q; want read, not canonical", body, ok, sub.Canonical)
		}
	}
	// A list longer than any item's options is left to encoding/json,
	// which allocates it once at its length.
	long := `{"answers":{"a":[` + strings.Repeat("1,", survey.MaxOptions) + `1]}}`
	if _, ok := readSubmission([]byte(long)); ok {
		t.Errorf("a list of %d values was read in one pass", survey.MaxOptions+1)
	}
}
