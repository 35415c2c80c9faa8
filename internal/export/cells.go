package export

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Typed cells for the binary formats (.sav, .dta, .xlsx).
//
// The CSV writer appends text; the binary formats need each cell of the
// wide layout as a typed value (empty, integer, number, text, time). A
// rowReader reads them through the CSV Writer's answer slots, so the cell
// rules of writer.go (codes, 0/1 option columns, empty when not answered,
// scores) are written once and every format agrees with the CSV.
//
// SPSS and Stata files start with what only the whole data can tell: the
// number of cases (Stata needs it; SPSS may say "unknown") and, for a
// file that is not mostly padding, the width of each text column. Reading
// the responses twice would not do: a response submitted between the two
// scans would make the header lie. So those writers spool: one scan writes
// every row, in a compact form of its own (spool), to a temporary file
// while counting rows and the longest text of each column; the header is
// then written from those counts and the rows are read back from the
// file. Memory stays flat (one row at a time, buffered I/O), the disk
// holds about one CSV's worth for the length of the export, and the file
// is removed at the end, on error too.

// cellKind tells what a cell holds.
type cellKind uint8

const (
	cellEmpty    cellKind = iota // not answered, no score, no time
	cellInt                      // an integer (codes, 0/1, counts)
	cellFloat                    // a number (scores)
	cellText                     // text (UTF-8 as stored)
	cellTime                     // a time, in whole seconds since the Unix epoch (UTC)
	cellNotShown                 // not answered because its show_if hid it
	cellDate                     // a date, in days since 1970-01-01 (date items)
)

// Not shown versus not answered: the CSV leaves both empty. The SPSS and
// Stata files tell them apart, as analysts of skip patterns need: an item
// its condition hid (survey.Form.ShownByPosition, the one show/hide rule)
// and that holds no answer is a declared missing value there (SPSS: a
// user-missing code labelled "Not shown"; Stata: .a), while an item shown
// but not answered stays system-missing. The workbook, like the CSV,
// leaves both empty.

// cell is one cell of the wide layout. A text is row.text[start:end].
type cell struct {
	kind       cellKind
	i          int64 // cellInt, cellTime
	f          float64
	start, end int
}

// row is one response's cells, in the order of Columns.
type row struct {
	cells []cell
	text  []byte
}

// bytes returns a text cell's bytes.
func (r *row) bytes(c *cell) []byte { return r.text[c.start:c.end] }

// rowReader turns responses into rows.
type rowReader struct {
	w      *Writer
	hides  bool           // some item has show_if
	vals   []survey.Value // the slots as values, for the show/hide rule
	shown  []bool
	hidden []bool // per item: not shown in the current response
}

func newRowReader(f *survey.Form, q *survey.Quality) *rowReader {
	rr := &rowReader{w: NewWriter(io.Discard, f, Options{Quality: q})}
	for _, it := range f.Items() {
		if f.Conditional(it.ID) {
			rr.hides = true
		}
	}
	rr.hidden = make([]bool, len(rr.w.items))
	rr.vals = make([]survey.Value, len(rr.w.items))
	return rr
}

// mayHide tells whether a column's item has a condition, its own or its
// section's, so that its cells can be cellNotShown.
func mayHide(c *Column) bool {
	return c.Item != nil && (c.Item.ShowIf != nil || (c.Section != nil && c.Section.ShowIf != nil))
}

// decideShown fills rr.hidden from the current slots.
func (rr *rowReader) decideShown() {
	if !rr.hides {
		return
	}
	w := rr.w
	for i := range w.slots {
		s := &w.slots[i]
		rr.vals[i] = survey.Value{Kind: s.kind, Int: s.int}
		if s.kind == survey.ListValue {
			rr.vals[i].List = w.lists[s.start:s.end]
		}
	}
	rr.shown = w.form.ShownByPosition(rr.vals, rr.shown)
	for i, sh := range rr.shown {
		rr.hidden[i] = !sh
	}
}

// columns returns the wide layout's columns, as Columns does.
func (rr *rowReader) columns() []Column { return rr.w.cols }

// read fills out with r's cells.
func (rr *rowReader) read(r *survey.Response, out *row) {
	w := rr.w
	w.load(r)
	rr.decideShown()
	if cap(out.cells) < len(w.cols) {
		out.cells = make([]cell, len(w.cols))
	}
	out.cells = out.cells[:len(w.cols)]
	out.text = out.text[:0]
	text := func(b []byte) cell {
		c := cell{kind: cellText, start: len(out.text)}
		out.text = append(out.text, b...)
		c.end = len(out.text)
		return c
	}
	k := 0
	flags := w.flagCells(r)
	for i := range w.plan {
		g := &w.plan[i]
		switch c := &g.cols[0]; c.Kind {
		case PageColumn:
			out.cells[k] = cell{}
			if s, ok := pageSeconds(r, c.Section.ID); ok {
				out.cells[k] = cell{kind: cellFloat, f: s}
			}
			k++
		case FlagColumn:
			out.cells[k] = cell{}
			if v := flags[flagIndex(c.Name)]; v >= 0 {
				out.cells[k] = cell{kind: cellInt, i: int64(v)}
			}
			k++
		case MetaColumn:
			out.cells[k] = cell{}
			switch c.Name {
			case colResponseID:
				out.cells[k] = text([]byte(r.ID))
			case colInstrumentVersion:
				out.cells[k] = cell{kind: cellInt, i: int64(r.InstrumentVersion)}
			case colStatus:
				out.cells[k] = text([]byte(r.Status))
			case colStartedAt:
				out.cells[k] = cell{kind: cellTime, i: r.StartedAt.Unix()}
			case colSubmittedAt:
				if r.SubmittedAt != nil {
					out.cells[k] = cell{kind: cellTime, i: r.SubmittedAt.Unix()}
				}
			case colDuration:
				if r.SubmittedAt != nil {
					out.cells[k] = cell{kind: cellInt, i: int64(r.SubmittedAt.Sub(r.StartedAt) / time.Second)}
				}
			case colLanguage:
				if r.Language != "" {
					out.cells[k] = text([]byte(r.Language))
				}
			}
			k++
		case OptionColumn:
			v := &w.slots[g.slot]
			list := w.lists[v.start:v.end]
			for j := range g.cols {
				switch {
				case v.kind == survey.ListValue:
					out.cells[k] = cell{kind: cellInt, i: int64(selected(list, g.cols[j].Option.Value) - '0')}
				case v.kind == 0 && rr.hidden[g.slot]:
					out.cells[k] = cell{kind: cellNotShown}
				default:
					out.cells[k] = cell{}
				}
				k++
			}
		case ItemColumn:
			v := &w.slots[g.slot]
			switch v.kind {
			case survey.IntValue:
				out.cells[k] = cell{kind: cellInt, i: v.int}
			case survey.TextValue:
				out.cells[k] = text(w.text(v))
				if typed, ok := typedText(c, w.text(v)); ok {
					out.cells[k] = typed
				}
			case 0:
				out.cells[k] = cell{}
				if rr.hidden[g.slot] {
					out.cells[k] = cell{kind: cellNotShown}
				}
			default:
				out.cells[k] = cell{}
			}
			k++
		case ScoreColumn:
			vals := w.scratch[:len(g.from)]
			for j, s := range g.from {
				vals[j].Kind, vals[j].Int = w.slots[s].kind, w.slots[s].int
			}
			out.cells[k] = cell{}
			if s, ok := g.scorer.ScoreValues(vals); ok {
				out.cells[k] = cell{kind: cellFloat, f: s}
			}
			k++
		case OrderColumn:
			out.cells[k] = cell{}
			if n, ok := w.orders.place(w.form, c, r); ok {
				out.cells[k] = cell{kind: cellInt, i: n}
			}
			k++
		}
	}
}

// typedText turns the text answer of a date or number item into the
// typed cell the binary formats write: a date in days since 1970-01-01, a
// decimal as a float64 (exact to its 15 digits, which the file's display
// format then shows as stored). Text that is neither (stored before a
// rule) stays text.
func typedText(c *Column, b []byte) (cell, bool) {
	switch {
	case c.Date:
		if t, err := time.Parse(time.DateOnly, string(b)); err == nil {
			return cell{kind: cellDate, i: t.Unix() / 86400}, true
		}
	case c.Numeric && c.Item != nil && c.Item.Type == survey.Number:
		if d, ok := survey.ParseDecimal(string(b)); ok {
			if n, err := strconv.ParseInt(d, 10, 64); err == nil {
				return cell{kind: cellInt, i: n}, true // a whole number sent as text
			}
			if f, err := strconv.ParseFloat(d, 64); err == nil {
				return cell{kind: cellFloat, f: f}, true
			}
		}
	}
	return cell{}, false
}

// spool is a temporary file of rows, with what the headers need: the
// number of rows and, per column, the longest text in bytes.
type spool struct {
	file     *os.File
	rows     int
	maxText  []int   // per column: the longest text, in bytes
	sumText  []int64 // per column: the bytes of all its texts
	nonEmpty []int   // per column: the number of texts that are not empty
	hasFrac  []bool  // per column: a number with a fraction
	// minInt and maxInt are the least and greatest integer per column
	// (valid where hasInt): the codes an instrument declares bound what
	// is stored, but rows written before a rule existed need not obey it.
	minInt, maxInt []int64
	hasInt         []bool

	bw  *bufio.Writer
	br  *bufio.Reader
	buf []byte
}

// spoolRows scans the responses once into a new spool. The caller must
// close it.
func spoolRows(ctx context.Context, rr *rowReader, scan ScanFunc) (*spool, error) {
	f, err := os.CreateTemp("", "dyad-export-*.rows")
	if err != nil {
		return nil, fmt.Errorf("export: spool file: %w", err)
	}
	n := len(rr.columns())
	s := &spool{file: f, maxText: make([]int, n), sumText: make([]int64, n), nonEmpty: make([]int, n), hasFrac: make([]bool, n),
		minInt: make([]int64, n), maxInt: make([]int64, n), hasInt: make([]bool, n),
		bw: bufio.NewWriterSize(f, 64<<10)}
	var r row
	err = scan(ctx, func(resp *survey.Response) error {
		rr.read(resp, &r)
		s.rows++
		return s.put(&r)
	})
	if err == nil {
		err = s.bw.Flush()
	}
	if err == nil {
		s.bw = nil
		err = s.rewind()
	}
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// rewind starts reading the rows again from the first.
func (s *spool) rewind() error {
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("export: spool file: %w", err)
	}
	if s.br == nil {
		s.br = bufio.NewReaderSize(s.file, 64<<10)
	} else {
		s.br.Reset(s.file)
	}
	return nil
}

// put writes one row: per cell a kind byte, then a varint (int, time), 8
// bytes (float) or a length and the bytes (text).
func (s *spool) put(r *row) error {
	b := s.buf[:0]
	for i := range r.cells {
		c := &r.cells[i]
		b = append(b, byte(c.kind))
		switch c.kind {
		case cellInt, cellTime, cellDate:
			b = binary.AppendVarint(b, c.i)
			if c.kind == cellInt {
				if !s.hasInt[i] || c.i < s.minInt[i] {
					s.minInt[i] = c.i
				}
				if !s.hasInt[i] || c.i > s.maxInt[i] {
					s.maxInt[i] = c.i
				}
				s.hasInt[i] = true
			}
		case cellFloat:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.f))
			if c.f != math.Trunc(c.f) {
				s.hasFrac[i] = true
			}
		case cellText:
			t := r.bytes(c)
			b = binary.AppendUvarint(b, uint64(len(t)))
			b = append(b, t...)
			s.maxText[i] = max(s.maxText[i], len(t))
			s.sumText[i] += int64(len(t))
			if len(t) > 0 {
				s.nonEmpty[i]++
			}
		}
	}
	s.buf = b
	_, err := s.bw.Write(b)
	return err
}

// next reads the next row into r.
func (s *spool) next(r *row) error {
	n := len(s.maxText)
	if cap(r.cells) < n {
		r.cells = make([]cell, n)
	}
	r.cells = r.cells[:n]
	r.text = r.text[:0]
	for i := range r.cells {
		k, err := s.br.ReadByte()
		if err != nil {
			return spoolErr(err)
		}
		c := cell{kind: cellKind(k)}
		switch c.kind {
		case cellEmpty, cellNotShown:
		case cellInt, cellTime, cellDate:
			if c.i, err = binary.ReadVarint(s.br); err != nil {
				return spoolErr(err)
			}
		case cellFloat:
			var b [8]byte
			if _, err := io.ReadFull(s.br, b[:]); err != nil {
				return spoolErr(err)
			}
			c.f = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
		case cellText:
			l, err := binary.ReadUvarint(s.br)
			if err != nil {
				return spoolErr(err)
			}
			c.start = len(r.text)
			r.text = slices.Grow(r.text, int(l))[:c.start+int(l)]
			if _, err := io.ReadFull(s.br, r.text[c.start:]); err != nil {
				return spoolErr(err)
			}
			c.end = len(r.text)
		default:
			return errors.New("export: spool file is corrupt")
		}
		r.cells[i] = c
	}
	return nil
}

func spoolErr(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("export: read spool file: %w", err)
}

// close removes the file.
func (s *spool) close() {
	s.file.Close()
	os.Remove(s.file.Name())
}

// intRange returns the least and greatest of the given values and the
// integers stored in column i.
func (s *spool) intRange(i int, declared ...int64) (lo, hi int64) {
	first := true
	add := func(v int64) {
		if first || v < lo {
			lo = v
		}
		if first || v > hi {
			hi = v
		}
		first = false
	}
	for _, v := range declared {
		add(v)
	}
	if s.hasInt[i] {
		add(s.minInt[i])
		add(s.maxInt[i])
	}
	return lo, hi
}
