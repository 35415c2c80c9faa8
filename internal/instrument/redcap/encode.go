package redcap

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/instrument/interop"
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
			if sc := it.ShowIf; sc != nil || in.Sections[si].ShowIf != nil {
				// REDCap has no branching for a form: a section's
				// condition goes to each of its fields.
				if sec := in.Sections[si].ShowIf; sec != nil {
					if sc == nil {
						sc = sec
					} else {
						sc = &survey.Condition{All: []survey.Condition{*sec, *sc}}
					}
				}
				logic, err := interop.Expr(sc, byID, logicSyntax)
				if err != nil {
					return nil, interop.Unsupported("REDCap branching logic", fmt.Sprintf("sections[%d].items[%d].show_if", si, ii), err)
				}
				c[colBranching] = logic
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

// logicSyntax writes conditions as branching logic: a list of values as
// one comparison per value joined by or (a multiple-choice item's as
// ticked checkbox choices), the other comparisons with REDCap's
// operators, answered as a comparison with the empty value. REDCap has
// no not.
var logicSyntax = interop.Syntax{And: " and ", Or: " or ", Leaf: logicOf}

func logicOf(c *survey.Condition, ref *survey.Item) (string, error) {
	multi := ref.Type == survey.MultipleChoice
	var parts []string
	for _, v := range c.Values() {
		if multi {
			parts = append(parts, fmt.Sprintf("[%s(%d)] = '1'", c.Item, v))
		} else {
			parts = append(parts, fmt.Sprintf("[%s] = '%d'", c.Item, v))
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, " or "), nil
	}
	if c.Answered != nil {
		switch {
		case multi && *c.Answered:
			for _, o := range ref.Options {
				parts = append(parts, fmt.Sprintf("[%s(%d)] = '1'", c.Item, o.Value))
			}
			return strings.Join(parts, " or "), nil
		case multi:
			return "", fmt.Errorf("an unticked checkbox choice does not read back")
		case *c.Answered:
			return fmt.Sprintf("[%s] <> ''", c.Item), nil
		default:
			return fmt.Sprintf("[%s] = ''", c.Item), nil
		}
	}
	if multi {
		return "", fmt.Errorf("a checkbox field is tested one ticked choice at a time")
	}
	for _, cmp := range []struct {
		v  *int64
		op string
	}{{c.NotEquals, "<>"}, {c.Gt, ">"}, {c.Gte, ">="}, {c.Lt, "<"}, {c.Lte, "<="}} {
		if cmp.v != nil {
			parts = append(parts, fmt.Sprintf("[%s] %s '%d'", c.Item, cmp.op, *cmp.v))
		}
	}
	return strings.Join(parts, " and "), nil
}
