package fhir

import "encoding/json"

// The parts of the FHIR R4 resources that Dyad reads and writes, as
// plain structs: a pointer field is absent when nil, so that a value[x]
// choice is written with the one variant that is set (the published Go
// models of FHIR write every variant of an answerOption).

// Questionnaire is a FHIR R4 Questionnaire resource.
type Questionnaire struct {
	ResourceType string            `json:"resourceType"`
	ID           *string           `json:"id,omitempty"`
	URL          *string           `json:"url,omitempty"`
	Version      *string           `json:"version,omitempty"`
	Name         *string           `json:"name,omitempty"`
	Title        *string           `json:"title,omitempty"`
	Status       string            `json:"status,omitempty"`
	Language     *string           `json:"language,omitempty"`
	Description  *string           `json:"description,omitempty"`
	Extension    []Extension       `json:"extension,omitempty"`
	Contained    []json.RawMessage `json:"contained,omitempty"`
	Item         []Item            `json:"item,omitempty"`
}

// Item is a Questionnaire.item: a group, a display text or a question.
type Item struct {
	LinkID         string         `json:"linkId"`
	Prefix         *string        `json:"prefix,omitempty"`
	Text           *string        `json:"text,omitempty"`
	Type           string         `json:"type"`
	Extension      []Extension    `json:"extension,omitempty"`
	EnableWhen     []EnableWhen   `json:"enableWhen,omitempty"`
	EnableBehavior *string        `json:"enableBehavior,omitempty"`
	Required       *bool          `json:"required,omitempty"`
	Repeats        *bool          `json:"repeats,omitempty"`
	ReadOnly       *bool          `json:"readOnly,omitempty"`
	MaxLength      *int           `json:"maxLength,omitempty"`
	AnswerValueSet *string        `json:"answerValueSet,omitempty"`
	AnswerOption   []AnswerOption `json:"answerOption,omitempty"`
	Item           []Item         `json:"item,omitempty"`
}

// Extension is a FHIR extension with the value types Dyad reads.
type Extension struct {
	URL                  string           `json:"url"`
	Extension            []Extension      `json:"extension,omitempty"`
	ValueDecimal         *json.Number     `json:"valueDecimal,omitempty"`
	ValueDate            *string          `json:"valueDate,omitempty"`
	ValueInteger         *int64           `json:"valueInteger,omitempty"`
	ValueString          *string          `json:"valueString,omitempty"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
}

// CodeableConcept is a FHIR CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   *string  `json:"text,omitempty"`
}

// Coding is a FHIR Coding.
type Coding struct {
	Extension []Extension `json:"extension,omitempty"`
	System    *string     `json:"system,omitempty"`
	Code      *string     `json:"code,omitempty"`
	Display   *string     `json:"display,omitempty"`
}

// AnswerOption is a Questionnaire.item.answerOption; one value[x] is set.
type AnswerOption struct {
	Extension    []Extension `json:"extension,omitempty"`
	ValueCoding  *Coding     `json:"valueCoding,omitempty"`
	ValueInteger *int64      `json:"valueInteger,omitempty"`
	ValueString  *string     `json:"valueString,omitempty"`
	ValueDate    *string     `json:"valueDate,omitempty"`
	ValueTime    *string     `json:"valueTime,omitempty"`
}

// EnableWhen is a Questionnaire.item.enableWhen; one answer[x] is set.
type EnableWhen struct {
	Question      string       `json:"question"`
	Operator      string       `json:"operator"`
	AnswerBoolean *bool        `json:"answerBoolean,omitempty"`
	AnswerDecimal *json.Number `json:"answerDecimal,omitempty"`
	AnswerInteger *int64       `json:"answerInteger,omitempty"`
	AnswerString  *string      `json:"answerString,omitempty"`
	AnswerCoding  *Coding      `json:"answerCoding,omitempty"`
	AnswerDate    *string      `json:"answerDate,omitempty"`
}

// ValueSet is a contained ValueSet: its codes listed in compose.include
// or in expansion.contains.
type ValueSet struct {
	ResourceType string     `json:"resourceType"`
	ID           *string    `json:"id,omitempty"`
	URL          *string    `json:"url,omitempty"`
	Status       string     `json:"status,omitempty"`
	Compose      *Compose   `json:"compose,omitempty"`
	Expansion    *Expansion `json:"expansion,omitempty"`
}

// Compose is ValueSet.compose.
type Compose struct {
	Include []Include `json:"include"`
}

// Include is ValueSet.compose.include.
type Include struct {
	System  *string   `json:"system,omitempty"`
	Concept []Concept `json:"concept,omitempty"`
}

// Expansion is ValueSet.expansion.
type Expansion struct {
	Contains []Concept `json:"contains,omitempty"`
}

// Concept is a code of a ValueSet (compose.include.concept or
// expansion.contains).
type Concept struct {
	Extension []Extension `json:"extension,omitempty"`
	System    *string     `json:"system,omitempty"`
	Code      *string     `json:"code,omitempty"`
	Display   *string     `json:"display,omitempty"`
}

// Extension URLs.
const (
	// ExtOrdinalValue is the R4 ordinal value of a code.
	ExtOrdinalValue = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
	// ExtItemWeight is its R5 name, used by SDC forms.
	ExtItemWeight = "http://hl7.org/fhir/StructureDefinition/itemWeight"
	// ExtMinValue and ExtMaxValue bound a numeric question.
	ExtMinValue = "http://hl7.org/fhir/StructureDefinition/minValue"
	ExtMaxValue = "http://hl7.org/fhir/StructureDefinition/maxValue"
	// ExtItemControl says how an item is shown; "help" and "flyover"
	// mark a display item as its parent's help text.
	ExtItemControl = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
	// ExtCalculated marks a calculated item (SDC).
	ExtCalculated = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
	// ExtSubscale and ExtReverse are Dyad's own: the subscale an item
	// counts towards and whether it is reverse-scored, which FHIR has no
	// element for.
	ExtSubscale = "https://dyad-survey.org/fhir/StructureDefinition/subscale"
	ExtReverse  = "https://dyad-survey.org/fhir/StructureDefinition/reverse"
	// ExtMissingCode, Dyad's own, on an answerOption or a value set's
	// concept (valueBoolean true), marks a missing-data code such as
	// "Not applicable" (survey.Option.Missing).
	ExtMissingCode = "https://dyad-survey.org/fhir/StructureDefinition/missing-code"
	// ExtExclusive marks an option selected alone ("None of these").
	ExtExclusive = "https://dyad-survey.org/fhir/StructureDefinition/exclusive"
	// ExtOtherLabel words an open-choice item's "Other, please specify".
	ExtOtherLabel = "https://dyad-survey.org/fhir/StructureDefinition/other-label"
	// ExtUnit is a number item's unit, as text.
	ExtUnit = "https://dyad-survey.org/fhir/StructureDefinition/unit"
	// ExtSubscaleDefinition, on the Questionnaire, defines a subscale:
	// sub-extensions id, title, description, scoring, minAnswered and
	// combine.
	ExtSubscaleDefinition = "https://dyad-survey.org/fhir/StructureDefinition/subscale-definition"
	// ExtIntroduction, ExtConsent and ExtEstimatedMinutes carry the
	// instrument's texts before the first page and its expected length.
	ExtIntroduction     = "https://dyad-survey.org/fhir/StructureDefinition/introduction"
	ExtConsent          = "https://dyad-survey.org/fhir/StructureDefinition/consent"
	ExtEstimatedMinutes = "https://dyad-survey.org/fhir/StructureDefinition/estimated-minutes"
	// ExtTranslation holds one language's texts of the instrument, by
	// Dyad's text ids (survey/translation.go): "lang", then a "text"
	// per text with "id" and "content". (FHIR's own translation
	// extension, on each string element, would let other tools show
	// them; this one keeps Dyad's round trip whole.)
	ExtTranslation = "https://dyad-survey.org/fhir/StructureDefinition/translation"
)

func ptr[T any](v T) *T { return &v }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
