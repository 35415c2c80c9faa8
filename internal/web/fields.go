package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/survey"
)

// Form fields. Item ids match ^[a-z][a-z0-9_]*$, so the form's own fields
// start with "_" and can never clash with an item.
const (
	actionField = "_action" // back, next or submit: the button pressed
	shownField  = "_shown"  // ids of the page's items the respondent saw
)

// readSection reads the answers to section si's items from a posted form.
// Each value is read as the item's type reads it; a value of the wrong
// shape (a tampered radio, letters in a number) is kept as text, so that
// survey.Form.Check judges it exactly as it judges the JSON API's input.
// Fields of other sections' items and unknown fields are ignored.
func readSection(form *survey.Form, si int, post url.Values) survey.Answers {
	out := survey.Answers{}
	for i := range form.Instrument.Sections[si].Items {
		it := &form.Instrument.Sections[si].Items[i]
		vals := post[it.ID]
		switch it.Type {
		case survey.Likert, survey.SingleChoice:
			switch {
			case len(vals) == 0 || vals[0] == "":
			case len(vals) > 1:
				out[it.ID] = survey.TextVal(strings.Join(vals, ","))
			default:
				out[it.ID] = intOrText(vals[0])
			}
		case survey.MultipleChoice:
			if len(vals) == 0 {
				continue
			}
			list := make([]int64, 0, len(vals))
			for _, s := range vals {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					list = nil
					out[it.ID] = survey.TextVal(strings.Join(vals, ","))
					break
				}
				list = append(list, n)
			}
			if list != nil {
				out[it.ID] = survey.ListVal(list...)
			}
		case survey.Integer:
			if len(vals) > 0 {
				if s := strings.TrimSpace(vals[0]); s != "" {
					out[it.ID] = intOrText(s)
				}
			}
		case survey.Text:
			if len(vals) > 0 {
				// Browsers send a text area's line breaks as CRLF; the
				// respondent typed one character, and the counter counted one.
				s := strings.ReplaceAll(vals[0], "\r\n", "\n")
				if strings.TrimSpace(s) != "" {
					out[it.ID] = survey.TextVal(s)
				}
			}
		default:
			readNewType(out, it, post)
		}
		if it.Other {
			readText(out, it.ID+survey.OtherSuffix, post)
		}
	}
	return out
}

// readText reads a text field (an "Other, please specify" box).
func readText(out survey.Answers, id string, post url.Values) {
	if vals := post[id]; len(vals) > 0 {
		if s := strings.ReplaceAll(vals[0], "\r\n", "\n"); strings.TrimSpace(s) != "" {
			out[id] = survey.TextVal(s)
		}
	}
}

func intOrText(s string) survey.Value {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return survey.IntVal(n)
	}
	return survey.TextVal(s)
}

// respondentMessage words a problem that survey.Form.Check found with an
// item for the person answering. Check decides whether there is a problem;
// this only chooses the words, from the item and its answer.
// The words are the catalog's, in the page's language: survey.Problems
// messages are English, for the JSON API.
func respondentMessage(l *i18n.Lang, it *survey.Item, v survey.Value, answered bool) string {
	if msg, ok := newTypeMessage(l, it, answered); ok {
		return msg
	}
	if !answered {
		switch it.Type {
		case survey.MultipleChoice:
			return l.T("problem.select_some")
		case survey.Integer:
			return l.T("problem.enter_number")
		case survey.Text:
			return l.T("problem.enter_answer")
		}
		return l.T("problem.choose")
	}
	switch it.Type {
	case survey.Integer:
		switch {
		case it.Min != nil && it.Max != nil:
			return l.T("problem.number_between", "Min", *it.Min, "Max", *it.Max)
		case it.Min != nil:
			return l.T("problem.number_min", "Min", *it.Min)
		case it.Max != nil:
			return l.T("problem.number_max", "Max", *it.Max)
		}
		return l.T("problem.number")
	case survey.Text:
		n, limit := utf8.RuneCountInString(v.Text), it.TextLimit()
		if n <= limit {
			if pos, r := survey.ForbiddenInText(v.Text); pos > 0 {
				if r == utf8.RuneError {
					return l.T("problem.not_text", "Pos", pos)
				}
				return l.T("problem.control", "Char", fmt.Sprintf("%U", r), "Pos", pos)
			}
		}
		return l.N("problem.too_long", limit, "N", n)
	case survey.MultipleChoice:
		if v.Kind == survey.ListValue && len(v.List) > 1 {
			for _, o := range it.Options {
				if o.Exclusive && slices.Contains(v.List, o.Value) {
					return l.T("problem.exclusive", "Label", o.Label)
				}
			}
		}
		return l.T("problem.only_listed")
	}
	return l.T("problem.choose_shown")
}

// itemView is one item as the templates draw it.
type itemView struct {
	L                    *i18n.Lang // the interface's language
	TextLang             string     // the item's texts' language when not L's (view.TextLang)
	ID, Type, Text, Help string
	Optional             bool
	Hidden               bool   // not shown given the answers so far
	If                   string // show_if on items of the same page, for the script (scriptCondition)
	Group                bool   // radios or checkboxes in a fieldset
	Likert               bool
	InputType            string // radio or checkbox
	Options              []optionView
	HasMissing           bool   // some options are missing codes, drawn apart
	Value                string // text and integer items
	Multiline            bool
	MaxLength            int
	Range                string // integer items: "A whole number from 0 to 60."
	Error                string
	Target               string // id of the first input, for the error summary
	Describe             string // aria-describedby of the group or input
	InputDescribe        string // aria-describedby of each radio or checkbox

	// The types of survey/itemtypes.go (itemtypes.go).
	MinText, MaxText string      // a date input's min and max
	Unit             string      // after a number's box
	Slider           *sliderView // slider items
	// An "Other, please specify" option's text box: its field name, the
	// text typed, and the problem with it.
	OtherID, OtherText, OtherError string
}

type optionView struct {
	InputID, Value, Label string
	Pos, Of               int // among the substantive options
	Checked               bool
	// Missing marks a missing-data code ("Not applicable"): drawn after
	// a divider, below the scale, in the same fieldset and with the same
	// name, so it stays one radio group for keyboards and screen readers.
	Missing bool
	// Exclusive: ticking it unticks the others (the script); missing
	// codes are exclusive too. Other: followed by its text box.
	Exclusive, Other bool
}

// newItemView prepares an item for its template.
func newItemView(l *i18n.Lang, form *survey.Form, it *survey.Item, a survey.Answers, shown map[string]bool, si int, errMsg string) itemView {
	v := itemView{L: l, TextLang: textLang(form, l), ID: it.ID, Type: it.Type, Text: it.Text, Help: it.Help, Optional: !it.Required,
		Hidden: !shown[it.ID], Error: errMsg, Target: "q-" + it.ID}
	if c := it.ShowIf; c != nil {
		if sc, onPage := newScriptCondition(form, c, si, a); onPage {
			if b, err := json.Marshal(sc); err == nil {
				v.If = string(b)
			}
		}
	}
	ans, answered := a[it.ID]
	var describe []string
	if it.Help != "" {
		describe = append(describe, "help-"+it.ID)
	}
	switch it.Type {
	case survey.Likert, survey.SingleChoice, survey.MultipleChoice:
		v.Group, v.Likert, v.InputType = true, it.Type == survey.Likert, "radio"
		if it.Type == survey.MultipleChoice {
			v.InputType = "checkbox"
		}
		opts := form.Options(it.ID)
		v.Options = make([]optionView, len(opts))
		substantive := 0
		for _, o := range opts {
			if !o.Missing {
				substantive++
			}
		}
		pos := 0
		for i, o := range opts {
			checked := false
			switch {
			case answered && ans.Kind == survey.IntValue:
				checked = ans.Int == o.Value
			case answered && ans.Kind == survey.ListValue:
				for _, x := range ans.List {
					checked = checked || x == o.Value
				}
			}
			v.Options[i] = optionView{InputID: fmt.Sprintf("q-%s-%d", it.ID, i+1), Value: strconv.FormatInt(o.Value, 10),
				Label: o.Label, Checked: checked, Missing: o.Missing, Exclusive: o.Exclusive || (o.Missing && it.Type == survey.MultipleChoice), Other: o.Other}
			if o.Other {
				if it.OtherLabel == "" {
					v.Options[i].Label = l.T("item.other")
				}
				v.OtherID = it.ID + survey.OtherSuffix
				if t, ok := a[v.OtherID]; ok {
					v.OtherText = valueText(t)
				}
			}
			if o.Missing {
				v.HasMissing = true
			} else {
				pos++
				v.Options[i].Pos, v.Options[i].Of = pos, substantive
			}
		}
		if len(opts) > 0 {
			v.Target = v.Options[0].InputID
		}
	case survey.Integer:
		if answered {
			v.Value = valueText(ans)
		}
		switch {
		case it.Min != nil && it.Max != nil:
			v.Range = l.T("range.between", "Min", *it.Min, "Max", *it.Max)
		case it.Min != nil:
			v.Range = l.T("range.min", "Min", *it.Min)
		case it.Max != nil:
			v.Range = l.T("range.max", "Max", *it.Max)
		default:
			v.Range = l.T("range.any")
		}
		describe = append(describe, "range-"+it.ID)
	case survey.Text:
		if answered {
			v.Value = valueText(ans)
		}
		v.Multiline, v.MaxLength = it.Multiline, it.TextLimit()
		describe = append(describe, "count-"+it.ID)
	default:
		describe = newTypeView(l, &v, it, ans, answered, describe)
	}
	if errMsg != "" {
		describe = append(describe, "err-"+it.ID)
		v.InputDescribe = "err-" + it.ID
	}
	v.Describe = strings.Join(describe, " ")
	return v
}

// valueText shows a stored or posted value in a text input.
func valueText(v survey.Value) string {
	switch v.Kind {
	case survey.IntValue:
		return strconv.FormatInt(v.Int, 10)
	case survey.TextValue, survey.NumberValue:
		return v.Text
	}
	return ""
}

// scriptCondition is an item's show_if as the page's script decides it
// (app.js, holds): comparisons on items of the same page as written, with
// the item's missing-data codes, which no order comparison meets; each
// comparison on an item of another page replaced by its verdict (C),
// which the saved answers decide and the page cannot change. The rule
// stays survey's (shown.go): the script only shows and hides as the
// respondent answers, and the server decides again when the page is sent.
type scriptCondition struct {
	survey.Condition                   // a comparison on an item of the page
	C                *bool             `json:"c,omitempty"`
	All              []scriptCondition `json:"all,omitempty"`
	Any              []scriptCondition `json:"any,omitempty"`
	Not              *scriptCondition  `json:"not,omitempty"`
	Missing          []int64           `json:"missing,omitempty"`
}

// newScriptCondition makes the scriptCondition of c on page si, and tells
// whether any comparison in it is on an item of the page: when none is,
// the server's verdict (the item hidden or not) is all there is.
func newScriptCondition(form *survey.Form, c *survey.Condition, si int, a survey.Answers) (scriptCondition, bool) {
	var sc scriptCondition
	onPage := false
	list := func(cs []survey.Condition) []scriptCondition {
		out := make([]scriptCondition, len(cs))
		for i := range cs {
			var on bool
			out[i], on = newScriptCondition(form, &cs[i], si, a)
			onPage = onPage || on
		}
		return out
	}
	switch {
	case c.All != nil:
		sc.All = list(c.All)
	case c.Any != nil:
		sc.Any = list(c.Any)
	case c.Not != nil:
		n, on := newScriptCondition(form, c.Not, si, a)
		sc.Not, onPage = &n, on
	case form.Item(c.Item) != nil && form.SectionOf(c.Item) == si:
		sc.Condition, onPage = *c, true
		for _, o := range form.Options(c.Item) {
			if o.Missing {
				sc.Missing = append(sc.Missing, o.Value)
			}
		}
	default:
		verdict := form.Holds(c, a)
		sc.C = &verdict
	}
	return sc, onPage
}
