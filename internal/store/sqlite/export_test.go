package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
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

// TestScanResponses checks order, filters, reuse and cancellation on a
// real file.
func TestScanResponses(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "dyad.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	in := &survey.Instrument{
		Key: "scan-test", Version: 1, Title: "Scan",
		Sections: []survey.Section{{ID: "main", Title: "Main", Items: []survey.Item{{ID: "q", Type: survey.Text, Text: "Q"}}}},
	}
	if _, err := s.CreateInstrument(ctx, in, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetInstrumentStatus(ctx, in.Key, 1, []string{survey.StatusDraft}, survey.StatusPublished, time.Now()); err != nil {
		t.Fatal(err)
	}
	var surveys []string
	for _, id := range []string{"survey0001", "survey0002"} {
		if err := s.CreateSurvey(ctx, &survey.Survey{ID: id, InstrumentKey: in.Key, InstrumentVersion: 1, Title: id,
			Access: survey.AccessOpen, Status: survey.SurveyOpen, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		surveys = append(surveys, id)
	}
	day := func(d int) time.Time { return time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC) }
	type row struct {
		id, survey, status, text string
		submitted                int // day, 0 for none
	}
	rows := []row{
		{"00000000-0000-4000-8000-000000000001", surveys[0], survey.ResponseComplete, "first", 3},
		{"00000000-0000-4000-8000-000000000002", surveys[1], survey.ResponseComplete, "other survey", 3},
		{"00000000-0000-4000-8000-000000000003", surveys[0], survey.ResponseInProgress, "in progress", 0},
		{"00000000-0000-4000-8000-000000000004", surveys[0], survey.ResponseComplete, "fourth", 5},
		{"00000000-0000-4000-8000-000000000005", surveys[0], survey.ResponseComplete, "fifth", 7},
	}
	for _, r := range rows {
		resp := &survey.Response{ID: r.id, SurveyID: r.survey, InstrumentKey: in.Key, InstrumentVersion: 1, Status: r.status,
			Answers: survey.Answers{"q": survey.TextVal(r.text)}, StartedAt: day(1), Digest: []byte{1}}
		if r.submitted > 0 {
			at := day(r.submitted)
			resp.SubmittedAt = &at
		}
		if _, _, err := s.CreateResponse(ctx, resp, nil); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(f survey.ExportFilter) []string {
		t.Helper()
		var got []string
		err := s.ScanResponses(ctx, f, func(r *survey.Response) error {
			if r.SurveyID != f.SurveyID || r.InstrumentKey != in.Key || !r.StartedAt.Equal(day(1)) {
				t.Errorf("response %s: %+v", r.ID, r)
			}
			got = append(got, r.Answers["q"].Text)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	ptr := func(t time.Time) *time.Time { return &t }
	for _, tc := range []struct {
		name string
		f    survey.ExportFilter
		want []string
	}{
		{"All", survey.ExportFilter{SurveyID: surveys[0]}, []string{"first", "in progress", "fourth", "fifth"}},
		{"Complete", survey.ExportFilter{SurveyID: surveys[0], Status: survey.ResponseComplete}, []string{"first", "fourth", "fifth"}},
		{"InProgress", survey.ExportFilter{SurveyID: surveys[0], Status: survey.ResponseInProgress}, []string{"in progress"}},
		{"SinceInclusive", survey.ExportFilter{SurveyID: surveys[0], Since: ptr(day(5))}, []string{"fourth", "fifth"}},
		{"UntilExclusive", survey.ExportFilter{SurveyID: surveys[0], Until: ptr(day(5))}, []string{"first"}},
		{"Window", survey.ExportFilter{SurveyID: surveys[0], Since: ptr(day(4)), Until: ptr(day(6))}, []string{"fourth"}},
		{"OtherSurvey", survey.ExportFilter{SurveyID: surveys[1]}, []string{"other survey"}},
		{"NoSuchSurvey", survey.ExportFilter{SurveyID: "nosuchsurv"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := scan(tc.f); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("ManyBatchesInOrder", func(t *testing.T) {
		// More rows than the ring of batches holds, so batches are reused.
		const n = scanRing*scanBatchSize + 100
		for i := range n {
			at := day(10)
			r := &survey.Response{ID: fmt.Sprintf("20000000-0000-4000-8000-%012d", i), SurveyID: surveys[1], InstrumentKey: in.Key,
				InstrumentVersion: 1, Status: survey.ResponseComplete, Answers: survey.Answers{"q": survey.TextVal(strconv.Itoa(i))},
				StartedAt: day(1), SubmittedAt: &at, Digest: []byte{1}}
			if _, _, err := s.CreateResponse(ctx, r, nil); err != nil {
				t.Fatal(err)
			}
		}
		got := scan(survey.ExportFilter{SurveyID: surveys[1], Since: ptr(day(10))})
		if len(got) != n {
			t.Fatalf("%d rows, want %d", len(got), n)
		}
		for i, v := range got {
			if v != strconv.Itoa(i) {
				t.Fatalf("row %d is %q: out of order", i, v)
			}
		}
		var raw []string
		err := s.ScanResponses(ctx, survey.ExportFilter{SurveyID: surveys[1], Since: ptr(day(10)), RawAnswers: true}, func(r *survey.Response) error {
			if len(r.Answers) != 0 {
				t.Fatal("RawAnswers filled Answers")
			}
			raw = append(raw, string(r.AnswersJSON))
			return nil
		})
		if err != nil || len(raw) != n || raw[n-1] != fmt.Sprintf(`{"q":"%d"}`, n-1) {
			t.Fatalf("raw: %v, %d rows, last %q", err, len(raw), raw[len(raw)-1])
		}
	})
	t.Run("CallbackErrorStops", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := s.ScanResponses(ctx, survey.ExportFilter{SurveyID: surveys[0]}, func(*survey.Response) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("err %v after %d rows", err, n)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		n := 0
		err := s.ScanResponses(cctx, survey.ExportFilter{SurveyID: surveys[0]}, func(*survey.Response) error {
			n++
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v after %d rows, want context.Canceled", err, n)
		}
		if n != 1 {
			t.Errorf("fn called %d times, want once: nothing after the cancel", n)
		}
	})
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
