package redcap

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// WriteRecords writes responses as REDCap's flat record file, the CSV
// that REDCap's data import reads for the dictionary Encode writes: a
// record_id column (the response id), then each section's fields in
// order, a multiple-choice item as one 0/1 column per option named
// field___code (REDCap writes a minus sign in a code as "_"), and after
// each section its form's {form}_complete column (2 Complete for a
// submitted response, 0 Incomplete otherwise). An item not answered,
// hidden ones included, is an empty cell. It streams: scan feeds the
// responses one at a time (export.ScanFunc has this shape).
func WriteRecords(ctx context.Context, w io.Writer, form *survey.Form, scan func(context.Context, func(*survey.Response) error) error) error {
	in := form.Instrument
	cw := csv.NewWriter(w)
	header := []string{recordIDFor(in)}
	for _, sec := range in.Sections {
		for _, it := range sec.Items {
			switch it.Type {
			case survey.Info:
				continue // a descriptive field: no data
			case survey.MultipleChoice, survey.Consent:
				for _, o := range recordOptions(form, &it) {
					header = append(header, it.ID+"___"+checkboxCode(o.Value))
				}
			default:
				header = append(header, it.ID)
			}
			if o := form.OtherItem(it.ID); o != nil {
				header = append(header, o.ID)
			}
		}
		header = append(header, sec.ID+"_complete")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, 0, len(header))
	err := scan(ctx, func(r *survey.Response) error {
		row = append(row[:0], r.ID)
		complete := "0"
		if r.Status == survey.ResponseComplete {
			complete = "2"
		}
		for _, sec := range in.Sections {
			for _, it := range sec.Items {
				v, answered := r.Answers[it.ID]
				switch it.Type {
				case survey.Info:
					continue
				case survey.MultipleChoice, survey.Consent:
					if it.Type == survey.Consent && v.Kind == survey.IntValue {
						v = survey.ListVal(v.Int) // the one-choice checkbox of Encode
					}
					for _, o := range recordOptions(form, &it) {
						switch {
						case !answered:
							row = append(row, "")
						case contains(v.List, o.Value):
							row = append(row, "1")
						default:
							row = append(row, "0")
						}
					}
				default:
					switch {
					case !answered:
						row = append(row, "")
					case v.Kind == survey.TextValue || v.Kind == survey.NumberValue:
						row = append(row, v.Text)
					default:
						row = append(row, strconv.FormatInt(v.Int, 10))
					}
				}
				if o := form.OtherItem(it.ID); o != nil {
					row = append(row, r.Answers[o.ID].Text)
				}
			}
			row = append(row, complete)
		}
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// recordIDFor is the name of the record identifier field that Encode
// writes for the instrument.
func recordIDFor(in *survey.Instrument) string {
	taken := map[string]bool{}
	for _, sec := range in.Sections {
		taken[sec.ID] = true
		for _, it := range sec.Items {
			taken[it.ID] = true
		}
	}
	name := "record_id"
	for n := 2; taken[name]; n++ {
		name = "record_id_" + strconv.Itoa(n)
	}
	return name
}

func checkboxCode(v int64) string {
	return strings.ReplaceAll(strconv.FormatInt(v, 10), "-", "_")
}

func contains(list []int64, v int64) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// recordOptions are the checkbox choices of a field as Encode writes
// them: a multiple-choice item's options with its "Other, please
// specify", a consent's one choice 1.
func recordOptions(form *survey.Form, it *survey.Item) []survey.Option {
	if it.Type == survey.Consent {
		return []survey.Option{{Value: 1}}
	}
	return form.Options(it.ID)
}
