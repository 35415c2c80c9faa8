package instrument

// Bounding the parse.
//
// A YAML or JSON document can describe far more than its size: a 6 KB YAML
// file of anchors and aliases expands to a million items, and 100 KB of
// nested brackets or flow maps drives the YAML parser past gigabytes before
// any depth check of its own. So a document is checked before any tree is
// built, by a pass that keeps only counters:
//
//   - at most survey.MaxDocumentBytes (1 MiB, the API's body limit);
//   - YAML anchors and aliases (&name, *name, and so << merges) are refused
//     outright rather than given an expansion budget: instruments are
//     small hand-written documents that never need them, and a document
//     whose items are defined elsewhere by reference is hard to review,
//     which matters for a questionnaire a research ethics board signs off;
//   - nesting at most survey.MaxDocumentDepth (32) objects and lists deep;
//     the format needs 7;
//   - a YAML document of at most maxYAMLTokens (100,000) tokens (keys,
//     values and punctuation). The YAML library costs about 1 KB of
//     short-lived allocation per token (a 580 KB document of 190,000
//     tokens took 179 MB), so this, not the byte size, is what bounds its
//     memory: under 100 MB. An instrument at the limit of 1000 items, each
//     with five options and a show_if, has about 80,000.
//
// The pass over YAML uses the library's own scanner, one token at a time,
// so it reads the document exactly as the parser then will; a JSON
// document needs only its brackets counted outside strings (encoding/json
// then costs at most about 50 MB for 1 MiB). The YAML scanner itself
// allocates up to ~100 bytes per input byte on documents dense in
// brackets or dashes (it seems to scan a whole flow collection or line
// before handing out its tokens), so a cruder gate runs first, in one pass
// over the bytes with no allocation: more than maxRawNesting [ and { left
// open (quoted or not), or more than MaxDocumentDepth list entries ("- ")
// at the start of one line, is refused at once. No instrument comes near:
// it would need hundreds of unmatched brackets in its texts. What gets
// past the gate (say, closing brackets hidden in quoted strings) costs the
// scanner at most about 90 MB and a second for 1 MiB, on an endpoint that
// needs the researcher token. After the pass, the decoder refuses any list
// longer than its limit before decoding its elements (see decoder.list),
// and survey.Instrument.Validate
// checks the remaining limits. Every refusal is a single detail.

import (
	"errors"
	"fmt"
	"io"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/goccy/go-yaml/scanner"
	"github.com/goccy/go-yaml/token"
)

// maxRawNesting bounds the [ and { left open anywhere in a YAML document,
// counted crudely (see above).
const maxRawNesting = 256

// checkYAMLGate is the crude first pass over a YAML document (see above).
// A line's leading entries are dashes each followed by a blank ("- - -
// x"), so a rule of dashes ("-----") in a text does not count.
func checkYAMLGate(data []byte) error {
	open, line, entries, lineStart := 0, 1, 0, true
	for i, c := range data {
		switch c {
		case '[', '{':
			if open++; open > maxRawNesting {
				return limitf("line %d: more than %d [ and { are open; objects and lists may nest at most %d deep", line, maxRawNesting, survey.MaxDocumentDepth)
			}
		case ']', '}':
			open = max(0, open-1)
		case '\n':
			line, entries, lineStart = line+1, 0, true
			continue
		}
		if !lineStart {
			continue
		}
		switch {
		case c == ' ' || c == '\t':
		case c == '-' && i+1 < len(data) && (data[i+1] == ' ' || data[i+1] == '\t'):
			if entries++; entries > survey.MaxDocumentDepth {
				return limitf("line %d: lists nest more than %d deep", line, survey.MaxDocumentDepth)
			}
		default:
			lineStart = false
		}
	}
	return nil
}

// maxYAMLTokens bounds the tokens of a YAML document (see above).
const maxYAMLTokens = 100_000

// errLimit is a refusal of the pre-scan: a rule of the format (422), not a
// syntax error.
type errLimit struct{ msg string }

func (e *errLimit) Error() string { return e.msg }

func limitf(format string, args ...any) error { return &errLimit{fmt.Sprintf(format, args...)} }

// checkBounds runs the pre-scan for the format. It returns an *errLimit
// for a document over a limit, another error for one the scanner cannot
// read, and nil otherwise.
func checkBounds(data []byte, f Format) error {
	if f == JSON {
		return checkJSONDepth(data)
	}
	return checkYAML(data)
}

// checkJSONDepth counts the brackets outside strings. Syntax errors are
// left to encoding/json.
func checkJSONDepth(data []byte) error {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > survey.MaxDocumentDepth {
				return limitf("byte %d: objects and lists nest more than %d deep", i, survey.MaxDocumentDepth)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// checkYAML scans the document token by token. Depth is the open flow
// collections ([ and {) plus the enclosing block collections, which it
// tells apart by indentation: a sequence entry (-) or a mapping key opens
// a level at its column, closing every level at that column or deeper.
// A block sequence written at its key's indentation counts as the key's
// level, so the depth may be undercounted by one per such list, never
// overcounted.
func checkYAML(data []byte) error {
	if err := checkYAMLGate(data); err != nil {
		return err
	}
	var s scanner.Scanner
	s.Init(string(data))
	var (
		flow  int
		block []int // columns of the enclosing block levels
		n     int
		prev  *token.Token
		at    = func(tk *token.Token) string {
			return fmt.Sprintf("line %d, column %d", tk.Position.Line, tk.Position.Column)
		}
		enter = func(col int) {
			for len(block) > 0 && block[len(block)-1] >= col {
				block = block[:len(block)-1]
			}
			block = append(block, col)
		}
	)
	for {
		tokens, err := s.Scan()
		for _, tk := range tokens {
			if n++; n > maxYAMLTokens {
				return limitf("%s: the document has more than %d YAML tokens (keys, values and punctuation)", at(tk), maxYAMLTokens)
			}
			switch tk.Type {
			case token.AnchorType, token.AliasType:
				return limitf("%s: YAML anchors and aliases (&name, *name) are not allowed in an instrument; write each item out", at(tk))
			case token.SequenceStartType, token.MappingStartType:
				flow++
			case token.SequenceEndType, token.MappingEndType:
				flow = max(0, flow-1)
			case token.SequenceEntryType:
				if flow == 0 {
					enter(tk.Position.Column)
				}
			case token.MappingValueType:
				if flow == 0 && prev != nil {
					enter(prev.Position.Column)
				}
			}
			if flow+len(block) > survey.MaxDocumentDepth {
				return limitf("%s: objects and lists nest more than %d deep", at(tk), survey.MaxDocumentDepth)
			}
			prev = tk
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
