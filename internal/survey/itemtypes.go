package survey

// The item types beyond the five first ones: date, number, slider, info
// and consent, and two option features of choice items: an exclusive
// option ("None of these") and an "Other, please specify" option.
//
// How their answers are held:
//   - date: the text of an ISO date (2006-01-02), as a browser's date input
//     sends it; min and max are ISO dates too.
//   - number: exact decimal text, never a float. A float cannot hold 0.3
//     (it holds 0.299999999999999988898...), so sums of floats print
//     0.30000000000000004, and a value read into a float and written back
//     may not be the value the respondent typed. An answer is kept as the
//     JSON number or text it came as: a whole number is stored as an
//     integer, a fraction as the canonical decimal text ("72.5" for 72.50
//     or 7.25e1), which every export writes out as it is. Only statistics
//     convert to float64, where at most MaxNumberDigits significant digits
//     are exact. A fraction sent as a JSON number is a NumberValue until it
//     is stored (Canonical writes it as a string, like a stored one).
//   - slider: an integer from 0 to 100; a slider the respondent did not
//     move is unanswered (the web form's "no answer" box, fields.go).
//   - info: text only; an answer to it is refused, and it has no column.
//   - consent: 1, the only answer; the item is always required.
//   - other: the "Other, please specify" option has the value after the
//     item's largest option value (OtherValue), and its text is the answer
//     to a companion text item <id>_other that NewForm adds, shown when
//     that option is chosen (so every rule of text answers, privacy
//     included, applies to it unchanged).

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// NumberValue is a fraction sent as a JSON number, its Text the canonical
// decimal text (see above).
const NumberValue ValueKind = 4

// Limits of the new types.
const (
	// MaxDecimals bounds a number item's decimals.
	MaxDecimals = 9
	// MaxNumberDigits bounds the significant digits of a number answer or
	// bound: 15 digits survive a float64 (statistics) exactly.
	MaxNumberDigits = 15
	// SliderMax is the top of a slider's 0–100 scale.
	SliderMax = 100
	// OtherSuffix ends the id of an "Other, please specify" companion.
	OtherSuffix = "_other"
	// OtherMaxLength caps the text of an "Other, please specify" answer.
	OtherMaxLength = 500
	// DefaultOtherLabel words the option when other_label is left out.
	DefaultOtherLabel = "Other, please specify"
)

// dateLayout is the ISO date form of date answers and bounds.
const dateLayout = time.DateOnly

// parseISODate reads an ISO date (2024-05-31, exactly ten characters).
func parseISODate(s string) (time.Time, bool) {
	if len(s) != len(dateLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, s)
	return t, err == nil
}

// ParseDecimal reads a decimal number (JSON number syntax: -12.5, 0.25,
// 1e3) and returns its canonical text: no exponent, no leading zeros
// before the units, no trailing zeros after the point, no point for a
// whole number, "0" for zero. It refuses anything else, and numbers with
// more than MaxNumberDigits significant digits, digits before the point or
// digits after it, so the text it makes stays short whatever it is given.
func ParseDecimal(s string) (string, bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e := strings.TrimPrefix(s[i+1:], "+")
		if len(e) == 0 || len(e) > 4 || !allDigits(strings.TrimPrefix(e, "-")) {
			return "", false
		}
		exp, _ = strconv.Atoi(e)
	}
	intPart, frac, dot := strings.Cut(mant, ".")
	if intPart == "" || !allDigits(intPart) || (dot && (frac == "" || !allDigits(frac))) {
		return "", false
	}
	digits := intPart + frac
	point := len(intPart) + exp // the point's place in digits
	for len(digits) > 0 && digits[0] == '0' {
		digits, point = digits[1:], point-1
	}
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return "0", true
	}
	if len(digits) > MaxNumberDigits || point > MaxNumberDigits || len(digits)-point > MaxNumberDigits {
		return "", false
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case point <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -point))
		b.WriteString(digits)
	case point >= len(digits):
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", point-len(digits)))
	default:
		b.WriteString(digits[:point])
		b.WriteByte('.')
		b.WriteString(digits[point:])
	}
	return b.String(), true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// DecimalPlaces counts the digits after the point of a canonical decimal.
func DecimalPlaces(canonical string) int {
	if _, frac, ok := strings.Cut(canonical, "."); ok {
		return len(frac)
	}
	return 0
}

// CompareDecimal compares two canonical decimals exactly: -1, 0 or +1.
func CompareDecimal(a, b string) int {
	x, _ := new(big.Rat).SetString(a)
	y, _ := new(big.Rat).SetString(b)
	if x == nil || y == nil {
		return strings.Compare(a, b)
	}
	return x.Cmp(y)
}

// NumberText returns the canonical decimal text of a number item's
// answer (an integer, a NumberValue, or decimal text as stored), and
// whether the value is a number at all.
func NumberText(v Value) (string, bool) {
	switch v.Kind {
	case IntValue:
		return strconv.FormatInt(v.Int, 10), true
	case NumberValue, TextValue:
		return ParseDecimal(v.Text)
	}
	return "", false
}

// OtherValue is the value of an item's "Other, please specify" option:
// one more than its largest option value.
func (it *Item) OtherValue() int64 {
	var top int64
	for i, o := range it.Options {
		if i == 0 || o.Value > top {
			top = o.Value
		}
	}
	return top + 1
}

// OtherText is the label of the item's "Other, please specify" option.
func (it *Item) OtherText() string {
	if it.OtherLabel != "" {
		return it.OtherLabel
	}
	return DefaultOtherLabel
}

// IsRequired tells whether the item must be answered when shown: a
// consent item always must.
func (it *Item) IsRequired() bool { return it.Required || it.Type == Consent }

// otherItem makes the companion text item of an item with Other set: its
// answer is the text of "Other, please specify", asked only when that
// option is chosen (and then required: an unspecified "Other" says
// nothing the option alone does not).
func otherItem(it *Item) *Item {
	v := it.OtherValue()
	return &Item{ID: it.ID + OtherSuffix, Type: Text, Text: it.Text + " (" + it.OtherText() + ")",
		Required: true, MaxLength: OtherMaxLength, ShowIf: &Condition{Item: it.ID, Equals: &v}}
}

// OtherItem returns the companion text item of a choice item with Other
// set ("<id>_other"), nil for any other item.
func (f *Form) OtherItem(id string) *Item {
	if it := f.items[id]; it != nil && it.Other && (it.Type == SingleChoice || it.Type == MultipleChoice) {
		return f.items[id+OtherSuffix]
	}
	return nil
}

// IsOtherItem tells whether the item is a companion made by NewForm, not
// an item of the instrument.
func (f *Form) IsOtherItem(id string) bool {
	parent, ok := strings.CutSuffix(id, OtherSuffix)
	return ok && f.OtherItem(parent) != nil
}

// validateNewType checks the fields of the types above; validateType has
// checked the type name and the fields of the first five types.
func (it *Item) validateNewType(p *Problems, path string) {
	notAllowed := func(field string, present bool) {
		if present {
			p.Add(path+"."+field, "%s", NotAllowed(it.Type))
		}
	}
	switch it.Type {
	case DateItem:
		lo, okLo := checkDateBound(p, path+".min", it.MinText)
		hi, okHi := checkDateBound(p, path+".max", it.MaxText)
		if okLo && okHi && lo.After(hi) {
			p.Add(path+".min", "min %s is later than max %s", it.MinText, it.MaxText)
		}
	case Number:
		if it.Decimals < 0 || it.Decimals > MaxDecimals {
			p.Add(path+".decimals", "must be between 0 and %d, got %d", MaxDecimals, it.Decimals)
		}
		okLo := it.checkNumberBound(p, path+".min", it.MinText)
		okHi := it.checkNumberBound(p, path+".max", it.MaxText)
		if okLo && okHi && it.MinText != "" && it.MaxText != "" && CompareDecimal(it.MinText, it.MaxText) > 0 {
			p.Add(path+".min", "min %s is greater than max %s", it.MinText, it.MaxText)
		}
	default:
		notAllowed("min", it.MinText != "")
		notAllowed("max", it.MaxText != "")
	}
	if it.Type != Number {
		notAllowed("decimals", it.Decimals != 0)
		notAllowed("unit", it.Unit != "")
	}
	if it.Type != Slider {
		notAllowed("min_label", it.MinLabel != "")
		notAllowed("max_label", it.MaxLabel != "")
	}
	switch it.Type {
	case Info:
		if it.Required {
			p.Add(path+".required", "an info item takes no answer, so it cannot be required")
		}
	case Consent:
		// required: true says what the type says anyway; false contradicts it.
	default:
		notAllowed("decline", it.Decline != "")
	}
	if it.Type == SingleChoice || it.Type == MultipleChoice {
		if !it.Other && it.OtherLabel != "" {
			p.Add(path+".other_label", "needs other: true")
		}
		if it.Other && it.OtherValue() > MaxOptionValue {
			p.Add(path+".other", "the \"Other\" option takes the value after the largest option value, which would be %d; at most %d is allowed", it.OtherValue(), MaxOptionValue)
		}
	} else {
		notAllowed("other", it.Other)
		notAllowed("other_label", it.OtherLabel != "")
	}
	for i, o := range it.Options {
		if o.Exclusive && it.Type != MultipleChoice {
			p.Add(fmt.Sprintf("%s.options[%d].exclusive", path, i), "only an option of a multiple_choice item can be exclusive")
		}
	}
}

func checkDateBound(p *Problems, path, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, ok := parseISODate(s)
	if !ok {
		p.Add(path, "must be an ISO date such as 2024-05-31, got %q", s)
	}
	return t, ok
}

func (it *Item) checkNumberBound(p *Problems, path, s string) bool {
	if s == "" {
		return true
	}
	c, ok := ParseDecimal(s)
	switch {
	case !ok:
		p.Add(path, "must be a number of at most %d digits, got %q", MaxNumberDigits, s)
	case c != s:
		p.Add(path, "must be written %s", c)
		return false
	case DecimalPlaces(c) > max(it.Decimals, 0):
		p.Add(path, "has %d decimal places; the item takes %d (decimals)", DecimalPlaces(c), it.Decimals)
		return false
	}
	return ok
}

// checkNewValue checks an answer to an item of the types above.
func (f *Form) checkNewValue(p *Problems, path string, it *Item, v Value) {
	switch it.Type {
	case DateItem:
		var t time.Time
		ok := false
		if v.Kind == TextValue {
			t, ok = parseISODate(v.Text)
		}
		if !ok {
			p.Add(path, "must be an ISO date such as 2024-05-31")
			return
		}
		if lo, ok := parseISODate(it.MinText); ok && t.Before(lo) {
			p.Add(path, "must be %s or later, got %s", it.MinText, v.Text)
		}
		if hi, ok := parseISODate(it.MaxText); ok && t.After(hi) {
			p.Add(path, "must be %s or earlier, got %s", it.MaxText, v.Text)
		}
	case Number:
		c, ok := NumberText(v)
		if !ok {
			p.Add(path, "must be a number of at most %d digits such as 12.5", MaxNumberDigits)
			return
		}
		if n := DecimalPlaces(c); n > it.Decimals {
			if it.Decimals == 0 {
				p.Add(path, "must be a whole number, got %s", c)
			} else {
				p.Add(path, "has %d decimal places; at most %d are allowed, got %s", n, it.Decimals, c)
			}
		}
		if it.MinText != "" && CompareDecimal(c, it.MinText) < 0 {
			p.Add(path, "must be at least %s, got %s", it.MinText, c)
		}
		if it.MaxText != "" && CompareDecimal(c, it.MaxText) > 0 {
			p.Add(path, "must be at most %s, got %s", it.MaxText, c)
		}
	case Slider:
		if v.Kind != IntValue {
			p.Add(path, "must be a whole number from 0 to %d", SliderMax)
			return
		}
		if v.Int < 0 || v.Int > SliderMax {
			p.Add(path, "must be from 0 to %d, got %d", SliderMax, v.Int)
		}
	case Info:
		p.Add(path, "must not be answered: an info item only shows text")
	case Consent:
		if v.Kind != IntValue || v.Int != 1 {
			p.Add(path, "must be 1 (consent given); leave it out when consent is not given")
		}
	}
}

// itemJSON is Item's own encoding: every field as tagged, and min and max
// taken from MinText and MaxText for date and number items.
type itemJSON Item

// MarshalJSON writes the item in the instrument format (see MinText).
func (it Item) MarshalJSON() ([]byte, error) {
	if it.MinText == "" && it.MaxText == "" {
		return json.Marshal(itemJSON(it))
	}
	out := struct {
		itemJSON
		Min any `json:"min,omitempty"`
		Max any `json:"max,omitempty"`
	}{itemJSON: itemJSON(it)}
	bound := func(s string) any {
		switch {
		case s == "":
			return nil
		case it.Type == Number:
			return json.Number(s)
		}
		return s
	}
	out.Min, out.Max = bound(it.MinText), bound(it.MaxText)
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes (a stored definition).
func (it *Item) UnmarshalJSON(b []byte) error {
	var in struct {
		*itemJSON
		Min json.RawMessage `json:"min"`
		Max json.RawMessage `json:"max"`
	}
	in.itemJSON = (*itemJSON)(it)
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	it.Min, it.Max, it.MinText, it.MaxText = nil, nil, "", ""
	for _, f := range []struct {
		raw  json.RawMessage
		num  **int64
		text *string
	}{{in.Min, &it.Min, &it.MinText}, {in.Max, &it.Max, &it.MaxText}} {
		if len(f.raw) == 0 || string(f.raw) == "null" {
			continue
		}
		switch it.Type {
		case DateItem:
			if err := json.Unmarshal(f.raw, f.text); err != nil {
				return err
			}
		case Number:
			*f.text = string(f.raw)
		default:
			var n int64
			if err := json.Unmarshal(f.raw, &n); err != nil {
				return err
			}
			*f.num = &n
		}
	}
	return nil
}
