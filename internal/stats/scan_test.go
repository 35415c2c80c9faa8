package stats

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// sliceScanner streams stored responses as the store does: one Response
// reused for every row, with the answers as stored (AnswersJSON) when the
// filter asks for them, else decoded into one reused Answers map. raw
// holds each response's stored answers; rs the rest of it.
type sliceScanner struct {
	rs        []*survey.Response
	raw       [][]byte
	ignoreRaw bool // behave like a scanner that predates RawAnswers
}

func (s *sliceScanner) ScanResponses(ctx context.Context, f survey.ExportFilter, fn func(*survey.Response) error) error {
	var r survey.Response
	a := survey.Answers{}
	for i, src := range s.rs {
		if f.Status != "" && src.Status != f.Status {
			continue
		}
		r = *src
		r.Answers, r.AnswersJSON = a, nil
		if f.RawAnswers && !s.ignoreRaw {
			r.AnswersJSON = append(r.AnswersJSON[:0], s.raw[i]...)
			clear(r.Answers)
		} else {
			clear(a)
			if err := json.Unmarshal(s.raw[i], &a); err != nil {
				return err
			}
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// studyResponses makes n responses to the study instrument, some in
// progress and some answering only part of it, with their stored answers.
func studyResponses(f *survey.Form, n int) *sliceScanner {
	rng := rand.New(rand.NewPCG(7, 11))
	s := &sliceScanner{}
	for i := range n {
		a := sample.Answers(f, rng)
		start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 37 * time.Minute)
		r := &survey.Response{ID: survey.NewUUID(), Status: survey.ResponseComplete, StartedAt: start}
		if i%7 == 3 {
			// In progress: the first part of the form answered.
			r.Status = survey.ResponseInProgress
			for j, it := range f.Items() {
				if j > i%len(f.Items()) {
					delete(a, it.ID)
				}
			}
		} else {
			sub := start.Add(time.Duration(5+i%20) * time.Minute)
			r.SubmittedAt = &sub
		}
		switch i % 50 {
		case 5: // texts empty, escaped and beyond ASCII
			for _, it := range f.Items() {
				if it.Type == survey.Text {
					a[it.ID] = survey.TextVal("")
				}
			}
		case 6:
			for k, it := range f.Items() {
				if it.Type == survey.Text {
					a[it.ID] = survey.TextVal([]string{"line\none \"quoted\"\t\\", "Übersetzung für Familien – ja", "\u2028", "ctrl\x01"}[k%4])
				}
			}
		case 7: // an answer to no item of the form
			a["not_an_item"] = survey.ListVal(1, 2)
		}
		s.rs = append(s.rs, r)
		s.raw = append(s.raw, a.Canonical())
	}
	return s
}

// TestScanMatchesAdd: the report Scan computes from stored answers (read by
// position, without a map per response) equals, exactly, the one Add
// computes from the same responses decoded into maps.
func TestScanMatchesAdd(t *testing.T) {
	f := studyForm(t)
	sc := studyResponses(f, 400)
	rd := newSlotReader(f)
	for i, raw := range sc.raw {
		if !readCounted(raw, rd.at, rd.vals, rd.lists) {
			t.Fatalf("response %d: readCounted declines stored answers %s", i, raw)
		}
	}
	for _, by := range []string{"", "specialty", "ai_use"} {
		for _, status := range []string{"", survey.ResponseComplete} {
			want, err := New(f, Options{By: by})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range sc.rs {
				if status != "" && r.Status != status {
					continue
				}
				rr := *r
				if err := json.Unmarshal(sc.raw[i], &rr.Answers); err != nil {
					t.Fatal(err)
				}
				want.Add(&rr)
			}
			for _, ignoreRaw := range []bool{false, true} {
				got, err := New(f, Options{By: by})
				if err != nil {
					t.Fatal(err)
				}
				s := *sc
				s.ignoreRaw = ignoreRaw
				if err := got.Scan(context.Background(), &s, survey.ExportFilter{Status: status}); err != nil {
					t.Fatal(err)
				}
				g, w := got.Report(), want.Report()
				if !reflect.DeepEqual(g, w) {
					t.Errorf("by=%q status=%q ignoreRaw=%v: Scan gives\n%s\nAdd gives\n%s", by, status, ignoreRaw, mustJSON(t, g), mustJSON(t, w))
				}
				if g.Groups[0].Responses.N == 0 {
					t.Errorf("by=%q status=%q: no responses counted", by, status)
				}
			}
		}
	}
}

// TestScanFallback: stored answers that are not of the canonical shape
// are read as encoding/json reads them, and unreadable ones fail the scan.
func TestScanFallback(t *testing.T) {
	f := studyForm(t)
	sc := studyResponses(f, 60)
	odd := []string{
		`{"\u0061i_use": 1, "specialty" : 2}`, // escaped key
		`null`,
		`{"ai_use": 1.0}`, // not an integer: counted as no valid answer
		`{"ai_use": 12345678901234567890123}`,
		`{"ai_use": [1, 2], "specialty": "x"}`,
		`{"ai_use": 1, "ai_use": 2}`,
		` { } `,
	}
	for i, s := range odd {
		sc.raw[i] = []byte(s)
	}
	for _, by := range []string{"", "ai_use"} {
		want, _ := New(f, Options{By: by})
		for i, r := range sc.rs {
			rr := *r
			rr.Answers = survey.Answers{}
			if err := json.Unmarshal(sc.raw[i], &rr.Answers); err != nil {
				t.Fatal(err)
			}
			want.Add(&rr)
		}
		got, _ := New(f, Options{By: by})
		if err := got.Scan(context.Background(), sc, survey.ExportFilter{}); err != nil {
			t.Fatal(err)
		}
		if g, w := got.Report(), want.Report(); !reflect.DeepEqual(g, w) {
			t.Errorf("by=%q: Scan gives\n%s\nAdd gives\n%s", by, mustJSON(t, g), mustJSON(t, w))
		}
	}
	for _, bad := range []string{`{"ai_use": 1`, ``} {
		sc.raw[10] = []byte(bad)
		b, _ := New(f, Options{})
		err := b.Scan(context.Background(), sc, survey.ExportFilter{})
		if err == nil || !strings.Contains(err.Error(), sc.rs[10].ID) {
			t.Errorf("stored answers %q: got %v, want an error naming the response", bad, err)
		}
	}
}

// TestReadCounted: whenever readCounted accepts an answers object,
// survey.EachCanonicalAnswer accepts it too and reads the same answers
// (of a text, whether it is empty).
func TestReadCounted(t *testing.T) {
	at := map[string]int{"a": 0, "b": 1, "c": 2, "é": 3}
	inputs := []string{
		`{}`, ` {} `, `{"a":1}`, `{"a":-12,"b":[1,2,3],"c":"text"}`, `{"a":"","b":[],"c":0}`,
		`{ "a" : [ 1 , -2 ] , "b" : "x" }`, `{"a":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800"}`,
		`{"a":"€ und ü","z":"unknown id","é":5}`, `{"a":1,"a":"twice"}`, `{"a":"a long text that runs past eight bytes \" with a quote"}`,
		// Declined by one or both.
		`{"a":01}`, `{"a":1.5}`, `{"a":1e3}`, `{"a":-}`, `{"a":123456789012345678901}`, `{"a":true}`, `{"a":null}`,
		`{"a":{"b":1}}`, `{"a":"ctrl` + "\x01" + `"}`, `{"a":"bad \x escape"}`, `{"a":"\u12"}`, `{"a":"open}`,
		`{"a":[1,]}`, `{"a":[1 2]}`, `{"a":1,}`, `{"a":1} x`, `{"a" 1}`, `["a"]`, ``, `{"\u0061":1}`, "{\"a\":\"\xff\"}",
		`{"a":"` + strings.Repeat("0123456789", 20) + `"}`,
	}
	// Every byte of a long string in every position of the eight-byte scan.
	for c := range 0x80 {
		for pad := range 9 {
			inputs = append(inputs, `{"a":"`+strings.Repeat("x", pad)+string(rune(c))+`yyyyyyyyy"}`)
		}
	}
	const mustAccept = 10 // the first inputs are of the stored shape
	for n, in := range inputs {
		vals := make([]survey.Value, 4)
		lists := make([][]int64, 4)
		if !readCounted([]byte(in), at, vals, lists) {
			if n < mustAccept {
				t.Errorf("%q: readCounted declines the stored shape", in)
			}
			continue
		}
		want := make([]survey.Value, 4)
		if !survey.EachCanonicalAnswer([]byte(in), func(id []byte, v survey.Value) {
			if i, ok := at[string(id)]; ok {
				want[i] = v
			}
		}) {
			t.Errorf("%q: readCounted accepts, EachCanonicalAnswer declines", in)
			continue
		}
		for i := range want {
			g, w := vals[i], want[i]
			if w.Kind == survey.TextValue {
				g.Text, w.Text = strings.Repeat("t", min(1, len(g.Text))), strings.Repeat("t", min(1, len(w.Text)))
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%q: answer %d is %+v, want %+v", in, i, vals[i], want[i])
			}
		}
	}
}
