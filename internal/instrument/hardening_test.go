package instrument_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// parseBounded parses data and reports the error, the bytes allocated and
// the time taken. Allocation is the total over the parse (garbage
// included), which is what a burst of such uploads costs the heap.
func parseBounded(t *testing.T, data []byte, f instrument.Format) (uint64, time.Duration, error) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := instrument.Parse(data, f)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, elapsed, err
}

// TestHardening04ExpandingDocuments: documents built to expand in the
// parser (aliases, deep nesting, many items with forward show_if, an
// oversized file) are refused within a bounded time and allocation, with
// a small error.
func TestHardening04ExpandingDocuments(t *testing.T) {
	var aliasBomb strings.Builder
	aliasBomb.WriteString("key: bomb\nversion: 1\ntitle: Bomb\nsections:\n  - &s {id: s, title: S, items: [&i {id: q, type: text, text: Q}")
	aliasBomb.WriteString(strings.Repeat(", *i", 999))
	aliasBomb.WriteString("]}\n")
	aliasBomb.WriteString(strings.Repeat("  - *s\n", 999))

	var blockMaps strings.Builder
	blockMaps.WriteString("key: deep\nversion: 1\ntitle: Deep\nsections:\n")
	for i := 0; blockMaps.Len() < 500<<10; i++ {
		blockMaps.WriteString(strings.Repeat(" ", i+2) + "a:\n")
	}

	var forward strings.Builder
	forward.WriteString(`{"key":"forward","version":1,"title":"Forward","sections":[{"id":"s","title":"S","items":[`)
	const n = 9000
	for i := range n {
		if i > 0 {
			forward.WriteString(",")
		}
		fmt.Fprintf(&forward, `{"id":"q%d","type":"integer","text":"Question %d %s","show_if":{"item":"q%d","equals":1}}`,
			i, i, strings.Repeat("x", 20), (i+1)%n)
	}
	forward.WriteString("]}]}")

	// Forward show_if within the item limit: every one is a problem, and
	// the error still stays small.
	var forwardAtLimit strings.Builder
	forwardAtLimit.WriteString(`{"key":"forward","version":1,"title":"Forward","sections":[{"id":"s","title":"S","items":[`)
	for i := range survey.MaxItems {
		if i > 0 {
			forwardAtLimit.WriteString(",")
		}
		fmt.Fprintf(&forwardAtLimit, `{"id":"q%d","type":"integer","text":"Q","show_if":{"item":"q%d","equals":1}}`, i, (i+1)%survey.MaxItems)
	}
	forwardAtLimit.WriteString("]}]}")

	// The largest instrument worth writing: every item limit reached, in
	// YAML, just under 1 MiB. It must parse, within the same bounds.
	var atLimits strings.Builder
	atLimits.WriteString("key: largest\nversion: 1\ntitle: Largest\nsections:\n")
	for si := range survey.MaxSections {
		fmt.Fprintf(&atLimits, "  - id: s%d\n    title: Section %d\n    items:\n", si, si)
		for ii := range survey.MaxItems / survey.MaxSections {
			fmt.Fprintf(&atLimits, "      - id: q%d_%d\n        type: single_choice\n        text: %s\n        show_if: {item: q0_0, in: [1, 2]}\n        options:\n", si, ii, strings.Repeat("x", 660))
			for v := range 5 {
				fmt.Fprintf(&atLimits, "          - {value: %d, label: Option %d}\n", v+1, v+1)
			}
		}
	}
	atLimitsDoc := strings.Replace(atLimits.String(), "        show_if: {item: q0_0, in: [1, 2]}\n", "", 1)

	big := []byte("key: big\nversion: 1\ntitle: Big\ndescription: " + strings.Repeat("x", 2<<20) + "\nsections: []\n")

	for _, tc := range []struct {
		name   string
		data   []byte
		format instrument.Format
	}{
		{"AliasBomb", []byte(aliasBomb.String()), instrument.YAML},
		{"NestedBracketsYAML", []byte(strings.Repeat("[", 100<<10)), instrument.YAML},
		{"NestedBracketsJSON", []byte(strings.Repeat("[", 100<<10)), instrument.JSON},
		// Quoted closing brackets get past the byte gate; the scanner
		// still refuses the nesting, at a bounded cost.
		{"NestedBracketsQuoted", []byte(strings.Repeat(`[ "]" `, 170<<10)), instrument.YAML},
		{"NestedFlowMaps", []byte(strings.Repeat("{a: ", 128<<10)), instrument.YAML},
		{"NestedBlockMaps", []byte(blockMaps.String()), instrument.YAML},
		{"NestedDashes", []byte(strings.Repeat("- ", 256<<10) + "a"), instrument.YAML},
		{"ForwardShowIf", []byte(forward.String()), instrument.JSON},
		{"ForwardShowIfAtLimit", []byte(forwardAtLimit.String()), instrument.JSON},
		{"TooLarge", big, instrument.YAML},
		{"LargestValid", []byte(atLimitsDoc), instrument.YAML},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alloc, elapsed, err := parseBounded(t, tc.data, tc.format)
			if tc.name == "LargestValid" {
				t.Logf("%d-byte document: %v, %d MB allocated, %v", len(tc.data), err, alloc>>20, elapsed)
				if err != nil || len(tc.data) > survey.MaxDocumentBytes {
					t.Errorf("%d bytes: %v; want a valid instrument of at most %d bytes", len(tc.data), err, survey.MaxDocumentBytes)
				}
			} else {
				var se *survey.Error
				if !errors.As(err, &se) {
					t.Fatalf("%d-byte document: got %v, want a *survey.Error", len(tc.data), err)
				}
				body, _ := json.Marshal(se.Details)
				t.Logf("%d-byte document: %s, %d details (%d bytes), %d MB allocated, %v", len(tc.data), se.Code, len(se.Details), len(body), alloc>>20, elapsed)
				if len(body) > 8<<10 {
					t.Errorf("error details of %d bytes, want under 8 KiB", len(body))
				}
			}
			// The densest YAML document the limits let through costs about
			// 90 MB (see bounds.go), the largest about 1.4 s under -race;
			// before the limits these documents took gigabytes or minutes.
			// The margins leave room for a loaded 2-core machine.
			if alloc > 192<<20 {
				t.Errorf("%d MB allocated, want under 192 MB", alloc>>20)
			}
			if elapsed > 10*time.Second {
				t.Errorf("took %v, want under 10 s", elapsed)
			}
		})
	}
}

// TestHardening11InstrumentText: control characters in an instrument's
// texts are refused at the exact path; tab, line feed and carriage return
// are accepted.
func TestHardening11InstrumentText(t *testing.T) {
	doc := map[string]any{
		"key": "ctl", "version": 1, "title": "Title\x00", "description": "ok\ttab\r\nline",
		"introduction": "Intro\x1b[31m", "consent": "Consent\u2028more",
		"scales": []any{map[string]any{"id": "s5", "options": []any{
			map[string]any{"value": 1, "label": "Low\x7f"}, map[string]any{"value": 2, "label": "High\u0085"}}}},
		"subscales": []any{map[string]any{"id": "sub", "title": "Sub", "description": "bell\a"}},
		"sections": []any{map[string]any{"id": "sec", "title": "Section\x0b", "description": "fine\nline", "items": []any{
			map[string]any{"id": "q1", "type": "likert", "text": "Q\x01", "help": "help\x0c", "scale": "s5", "subscale": "sub"},
			map[string]any{"id": "q2", "type": "single_choice", "text": "Pick\ttwo", "options": []any{
				map[string]any{"value": 1, "label": "A\u2029"}, map[string]any{"value": 2, "label": "B"}}},
		}}},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	_, err = instrument.Parse(data, instrument.JSON)
	var se *survey.Error
	if !errors.As(err, &se) || se.Code != survey.EInvalid {
		t.Fatalf("got %v, want an %s error (422)", err, survey.EInvalid)
	}
	got := map[string]string{}
	for _, d := range se.Details {
		got[d.Path] = d.Message
	}
	want := []string{"title", "introduction", "consent", "scales[0].options[0].label", "scales[0].options[1].label",
		"subscales[0].description", "sections[0].title", "sections[0].items[0].text", "sections[0].items[0].help",
		"sections[0].items[1].options[0].label"}
	for _, p := range want {
		if !strings.Contains(got[p], "control character") && !strings.Contains(got[p], "line separator") {
			t.Errorf("%s: got %q, want a control character problem", p, got[p])
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems at %d paths, want exactly %v: %v", len(got), want, got)
	}
	// The same rule holds in YAML, where "\0" is an escape in a
	// double-quoted string; tabs and line breaks stay fine.
	yamlDoc := strings.Replace(minimal, "title: Demo", "title: \"Demo\\0\"\ndescription: \"a\\tb\\r\\nc\"", 1)
	if p := problems(t, parseErr(yamlDoc)); len(p) != 1 || !strings.Contains(p["title"], "control character") {
		t.Errorf("YAML: got %v, want one control character problem at title", p)
	}
}

func parseErr(doc string) error {
	_, err := instrument.Parse([]byte(doc), instrument.YAML)
	return err
}
