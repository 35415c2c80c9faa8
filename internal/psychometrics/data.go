package psychometrics

import "math"

// Data is a respondents × items matrix of scored answers, NaN where an
// answer is missing. Cells are float32: the answers are small integers
// (scale values), which float32 holds exactly, and a matrix of 100,000
// respondents × 25 items then takes 10 MB, a quarter of what float64
// would; every sum over it is taken in float64.
//
// Why keep the rows at all when correlations need only sums: the
// bootstrap interval of omega resamples respondents, and listwise
// deletion needs each respondent's whole row.
type Data struct {
	// Items names the columns (item ids), in order.
	Items []string
	cells []float32
	n     int
}

// NewData returns an empty matrix with the given columns.
func NewData(items []string) *Data {
	return &Data{Items: items}
}

// Add appends one respondent; row has one value per item, NaN for a
// missing answer. A row with no answer at all is not added: it says
// nothing about any item and would only inflate n.
func (d *Data) Add(row []float64) {
	any := false
	for _, v := range row {
		if !math.IsNaN(v) {
			any = true
			break
		}
	}
	if !any {
		return
	}
	for _, v := range row {
		d.cells = append(d.cells, float32(v))
	}
	d.n++
}

// Rows is the number of respondents added.
func (d *Data) Rows() int { return d.n }

// Cols is the number of items.
func (d *Data) Cols() int { return len(d.Items) }

// At is respondent i's answer to item j, NaN when missing.
func (d *Data) At(i, j int) float64 { return float64(d.cells[i*len(d.Items)+j]) }

// row returns respondent i's answers.
func (d *Data) row(i int) []float32 {
	p := len(d.Items)
	return d.cells[i*p : (i+1)*p]
}

// Select returns the matrix of the given columns (indexes into Items),
// sharing nothing with d. Rows left with no answer are dropped.
func (d *Data) Select(cols []int) *Data {
	items := make([]string, len(cols))
	for k, j := range cols {
		items[k] = d.Items[j]
	}
	out := NewData(items)
	row := make([]float64, len(cols))
	for i := range d.n {
		r := d.row(i)
		for k, j := range cols {
			row[k] = float64(r[j])
		}
		out.Add(row)
	}
	return out
}

// completeRows returns the respondents who answered every item, and
// their weights when w (one per respondent) is not nil.
func (d *Data) completeRows(w []float64) (*Data, []float64) {
	out := &Data{Items: d.Items}
	var ow []float64
	for i := range d.n {
		if r := d.row(i); complete(r) {
			out.cells = append(out.cells, r...)
			out.n++
			if w != nil {
				ow = append(ow, w[i])
			}
		}
	}
	return out, ow
}
