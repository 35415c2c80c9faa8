package export

import (
	"reflect"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// TestSAVMissing holds savMissing's choice of the variable record's
// user-missing values for each shape of codes (PSPP, haven and readstat
// read the records back in missing_datafiles_integration_test.go).
func TestSAVMissing(t *testing.T) {
	opts := func(vals ...int64) []survey.Option {
		var o []survey.Option
		for _, v := range vals {
			o = append(o, survey.Option{Value: v, Missing: v < 0 || v > 5})
		}
		return o
	}
	for _, c := range []struct {
		name  string
		opts  []survey.Option
		hides bool
		want  savMissingValues
	}{
		{"none", opts(1, 2, 3), false, savMissingValues{}},
		{"not shown only", opts(1, 2, 3), true, savMissingValues{n: 1, values: []float64{-99}}},
		{"two codes", opts(1, 2, 9, 8), false, savMissingValues{n: 2, values: []float64{8, 9}}},
		{"two codes and not shown", opts(1, 2, 8, 9), true, savMissingValues{n: 3, values: []float64{-99, 8, 9}}},
		{"three codes and not shown: a range", opts(1, 2, 7, 8, 9), true, savMissingValues{n: -3, values: []float64{7, 9, -99}}},
		{"four codes: a range", opts(1, 2, 6, 7, 8, 9), false, savMissingValues{n: -2, values: []float64{6, 9}}},
		{"four codes below the scale: a range", opts(-4, -3, -2, -1, 1, 2), false, savMissingValues{n: -2, values: []float64{-4, -1}}},
		{"codes around the scale: three", opts(-1, 1, 2, 7, 8, 9), false, savMissingValues{n: 3, values: []float64{-1, 7, 8}}},
		{"codes around the scale and not shown: not shown first", opts(-1, 1, 2, 7, 8, 9), true, savMissingValues{n: 3, values: []float64{-99, -1, 7}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			col := &Column{Kind: ItemColumn, Options: c.opts}
			if got := savMissing(col, c.hides, -99); !reflect.DeepEqual(got, c.want) && !(got.n == 0 && c.want.n == 0) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
	col := &Column{Kind: ItemColumn, Options: []survey.Option{{Value: 1}, {Value: 4, Missing: true}, {Value: 5}, {Value: 6, Missing: true}, {Value: 7, Missing: true}, {Value: 8, Missing: true}}}
	if got := savMissing(col, true, -99); !reflect.DeepEqual(got, savMissingValues{n: 3, values: []float64{-99, 4, 6}}) {
		t.Errorf("a substantive value between the codes: got %+v, want three discrete", got)
	}
}
