package fhir

import "github.com/dyad-survey/dyad/internal/survey"

// Dyad's design features that FHIR's Questionnaire has no element for,
// carried by extensions of Dyad's own (as subscales and translations
// are), so that a Questionnaire written by Encode reads back as the same
// instrument: the randomised order (survey/order.go: randomize on the
// Questionnaire and on a group, fixed on a group or an item), attention
// checks (survey/quality.go) and the consent item (a required boolean
// marked as consent, with its decline text). Other tools ignore them
// and show the items in document order, a boolean for the consent.
const (
	// ExtRandomize is "sections" on the Questionnaire or "items" on a
	// group (valueString).
	ExtRandomize = "https://dyad-survey.org/fhir/StructureDefinition/randomize"
	// ExtFixed keeps a group or an item in its place (valueBoolean).
	ExtFixed = "https://dyad-survey.org/fhir/StructureDefinition/fixed"
	// ExtAttention makes a question an attention check: the answer it
	// asks for (valueInteger).
	ExtAttention = "https://dyad-survey.org/fhir/StructureDefinition/attention-expect"
	// ExtConsentItem marks a boolean as a consent item (valueBoolean
	// true); ExtDecline is its decline text (valueString).
	ExtConsentItem = "https://dyad-survey.org/fhir/StructureDefinition/consent-item"
	ExtDecline     = "https://dyad-survey.org/fhir/StructureDefinition/decline"
)

// randomizeExtension is the extension of a Questionnaire's or a group's
// randomize; nil when there is none.
func randomizeExtension(randomize string) []Extension {
	if randomize == "" {
		return nil
	}
	return []Extension{{URL: ExtRandomize, ValueString: ptr(randomize)}}
}

// fixedExtension marks a fixed group or item; nil when it is not.
func fixedExtension(fixed bool) []Extension {
	if !fixed {
		return nil
	}
	return []Extension{{URL: ExtFixed, ValueBoolean: ptr(true)}}
}

// itemDesignExtensions are an item's fixed, attention check and consent
// extensions.
func itemDesignExtensions(it *survey.Item) []Extension {
	out := fixedExtension(it.Fixed)
	if it.Attention != nil {
		out = append(out, Extension{URL: ExtAttention, ValueInteger: ptr(it.Attention.Expect)})
	}
	if it.Type == survey.Consent {
		out = append(out, Extension{URL: ExtConsentItem, ValueBoolean: ptr(true)})
		if it.Decline != "" {
			out = append(out, Extension{URL: ExtDecline, ValueString: ptr(it.Decline)})
		}
	}
	return out
}

// readGroupDesign sets a section's randomize and fixed from its group's
// extensions.
func readGroupDesign(sec *survey.Section, ext []Extension) {
	for _, e := range ext {
		switch {
		case e.URL == ExtRandomize && e.ValueString != nil:
			sec.Randomize = *e.ValueString
		case e.URL == ExtFixed && e.ValueBoolean != nil:
			sec.Fixed = *e.ValueBoolean
		}
	}
}

// readItemDesign sets an item's fixed and attention check from its
// extensions; the instrument's rules then check them (a value the item
// cannot take is refused with its path).
func readItemDesign(out *survey.Item, ext []Extension) {
	for _, e := range ext {
		switch {
		case e.URL == ExtFixed && e.ValueBoolean != nil:
			out.Fixed = *e.ValueBoolean
		case e.URL == ExtAttention && e.ValueInteger != nil:
			out.Attention = &survey.Attention{Expect: *e.ValueInteger}
		}
	}
}

// consentItem reports whether a boolean question is marked as a consent
// item, and its decline text.
func consentItem(ext []Extension) (bool, string) {
	consent, decline := false, ""
	for _, e := range ext {
		switch {
		case e.URL == ExtConsentItem && e.ValueBoolean != nil:
			consent = *e.ValueBoolean
		case e.URL == ExtDecline && e.ValueString != nil:
			decline = *e.ValueString
		}
	}
	return consent, decline
}
