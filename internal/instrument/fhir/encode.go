package fhir

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
	"github.com/dyad-survey/dyad/internal/survey"
)

// urnPrefix starts the url of an exported instrument: a name for the
// Questionnaire that a later import turns back into the key.
const urnPrefix = "urn:dyad:instrument:"

// scaleSystem and itemSystem name the code systems of exported options:
// the option values of a scale or of one item.
const (
	scaleSystem = "urn:dyad:scale:"
	itemSystem  = "urn:dyad:item:"
)

// Encode writes an instrument as a FHIR R4 Questionnaire (JSON), the
// parts FHIR has no element for in Dyad's extensions: each
// section a group (its description a display item first), each item a
// question with its linkId the item id. Scales become contained
// ValueSets whose codes carry their values as ordinalValue, so likert
// items come back scored; single- and multiple-choice options are
// answerOption codings whose code is the value; show_if becomes
// enableWhen (several values joined with enableBehavior any). Decode
// reads the result back into an equivalent instrument.
func Encode(in *survey.Instrument) ([]byte, error) {
	q := Questionnaire{ResourceType: "Questionnaire", ID: ptr(in.Key), URL: ptr(urnPrefix + in.Key),
		Version: ptr(strconv.Itoa(in.Version)), Title: ptr(in.Title), Status: "active"}
	if in.Language != "" {
		q.Language = ptr(in.Language)
	}
	if in.Description != "" {
		q.Description = ptr(in.Description)
	}
	if in.Introduction != "" {
		q.Extension = append(q.Extension, Extension{URL: ExtIntroduction, ValueString: ptr(in.Introduction)})
	}
	if in.Consent != "" {
		q.Extension = append(q.Extension, Extension{URL: ExtConsent, ValueString: ptr(in.Consent)})
	}
	if in.EstimatedMinutes > 0 {
		q.Extension = append(q.Extension, Extension{URL: ExtEstimatedMinutes, ValueInteger: ptr(int64(in.EstimatedMinutes))})
	}
	q.Extension = append(q.Extension, randomizeExtension(in.Randomize)...)
	for _, s := range in.Subscales {
		def := Extension{URL: ExtSubscaleDefinition, Extension: []Extension{
			{URL: "id", ValueString: ptr(s.ID)}, {URL: "title", ValueString: ptr(s.Title)}}}
		if s.Description != "" {
			def.Extension = append(def.Extension, Extension{URL: "description", ValueString: ptr(s.Description)})
		}
		if s.Scoring != "" {
			def.Extension = append(def.Extension, Extension{URL: "scoring", ValueString: ptr(s.Scoring)})
		}
		if s.MinAnswered > 0 {
			def.Extension = append(def.Extension, Extension{URL: "minAnswered", ValueInteger: ptr(int64(s.MinAnswered))})
		}
		if s.Combine != "" {
			def.Extension = append(def.Extension, Extension{URL: "combine", ValueString: ptr(s.Combine)})
		}
		q.Extension = append(q.Extension, def)
	}
	for _, lang := range in.AllLanguages()[1:] {
		tr := in.Translations[lang]
		e := Extension{URL: ExtTranslation, Extension: []Extension{{URL: "lang", ValueString: ptr(lang)}}}
		for _, s := range in.SourceTexts() {
			if t, ok := tr[s.ID]; ok {
				e.Extension = append(e.Extension, Extension{URL: "text", Extension: []Extension{
					{URL: "id", ValueString: ptr(s.ID)}, {URL: "content", ValueString: ptr(t)}}})
			}
		}
		q.Extension = append(q.Extension, e)
	}
	for _, s := range in.Scales {
		vs := ValueSet{ResourceType: "ValueSet", ID: ptr(s.ID), Status: "active",
			Compose: &Compose{Include: []Include{{System: ptr(scaleSystem + s.ID)}}}}
		for _, o := range s.Options {
			vs.Compose.Include[0].Concept = append(vs.Compose.Include[0].Concept, Concept{
				Code: ptr(strconv.FormatInt(o.Value, 10)), Display: ptr(o.Label),
				Extension: append([]Extension{{URL: ExtOrdinalValue, ValueDecimal: ptr(json.Number(strconv.FormatInt(o.Value, 10)))}},
					missingExtension(o)...),
			})
		}
		raw, err := json.Marshal(vs)
		if err != nil {
			return nil, err
		}
		q.Contained = append(q.Contained, raw)
	}
	types := map[string]string{}
	for _, sec := range in.Sections {
		for _, it := range sec.Items {
			types[it.ID] = it.Type
		}
	}
	for si, sec := range in.Sections {
		g := Item{LinkID: sec.ID, Type: "group", Text: ptr(sec.Title),
			Extension: append(randomizeExtension(sec.Randomize), fixedExtension(sec.Fixed)...)}
		if sec.Description != "" {
			g.Item = append(g.Item, Item{LinkID: sec.ID + ".description", Type: "display", Text: ptr(sec.Description)})
		}
		for ii, it := range sec.Items {
			// enableWhen lists tests of one question, as the importer
			// reads them back: the conditions of the first format only. A
			// section's condition goes to each of its items.
			path := fmt.Sprintf("sections[%d].items[%d].show_if", si, ii)
			switch {
			case sec.ShowIf != nil && it.ShowIf != nil:
				return nil, interop.Unsupported("FHIR enableWhen", path, fmt.Errorf("the item and its section each have a condition"))
			case sec.ShowIf != nil:
				it.ShowIf, path = sec.ShowIf, fmt.Sprintf("sections[%d].show_if", si)
			}
			if it.ShowIf != nil && !it.ShowIf.IsSimple() {
				return nil, interop.Unsupported("FHIR enableWhen", path, fmt.Errorf("only {item, equals} and {item, in} are written"))
			}
			qi, err := encodeItem(&it, types)
			if err != nil {
				return nil, err
			}
			g.Item = append(g.Item, qi)
		}
		q.Item = append(q.Item, g)
	}
	return json.MarshalIndent(q, "", "  ")
}

// missingExtension marks a missing-data code (ExtMissingCode); nil for
// any other option.
func missingExtension(o survey.Option) []Extension {
	if !o.Missing {
		return nil
	}
	return []Extension{{URL: ExtMissingCode, ValueBoolean: ptr(true)}}
}

func encodeItem(it *survey.Item, types map[string]string) (Item, error) {
	q := Item{LinkID: it.ID, Text: ptr(it.Text)}
	if it.Required {
		q.Required = ptr(true)
	}
	coding := func(system string, o survey.Option) AnswerOption {
		return AnswerOption{ValueCoding: &Coding{System: ptr(system), Code: ptr(strconv.FormatInt(o.Value, 10)), Display: ptr(o.Label)},
			Extension: missingExtension(o)}
	}
	switch it.Type {
	case survey.Likert:
		q.Type, q.AnswerValueSet = "choice", ptr("#"+it.Scale)
		if it.Subscale != "" {
			q.Extension = append(q.Extension, Extension{URL: ExtSubscale, ValueString: ptr(it.Subscale)})
		}
		if it.Reverse {
			q.Extension = append(q.Extension, Extension{URL: ExtReverse, ValueBoolean: ptr(true)})
		}
	case survey.SingleChoice, survey.MultipleChoice:
		q.Type = "choice"
		if it.Type == survey.MultipleChoice {
			q.Repeats = ptr(true)
		}
		for _, o := range it.Options {
			ao := coding(itemSystem+it.ID, o)
			if o.Exclusive {
				ao.Extension = append(ao.Extension, Extension{URL: ExtExclusive, ValueBoolean: ptr(true)})
			}
			q.AnswerOption = append(q.AnswerOption, ao)
		}
		if it.Other {
			// open-choice: a coded answer or free text, the "Other,
			// please specify" of FHIR.
			q.Type = "open-choice"
			q.Extension = append(q.Extension, Extension{URL: ExtOtherLabel, ValueString: ptr(it.OtherText())})
		}
	case survey.Integer:
		q.Type = "integer"
		if it.Min != nil {
			q.Extension = append(q.Extension, Extension{URL: ExtMinValue, ValueInteger: ptr(*it.Min)})
		}
		if it.Max != nil {
			q.Extension = append(q.Extension, Extension{URL: ExtMaxValue, ValueInteger: ptr(*it.Max)})
		}
	case survey.Text:
		q.Type = "string"
		if it.Multiline {
			q.Type = "text"
		}
		if it.MaxLength > 0 {
			q.MaxLength = ptr(it.MaxLength)
		}
	default:
		if !encodeNewType(&q, it) {
			return q, fmt.Errorf("item %q: type %q has no FHIR item type", it.ID, it.Type)
		}
	}
	if it.Help != "" {
		q.Item = append(q.Item, Item{LinkID: it.ID + ".help", Type: "display", Text: ptr(it.Help),
			Extension: []Extension{{URL: ExtItemControl, ValueCodeableConcept: &CodeableConcept{Coding: []Coding{{
				System: ptr("http://hl7.org/fhir/questionnaire-item-control"), Code: ptr("help"), Display: ptr("Help-Button")}}}}}})
	}
	if c := it.ShowIf; c != nil {
		for _, v := range c.Values() {
			ew := EnableWhen{Question: c.Item, Operator: "="}
			if types[c.Item] == survey.Integer {
				ew.AnswerInteger = ptr(v)
			} else {
				ew.AnswerCoding = &Coding{Code: ptr(strconv.FormatInt(v, 10))}
			}
			q.EnableWhen = append(q.EnableWhen, ew)
		}
		if len(q.EnableWhen) > 1 {
			q.EnableBehavior = ptr("any")
		}
	}
	q.Extension = append(q.Extension, itemDesignExtensions(it)...)
	return q, nil
}
