package xlsform

import (
	"fmt"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// XLSForm questions for the item types of survey/itemtypes.go: date,
// decimal (the unit in the hint, the places in the constraint), range
// 0–100 for a slider (its end labels in the hint), note for info,
// acknowledge for consent; an exclusive option is a constraint, and
// "Other, please specify" an extra choice with a text question relevant
// when it is chosen.

// encodeNewType fills c for an item of survey/itemtypes.go; false for an
// unknown type.
func encodeNewType(c map[string]string, it *survey.Item) bool {
	var cons []string
	switch it.Type {
	case survey.DateItem:
		c["type"] = "date"
		if it.MinText != "" {
			cons = append(cons, fmt.Sprintf(". >= date('%s')", it.MinText))
		}
		if it.MaxText != "" {
			cons = append(cons, fmt.Sprintf(". <= date('%s')", it.MaxText))
		}
	case survey.Number:
		c["type"] = "decimal"
		if it.MinText != "" {
			cons = append(cons, ". >= "+it.MinText)
		}
		if it.MaxText != "" {
			cons = append(cons, ". <= "+it.MaxText)
		}
		cons = append(cons, fmt.Sprintf("round(., %d) = .", it.Decimals))
		if it.Unit != "" {
			c["hint"] = strings.TrimSpace(c["hint"] + " (" + it.Unit + ")")
		}
	case survey.Slider:
		c["type"], c["parameters"] = "range", "start=0 end=100 step=1"
		if it.MinLabel != "" || it.MaxLabel != "" {
			c["hint"] = strings.TrimSpace(c["hint"] + " 0 = " + it.MinLabel + "; 100 = " + it.MaxLabel)
		}
	case survey.Info:
		c["type"] = "note"
	case survey.Consent:
		c["type"], c["required"] = "acknowledge", "yes"
	default:
		return false
	}
	c["constraint"] = strings.Join(cons, " and ")
	return true
}

// exclusiveConstraint keeps a multiple-choice item's exclusive options
// alone; "" when it has none.
func exclusiveConstraint(it *survey.Item) string {
	var parts []string
	for _, o := range it.Options {
		if o.Exclusive {
			parts = append(parts, fmt.Sprintf("not(selected(., '%d') and count-selected(.) > 1)", o.Value))
		}
	}
	return strings.Join(parts, " and ")
}

// otherQuestion is the text question of an item's "Other, please
// specify", relevant when that choice is made.
func otherQuestion(it *survey.Item) map[string]string {
	rel := fmt.Sprintf("${%s} = '%d'", it.ID, it.OtherValue())
	if it.Type == survey.MultipleChoice {
		rel = fmt.Sprintf("selected(${%s}, '%d')", it.ID, it.OtherValue())
	}
	return map[string]string{"type": "text", "name": it.ID + survey.OtherSuffix, "label": it.OtherText(),
		"required": "yes", "relevant": rel, "constraint": fmt.Sprintf("string-length(.) <= %d", survey.OtherMaxLength)}
}
