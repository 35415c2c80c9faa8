package fhir_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/instrument/fhir"
	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestWriteResponses writes responses to the study instrument as NDJSON
// QuestionnaireResponses and holds each against the Questionnaire that
// Encode writes: it names that Questionnaire and version, every answered
// item appears under its section with its linkId, and every coding is an
// option of the question (in answerOption or in the scale's ValueSet)
// with its label; integers and texts are answered as such.
func TestWriteResponses(t *testing.T) {
	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	in := form.Instrument
	rng := rand.New(rand.NewPCG(3, 4))
	submitted := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var responses []*survey.Response
	for i := range 20 {
		r := &survey.Response{ID: "resp" + strconv.Itoa(i), Status: survey.ResponseComplete, InstrumentVersion: in.Version,
			Answers: sample.Answers(form, rng), StartedAt: submitted.Add(-time.Hour), SubmittedAt: &submitted}
		if i%4 == 0 {
			r.Status, r.SubmittedAt = survey.ResponseInProgress, nil
		}
		responses = append(responses, r)
	}
	scan := func(_ context.Context, fn func(*survey.Response) error) error {
		for _, r := range responses {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	var out bytes.Buffer
	if err := fhir.WriteResponses(context.Background(), &out, form, scan); err != nil {
		t.Fatal(err)
	}

	qdata, err := fhir.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	var q fhir.Questionnaire
	if err := json.Unmarshal(qdata, &q); err != nil {
		t.Fatal(err)
	}
	// The codes each question takes, with their displays.
	valueSets := map[string]map[string]string{}
	for _, raw := range q.Contained {
		var vs fhir.ValueSet
		if err := json.Unmarshal(raw, &vs); err != nil {
			t.Fatal(err)
		}
		codes := map[string]string{}
		for _, c := range vs.Compose.Include[0].Concept {
			codes[*c.Code] = *c.Display
		}
		valueSets["#"+*vs.ID] = codes
	}
	questions := map[string]map[string]string{} // linkId -> code -> display
	section := map[string]string{}              // linkId -> group linkId
	for _, g := range q.Item {
		for _, it := range g.Item {
			section[it.LinkID] = g.LinkID
			codes := map[string]string{}
			for _, o := range it.AnswerOption {
				codes[*o.ValueCoding.Code] = *o.ValueCoding.Display
			}
			if it.AnswerValueSet != nil {
				codes = valueSets[*it.AnswerValueSet]
			}
			questions[it.LinkID] = codes
		}
	}

	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var qr fhir.QuestionnaireResponse
		if err := json.Unmarshal(sc.Bytes(), &qr); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		r := responses[n]
		n++
		wantStatus := map[bool]string{true: "completed", false: "in-progress"}[r.Status == survey.ResponseComplete]
		if qr.ResourceType != "QuestionnaireResponse" || qr.ID != r.ID || qr.Status != wantStatus ||
			qr.Questionnaire != *q.URL+"|"+*q.Version || qr.Authored == nil {
			t.Errorf("response %s: %+v", r.ID, qr)
		}
		seen := 0
		for _, g := range qr.Item {
			for _, it := range g.Item {
				seen++
				if section[it.LinkID] != g.LinkID {
					t.Errorf("%s: %s under %s", r.ID, it.LinkID, g.LinkID)
				}
				v := r.Answers[it.LinkID]
				item := form.Item(it.LinkID)
				for _, a := range it.Answer {
					switch {
					case a.ValueCoding != nil:
						if d, ok := questions[it.LinkID][*a.ValueCoding.Code]; !ok || d != *a.ValueCoding.Display {
							t.Errorf("%s %s: coding %s %v is no option", r.ID, it.LinkID, *a.ValueCoding.Code, a.ValueCoding.Display)
						}
					case a.ValueInteger != nil:
						if item.Type != survey.Integer || *a.ValueInteger != v.Int {
							t.Errorf("%s %s: integer %d", r.ID, it.LinkID, *a.ValueInteger)
						}
					case a.ValueString != nil:
						if item.Type != survey.Text || *a.ValueString != v.Text {
							t.Errorf("%s %s: text %q", r.ID, it.LinkID, *a.ValueString)
						}
					case a.ValueBoolean != nil:
						// A consent (the study's first item): true for 1.
						if item.Type != survey.Consent || *a.ValueBoolean != (v.Int == 1) {
							t.Errorf("%s %s: boolean %v", r.ID, it.LinkID, *a.ValueBoolean)
						}
					default:
						t.Errorf("%s %s: an answer without a value", r.ID, it.LinkID)
					}
				}
				if item.Type == survey.MultipleChoice && len(it.Answer) != len(v.List) {
					t.Errorf("%s %s: %d answers for %v", r.ID, it.LinkID, len(it.Answer), v.List)
				}
			}
		}
		if seen != len(r.Answers) {
			t.Errorf("%s: %d items answered, %d written", r.ID, len(r.Answers), seen)
		}
	}
	if n != len(responses) {
		t.Errorf("%d lines, want %d", n, len(responses))
	}
}
