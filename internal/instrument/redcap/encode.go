package redcap

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Encode writes an instrument as a data dictionary that REDCap imports:
// a record identifier field first, then one form per section (its title
// the first field's section header, its description a descriptive
// field), each item a field (see the package comment for the
// annotations that carry max_length, subscales and reversal). Likert
// items in a row on one scale form a matrix group; show_if becomes
// branching logic. Decode reads the result back into an equivalent
// instrument.
func Encode(in *survey.Instrument) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(Columns[:])
	taken := map[string]bool{}
	byID := map[string]*survey.Item{}
	for si := range in.Sections {
		taken[in.Sections[si].ID] = true
		for ii := range in.Sections[si].Items {
			it := &in.Sections[si].Items[ii]
			taken[it.ID], byID[it.ID] = true, it
		}
	}
	free := func(name string) string {
		for n := 2; taken[name]; n++ {
			name = strings.TrimSuffix(name, "_"+strconv.Itoa(n-1)) + "_" + strconv.Itoa(n)
		}
		taken[name] = true
		return name
	}
	scales := map[string][]survey.Option{}
	for _, s := range in.Scales {
		scales[s.ID] = s.Options
	}
	combine := map[string]string{}
	for _, s := range in.Subscales {
		combine[s.ID] = s.Combine
	}
	recordID := recordIDFor(in)
	taken[recordID] = true
	matrixRuns := map[string]int{}
	for si, sec := range in.Sections {
		header := sec.Title
		form := sec.ID
		if si == 0 {
			_ = w.Write(rowOf(map[int]string{colName: recordID, colForm: form, colType: "text", colLabel: "Record ID"}))
		}
		if sec.Description != "" {
			_ = w.Write(rowOf(map[int]string{colName: free(sec.ID + "_intro"), colForm: form, colSection: header,
				colType: "descriptive", colLabel: sec.Description}))
			header = ""
		}
		prevScale := ""
		group := ""
		for ii, it := range sec.Items {
			c := map[int]string{colName: it.ID, colForm: form, colSection: header, colLabel: it.Text, colNote: it.Help}
			header = ""
			if it.Required {
				c[colRequired] = "y"
			}
			var notes []string
			switch it.Type {
			case survey.Likert:
				c[colType], c[colChoices] = "radio", choices(scales[it.Scale])
				if it.Scale != prevScale || group == "" {
					// A new run of items on this scale: a matrix group
					// of its own, named after the scale.
					matrixRuns[it.Scale]++
					group = it.Scale
					if n := matrixRuns[it.Scale]; n > 1 {
						group = fmt.Sprintf("%s_%d", it.Scale, n)
					}
				}
				c[colMatrix] = group
				if it.Subscale != "" {
					notes = append(notes, "@DYAD-SUBSCALE="+it.Subscale)
				}
				if it.Reverse {
					notes = append(notes, "@DYAD-REVERSE")
				}
				if c := combine[it.Subscale]; c != "" {
					notes = append(notes, "@DYAD-COMBINE="+c)
				}
			case survey.SingleChoice:
				c[colType], c[colChoices] = "radio", choices(optionsWithOther(it))
			case survey.MultipleChoice:
				c[colType], c[colChoices] = "checkbox", choices(optionsWithOther(it))
				if tag := noneOfTheAbove(it); tag != "" {
					notes = append(notes, tag)
				}
			case survey.Integer:
				c[colType], c[colValidation] = "text", "integer"
				if it.Min != nil {
					c[colMin] = strconv.FormatInt(*it.Min, 10)
				}
				if it.Max != nil {
					c[colMax] = strconv.FormatInt(*it.Max, 10)
				}
			case survey.Text:
				c[colType] = "text"
				if it.Multiline {
					c[colType] = "notes"
				}
				if it.MaxLength > 0 {
					notes = append(notes, "@CHARLIMIT="+strconv.Itoa(it.MaxLength))
				}
			default:
				var ok bool
				if notes, ok = encodeNewType(c, it, notes); !ok {
					return nil, fmt.Errorf("item %q: type %q has no REDCap field type", it.ID, it.Type)
				}
			}
			opts := it.Options
			if it.Type == survey.Likert {
				opts = scales[it.Scale]
			}
			var missing []string
			for _, o := range opts {
				if o.Missing {
					missing = append(missing, strconv.FormatInt(o.Value, 10))
				}
			}
			if missing != nil {
				notes = append(notes, "@DYAD-MISSING="+strings.Join(missing, ","))
			}
			notes = append(notes, designNotes(in, si, ii)...)
			if it.Type == survey.Likert {
				prevScale = it.Scale
			} else {
				prevScale, group = "", ""
			}
			c[colAnnotation] = strings.Join(notes, " ")
			if it.ShowIf != nil {
				c[colBranching] = logicOf(it.ShowIf, byID[it.ShowIf.Item])
			}
			_ = w.Write(rowOf(c))
			if it.Other {
				_ = w.Write(rowOf(otherField(it, form)))
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func rowOf(c map[int]string) []string {
	out := make([]string, len(Columns))
	for i, v := range c {
		out[i] = v
	}
	return out
}

func choices(opts []survey.Option) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		// A "|" in a label would split the choice in two.
		parts[i] = fmt.Sprintf("%d, %s", o.Value, strings.ReplaceAll(o.Label, "|", "/"))
	}
	return strings.Join(parts, " | ")
}

// logicOf writes a condition as branching logic: one comparison per
// value, joined by or; a multiple-choice item's values as ticked
// checkbox choices.
func logicOf(c *survey.Condition, ref *survey.Item) string {
	vals := c.Values()
	parts := make([]string, len(vals))
	for i, v := range vals {
		if ref != nil && ref.Type == survey.MultipleChoice {
			parts[i] = fmt.Sprintf("[%s(%d)] = '1'", c.Item, v)
		} else {
			parts[i] = fmt.Sprintf("[%s] = '%d'", c.Item, v)
		}
	}
	return strings.Join(parts, " or ")
}
