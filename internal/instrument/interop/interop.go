// Package interop holds what the importers of other instrument formats
// (REDCap data dictionaries, FHIR Questionnaires, XLSForms, LimeSurvey
// survey structures) share: the result of an import with its report of
// what could not be mapped, the turning of foreign names into Dyad ids,
// and the last step of every import, validation with each problem
// located in the source file.
//
// The importers live in sibling packages that import this one and
// survey, never each other, so each format can be read, changed or
// dropped on its own.
package interop

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Result is an imported instrument and the report of what in the source
// could not be carried into it (a branching rule Dyad cannot express, a
// calculated field, a second language), each warning with the place in
// the source file, such as `row 12 "Branching Logic (Show field only
// if...)"` or `item[3].enableWhen`.
type Result struct {
	Instrument *survey.Instrument
	Warnings   []survey.Detail
}

// Report collects warnings and the places of the built items while an
// importer walks its source.
type Report struct {
	warnings survey.Problems
	// where maps a Dyad path ("sections[0].items[3]", "sections[0]",
	// "scales[1]") to the place in the source it was built from.
	where map[string]string
}

// Warn records something the import could not map; it does not stop the
// import.
func (r *Report) Warn(at, format string, args ...any) {
	r.warnings.Add(at, format, args...)
}

// Warnings returns the warnings recorded so far (capped like every list
// of details, see survey.MaxDetails).
func (r *Report) Warnings() []survey.Detail {
	if len(r.warnings) == 0 {
		return nil
	}
	return survey.CapDetails(r.warnings)
}

// Locate records that the Dyad element at path was built from the source
// at place, so that a problem validation finds there is reported where
// the author can fix it.
func (r *Report) Locate(path, place string) {
	if r.where == nil {
		r.where = map[string]string{}
	}
	r.where[path] = place
}

// place returns the source place of the longest located prefix of a
// Dyad path, "" when none is located.
func (r *Report) place(path string) string {
	for p := path; p != ""; {
		if w, ok := r.where[p]; ok {
			return w
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			break
		}
		p = p[:i]
	}
	return ""
}

// Finish validates the imported instrument by Dyad's rules and returns
// it with the warnings. When it is not valid the error is the
// *survey.Error of Validate (code EInvalid) with each detail's path
// turned into the place in the source, the Dyad path kept in the
// message: `row 12: sections[0].items[3].options[1].label: is required`.
// The Result comes with that error too, holding the instrument as
// imported, so that a caller can show it for correction (the dashboard
// puts its YAML in an editor); it is never to be saved as it is.
func (r *Report) Finish(in *survey.Instrument) (*Result, error) {
	err := in.Validate()
	if err == nil {
		return &Result{Instrument: in, Warnings: r.Warnings()}, nil
	}
	var se *survey.Error
	if !errors.As(err, &se) {
		return nil, err
	}
	out := make([]survey.Detail, len(se.Details))
	for i, d := range se.Details {
		out[i] = d
		if d.Path == "" {
			continue
		}
		if w := r.place(d.Path); w != "" {
			out[i] = survey.Detail{Path: w, Message: d.Path + ": " + d.Message}
		}
	}
	return &Result{Instrument: in, Warnings: r.Warnings()}, &survey.Error{Code: se.Code, Message: se.Message, Details: survey.CapDetails(out)}
}

// Malformed is the error of a file that is not the format at all (not
// CSV, not JSON, not a spreadsheet): EMalformed with one detail.
func Malformed(format string, path string, cause error) error {
	return &survey.Error{Code: survey.EMalformed, Message: "the file is not a well-formed " + format,
		Details: []survey.Detail{{Path: path, Message: cause.Error()}}}
}

// Invalid is the error of a file in the format that cannot become an
// instrument (no questions, a missing column): EInvalid with its
// problems.
func Invalid(p survey.Problems) error {
	return p.Err(survey.EInvalid, "the file cannot become a valid instrument")
}

// IDs hands out Dyad ids (^[a-z][a-z0-9_]{0,31}$) for foreign names,
// each distinct, the same name always getting the same id.
type IDs struct {
	given map[string]string // foreign name -> id
	used  map[string]bool
}

// ID returns the id of a foreign name (a REDCap field name, a FHIR
// linkId, a LimeSurvey question code): lower case, runs of other
// characters made one "_", an "x" in front of a leading digit, cut to 32
// characters, and made distinct with a number when two names come out
// the same. fallback is used when nothing of the name is left.
func (ids *IDs) ID(name, fallback string) string {
	if ids.given == nil {
		ids.given, ids.used = map[string]string{}, map[string]bool{}
	}
	if id, ok := ids.given[name]; ok {
		return id
	}
	id := ids.Fresh(name, fallback)
	ids.given[name] = id
	return id
}

// Fresh returns a new id made from name as ID makes it, distinct from
// every id handed out so far, without remembering name.
func (ids *IDs) Fresh(name, fallback string) string {
	if ids.used == nil {
		ids.given, ids.used = map[string]string{}, map[string]bool{}
	}
	id := Sanitize(name)
	if id == "" {
		id = fallback
	}
	base := id
	for n := 2; ids.used[id] || reserved(id); n++ {
		suffix := fmt.Sprintf("_%d", n)
		id = strings.TrimRight(base[:min(len(base), 32-len(suffix))], "_") + suffix
	}
	ids.used[id] = true
	return id
}

// Known returns the id already given to a foreign name.
func (ids *IDs) Known(name string) (string, bool) {
	id, ok := ids.given[name]
	return id, ok
}

// reserved tells ids that Dyad keeps for its export's own columns.
func reserved(id string) bool {
	switch id {
	case "response_id", "instrument_version", "status", "started_at", "submitted_at", "duration_s":
		return true
	}
	return strings.HasPrefix(id, "score_")
}

// Sanitize turns a name into the shape of a Dyad id, "" when no letter
// or digit is left.
func Sanitize(name string) string {
	s := sanitize(name)
	if len(s) > 32 {
		s = strings.TrimRight(s[:32], "_")
	}
	return s
}

// sanitize is Sanitize without the cut to 32 characters.
func sanitize(name string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
	}
	s := b.String()
	if s == "" {
		return ""
	}
	if s[0] < 'a' || s[0] > 'z' {
		s = "x" + s
	}
	return s
}

// Key turns a name into an instrument key (^[a-z][a-z0-9-]{1,63}$),
// fallback when nothing is left.
func Key(name, fallback string) string {
	s := strings.ReplaceAll(sanitize(name), "_", "-")
	if len(s) < 2 {
		return fallback
	}
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], "-")
	}
	return s
}

// Title makes a readable title of an identifier such as a REDCap form
// name: "participant_info_survey" becomes "Participant info survey".
func Title(name string) string {
	s := strings.TrimSpace(strings.ReplaceAll(name, "_", " "))
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// Clip cuts a text to at most n characters, for a title or label taken
// from a longer text, and tells whether it cut.
func Clip(s string, n int) (string, bool) {
	r := []rune(s)
	if len(r) <= n {
		return s, false
	}
	return string(r[:n-1]) + "…", true
}

// SharedScales gives likert items that share the same options one scale:
// Scales lists them by first use. Two lists are the same when their
// values and labels are, in order.
type SharedScales struct {
	Scales []survey.Scale
	byKey  map[string]string
	ids    IDs // scale ids are distinct among scales, apart from item ids
}

// ScaleFor returns the id of the scale with exactly these options,
// adding one named after hint (made distinct) when there is none.
func (s *SharedScales) ScaleFor(opts []survey.Option, hint string) string {
	if s.byKey == nil {
		s.byKey = map[string]string{}
	}
	var b strings.Builder
	for _, o := range opts {
		fmt.Fprintf(&b, "%d\x00%s\x00", o.Value, o.Label)
	}
	k := b.String()
	if id, ok := s.byKey[k]; ok {
		return id
	}
	id := s.ids.Fresh(hint, "scale")
	s.byKey[k] = id
	s.Scales = append(s.Scales, survey.Scale{ID: id, Options: opts})
	return id
}

// OptionsOf returns the options of an item: its own, or its scale's.
func OptionsOf(in *survey.Instrument, it *survey.Item) []survey.Option {
	if it.Type == survey.Likert {
		for _, s := range in.Scales {
			if s.ID == it.Scale {
				return s.Options
			}
		}
		return nil
	}
	return it.Options
}

// SortedValues returns a condition's values in ascending order.
func SortedValues(c *survey.Condition) []int64 {
	v := append([]int64(nil), c.Values()...)
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	return v
}
