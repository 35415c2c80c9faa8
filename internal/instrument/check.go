package instrument

// Checking an instrument's text without saving it, for the editor's live
// check (the dashboard) and POST /api/v1/instruments/check: the verdict a
// save would give, each problem with its place in the text (line, column)
// and the id of the item it lies in, so that an editor can move to it.

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Problem is one problem of an instrument's text.
type Problem struct {
	Path, Message string
	// Line and Column (from 1) place it in the text; 0 when unknown.
	Line, Column int
	// Item is the id of the item the problem lies in, when it lies in one.
	Item string
}

// CheckResult is the verdict on an instrument's text.
type CheckResult struct {
	// Format names the decoder that read the text ("" if none did);
	// Native is set when it is Dyad's own syntax (YAML or JSON), whose
	// paths are places in the text.
	Format string
	Native bool
	// Instrument is the instrument read, when it is valid.
	Instrument *survey.Instrument
	// Err is what a save would answer (a *survey.Error), nil when valid.
	Err      error
	Problems []Problem
	Warnings []survey.Detail
}

// yamlPlace is how the YAML parser starts a message: "[line:column] ".
var yamlPlace = regexp.MustCompile(`^\[(\d+):(\d+)\]\s*`)

// Check reads data as an upload of mediaType would be read (Detect: Dyad's
// YAML or JSON, or a file of another format) and reports its problems
// with their places. It stores nothing.
func Check(mediaType string, data []byte) *CheckResult {
	dec := Detect(mediaType, "", data)
	if dec == nil {
		err := survey.Errorf(survey.EUnsupported, "the text is neither a Dyad instrument (YAML or JSON) nor a file of a format Dyad imports (%s)", ForeignNames())
		return &CheckResult{Err: err, Problems: []Problem{{Message: err.Message}}}
	}
	out := &CheckResult{Format: dec.Name, Native: dec.Sniff == nil}
	res, err := dec.Import(data)
	if res != nil {
		out.Warnings = res.Warnings
	}
	if err == nil {
		out.Instrument = res.Instrument
		return out
	}
	out.Err = err
	var se *survey.Error
	if !errors.As(err, &se) {
		out.Problems = []Problem{{Message: err.Error()}}
		return out
	}
	var src []byte
	if dec.Sniff == nil {
		src = data // Dyad's own syntax: paths are places in this text
	}
	out.Problems = Place(se.Details, src)
	if len(out.Problems) == 0 {
		out.Problems = []Problem{{Message: se.Message}}
	}
	return out
}

// Place gives each detail its place: from the YAML parser's "[line:col]"
// (the rest of whose message, which repeats the source with a caret, is
// cut), else, when src is the text in Dyad's own syntax, by its path. Only
// a detail with a path is placed by path, and the parser gives paths only
// to text that has passed its bounds on size and nesting, so the text
// parsed again here is bounded too.
func Place(details []survey.Detail, src []byte) []Problem {
	out := make([]Problem, 0, len(details))
	var l *Locator
	for _, d := range details {
		pr := Problem{Path: d.Path, Message: d.Message}
		if m := yamlPlace.FindStringSubmatch(d.Message); m != nil {
			pr.Line, _ = strconv.Atoi(m[1])
			pr.Column, _ = strconv.Atoi(m[2])
			pr.Message, _, _ = strings.Cut(d.Message[len(m[0]):], "\n")
		} else if src != nil && d.Path != "" && !strings.ContainsAny(d.Path, " \"") {
			if l == nil {
				l = NewLocator(src)
			}
			pr.Line, pr.Column, _ = l.Find(d.Path)
			pr.Item = l.ItemID(d.Path)
		}
		out = append(out, pr)
	}
	return out
}
