package stats

// The report is the JSON answer of GET /api/v1/surveys/{id}/stats, so its
// types carry their JSON names here, once (as survey.Instrument carries the
// instrument format's). Every number that may be undefined is a pointer:
// nil becomes null, and a note says why. The JSON never holds NaN or Inf.

// Report holds the statistics of a set of responses, in groups.
type Report struct {
	// By is the item the groups split the responses by; nil when there is
	// one group of every response.
	By *ByItem `json:"by"`
	// Groups are side by side: one per option of By, in option order, and
	// one for responses that did not answer By when there are any; or one
	// group of every response.
	Groups []Group `json:"groups"`
}

// ByItem names the item responses are grouped by.
type ByItem struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Group is the statistics of one group of responses.
type Group struct {
	// Value is the option of the By item that the group's responses chose;
	// nil for "all responses" and "not answered".
	Value *int64 `json:"value"`
	Label string `json:"label"`
	// Language, grouped by language (by=language), is the group's
	// language code; "" (left out) for the responses with none recorded,
	// and in every other grouping.
	Language string `json:"language,omitempty"`

	Responses ResponseStats   `json:"responses"`
	Items     []ItemStats     `json:"items"`
	Texts     []TextStats     `json:"texts"`
	Subscales []SubscaleStats `json:"subscales"`
}

// Group labels that are not option labels.
const (
	LabelAll         = "All responses"
	LabelNotAnswered = "Not answered"
	LabelNoLanguage  = "Language not recorded"
)

// ResponseStats counts the group's responses.
type ResponseStats struct {
	N          int `json:"n"`
	Complete   int `json:"complete"`
	InProgress int `json:"in_progress"`
	// CompletionRate is Complete / N.
	CompletionRate *float64 `json:"completion_rate"`
	// MedianCompletionSeconds is the median time from start to submission
	// of the complete responses.
	MedianCompletionSeconds *float64 `json:"median_completion_seconds"`
	// PerDay counts responses per UTC day, complete ones by the day they
	// were submitted and in-progress ones by the day they were started,
	// with every day from the first to the last listed.
	PerDay []DayCount `json:"per_day"`
}

// DayCount is the number of responses of one day.
type DayCount struct {
	Date       string `json:"date"` // 2006-01-02
	Complete   int    `json:"complete"`
	InProgress int    `json:"in_progress"`
}

// ItemStats describes the answers to one likert, choice or integer item.
type ItemStats struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Text     string `json:"text"`
	Subscale string `json:"subscale,omitempty"`
	Reverse  bool   `json:"reverse,omitempty"`
	// N counts the responses that answered the item with a substantive
	// answer (not a missing code).
	N int `json:"n"`
	// Missing counts the responses that were shown the item (its show_if
	// held) but did not answer it.
	Missing int `json:"missing"`
	// MissingCodes counts the responses that answered with a missing code
	// only ("Not applicable", "Prefer not to say"); each code's count is
	// in Options. They are in neither N nor any figure.
	MissingCodes int `json:"missing_codes"`
	// Options counts each option, zeros included, in the item's option
	// order; for a multiple-choice item, how many responses selected it
	// (percentages of N may add up to more than 100). For an integer item,
	// each value from min to max, or each value given when the range is
	// open or wide.
	Options []OptionCount `json:"options"`
	// Mean, SD and Median are of the substantive answered values as given
	// (not reversed, missing codes left out); nil for multiple-choice
	// items.
	Summary
	Note string `json:"note,omitempty"`
	// Earliest, MedianDate and Latest describe a date item's answers
	// (ISO dates), which have no mean; empty for other items.
	Earliest   string `json:"earliest,omitempty"`
	MedianDate string `json:"median_date,omitempty"`
	Latest     string `json:"latest,omitempty"`
}

// OptionCount is how often one option or value was given.
type OptionCount struct {
	Value int64  `json:"value"`
	Label string `json:"label,omitempty"`
	Count int    `json:"count"`
	// Percent is 100 · Count / N of the item; nil when N is 0. For a
	// missing code it is 100 · Count / (N + MissingCodes), its share of
	// every answer given.
	Percent *float64 `json:"percent"`
	// MissingCode marks an option that is a missing-data code.
	MissingCode bool `json:"missing_code,omitempty"`
}

// TextStats counts the answers to one free-text item; the answers
// themselves are listed by GET /api/v1/surveys/{id}/text/{item_id}.
type TextStats struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	N       int    `json:"n"`
	Missing int    `json:"missing"`
}

// SubscaleStats describes one subscale's scores and reliability.
type SubscaleStats struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Scoring string `json:"scoring"`
	// N counts the responses with a score (enough items answered, see
	// survey.Form.Score).
	N int `json:"n"`
	// Min and Max are the lowest and highest possible scores.
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	Summary
	// Histogram counts the scores in equal bins from Min to Max: half a
	// scale point wide, and at most 40 bins whatever the scale's range.
	Histogram   []Bin       `json:"histogram"`
	Reliability Reliability `json:"reliability"`
	Note        string      `json:"note,omitempty"`
}

// Bin is one bar of a histogram: the scores s with From ≤ s < To (the
// last bin includes its To).
type Bin struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Count int     `json:"count"`
}
