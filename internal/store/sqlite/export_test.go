package sqlite

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestDecodeAnswersInto checks the export's JSON decoder against
// encoding/json: on every input it accepts, it must agree exactly; on the
// rest it must decline, so that the caller falls back.
func TestDecodeAnswersInto(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		accept bool
	}{
		{"Empty", `{}`, true},
		{"Canonical", `{"a":1,"b":-2,"c":"text","d":[1,3],"e":[]}`, true},
		{"Spaces", " { \"a\" : 1 , \"b\" : [ 1 , 2 ] } ", true},
		{"Escapes", `{"t":"q\"uote\\back\/slash\n\r\t\b\f"}`, true},
		{"Unicode", `{"t":"emoji 😀 \u00e9 \ud83d\ude00 مرحبا \u2028"}`, true},
		{"LoneSurrogate", `{"t":"x\ud83dy"}`, true},
		{"LoneLowSurrogate", `{"t":"x\ude00y"}`, true},
		{"SurrogateThenEscape", `{"t":"\ud83d\n"}`, true},
		{"EscapedKey", `{"a\u0062":1}`, true},
		{"BigInt", `{"a":9223372036854775807,"b":-9223372036854775808}`, true},
		{"Fraction", `{"a":4.0}`, false},
		{"Exponent", `{"a":4e0}`, false},
		{"Null", `{"a":null}`, false},
		{"Bool", `{"a":true}`, false},
		{"Object", `{"a":{}}`, false},
		{"LeadingZero", `{"a":01}`, false},
		{"RawControl", "{\"a\":\"x\ny\"}", false},
		{"Trailing", `{"a":1} x`, false},
		{"Unterminated", `{"a":"x`, false},
		{"BadEscape", `{"a":"\x"}`, false},
		{"InvalidUTF8", "{\"a\":\"\xff\"}", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := survey.Answers{}
			ok := decodeAnswersInto(got, tc.in, map[string]string{}, &knownKeys{})
			if ok != tc.accept {
				t.Fatalf("accepted = %v, want %v", ok, tc.accept)
			}
			if !ok {
				return
			}
			var want survey.Answers
			if err := json.Unmarshal([]byte(tc.in), &want); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if want == nil {
				want = survey.Answers{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestDecodeAnswersCanonicalRoundTrip(t *testing.T) {
	a := survey.Answers{
		"n": survey.IntVal(-7), "l": survey.ListVal(5, 1), "e": survey.ListVal(),
		"t": survey.TextVal("He said \"hi\", then\r\nleft\t=SUM(A1) \u2028 😀 שלום \x01 \\"),
	}
	got := survey.Answers{}
	if !decodeAnswersInto(got, string(a.Canonical()), map[string]string{}, &knownKeys{}) {
		t.Fatal("declined the store's own encoding")
	}
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("got  %#v\nwant %#v", got, a)
	}
}

func TestParseStoredTime(t *testing.T) {
	for _, s := range []string{"2026-01-14T09:30:00.000000Z", "1999-12-31T23:59:59.999999Z", "2024-02-29T00:00:00.000001Z"} {
		if got, want := parseStoredTime(s), parseTime(s); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseStoredTime(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestSplitExportRow(t *testing.T) {
	f, err := split("2,3,8,27,-,-4;idkeycomplete2026-01-05T08:00:00.403049Z{\"a\":1}")
	if err != nil {
		t.Fatal(err)
	}
	want := rowFields{id: "id", key: "key", status: "complete", started: "2026-01-05T08:00:00.403049Z", answers: `{"a":1}`, version: -4}
	if f != want {
		t.Errorf("split: %+v, want %+v", f, want)
	}
	f, err = split("1,0,1,1,1,12;xsabc")
	want = rowFields{id: "x", status: "s", started: "a", submitted: "b", answers: "c", submittedSet: true, version: 12}
	if err != nil || f != want {
		t.Errorf("split: %+v, %v, want %+v", f, err, want)
	}
	for _, bad := range []string{"", "1,1,1,1,1;abcde", "1,1,1,1,1,1abcde", "9,1,1,1,1,1;abcde", "1,1,1,1,x,1;abcde", "-1,1,1,1,1,1;abcde", "1,1,1,1,1,;abcde"} {
		if _, err := split(bad); err == nil {
			t.Errorf("split(%q): no error", bad)
		}
	}
}
