package fhir

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// QuestionnaireResponse is the part of the FHIR R4 resource Dyad writes.
type QuestionnaireResponse struct {
	ResourceType  string         `json:"resourceType"`
	ID            string         `json:"id"`
	Questionnaire string         `json:"questionnaire"`
	Status        string         `json:"status"`
	Authored      *string        `json:"authored,omitempty"`
	Item          []ResponseItem `json:"item,omitempty"`
}

// ResponseItem is a QuestionnaireResponse.item: a group (a section) or an
// answered question.
type ResponseItem struct {
	LinkID string           `json:"linkId"`
	Answer []ResponseAnswer `json:"answer,omitempty"`
	Item   []ResponseItem   `json:"item,omitempty"`
}

// ResponseAnswer is one answer; one value[x] is set.
type ResponseAnswer struct {
	ValueCoding  *Coding `json:"valueCoding,omitempty"`
	ValueInteger *int64  `json:"valueInteger,omitempty"`
	ValueString  *string `json:"valueString,omitempty"`
	// The value types of survey/itemtypes.go's items (encode_itemtypes.go).
	ValueDate    *string      `json:"valueDate,omitempty"`
	ValueDecimal *json.Number `json:"valueDecimal,omitempty"`
	ValueBoolean *bool        `json:"valueBoolean,omitempty"`
}

// Response makes the QuestionnaireResponse of one response to the
// Questionnaire that Encode writes for form's instrument: its
// questionnaire the canonical url with the version, each section a group
// of the answered items, codings with the codes and systems of Encode
// (a likert answer in its scale's ValueSet), completed when submitted.
func Response(form *survey.Form, r *survey.Response) *QuestionnaireResponse {
	in := form.Instrument
	qr := &QuestionnaireResponse{ResourceType: "QuestionnaireResponse", ID: r.ID,
		Questionnaire: urnPrefix + in.Key + "|" + strconv.Itoa(r.InstrumentVersion), Status: "in-progress"}
	if r.Status == survey.ResponseComplete {
		qr.Status = "completed"
	}
	at := r.StartedAt
	if r.SubmittedAt != nil {
		at = *r.SubmittedAt
	}
	if !at.IsZero() {
		qr.Authored = ptr(at.UTC().Format(time.RFC3339))
	}
	for _, sec := range in.Sections {
		g := ResponseItem{LinkID: sec.ID}
		for i := range sec.Items {
			it := &sec.Items[i]
			v, ok := r.Answers[it.ID]
			if !ok {
				continue
			}
			a := answers(form, it, v)
			if o := form.OtherItem(it.ID); o != nil && r.Answers[o.ID].Text != "" {
				// open-choice: the "Other, please specify" text beside the codes.
				a = append(a, ResponseAnswer{ValueString: ptr(r.Answers[o.ID].Text)})
			}
			g.Item = append(g.Item, ResponseItem{LinkID: it.ID, Answer: a})
		}
		if len(g.Item) > 0 {
			qr.Item = append(qr.Item, g)
		}
	}
	return qr
}

func answers(form *survey.Form, it *survey.Item, v survey.Value) []ResponseAnswer {
	coding := func(x int64) ResponseAnswer {
		system := itemSystem + it.ID
		if it.Type == survey.Likert {
			system = scaleSystem + it.Scale
		}
		c := &Coding{System: ptr(system), Code: ptr(strconv.FormatInt(x, 10))}
		for _, o := range form.Options(it.ID) {
			if o.Value == x {
				c.Display = ptr(o.Label)
			}
		}
		return ResponseAnswer{ValueCoding: c}
	}
	switch {
	case it.Type == survey.DateItem && v.Kind == survey.TextValue:
		return []ResponseAnswer{{ValueDate: ptr(v.Text)}}
	case it.Type == survey.Number:
		if d, ok := survey.NumberText(v); ok {
			return []ResponseAnswer{{ValueDecimal: ptr(json.Number(d))}}
		}
	case it.Type == survey.Consent:
		return []ResponseAnswer{{ValueBoolean: ptr(v.Kind == survey.IntValue && v.Int == 1)}}
	case it.Type == survey.Slider && v.Kind == survey.IntValue:
		return []ResponseAnswer{{ValueInteger: ptr(v.Int)}}
	}
	switch {
	case v.Kind == survey.TextValue:
		return []ResponseAnswer{{ValueString: ptr(v.Text)}}
	case v.Kind == survey.ListValue:
		out := make([]ResponseAnswer, len(v.List))
		for i, x := range v.List {
			out[i] = coding(x)
		}
		return out
	case it.Type == survey.Integer:
		return []ResponseAnswer{{ValueInteger: ptr(v.Int)}}
	}
	return []ResponseAnswer{coding(v.Int)}
}

// WriteResponses writes responses as NDJSON, one QuestionnaireResponse
// per line (FHIR's bulk data format, application/fhir+ndjson). It
// streams: scan feeds the responses one at a time (export.ScanFunc has
// this shape).
func WriteResponses(ctx context.Context, w io.Writer, form *survey.Form, scan func(context.Context, func(*survey.Response) error) error) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return scan(ctx, func(r *survey.Response) error {
		return enc.Encode(Response(form, r))
	})
}
