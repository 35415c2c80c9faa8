package fhir

import (
	"encoding/json"

	"github.com/dyad-survey/dyad/internal/survey"
)

// FHIR items for the item types of survey/itemtypes.go: date and decimal
// with minValue and maxValue (and maxDecimalPlaces), a slider an integer
// from 0 to 100 shown as a slider (itemControl), info a display item, a
// consent a required boolean.

// ExtMaxDecimalPlaces is FHIR's maxDecimalPlaces extension.
const ExtMaxDecimalPlaces = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces"

// encodeNewType fills q for an item of survey/itemtypes.go; false for an
// unknown type.
func encodeNewType(q *Item, it *survey.Item) bool {
	bound := func(url, s string) {
		if s == "" {
			return
		}
		e := Extension{URL: url}
		if it.Type == survey.DateItem {
			e.ValueDate = ptr(s)
		} else {
			e.ValueDecimal = ptr(json.Number(s))
		}
		q.Extension = append(q.Extension, e)
	}
	switch it.Type {
	case survey.DateItem:
		q.Type = "date"
		bound(ExtMinValue, it.MinText)
		bound(ExtMaxValue, it.MaxText)
	case survey.Number:
		q.Type = "decimal"
		bound(ExtMinValue, it.MinText)
		bound(ExtMaxValue, it.MaxText)
		q.Extension = append(q.Extension, Extension{URL: ExtMaxDecimalPlaces, ValueInteger: ptr(int64(it.Decimals))})
		if it.Unit != "" {
			q.Extension = append(q.Extension, Extension{URL: ExtUnit, ValueString: ptr(it.Unit)})
		}
	case survey.Slider:
		q.Type = "integer"
		q.Extension = append(q.Extension,
			Extension{URL: ExtMinValue, ValueInteger: ptr(int64(0))},
			Extension{URL: ExtMaxValue, ValueInteger: ptr(int64(survey.SliderMax))},
			Extension{URL: ExtItemControl, ValueCodeableConcept: &CodeableConcept{Coding: []Coding{{
				System: ptr("http://hl7.org/fhir/questionnaire-item-control"), Code: ptr("slider")}}}})
	case survey.Info:
		q.Type = "display"
	case survey.Consent:
		q.Type, q.Required = "boolean", ptr(true)
	default:
		return false
	}
	return true
}
