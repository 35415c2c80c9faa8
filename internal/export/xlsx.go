package export

// Excel workbook (.xlsx), written with excelize (github.com/xuri/excelize).
//
// Three sheets:
//
//   - data: the wide layout, one row per response, the header row frozen
//     and bold. Numbers are stored as numbers (codes, 0/1, integers,
//     scores, durations), times as Excel date-times (UTC, shown as
//     yyyy-mm-dd hh:mm:ss), text as text. With values=labels, likert and
//     single-choice cells hold the option's label instead of its code, as
//     in the CSV.
//   - codebook: the codebook CSV's rows (CodebookHeader).
//   - value_labels: variable, value, label, one row per option of every
//     likert and single-choice column and per 0/1 of the option columns.
//
// Formula injection: every text is written as a string cell (an inline
// string, t="inlineStr"), never as a formula, so a spreadsheet shows
// "=1+1" and does not run it; no ' is added (the excel_safe option of the
// CSV is not needed here, and the text stays exact). Excel limits a cell
// to 32,767 characters: excelize cuts a longer text there.
//
// Memory: the data sheet (the only large one; the other two are written
// whole) goes through excelize's StreamWriter, which keeps
// rows in memory only up to 16 MiB and then in a temporary file; the
// workbook's zip is written straight to the output through the
// SetZipWriter hook (excelize's Write would first build the whole zip in
// a bytes.Buffer), so the heap stays flat whatever the number of
// responses. The temporary files are removed when the export ends.

import (
	"archive/zip"
	"compress/flate"
	"context"
	"io"
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/xuri/excelize/v2"
)

// The workbook's sheet names.
const (
	XLSXDataSheet        = "data"
	XLSXCodebookSheet    = "codebook"
	XLSXValueLabelsSheet = "value_labels"
)

// xlsxSuffix is the .xlsx file-name rule: _labels when labels replace
// codes.
func xlsxSuffix(opt Options) string {
	if opt.Values == ValuesLabels {
		return "_labels.xlsx"
	}
	return ".xlsx"
}

// WriteXLSX writes the responses as an Excel workbook. Of the options it
// reads Values only.
func WriteXLSX(ctx context.Context, out io.Writer, f *survey.Form, opt Options, scan ScanFunc) (err error) {
	x := excelize.NewFile()
	defer func() {
		if cerr := x.Close(); err == nil {
			err = cerr
		}
	}()
	var zw *zip.Writer
	x.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw = zip.NewWriter(out)
		// Deflate's fastest level: the default level spent over half the
		// export's time compressing, for a file about a quarter smaller.
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestSpeed)
		})
		return zw
	})
	if err := x.SetSheetName("Sheet1", XLSXDataSheet); err != nil {
		return err
	}
	for _, name := range []string{XLSXCodebookSheet, XLSXValueLabelsSheet} {
		if _, err := x.NewSheet(name); err != nil {
			return err
		}
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	dateStyle, err := x.NewStyle(&excelize.Style{CustomNumFmt: ptrTo("yyyy-mm-dd hh:mm:ss")})
	if err != nil {
		return err
	}
	dayStyle, err := x.NewStyle(&excelize.Style{CustomNumFmt: ptrTo("yyyy-mm-dd")})
	if err != nil {
		return err
	}
	rr := newRowReader(f, opt.Quality)
	cols := rr.columns()

	// The data sheet.
	sw, err := x.NewStreamWriter(XLSXDataSheet)
	if err != nil {
		return err
	}
	for i := range cols {
		if err := sw.SetColWidth(i+1, i+1, xlsxWidth(&cols[i])); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	for i := range cols {
		vals[i] = cols[i].Name
	}
	if err := sw.SetRow("A1", vals, excelize.RowOpts{StyleID: bold}); err != nil {
		return err
	}
	labels := opt.Values == ValuesLabels
	n := 1
	var r row
	err = scan(ctx, func(resp *survey.Response) error {
		rr.read(resp, &r)
		for i := range r.cells {
			c := &r.cells[i]
			switch c.kind {
			case cellEmpty, cellNotShown:
				vals[i] = nil
			case cellInt:
				vals[i] = c.i
				if labels && cols[i].Options != nil && cols[i].Kind == ItemColumn { // flags stay 0/1, as in the CSV
					if l, ok := optionLabel(cols[i].Options, c.i); ok {
						vals[i] = l
					}
				}
			case cellFloat:
				vals[i] = c.f
			case cellTime:
				vals[i] = excelize.Cell{StyleID: dateStyle, Value: time.Unix(c.i, 0).UTC()}
			case cellDate:
				vals[i] = excelize.Cell{StyleID: dayStyle, Value: time.Unix(c.i*86400, 0).UTC()}
			case cellText:
				vals[i] = string(r.bytes(c))
			}
		}
		n++
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, vals)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}

	// The codebook and the value labels: small, so written whole rather
	// than streamed (one stream only also keeps the zip's entries in a
	// fixed order: excelize zips its streams in map order, so the same
	// export would not always give the same bytes).
	rows := make([][]any, len(cols))
	q := opt.Quality
	if q == nil {
		q = f.Quality(survey.DefaultSpeederFraction, 0)
	}
	for i := range cols {
		rows[i] = strings2any(codebookRow(f, &cols[i], q))
	}
	if err := xlsxSheet(x, XLSXCodebookSheet, bold, []float64{24, 24, 12, 24, 60, 22, 60, 10, 14, 40, 60},
		strings2any(CodebookHeader), rows); err != nil {
		return err
	}
	rows = rows[:0]
	for i := range cols {
		for _, o := range savValueLabels(&cols[i]) {
			rows = append(rows, []any{cols[i].Name, o.Value, o.Label})
		}
	}
	if err := xlsxSheet(x, XLSXValueLabelsSheet, bold, []float64{34, 10, 60}, []any{"variable", "value", "label"}, rows); err != nil {
		return err
	}
	x.SetActiveSheet(0)
	// Write goes through the zip writer set above, straight to out; what
	// it hands io.Discard is the empty buffer excelize would have filled.
	if err := x.Write(io.Discard); err != nil {
		return err
	}
	if zw == nil {
		return io.ErrShortWrite
	}
	return nil
}

// xlsxSheet fills a sheet with a bold, frozen header row and rows, and
// sets its column widths.
func xlsxSheet(x *excelize.File, sheet string, bold int, widths []float64, header []any, rows [][]any) error {
	for i, w := range widths {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := x.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	if err := x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := x.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(header), 1)
	if err != nil {
		return err
	}
	if err := x.SetCellStyle(sheet, "A1", last, bold); err != nil {
		return err
	}
	for i := range rows {
		if err := x.SetSheetRow(sheet, "A"+strconv.Itoa(i+2), &rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// xlsxWidth is a column's width in characters.
func xlsxWidth(c *Column) float64 {
	w := float64(len(c.Name) + 2)
	switch {
	case c.Time:
		w = max(w, 20)
	case c.Date:
		w = max(w, 12)
	case c.Kind == MetaColumn && c.Name == colResponseID:
		w = 38
	case c.Item != nil && c.Item.Type == survey.Text:
		w = max(w, 40)
	case c.Options != nil:
		w = max(w, 14)
	}
	return min(max(w, 8), 60)
}

func strings2any(s []string) []any {
	a := make([]any, len(s))
	for i, v := range s {
		a[i] = v
	}
	return a
}

func ptrTo[T any](v T) *T { return &v }
