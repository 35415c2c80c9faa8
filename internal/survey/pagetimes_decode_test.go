package survey_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestParsePageTimesAsJSON holds ParsePageTimes, which reads the stored
// shape itself, to encoding/json's verdict and result on the stored form
// and on that form with a byte or two changed.
func TestParsePageTimesAsJSON(t *testing.T) {
	check := func(s string) {
		t.Helper()
		got, err := survey.ParsePageTimes(s)
		var want survey.PageTimes
		werr := json.Unmarshal([]byte(s), &want)
		if (err == nil) != (werr == nil) || (err == nil && !reflect.DeepEqual(got, want)) {
			t.Fatalf("%q: got %#v, %v; encoding/json %#v, %v", s, got, err, want, werr)
		}
	}
	base := survey.PageTimes{"intro": 1500, "s-2": 0, "<a&b>": 3600000, "é": 7, "neg": -3}.Encode()
	for _, s := range []string{base, `{}`, ` { "a" : 1 } `, `null`, `{"a":1.5}`, `{"a":"1"}`, `{"a":[1]}`, `{"a":1e3}`,
		`{"a":9223372036854775807}`, `{"a":9223372036854775808}`, `{"a":-9223372036854775808}`, `{"a":1,"a":2}`, `{"a":01}`} {
		check(s)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("\"\\/,:[]{}-.e0123456789 \tabnu\x00\x1f\x80\xc3\xff")
	for range 20000 {
		b := []byte(base)
		for range 1 + rng.IntN(2) {
			b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
		}
		check(string(b))
	}
}
