// Package instrument reads instrument files (YAML or JSON, one structure)
// into survey.Instrument values, reporting every problem with its path:
// syntax, unknown fields and wrong types here, and the format's rules
// through survey.Instrument.Validate.
//
// Decoding goes through a generic tree rather than struct tags so that a
// file with several mistakes gets all of them named at once, each at its
// place ("sections[1].items[3].scale"), which neither encoding/json nor a
// YAML decoder in strict mode offers.
package instrument

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/goccy/go-yaml"
)

// Format is the syntax of an instrument file.
type Format int

// Formats.
const (
	YAML Format = iota
	JSON
)

// FormatOf tells the format from a file name: .json is JSON, anything else
// is read as YAML.
func FormatOf(name string) Format {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return JSON
	}
	return YAML
}

// Parse reads and validates an instrument. On failure the error is a
// *survey.Error: ETooLarge when data is over survey.MaxDocumentBytes,
// EMalformed when the text is not YAML or JSON at all, EInvalid with one
// detail per problem otherwise (at most 50, the last one counting the
// rest). The document is checked against the limits of bounds.go before
// it is decoded.
func Parse(data []byte, f Format) (*survey.Instrument, error) {
	if len(data) > survey.MaxDocumentBytes {
		return nil, &survey.Error{Code: survey.ETooLarge, Message: "the instrument is too large",
			Details: []survey.Detail{{Path: "", Message: fmt.Sprintf("the document is %d bytes; at most %d are allowed", len(data), survey.MaxDocumentBytes)}}}
	}
	if err := checkBounds(data, f); err != nil {
		var le *errLimit
		if errors.As(err, &le) {
			return nil, &survey.Error{Code: survey.EInvalid, Message: "the instrument is not valid",
				Details: []survey.Detail{{Path: "", Message: le.msg}}}
		}
		return nil, &survey.Error{Code: survey.EMalformed, Message: "the instrument is not well-formed " + f.String(),
			Details: []survey.Detail{{Path: "", Message: err.Error()}}}
	}
	tree, err := decodeTree(data, f)
	if err != nil {
		return nil, &survey.Error{Code: survey.EMalformed, Message: "the instrument is not well-formed " + f.String(),
			Details: []survey.Detail{{Path: "", Message: err.Error()}}}
	}
	d := &decoder{}
	in := d.instrument(tree)
	var vp survey.Problems
	if err := in.Validate(); err != nil {
		var se *survey.Error
		if errors.As(err, &se) {
			vp = se.Details
		}
	}
	// A field that could not be decoded is reported once, by the decoder,
	// not again by the rules that then see its zero value.
	for _, v := range vp {
		if !d.covers(v.Path) {
			d.p = append(d.p, v)
		}
	}
	if err := d.p.Err(survey.EInvalid, "the instrument is not valid"); err != nil {
		return nil, err
	}
	return in, nil
}

func (f Format) String() string {
	if f == JSON {
		return "JSON"
	}
	return "YAML"
}

func decodeTree(data []byte, f Format) (any, error) {
	var tree any
	if f == JSON {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&tree); err != nil {
			return nil, err
		}
		if dec.More() {
			return nil, fmt.Errorf("unexpected data after the top-level object")
		}
		return tree, nil
	}
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return nil, err
	}
	return tree, nil
}

type decoder struct {
	p   survey.Problems
	bad map[string]bool // paths the decoder reported
}

func (d *decoder) fail(path, format string, args ...any) {
	d.p.Add(path, format, args...)
	if d.bad == nil {
		d.bad = map[string]bool{}
	}
	d.bad[path] = true
}

// covers reports whether path is at or below a path the decoder reported.
// It looks up each ancestor of path ("a.b[1].c", "a.b[1]", "a.b", "a"),
// so the cost is the path's length, not the number of reports.
func (d *decoder) covers(path string) bool {
	if len(d.bad) == 0 {
		return false
	}
	for {
		if d.bad[path] {
			return true
		}
		i := strings.LastIndexAny(path, ".[")
		if i <= 0 {
			return false
		}
		path = path[:i]
	}
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// object checks v is a mapping with only known keys and returns it.
func (d *decoder) object(path string, v any, known ...string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "must be an object (a mapping of fields), got %s", describe(v))
		return nil
	}
	var unknown []string
	for k := range m {
		if !contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		d.fail(join(path, k), "unknown field %q (allowed: %s)", k, strings.Join(known, ", "))
	}
	return m
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (d *decoder) str(m map[string]any, path, field string) string {
	v, ok := m[field]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		d.fail(join(path, field), "must be a string, got %s", describe(v))
	}
	return s
}

func (d *decoder) boolean(m map[string]any, path, field string) bool {
	v, ok := m[field]
	if !ok || v == nil {
		return false
	}
	b, ok := v.(bool)
	if !ok {
		d.fail(join(path, field), "must be true or false, got %s", describe(v))
	}
	return b
}

func (d *decoder) integer(path string, v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
	case float64:
		if n == math.Trunc(n) && math.Abs(n) <= 1<<53 {
			return int64(n), true
		}
	case json.Number:
		if x, err := n.Int64(); err == nil {
			return x, true
		}
		if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
			return int64(f), true
		}
	}
	d.fail(path, "must be an integer, got %s", describe(v))
	return 0, false
}

func (d *decoder) intField(m map[string]any, path, field string) int {
	v, ok := m[field]
	if !ok || v == nil {
		return 0
	}
	n, ok := d.integer(join(path, field), v)
	if ok && (n > math.MaxInt32 || n < math.MinInt32) {
		d.fail(join(path, field), "is out of range, got %d", n)
		return 0
	}
	return int(n)
}

func (d *decoder) intPtr(m map[string]any, path, field string) *int64 {
	v, ok := m[field]
	if !ok || v == nil {
		return nil
	}
	n, ok := d.integer(join(path, field), v)
	if !ok {
		return nil
	}
	return &n
}

// list returns the list at m[field]. A list longer than limit is reported
// once and not decoded, so neither the work nor the error grows with it.
func (d *decoder) list(m map[string]any, path, field string, limit int, what string) ([]any, bool) {
	v, ok := m[field]
	if !ok || v == nil {
		return nil, false
	}
	l, ok := v.([]any)
	if !ok {
		d.fail(join(path, field), "must be a list, got %s", describe(v))
		return nil, false
	}
	if len(l) > limit {
		d.fail(join(path, field), "at most %d %s are allowed, got %d", limit, what, len(l))
		return nil, false
	}
	return l, true
}

// describe names a decoded value's type and shows it, for messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("the number %v", x)
	}
}

func (d *decoder) instrument(tree any) *survey.Instrument {
	in := &survey.Instrument{}
	m := d.object("", tree, "key", "version", "title", "description", "language", "introduction",
		"consent", "estimated_minutes", "scales", "subscales", "sections", "randomize", "languages", "translations")
	if m == nil {
		return in
	}
	in.Key = d.str(m, "", "key")
	in.Version = d.intField(m, "", "version")
	in.Title = d.str(m, "", "title")
	in.Description = d.str(m, "", "description")
	in.Language = d.str(m, "", "language")
	in.Introduction = d.str(m, "", "introduction")
	in.Consent = d.str(m, "", "consent")
	in.EstimatedMinutes = d.intField(m, "", "estimated_minutes")
	in.Randomize = d.str(m, "", "randomize")
	if l, ok := d.list(m, "", "scales", survey.MaxScales, "scales"); ok {
		in.Scales = make([]survey.Scale, 0, len(l))
		for i, v := range l {
			path := index("scales", i)
			sm := d.object(path, v, "id", "options")
			if sm == nil {
				in.Scales = append(in.Scales, survey.Scale{})
				continue
			}
			in.Scales = append(in.Scales, survey.Scale{ID: d.str(sm, path, "id"), Options: d.options(sm, path)})
		}
	}
	if l, ok := d.list(m, "", "subscales", survey.MaxSubscales, "subscales"); ok {
		in.Subscales = make([]survey.Subscale, 0, len(l))
		for i, v := range l {
			path := index("subscales", i)
			sm := d.object(path, v, "id", "title", "description", "scoring", "min_answered", "combine")
			s := survey.Subscale{}
			if sm != nil {
				s = survey.Subscale{
					ID:          d.str(sm, path, "id"),
					Title:       d.str(sm, path, "title"),
					Description: d.str(sm, path, "description"),
					Scoring:     d.str(sm, path, "scoring"),
					MinAnswered: d.intField(sm, path, "min_answered"),
					Combine:     d.str(sm, path, "combine"),
				}
			}
			in.Subscales = append(in.Subscales, s)
		}
	}
	if l, ok := d.list(m, "", "sections", survey.MaxSections, "sections"); ok {
		in.Sections = make([]survey.Section, 0, len(l))
		for i, v := range l {
			in.Sections = append(in.Sections, d.section(index("sections", i), v))
		}
	}
	if l, ok := d.list(m, "", "languages", survey.MaxLanguages, "languages"); ok {
		in.Languages = make([]string, 0, len(l))
		for i, v := range l {
			s, ok := v.(string)
			if !ok {
				d.fail(index("languages", i), "must be a string, got %s", describe(v))
			}
			in.Languages = append(in.Languages, s)
		}
	}
	if v, ok := m["translations"]; ok && v != nil {
		in.Translations = d.translations("translations", v)
	}
	return in
}

// translations decodes the translations object: language -> text id ->
// text (survey/translation.go).
func (d *decoder) translations(path string, v any) map[string]survey.Translation {
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "must be an object (language -> translation), got %s", describe(v))
		return nil
	}
	if len(m) > survey.MaxLanguages {
		d.fail(path, "at most %d languages are allowed, got %d", survey.MaxLanguages, len(m))
		return nil
	}
	out := make(map[string]survey.Translation, len(m))
	for lang, tv := range m {
		if tr := d.translation(join(path, lang), tv); tr != nil {
			out[lang] = tr
		}
	}
	return out
}

// translation decodes one language's texts: an object of text id -> text.
func (d *decoder) translation(path string, v any) survey.Translation {
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "must be an object of text ids and their translations, got %s", describe(v))
		return nil
	}
	tr := make(survey.Translation, len(m))
	for id, x := range m {
		s, ok := x.(string)
		if !ok {
			d.fail(join(path, id), "must be a string, got %s", describe(x))
			continue
		}
		tr[id] = s
	}
	return tr
}

func (d *decoder) options(m map[string]any, path string) []survey.Option {
	l, ok := d.list(m, path, "options", survey.MaxOptions, "options")
	if !ok {
		return nil
	}
	path = join(path, "options")
	opts := make([]survey.Option, 0, len(l))
	for i, v := range l {
		opath := index(path, i)
		om := d.object(opath, v, "value", "label", "missing", "exclusive")
		o := survey.Option{}
		if om != nil {
			if _, ok := om["value"]; !ok {
				d.fail(join(opath, "value"), "is required")
			} else if n, ok := d.integer(join(opath, "value"), om["value"]); ok {
				o.Value = n
			}
			o.Label = d.str(om, opath, "label")
			o.Missing = d.boolean(om, opath, "missing")
			o.Exclusive = d.boolean(om, opath, "exclusive")
		}
		opts = append(opts, o)
	}
	return opts
}

func (d *decoder) section(path string, v any) survey.Section {
	m := d.object(path, v, "id", "title", "description", "items", "randomize", "fixed", "show_if")
	if m == nil {
		return survey.Section{}
	}
	s := survey.Section{
		ID:          d.str(m, path, "id"),
		Title:       d.str(m, path, "title"),
		Description: d.str(m, path, "description"),
		Randomize:   d.str(m, path, "randomize"),
		Fixed:       d.boolean(m, path, "fixed"),
	}
	if l, ok := d.list(m, path, "items", survey.MaxItems, "items"); ok {
		s.Items = make([]survey.Item, 0, len(l))
		for i, v := range l {
			s.Items = append(s.Items, d.item(index(join(path, "items"), i), v))
		}
	}
	if c, ok := m["show_if"]; ok && c != nil {
		s.ShowIf = d.condition(join(path, "show_if"), c)
	}
	return s
}

// itemFields lists the fields each item type takes beyond the common ones.
var itemFields = map[string][]string{
	survey.Likert:         {"scale", "subscale", "reverse"},
	survey.SingleChoice:   {"options"},
	survey.MultipleChoice: {"options"},
	survey.Integer:        {"min", "max"},
	survey.Text:           {"multiline", "max_length"},
	survey.DateItem:       {"min", "max"},
	survey.Number:         {"min", "max", "decimals", "unit"},
	survey.Slider:         {"min_label", "max_label"},
	survey.Info:           {},
	survey.Consent:        {"decline"},
}

// choiceExtras are the fields both choice types take beyond options.
var choiceExtras = []string{"other", "other_label"}

func init() {
	for _, t := range []string{survey.SingleChoice, survey.MultipleChoice} {
		itemFields[t] = append(itemFields[t], choiceExtras...)
	}
}

var commonItemFields = []string{"id", "type", "text", "help", "required", "show_if", "fixed"}

func (d *decoder) item(path string, v any) survey.Item {
	all := append([]string{}, commonItemFields...)
	for _, t := range []string{survey.Likert, survey.SingleChoice, survey.Integer, survey.Text,
		survey.Number, survey.Slider, survey.Consent} {
		for _, f := range itemFields[t] {
			if !contains(all, f) {
				all = append(all, f)
			}
		}
	}
	all = append(all, "attention") // an item's type decides in Validate (survey/attention.go)
	m := d.object(path, v, all...)
	if m == nil {
		return survey.Item{}
	}
	it := survey.Item{
		ID:        d.str(m, path, "id"),
		Type:      d.str(m, path, "type"),
		Text:      d.str(m, path, "text"),
		Help:      d.str(m, path, "help"),
		Required:  d.boolean(m, path, "required"),
		Scale:     d.str(m, path, "scale"),
		Subscale:  d.str(m, path, "subscale"),
		Reverse:   d.boolean(m, path, "reverse"),
		Multiline: d.boolean(m, path, "multiline"),
		MaxLength: d.intField(m, path, "max_length"),
		Fixed:     d.boolean(m, path, "fixed"),
		Decimals:  d.intField(m, path, "decimals"),
		Unit:      d.str(m, path, "unit"),
		MinLabel:  d.str(m, path, "min_label"),
		MaxLabel:  d.str(m, path, "max_label"),
		Decline:   d.str(m, path, "decline"),
		Other:     d.boolean(m, path, "other"),
	}
	it.OtherLabel = d.str(m, path, "other_label")
	if r, ok := m["required"].(bool); ok && !r && it.Type == survey.Consent {
		d.fail(join(path, "required"), "a consent item is always required; leave required out")
	}
	switch it.Type {
	case survey.DateItem:
		it.MinText, it.MaxText = d.date(m, path, "min"), d.date(m, path, "max")
	case survey.Number:
		it.MinText, it.MaxText = d.decimal(m, path, "min"), d.decimal(m, path, "max")
	default:
		it.Min, it.Max = d.intPtr(m, path, "min"), d.intPtr(m, path, "max")
	}
	if _, ok := m["options"]; ok {
		it.Options = d.options(m, path)
		if it.Options == nil {
			it.Options = []survey.Option{}
		}
	}
	// A field of another type is reported here even when its value is the
	// zero value (reverse: false on a text item), which Validate cannot see.
	if allowed, ok := itemFields[it.Type]; ok {
		for _, f := range all {
			if _, present := m[f]; present && !contains(commonItemFields, f) && !contains(allowed, f) && f != "attention" {
				d.fail(join(path, f), "%s", survey.NotAllowed(it.Type))
			}
		}
	}
	if c, ok := m["show_if"]; ok && c != nil {
		it.ShowIf = d.condition(join(path, "show_if"), c)
	}
	if a, ok := m["attention"]; ok && a != nil {
		it.Attention = d.attention(join(path, "attention"), a)
	}
	return it
}

// date reads a date item's bound: an ISO date, quoted or not (YAML reads
// an unquoted 2024-05-31 as a timestamp).
func (d *decoder) date(m map[string]any, path, field string) string {
	switch v := m[field].(type) {
	case nil:
		return ""
	case string:
		return v
	case time.Time:
		if v.Equal(v.Truncate(24 * time.Hour)) {
			return v.Format(time.DateOnly)
		}
	}
	d.fail(join(path, field), "must be an ISO date such as 2024-05-31, got %s", describe(m[field]))
	return ""
}

// decimal reads a number item's bound as exact decimal text: a JSON
// number's own digits, or a YAML float's shortest form (the digits it was
// written with, for any number of at most 15 digits).
func (d *decoder) decimal(m map[string]any, path, field string) string {
	var s string
	switch v := m[field].(type) {
	case nil:
		return ""
	case json.Number:
		s = v.String()
	case int:
		s = strconv.Itoa(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case uint64:
		s = strconv.FormatUint(v, 10)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		d.fail(join(path, field), "must be a number, got %s", describe(v))
		return ""
	}
	c, ok := survey.ParseDecimal(s)
	if !ok {
		d.fail(join(path, field), "must be a number of at most %d digits, got %s", survey.MaxNumberDigits, s)
		return ""
	}
	return c
}

// attention reads an attention check: {expect: V}, expect required.
func (d *decoder) attention(path string, v any) *survey.Attention {
	m := d.object(path, v, "expect")
	if m == nil {
		return nil
	}
	if _, ok := m["expect"]; !ok {
		d.fail(join(path, "expect"), "is required")
		return nil
	}
	n := d.intPtr(m, path, "expect")
	if n == nil {
		return nil
	}
	return &survey.Attention{Expect: *n}
}

func (d *decoder) condition(path string, v any) *survey.Condition {
	m := d.object(path, v, "item", "equals", "in", "not_equals", "lt", "lte", "gt", "gte", "answered", "all", "any", "not")
	if m == nil {
		return nil
	}
	c := &survey.Condition{Item: d.str(m, path, "item"), Equals: d.intPtr(m, path, "equals"),
		NotEquals: d.intPtr(m, path, "not_equals"), Lt: d.intPtr(m, path, "lt"), Lte: d.intPtr(m, path, "lte"),
		Gt: d.intPtr(m, path, "gt"), Gte: d.intPtr(m, path, "gte")}
	if b, ok := m["answered"]; ok && b != nil {
		a := d.boolean(m, path, "answered")
		c.Answered = &a
	}
	if l, ok := d.list(m, path, "in", survey.MaxOptions, "values"); ok {
		c.In = make([]int64, 0, len(l))
		for i, x := range l {
			if n, ok := d.integer(index(join(path, "in"), i), x); ok {
				c.In = append(c.In, n)
			}
		}
	}
	// The document's depth is bounded before decoding (MaxDocumentDepth),
	// so this recursion is too; Validate bounds depth and size further.
	for _, f := range []struct {
		name string
		to   *[]survey.Condition
	}{{"all", &c.All}, {"any", &c.Any}} {
		if l, ok := d.list(m, path, f.name, survey.MaxConditionNodes, "conditions"); ok {
			*f.to = make([]survey.Condition, 0, len(l))
			for i, x := range l {
				if sub := d.condition(index(join(path, f.name), i), x); sub != nil {
					*f.to = append(*f.to, *sub)
				}
			}
		}
	}
	if x, ok := m["not"]; ok && x != nil {
		c.Not = d.condition(join(path, "not"), x)
	}
	return c
}
