package export

// SPSS system file (.sav), written natively, as documented by GNU PSPP
// ("System File Format" in the PSPP developers' guide). Little-endian,
// UTF-8, bytecode-compressed.
//
// The file carries what the SPSS syntax file (.sps) builds from the CSV,
// with nothing to run: variable names (statNames: the codebook's short
// names, legal in SPSS), variable labels (cut at 255 bytes), value labels
// of likert and single-choice items and of the 0/1 option columns (cut at
// 120 bytes), measurement levels (likert ordinal; choices and option
// columns nominal; integers, scores, times and durations scale), display
// widths, started_at and submitted_at as DATETIME (seconds since
// 1582-10-14, SPSS's epoch), and the encoding (UTF-8, both in the machine
// record and in the encoding record, so SPSS and PSPP need no
// GET FILE /ENCODING).
//
// Empty cells are system-missing (numbers) or blank (strings), where the
// CSV is empty: an item not answered, no score, a response in progress.
// One exception (cells.go): a numeric cell of an item its show_if hid is
// the column's user-missing value, declared in its variable record and
// labelled "Not shown" (-99, or one below the column's lowest code when
// -99 is a code), so a skip is told from a refusal; SPSS's analyses
// leave it out like system-missing. An item's missing-data codes (options
// marked missing, such as 9 = Not applicable) keep their value and label
// and are declared user-missing in the same record (savMissing), as the
// syntax file's MISSING VALUES declares them.
//
// Strings: each text column is as wide as its longest text in the export
// (at least 1 byte), so a column of short answers does not carry
// kilobytes of padding per case; texts longer than 255 bytes are SPSS's
// "very long strings", stored as 255-byte segments joined by the
// extension record 14. SPSS strings hold at most 32,767 bytes: a longer
// answer is cut there, at a character boundary (docs/export.md says so;
// the CSV and the .dta keep it whole). SPSS pads strings with spaces, so
// trailing spaces of an answer do not survive.
//
// Why bytecode compression: it is what SPSS writes by default and every
// reader takes it; blank 8-byte runs (padding, empty texts) and small
// integers (every code and 0/1) shrink to one byte each, so the file is
// about the size of the CSV instead of several times it. It streams (no
// offsets to patch), unlike the zlib variant (.zsav).
//
// The widths and the case count come from a spool (cells.go): one scan of
// the responses, then the header, then the cases.

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

const (
	savMaxString     = 32767 // the widest SPSS string, in bytes
	savVarLabelMax   = 255
	savValueLabelMax = 120
	savBias          = 100
	// savEpoch is the Unix time of SPSS's epoch, 1582-10-14 00:00 UTC
	// (the Gregorian calendar's first day): SPSS times are seconds since.
	savEpoch = -12219379200
)

var (
	savSysmis  = -math.MaxFloat64
	savHighest = math.MaxFloat64
	savLowest  = math.Nextafter(-math.MaxFloat64, 0)
)

// SPSS format types (the PSPP guide's table).
const (
	savFmtA        = 1
	savFmtF        = 5
	savFmtDatetime = 22
	savFmtSDate    = 39 // yyyy/mm/dd
)

// Measurement levels (record 7, subtype 11).
const (
	savNominal = 1
	savOrdinal = 2
	savScale   = 3
)

// savVar is one variable of the dictionary: a column of the wide layout.
type savVar struct {
	col     *Column
	name    string   // the long name
	shorts  []string // the 8-byte short name of each segment
	width   int      // 0 numeric; else the string's width in bytes
	format  int32    // print and write format
	measure int32
	display int32 // display width
	index   int   // 1-based position of its first 8-byte unit
	// hides: the column's item has a condition, and notShown is the
	// user-missing code its hidden cells hold (cells.go).
	hides    bool
	notShown float64
	// missing is the variable record's user-missing declaration (savMissing).
	missing savMissingValues
}

// savMissingValues is a variable record's user-missing declaration: n is
// the record's count field (0 none, 1–3 discrete values, −2 a range, −3 a
// range and one discrete value) and values its values in record order
// (for a range: low, high, then the discrete value).
type savMissingValues struct {
	n      int32
	values []float64
}

// savMissing declares a numeric column's user-missing values: its item's
// missing-data codes (options marked missing, kept in the cells as
// answered) and, when its item may be hidden, the "Not shown" code. The
// record holds at most three discrete values, or a range and one value;
// with more, the codes become a range from the lowest to the highest when
// no substantive option lies between them, and the Not shown code the
// discrete value; otherwise the Not shown code and the first codes are
// declared, and the rest stay plain values (their labels still say what
// they are; the codebook lists every code).
func savMissing(c *Column, hides bool, notShown float64) savMissingValues {
	var codes []float64
	for _, o := range c.MissingCodes() {
		codes = append(codes, float64(o.Value))
	}
	slices.Sort(codes)
	all := codes
	if hides {
		all = append([]float64{notShown}, codes...)
	}
	if len(all) <= 3 {
		return savMissingValues{n: int32(len(all)), values: all}
	}
	lo, hi := codes[0], codes[len(codes)-1]
	sub := substantiveOptions(c.Options)
	inside := func(a, b float64) bool {
		return slices.ContainsFunc(sub, func(o survey.Option) bool { v := float64(o.Value); return v >= a && v <= b })
	}
	if inside(lo, hi) {
		return savMissingValues{n: 3, values: all[:3]}
	}
	r := [2]float64{lo, hi}
	if !hides || notShown >= r[0] && notShown <= r[1] {
		return savMissingValues{n: -2, values: r[:]}
	}
	return savMissingValues{n: -3, values: []float64{r[0], r[1], notShown}}
}

// savNotShownLabel labels the user-missing code of a hidden item.
const savNotShownLabel = "Not shown"

// savNotShownCode picks the user-missing code of column i: -99, unless
// that is one of its codes or inside its range (declared or stored), then
// one below the lowest.
func savNotShownCode(c *Column, sp *spool, i int) float64 {
	var declared []int64
	switch {
	case c.Kind == OptionColumn:
		declared = []int64{0, 1}
	case c.Options != nil:
		declared = optionValues(c.Options)
	case c.Item != nil && c.Item.Min != nil && c.Item.Max != nil:
		declared = []int64{*c.Item.Min, *c.Item.Max}
	}
	lo, hi := sp.intRange(i, declared...)
	if len(declared) == 0 && !sp.hasInt[i] {
		return -99
	}
	if -99 < lo || -99 > hi {
		return -99
	}
	return float64(lo) - 1
}

// savSegments returns the width of each segment of a string of width w:
// one segment up to 255 bytes, else ⌈w/252⌉ segments, all 255 bytes wide
// but the last, w − 252·(n−1).
func savSegments(w int) []int {
	if w <= 255 {
		return []int{w}
	}
	n := (w + 251) / 252
	segs := make([]int, n)
	for i := range segs {
		segs[i] = 255
	}
	segs[n-1] = w - (n-1)*252
	return segs
}

// savUsed returns how many bytes of the string segment i holds: all 255
// of a segment before the last. (The segment count assumes 252 bytes a
// segment, but the data fill all 255, as SPSS writes them and PSPP reads
// them: the string is the segments' bytes end to end, cut to its width.)
func savUsed(w, i int) int {
	if w <= 255 {
		return w
	}
	if n := (w + 251) / 252; i < n-1 {
		return 255
	}
	return w - i*252
}

func units(width int) int { return (width + 7) / 8 }

func savFormat(typ, w, d int) int32 { return int32(typ<<16 | w<<8 | d) }

// savDict builds the dictionary from the columns and the spool's widths.
func savDict(cols []Column, sp *spool) []savVar {
	names := statNames(cols)
	vars := make([]savVar, len(cols))
	used := map[string]bool{}
	next := 0
	short := func(base string) string {
		s := strings.ToUpper(base)
		if len(s) > 8 {
			s = s[:8]
		}
		for used[s] {
			next++
			s = "V" + strconv.Itoa(next)
		}
		used[s] = true
		return s
	}
	index := 1
	for i := range cols {
		c := &cols[i]
		v := savVar{col: c, name: names[i], index: index}
		switch {
		case c.Time:
			v.format, v.measure, v.display = savFormat(savFmtDatetime, 20, 0), savScale, 20
		case c.Date:
			v.format, v.measure, v.display = savFormat(savFmtSDate, 10, 0), savScale, 10
		case c.Numeric:
			v.format, v.measure, v.display = savFormat(savFmtF, 8, 0), savScale, 8
			if sp.hasFrac[i] || c.Kind == ScoreColumn {
				v.format = savFormat(savFmtF, 8, 2)
			}
			if c.Item != nil && c.Item.Type == survey.Number {
				// Shown with the item's own decimals: as answered.
				v.format, v.display = savFormat(savFmtF, numberWidth(c.Item), c.Item.Decimals), int32(numberWidth(c.Item))
			}
			switch {
			case c.Kind == OptionColumn || c.Kind == FlagColumn || c.Item != nil && c.Item.Type == survey.SingleChoice:
				v.measure = savNominal
			case c.Item != nil && c.Item.Type == survey.Likert:
				v.measure = savOrdinal
			case c.Name == colInstrumentVersion:
				v.measure = savNominal
			}
		default:
			v.width = min(max(sp.maxText[i], 1), savMaxString)
			v.format, v.measure, v.display = savFormat(savFmtA, min(v.width, 255), 0), savNominal, int32(min(v.width, 40))
		}
		if v.width == 0 {
			v.shorts = []string{short(v.name)}
			index++
		} else {
			for k, w := range savSegments(v.width) {
				if k == 0 {
					v.shorts = append(v.shorts, short(v.name))
				} else {
					v.shorts = append(v.shorts, short(v.name[:min(len(v.name), 5)]+strconv.Itoa(k)))
				}
				index += units(w)
			}
		}
		if v.width == 0 && mayHide(c) {
			v.hides, v.notShown = true, savNotShownCode(c, sp, i)
		}
		if v.width == 0 {
			v.missing = savMissing(c, v.hides, v.notShown)
		}
		vars[i] = v
	}
	return vars
}

// savBuf appends little-endian values.
type savBuf struct{ b []byte }

func (s *savBuf) i32(n int32)   { s.b = binary.LittleEndian.AppendUint32(s.b, uint32(n)) }
func (s *savBuf) f64(f float64) { s.b = binary.LittleEndian.AppendUint64(s.b, math.Float64bits(f)) }

// padded appends text cut to n bytes and padded with spaces to n.
func (s *savBuf) padded(text string, n int) {
	text = truncateBytes(text, n)
	s.b = append(s.b, text...)
	for range n - len(text) {
		s.b = append(s.b, ' ')
	}
}

// WriteSAV writes the responses as an SPSS system file.
func WriteSAV(ctx context.Context, out io.Writer, f *survey.Form, info SyntaxInfo, scan ScanFunc) error {
	rr := newRowReader(f, info.Quality)
	sp, err := spoolRows(ctx, rr, scan)
	if err != nil {
		return err
	}
	defer sp.close()
	cols := rr.columns()
	vars := savDict(cols, sp)
	bw := bufio.NewWriterSize(out, 64<<10)
	if _, err := bw.Write(savHeader(vars, sp.rows, info)); err != nil {
		return err
	}
	z := savCompressor{w: bw}
	var r row
	for range sp.rows {
		if err := sp.next(&r); err != nil {
			return err
		}
		for i := range vars {
			z.cell(&vars[i], &r, &r.cells[i])
		}
		if z.err != nil {
			return z.err
		}
	}
	z.flush()
	if z.err != nil {
		return z.err
	}
	return bw.Flush()
}

// savHeader returns everything before the data: the file header, the
// dictionary and the extension records.
func savHeader(vars []savVar, rows int, info SyntaxInfo) []byte {
	var s savBuf
	caseSize := 0
	for i := range vars {
		if vars[i].width == 0 {
			caseSize++
		} else {
			for _, w := range savSegments(vars[i].width) {
				caseSize += units(w)
			}
		}
	}
	ncases := int32(-1) // unknown: allowed by the format
	if rows <= math.MaxInt32 {
		ncases = int32(rows)
	}
	now := info.Generated.UTC()
	if now.IsZero() {
		now = time.Now().UTC()
	}
	title := ""
	if info.Survey != nil {
		title = syntaxText(info.Survey.Title)
	}
	s.b = append(s.b, "$FL2"...)
	s.padded("@(#) SPSS DATA FILE Dyad export", 60)
	s.i32(2) // layout code
	s.i32(int32(caseSize))
	s.i32(1) // bytecode compression
	s.i32(0) // no weight variable
	s.i32(ncases)
	s.f64(savBias)
	s.padded(now.Format("02 Jan 06"), 9)
	s.padded(now.Format("15:04:05"), 8)
	s.padded(title, 64)
	s.b = append(s.b, 0, 0, 0)

	// Variable records, one per segment and continuation.
	for i := range vars {
		v := &vars[i]
		label := truncateBytes(syntaxText(v.col.Label), savVarLabelMax)
		if v.width == 0 {
			savVarRecord(&s, 0, v.shorts[0], label, v.format, v.missing)
			continue
		}
		for k, w := range savSegments(v.width) {
			l := ""
			if k == 0 {
				l = label
			}
			savVarRecord(&s, int32(w), v.shorts[k], l, savFormat(savFmtA, w, 0), savMissingValues{})
			for range units(w) - 1 {
				savVarRecord(&s, -1, "", "", 0, savMissingValues{})
			}
		}
	}

	// Value labels: records 3 and 4, one pair per variable (the labels of
	// one variable are its own, even when two items share a scale).
	for i := range vars {
		v := &vars[i]
		labels := savValueLabels(v.col)
		if v.hides {
			labels = append(slices.Clone(labels), survey.Option{Value: int64(v.notShown), Label: savNotShownLabel})
		}
		if len(labels) == 0 || v.width != 0 {
			continue
		}
		s.i32(3)
		s.i32(int32(len(labels)))
		for _, o := range labels {
			s.f64(float64(o.Value))
			l := truncateBytes(syntaxText(o.Label), savValueLabelMax)
			s.b = append(s.b, byte(len(l)))
			s.b = append(s.b, l...)
			for (1+len(l))%8 != 0 {
				s.b = append(s.b, ' ')
				l += " "
			}
		}
		s.i32(4)
		s.i32(1)
		s.i32(int32(v.index))
	}

	// Machine integer info: version, IEEE 754, compressed, little-endian,
	// code page 65001 (UTF-8).
	s.i32(7)
	s.i32(3)
	s.i32(4)
	s.i32(8)
	for _, n := range []int32{1, 0, 0, -1, 1, 1, 2, 65001} {
		s.i32(n)
	}
	// Machine floating-point info.
	s.i32(7)
	s.i32(4)
	s.i32(8)
	s.i32(3)
	s.f64(savSysmis)
	s.f64(savHighest)
	s.f64(savLowest)
	// Variable display parameters: measure, width, alignment, per segment.
	var display []int32
	for i := range vars {
		v := &vars[i]
		align := int32(1) // right, for numbers
		if v.width != 0 {
			align = 0
		}
		display = append(display, v.measure, v.display, align)
		for range len(v.shorts) - 1 {
			display = append(display, v.measure, 0, align)
		}
	}
	s.i32(7)
	s.i32(11)
	s.i32(4)
	s.i32(int32(len(display)))
	for _, n := range display {
		s.i32(n)
	}
	// Long variable names.
	var long strings.Builder
	for i := range vars {
		if i > 0 {
			long.WriteByte('\t')
		}
		long.WriteString(vars[i].shorts[0] + "=" + vars[i].name)
	}
	savText(&s, 13, long.String())
	// Very long strings.
	var vls strings.Builder
	for i := range vars {
		if v := &vars[i]; v.width > 255 {
			fmt.Fprintf(&vls, "%s=%05d\x00\t", v.shorts[0], v.width)
		}
	}
	if vls.Len() > 0 {
		savText(&s, 14, vls.String())
	}
	// Character encoding.
	savText(&s, 20, "UTF-8")
	// End of the dictionary.
	s.i32(999)
	s.i32(0)
	return s.b
}

// savVarRecord appends a variable record with its user-missing values.
func savVarRecord(s *savBuf, typ int32, short, label string, format int32, missing savMissingValues) {
	s.i32(2)
	s.i32(typ)
	if label != "" {
		s.i32(1)
	} else {
		s.i32(0)
	}
	s.i32(missing.n)
	s.i32(format)
	s.i32(format)
	s.padded(short, 8)
	if label != "" {
		s.i32(int32(len(label)))
		s.b = append(s.b, label...)
		for n := len(label); n%4 != 0; n++ {
			s.b = append(s.b, ' ')
		}
	}
	for _, f := range missing.values {
		s.f64(f)
	}
}

// savText appends an extension record of text.
func savText(s *savBuf, subtype int32, text string) {
	s.i32(7)
	s.i32(subtype)
	s.i32(1)
	s.i32(int32(len(text)))
	s.b = append(s.b, text...)
}

// savValueLabels returns a numeric column's value labels: its options, or
// Selected/Not selected for an option column.
func savValueLabels(c *Column) []survey.Option {
	switch c.Kind {
	case OptionColumn:
		return selectedLabels
	case ItemColumn, FlagColumn:
		return c.Options
	}
	return nil
}

// selectedLabels label the 0/1 cells of an option column.
var selectedLabels = []survey.Option{{Value: 0, Label: "Not selected"}, {Value: 1, Label: "Selected"}}

// savCompressor writes cases in SPSS's bytecode compression: blocks of
// eight one-byte commands, each followed by the 8-byte values of the
// commands that need one. 1–251: the number code−100; 253: the value
// follows; 254: eight spaces; 255: system-missing; 0: padding.
type savCompressor struct {
	w    *bufio.Writer
	cmd  [8]byte
	n    int
	data []byte
	err  error
}

func (z *savCompressor) put(code byte, value []byte) {
	if z.n == 8 {
		z.flush()
	}
	z.cmd[z.n] = code
	z.n++
	if code == 253 {
		z.data = append(z.data, value...)
	}
}

// flush writes the current block, padded with 0 commands.
func (z *savCompressor) flush() {
	if z.n == 0 || z.err != nil {
		return
	}
	for i := z.n; i < 8; i++ {
		z.cmd[i] = 0
	}
	if _, err := z.w.Write(z.cmd[:]); err != nil {
		z.err = err
	}
	if _, err := z.w.Write(z.data); err != nil && z.err == nil {
		z.err = err
	}
	z.n, z.data = 0, z.data[:0]
}

var blank8 = [8]byte{' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '}

func (z *savCompressor) number(f float64) {
	if f == math.Trunc(f) && f >= 1-savBias && f <= 251-savBias && !(f == 0 && math.Signbit(f)) {
		z.put(byte(f+savBias), nil)
		return
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
	z.put(253, b[:])
}

// cell writes one variable's value.
func (z *savCompressor) cell(v *savVar, r *row, c *cell) {
	if v.width == 0 {
		switch c.kind {
		case cellInt:
			z.number(float64(c.i))
		case cellFloat:
			z.number(c.f)
		case cellTime:
			z.number(float64(c.i - savEpoch))
		case cellDate:
			z.number(float64(c.i*86400 - savEpoch))
		case cellNotShown:
			z.number(v.notShown)
		default:
			z.put(255, nil)
		}
		return
	}
	var text []byte
	if c.kind == cellText {
		text = r.bytes(c)
		if len(text) > v.width {
			text = text[:len(truncateBytes(string(text), v.width))]
		}
	}
	off := 0
	for k, w := range savSegments(v.width) {
		n := savUsed(v.width, k)
		seg := text[min(off, len(text)):min(off+n, len(text))]
		off += n
		// The segment's units: its bytes, then spaces to the unit's end;
		// the units past the text are blank at once (most of a wide column).
		for u := 0; u < units(w); u++ {
			if u*8 >= len(seg) {
				z.put(254, nil)
				continue
			}
			chunk := blank8
			copy(chunk[:], seg[u*8:])
			blank := chunk == blank8
			if blank {
				z.put(254, nil)
			} else {
				z.put(253, chunk[:])
			}
		}
	}
}
