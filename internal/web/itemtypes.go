package web

// The respondent form's side of the item types of survey/itemtypes.go.
//
// date: a native date input (type=date), which browsers show with their
// own accessible date picker and post as 2006-01-02; a browser without
// one shows a text box, and the hint says the form to type.
//
// number: a text box with inputmode=decimal (a phone shows a keypad with
// a decimal separator); a decimal comma is read as a point (72,5), since
// many respondents write it so; the unit is shown after the box.
//
// slider: a native range input, which keyboards (arrows, Page Up/Down,
// Home/End) and screen readers operate as they know, labelled by the
// question and described by its end labels. A range input always has a
// position, so "not answered" is a separate state: a "No answer" checkbox
// (name _na_<id>, one of the form's own fields), ticked until the
// respondent answers. Without JavaScript the respondent moves the slider
// and unticks the box, as its label says; a value is recorded only when
// the box is unticked, so a slider left where the page put it is never
// taken for an answer (the safe error for a visual analogue scale). With
// JavaScript (app.js, from the app's own static files: the CSP stays
// strict), moving the slider unticks the box and the position is read out
// as "37 of 100" (aria-valuetext); ticking the box takes the answer back.
// The stylesheet greys the thumb while the box is ticked (:has(), no
// script needed).
//
// info: the text alone. consent: one checkbox whose label is the
// statement; left unticked, the page says the item's decline words.
// An exclusive option carries data-exclusive (missing codes too, which
// the server treats the same), so the script unticks the others. An
// "Other, please specify" option is followed by its text box.

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/i18n"
	"github.com/dyad-survey/dyad/internal/survey"
)

// noAnswerPrefix starts the name of a slider's "No answer" checkbox.
const noAnswerPrefix = "_na_"

// readNewType reads the answer to an item of survey/itemtypes.go, as
// readSection reads the others: a value of the wrong shape is kept as
// text for Check to judge.
func readNewType(out survey.Answers, it *survey.Item, post url.Values) {
	vals := post[it.ID]
	first := ""
	if len(vals) > 0 {
		first = strings.TrimSpace(vals[0])
	}
	switch it.Type {
	case survey.DateItem:
		if first != "" {
			out[it.ID] = survey.TextVal(first)
		}
	case survey.Number:
		if first == "" {
			return
		}
		s := first
		if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
			s = strings.Replace(s, ",", ".", 1) // a decimal comma
		}
		c, ok := survey.ParseDecimal(s)
		switch {
		case !ok:
			out[it.ID] = survey.TextVal(first)
		case strings.Contains(c, "."):
			out[it.ID] = survey.TextVal(c) // stored as the API stores a fraction
		default:
			out[it.ID] = intOrText(c)
		}
	case survey.Slider:
		if len(post[noAnswerPrefix+it.ID]) > 0 || first == "" {
			return
		}
		out[it.ID] = intOrText(first)
	case survey.Consent:
		if first != "" {
			out[it.ID] = intOrText(first)
		}
	}
}

// newTypeMessage words a problem with an answer to an item of
// survey/itemtypes.go (see respondentMessage); ok is false for the other
// types.
func newTypeMessage(l *i18n.Lang, it *survey.Item, answered bool) (string, bool) {
	switch it.Type {
	case survey.DateItem:
		if answered && it.MinText != "" && it.MaxText != "" {
			return l.T("problem.date_between", "Min", it.MinText, "Max", it.MaxText), true
		}
		return l.T("problem.date"), true
	case survey.Number:
		if !answered {
			return l.T("problem.enter_number"), true
		}
		if it.Decimals == 0 { // a whole number: the integer item's words
			return wholeNumberMessage(l, it.MinText, it.MaxText), true
		}
		if it.MinText != "" && it.MaxText != "" {
			return l.T("problem.decimal_between", "Min", it.MinText, "Max", it.MaxText, "Decimals", it.Decimals), true
		}
		return l.T("problem.decimal", "Decimals", it.Decimals), true
	case survey.Slider:
		return l.T("problem.slider"), true
	case survey.Consent:
		if it.Decline != "" {
			return it.Decline, true
		}
		return l.T("problem.consent"), true
	case survey.Info:
		return l.T("problem.choose_shown"), true
	}
	return "", false
}

// newTypeView fills in the view of an item of survey/itemtypes.go.
func newTypeView(l *i18n.Lang, v *itemView, it *survey.Item, ans survey.Value, answered bool, describe []string) []string {
	switch it.Type {
	case survey.DateItem:
		if answered {
			v.Value = valueText(ans)
		}
		v.MinText, v.MaxText = it.MinText, it.MaxText
		switch {
		case it.MinText != "" && it.MaxText != "":
			v.Range = l.T("range.date_between", "Min", it.MinText, "Max", it.MaxText)
		default:
			v.Range = l.T("range.date")
		}
		describe = append(describe, "range-"+it.ID)
	case survey.Number:
		if answered {
			v.Value = valueText(ans)
		}
		v.Unit = it.Unit
		switch {
		case it.Decimals == 0:
			v.Range = wholeNumberRange(l, it.MinText, it.MaxText)
		case it.MinText != "" && it.MaxText != "":
			v.Range = l.T("range.decimal_between", "Min", it.MinText, "Max", it.MaxText, "Decimals", it.Decimals)
		default:
			v.Range = l.T("range.decimal", "Decimals", it.Decimals)
		}
		describe = append(describe, "range-"+it.ID)
	case survey.Slider:
		v.Slider = &sliderView{Position: survey.SliderMax / 2, Unset: true, MinLabel: it.MinLabel, MaxLabel: it.MaxLabel}
		if v.Slider.MinLabel == "" {
			v.Slider.MinLabel = "0"
		}
		if v.Slider.MaxLabel == "" {
			v.Slider.MaxLabel = strconv.Itoa(survey.SliderMax)
		}
		if answered && ans.Kind == survey.IntValue && ans.Int >= 0 && ans.Int <= survey.SliderMax {
			v.Slider.Position, v.Slider.Unset = int(ans.Int), false
		}
		describe = append(describe, "ends-"+it.ID)
	case survey.Consent:
		v.Options = []optionView{{InputID: "q-" + it.ID, Value: "1", Label: it.Text,
			Checked: answered && ans.Kind == survey.IntValue && ans.Int == 1}}
	}
	return describe
}

// sliderView is a slider's state on the page.
type sliderView struct {
	Position           int  // where the thumb is drawn
	Unset              bool // the "No answer" box is ticked
	MinLabel, MaxLabel string
}

// wholeNumberRange and wholeNumberMessage word a number item that takes
// no decimals as an integer item is worded.
func wholeNumberRange(l *i18n.Lang, lo, hi string) string {
	switch {
	case lo != "" && hi != "":
		return l.T("range.between", "Min", lo, "Max", hi)
	case lo != "":
		return l.T("range.min", "Min", lo)
	case hi != "":
		return l.T("range.max", "Max", hi)
	}
	return l.T("range.any")
}

func wholeNumberMessage(l *i18n.Lang, lo, hi string) string {
	switch {
	case lo != "" && hi != "":
		return l.T("problem.number_between", "Min", lo, "Max", hi)
	case lo != "":
		return l.T("problem.number_min", "Min", lo)
	case hi != "":
		return l.T("problem.number_max", "Max", hi)
	}
	return l.T("problem.number")
}
