package survey_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

func fuzzForm(t testing.TB) *survey.Form {
	min0, max60 := int64(0), int64(60)
	one, two, eighteen, yes := int64(1), int64(2), int64(18), true
	in := &survey.Instrument{Key: "fuzz", Version: 1, Title: "Fuzz",
		Scales:    []survey.Scale{{ID: "agree5", Options: []survey.Option{{Value: 1, Label: "A"}, {Value: 2, Label: "B"}, {Value: 3, Label: "C"}, {Value: 4, Label: "D"}, {Value: 5, Label: "E"}}}},
		Subscales: []survey.Subscale{{ID: "eff", Title: "E"}},
		Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{
			{ID: "use", Type: survey.SingleChoice, Text: "Use", Required: true, Options: []survey.Option{{Value: 1, Label: "Yes"}, {Value: 0, Label: "No"}}},
			{ID: "tools", Type: survey.MultipleChoice, Text: "Tools", Options: []survey.Option{{Value: 1, Label: "A"}, {Value: 2, Label: "B"}}, ShowIf: &survey.Condition{Item: "use", Equals: &one}},
			{ID: "eff_1", Type: survey.Likert, Text: "E1", Scale: "agree5", Subscale: "eff", Required: true},
			{ID: "eff_2", Type: survey.Likert, Text: "E2", Scale: "agree5", Subscale: "eff", Reverse: true},
			{ID: "years", Type: survey.Integer, Text: "Y", Min: &min0, Max: &max60},
			{ID: "note", Type: survey.Text, Text: "N", MaxLength: 50},
			// The types of itemtypes.go.
			{ID: "intro", Type: survey.Info, Text: "I"},
			{ID: "agree", Type: survey.Consent, Text: "A"},
			{ID: "visit", Type: survey.DateItem, Text: "V", MinText: "2020-01-01", MaxText: "2030-12-31"},
			{ID: "weight", Type: survey.Number, Text: "W", Decimals: 1, MinText: "30", MaxText: "250.5"},
			{ID: "pain", Type: survey.Slider, Text: "P"},
			{ID: "aids", Type: survey.MultipleChoice, Text: "A", Other: true, Options: []survey.Option{{Value: 1, Label: "A"}, {Value: 3, Label: "None", Exclusive: true}}},
		}}, {ID: "more", Title: "M", Items: []survey.Item{
			{ID: "why", Type: survey.Text, Text: "W", ShowIf: &survey.Condition{All: []survey.Condition{
				{Item: "eff_1", Gt: &two}, {Item: "tools", NotEquals: &two}}}},
		}, ShowIf: &survey.Condition{Any: []survey.Condition{
			{Item: "years", Gte: &eighteen}, {Not: &survey.Condition{Item: "use", Answered: &yes}}}}}}}
	f, err := survey.NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// FuzzCheck feeds arbitrary submission bodies through the decoding and
// validation a submission goes through: no panic, every rejection an
// EInvalid *Error naming answers.<item>, and whatever passes re-encodes to
// canonical JSON that decodes to the same answers.
func FuzzCheck(f *testing.F) {
	form := fuzzForm(f)
	for _, s := range []string{
		`{"answers":{"use":1,"tools":[1,2],"eff_1":3,"eff_2":5,"years":12,"note":"ok"}}`,
		`{"answers":{"use":1,"eff_1":3,"agree":1,"visit":"2024-05-31","weight":72.5,"pain":37,"aids":[1,4],"aids_other":"x"}}`,
		`{"answers":{"use":0,"eff_1":3,"agree":1,"weight":"250.50","aids":[3,1],"intro":1,"pain":50.5}}`,
		`{"answers":{"use":0,"eff_1":3,"agree":true,"visit":"2024-02-30","weight":1e-3,"aids_other":"y"}}`,
		`{"answers":{"use":0,"tools":[1],"eff_1":9}}`,
		`{"answers":{"use":"1","eff_1":3.0,"years":-1,"note":null}}`,
		`{"answers":{"eff_1":[1,"2"],"x":{}}}`,
		`{"answers":{"note":"\u2028 \ud83d\ude00 \"quoted\" =1+1"}}`,
		`{"answers":{"use":1,"tools":[1],"eff_1":3,"years":18,"why":"because"}}`,
		`{"answers":{"use":1,"tools":[2],"eff_1":3,"years":17,"why":"hidden"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req struct{ Answers survey.Answers }
		if json.Unmarshal(body, &req) != nil {
			return // the HTTP layer answers 400 before validation
		}
		answers, problems := survey.DecodeAnswers(req.Answers)
		err := problems.Err(survey.EInvalid, "bad")
		if err == nil {
			err = form.Check(answers, false)
		}
		if err != nil {
			var se *survey.Error
			if !errors.As(err, &se) || se.Code != survey.EInvalid || len(se.Details) == 0 {
				t.Fatalf("rejection is not a detailed invalid error: %v", err)
			}
			return
		}
		var back survey.Answers
		if err := json.Unmarshal(answers.Canonical(), &back); err != nil {
			t.Fatalf("canonical form does not decode: %v", err)
		}
		if string(back.Canonical()) != string(answers.Canonical()) {
			t.Fatalf("canonical form does not round-trip:\n%s\n%s", answers.Canonical(), back.Canonical())
		}
	})
}
