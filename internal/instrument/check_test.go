package instrument_test

import (
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestCheck: the verdict a save gives, each problem placed (a YAML syntax
// error by the parser's own place, a rule by its path) with its item's id;
// a valid text gives its instrument; a text of no format is EUnsupported.
func TestCheck(t *testing.T) {
	doc := "key: ward\nversion: 1\ntitle: Ward\nsections:\n  - id: main\n    title: Main\n    items:\n      - id: q1\n        type: likret\n        text: Busy?\n"
	res := instrument.Check("application/yaml", []byte(doc))
	if res.Err == nil || len(res.Problems) != 1 {
		t.Fatalf("check: %v %+v", res.Err, res.Problems)
	}
	if p := res.Problems[0]; p.Path != "sections[0].items[0].type" || p.Line != 9 || p.Column != 15 || p.Item != "q1" {
		t.Errorf("problem %+v, want sections[0].items[0].type at 9:15 in q1", p)
	}
	res = instrument.Check("application/yaml", []byte(strings.Replace(doc, "likret", "text", 1)))
	if res.Err != nil || res.Instrument == nil || res.Instrument.Key != "ward" {
		t.Errorf("valid text: %v", res.Err)
	}
	res = instrument.Check("application/yaml", []byte("key: [unclosed\n"))
	if res.Err == nil || len(res.Problems) == 0 || res.Problems[0].Line == 0 || strings.Contains(res.Problems[0].Message, "\n") {
		t.Errorf("not well-formed: %+v", res.Problems)
	}
	if res := instrument.Check("text/plain", []byte("hello")); survey.ErrorCode(res.Err) != survey.EUnsupported {
		t.Errorf("no format: %v", res.Err)
	}
}
