package export

// Stata .dta, format 118 (Stata 14 and later; StataCorp's "dta_118"
// description): little-endian, UTF-8 throughout.
//
// A .dta file opens with its number of observations and a map of the
// byte offsets of every section, data and long strings included, so
// nothing can be written before the whole data is known. The responses
// are therefore spooled (cells.go): one scan of the database into a
// temporary file, counting rows and text sizes; then the header and the
// map are computed, the data section is written from the spool, and the
// spool is read a second time for the long strings (strL), which Stata
// keeps in their own section after the data. Why not scan the database
// twice instead: a response submitted between the scans would make the
// count and the offsets wrong, and the file unreadable.
//
// Columns:
//
//   - option columns: byte 0/1 with the value label "_selected" (a name
//     no variable has, so it cannot clash with an item's own label); the
//     data-quality flags likewise, with "_flagged";
//   - likert, single-choice and bounded integer items: the smallest of
//     byte, int and long that holds every option (or the range) and every
//     value stored (old rows may lie outside today's rules); choices
//     carry a value label named after the variable (Stata labels only
//     integers; an item whose values do not fit keeps them unlabelled,
//     as the do-file does);
//   - unbounded integers, durations and scores: double;
//   - started_at, submitted_at: double %tc, milliseconds since
//     1960-01-01 00:00 UTC;
//   - text: str# (fixed width, up to 2,045 bytes) or strL (any length,
//     stored once in the strL section), whichever makes the smaller file
//     for the column (decided from the spool's counts: a str# costs its
//     width in every row, a strL 8 bytes a row and its text once with a
//     20-byte header).
//
// Names are statNames (legal in Stata, at most 32 characters); variable
// labels are cut at 80 characters, and a cut label's whole text goes into
// the variable's note (the characteristic note1), as the do-file does.
// Empty cells are Stata's system missing (.) for numbers and "" for
// strings. An item's missing-data codes (options marked missing, such as
// 9 = Not applicable) become extended missing values in option order, .a
// for its first code, .b for its second, as the do-file makes them, each
// labelled with its option's label; the codebook maps each letter back to
// its code (the 27th code on keeps its value, as in the do-file). A
// numeric cell of an item its show_if hid is the next extended missing
// value (.a when the item has no missing codes), labelled "Not shown"
// (cells.go).

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Stata's type codes in format 118.
const (
	dtaStrL   = 32768
	dtaDouble = 65526
	dtaLong   = 65528
	dtaInt    = 65529
	dtaByte   = 65530

	dtaStrMax      = 2045
	dtaLabelChars  = 80
	dtaNameField   = 129
	dtaFormatField = 57
	dtaLabelField  = 321

	// dtaEpochMS is the Unix time of Stata's epoch, 1960-01-01 00:00 UTC,
	// in milliseconds.
	dtaEpochMS = -315619200 * 1000
	// dtaEpochDays is 1970-01-01 in Stata's %td days (from 1960-01-01).
	dtaEpochDays = 3653
)

// Missing values of the integer types and double's system missing (.).
const (
	dtaMissByte = 101
	dtaMissInt  = 32741
	dtaMissLong = 2147483621
)

var dtaMissDouble = math.Float64frombits(0x7fe0000000000000)

// dtaExtended returns the extended missing value .a+k (k = 0 for .a, 25
// for .z) of each type: the type's system missing plus 1+k; for double,
// the exponent field of . with k+1 in the next byte. A value label of an
// extended missing value is stored under the long's code.
func dtaExtendedByte(k int) int8  { return int8(dtaMissByte + 1 + k) }
func dtaExtendedInt(k int) int16  { return int16(dtaMissInt + 1 + k) }
func dtaExtendedLong(k int) int32 { return int32(dtaMissLong + 1 + k) }
func dtaExtendedDouble(k int) float64 {
	return math.Float64frombits(0x7fe0000000000000 + uint64(k+1)<<40)
}
func dtaExtendedLabel(k int, l string) survey.Option {
	return survey.Option{Value: int64(dtaExtendedLong(k)), Label: l}
}

// dtaNotShownLabel labels the extended missing value of a hidden item.
const dtaNotShownLabel = "Not shown"

// dtaVar is one variable.
type dtaVar struct {
	col    *Column
	name   string
	typ    uint16 // a type code, or 1…2045 for str#
	format string
	vlabel string          // value label name, "" for none
	labels []survey.Option // its entries
	label  string          // variable label (≤ 80 characters)
	note   string          // the whole label when label is cut
	hides  bool            // its item has a condition: .a+notShown means not shown
	// ext maps each missing-data code to its extended missing value
	// (0 for .a); notShown is the one a hidden cell holds.
	ext      map[int64]int
	notShown int
}

func (v *dtaVar) size() int {
	switch v.typ {
	case dtaStrL, dtaDouble:
		return 8
	case dtaLong:
		return 4
	case dtaInt:
		return 2
	case dtaByte:
		return 1
	}
	return int(v.typ)
}

// dtaIntType returns the smallest integer type holding lo…hi (below the
// type's missing codes), or double when no integer type does.
func dtaIntType(lo, hi int64) uint16 {
	switch {
	case lo >= -127 && hi <= 100:
		return dtaByte
	case lo >= -32767 && hi <= 32740:
		return dtaInt
	case lo >= -2147483647 && hi <= 2147483620:
		return dtaLong
	}
	return dtaDouble
}

func optionValues(opts []survey.Option) []int64 {
	vs := make([]int64, len(opts))
	for i, o := range opts {
		vs[i] = o.Value
	}
	return vs
}

func dtaVars(cols []Column, sp *spool) []dtaVar {
	names := statNames(cols)
	vars := make([]dtaVar, len(cols))
	for i := range cols {
		c := &cols[i]
		v := dtaVar{col: c, name: names[i]}
		label := syntaxText(c.Label)
		v.label = truncateRunes(label, dtaLabelChars)
		if v.label != label {
			v.note = label
		}
		switch {
		case c.Time:
			v.typ, v.format = dtaDouble, "%tc"
		case c.Date:
			v.typ, v.format = dtaDouble, "%td"
		case c.Numeric && c.Item != nil && c.Item.Type == survey.Number && !c.Integer:
			v.typ, v.format = dtaDouble, "%"+strconv.Itoa(numberWidth(c.Item))+"."+strconv.Itoa(c.Item.Decimals)+"f"
		case c.Kind == OptionColumn:
			v.typ, v.format, v.vlabel, v.labels = dtaByte, "%8.0g", "_selected", append(slices.Clone(selectedLabels), dtaExtendedLabel(0, dtaNotShownLabel))
		case c.Kind == FlagColumn:
			v.typ, v.format, v.vlabel, v.labels = dtaByte, "%8.0g", "_flagged", flagLabels
		case c.Integer && c.Options != nil:
			lo, hi := sp.intRange(i, optionValues(c.Options)...)
			v.typ, v.format, v.vlabel = dtaIntType(lo, hi), "%8.0g", v.name
			v.ext = stataExtendedIndex(c)
			for _, o := range c.Options {
				if k, ok := v.ext[o.Value]; ok {
					o = dtaExtendedLabel(k, o.Label)
				}
				v.labels = append(v.labels, o)
			}
			if v.typ == dtaDouble {
				v.format, v.vlabel, v.labels = "%10.0g", "", nil
			}
		case c.Integer && c.Item != nil:
			lo, hi := sp.intRange(i, declaredBounds(c.Item)...)
			v.typ, v.format = dtaIntType(lo, hi), "%8.0g"
			if v.typ == dtaDouble {
				v.format = "%10.0g"
			}
		case c.Name == colInstrumentVersion:
			v.typ, v.format = dtaLong, "%12.0g"
		case c.Numeric:
			v.typ, v.format = dtaDouble, "%10.0g"
		default:
			w := max(sp.maxText[i], 1)
			fixed := int64(sp.rows) * int64(w)
			strl := int64(sp.rows)*8 + sp.sumText[i] + int64(sp.nonEmpty[i])*21
			if w <= dtaStrMax && fixed <= strl {
				v.typ, v.format = uint16(w), "%-"+strconv.Itoa(min(w, 40))+"s"
			} else {
				v.typ, v.format = dtaStrL, "%-40s"
			}
		}
		if v.typ >= dtaDouble && c.Kind == ItemColumn && v.ext == nil {
			v.ext = stataExtendedIndex(c) // numbers past Stata's labels: no labels, still missing
		}
		if v.typ >= dtaDouble && mayHide(c) {
			v.hides = true
			v.notShown = len(v.ext)
			if v.notShown == 26 {
				// .z is the last letter: the 26th code keeps its value
				// (it keeps its label too) and .z means not shown.
				v.notShown = 25
				for code, k := range v.ext {
					if k == 25 {
						delete(v.ext, code)
						v.labels = slices.Clone(v.labels)
						for j := range v.labels {
							if v.labels[j].Value == int64(dtaExtendedLong(25)) {
								v.labels[j].Value = code
							}
						}
					}
				}
			}
			switch {
			case v.typ == dtaDouble:
			case v.vlabel == "":
				v.vlabel, v.labels = v.name, []survey.Option{dtaExtendedLabel(v.notShown, dtaNotShownLabel)}
			case c.Kind != OptionColumn:
				v.labels = append(slices.Clone(v.labels), dtaExtendedLabel(v.notShown, dtaNotShownLabel))
			}
		}
		vars[i] = v
	}
	return vars
}

// truncateRunes cuts s to at most n characters (and Stata's 4n bytes).
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if n == 0 {
			i = k
			break
		}
		n--
	}
	return s[:i]
}

// dtaBuf appends little-endian values and fixed-width fields.
type dtaBuf struct{ b []byte }

func (d *dtaBuf) tag(s string) { d.b = append(d.b, s...) }
func (d *dtaBuf) u16(n uint16) { d.b = binary.LittleEndian.AppendUint16(d.b, n) }
func (d *dtaBuf) u32(n uint32) { d.b = binary.LittleEndian.AppendUint32(d.b, n) }
func (d *dtaBuf) u64(n uint64) { d.b = binary.LittleEndian.AppendUint64(d.b, n) }

// field appends s cut to n−1 bytes at a character boundary and NUL-padded
// to n.
func (d *dtaBuf) field(s string, n int) {
	s = truncateBytes(s, n-1)
	d.b = append(d.b, s...)
	for range n - len(s) {
		d.b = append(d.b, 0)
	}
}

// WriteDTA writes the responses as a Stata 14+ dataset (format 118).
func WriteDTA(ctx context.Context, out io.Writer, f *survey.Form, info SyntaxInfo, scan ScanFunc) error {
	rr := newRowReader(f, info.Quality)
	sp, err := spoolRows(ctx, rr, scan)
	if err != nil {
		return err
	}
	defer sp.close()
	vars := dtaVars(rr.columns(), sp)

	// Everything before the data, with the map's offsets filled in once
	// the sizes of the data and strL sections are known.
	var d dtaBuf
	var offsets [14]uint64
	d.tag("<stata_dta><header><release>118</release><byteorder>LSF</byteorder><K>")
	d.u16(uint16(len(vars)))
	d.tag("</K><N>")
	d.u64(uint64(sp.rows))
	d.tag("</N><label>")
	title := ""
	if info.Survey != nil {
		title = truncateRunes(syntaxText(info.Survey.Title), dtaLabelChars)
	}
	d.u16(uint16(len(title)))
	d.tag(title)
	d.tag("</label><timestamp>")
	stamp := info.Generated.UTC().Format("02 Jan 2006 15:04")
	d.b = append(d.b, byte(len(stamp)))
	d.tag(stamp)
	d.tag("</timestamp></header>")
	offsets[1] = uint64(len(d.b))
	d.tag("<map>")
	mapAt := len(d.b)
	d.b = append(d.b, make([]byte, 14*8)...)
	d.tag("</map>")
	offsets[2] = uint64(len(d.b))
	d.tag("<variable_types>")
	for i := range vars {
		d.u16(vars[i].typ)
	}
	d.tag("</variable_types>")
	offsets[3] = uint64(len(d.b))
	d.tag("<varnames>")
	for i := range vars {
		d.field(vars[i].name, dtaNameField)
	}
	d.tag("</varnames>")
	offsets[4] = uint64(len(d.b))
	d.tag("<sortlist>")
	d.b = append(d.b, make([]byte, 2*(len(vars)+1))...)
	d.tag("</sortlist>")
	offsets[5] = uint64(len(d.b))
	d.tag("<formats>")
	for i := range vars {
		d.field(vars[i].format, dtaFormatField)
	}
	d.tag("</formats>")
	offsets[6] = uint64(len(d.b))
	d.tag("<value_label_names>")
	for i := range vars {
		d.field(vars[i].vlabel, dtaNameField)
	}
	d.tag("</value_label_names>")
	offsets[7] = uint64(len(d.b))
	d.tag("<variable_labels>")
	for i := range vars {
		d.field(vars[i].label, dtaLabelField)
	}
	d.tag("</variable_labels>")
	offsets[8] = uint64(len(d.b))
	d.tag("<characteristics>")
	for i := range vars {
		if vars[i].note != "" {
			dtaChar(&d, vars[i].name, "note0", "1")
			dtaChar(&d, vars[i].name, "note1", vars[i].note)
		}
	}
	d.tag("</characteristics>")
	offsets[9] = uint64(len(d.b))
	rowSize := 0
	for i := range vars {
		rowSize += vars[i].size()
	}
	dataLen := uint64(len("<data>")) + uint64(sp.rows)*uint64(rowSize) + uint64(len("</data>"))
	offsets[10] = offsets[9] + dataLen
	strls := uint64(len("<strls>")+len("</strls>")) + dtaStrLBytes(vars, sp)
	offsets[11] = offsets[10] + strls
	var tail dtaBuf
	tail.tag("<value_labels>")
	written := map[string]bool{}
	for i := range vars {
		if v := &vars[i]; v.vlabel != "" && !written[v.vlabel] {
			written[v.vlabel] = true
			dtaValueLabel(&tail, v.vlabel, v.labels)
		}
	}
	tail.tag("</value_labels>")
	offsets[12] = offsets[11] + uint64(len(tail.b))
	tail.tag("</stata_dta>")
	offsets[13] = offsets[11] + uint64(len(tail.b))
	for k, o := range offsets {
		binary.LittleEndian.PutUint64(d.b[mapAt+8*k:], o)
	}

	bw := bufio.NewWriterSize(out, 64<<10)
	bw.Write(d.b)
	bw.WriteString("<data>")
	var r row
	var cellBuf []byte
	for o := range sp.rows {
		if err := sp.next(&r); err != nil {
			return err
		}
		cellBuf = cellBuf[:0]
		for i := range vars {
			cellBuf = dtaCell(cellBuf, &vars[i], i, o, &r, &r.cells[i])
		}
		if _, err := bw.Write(cellBuf); err != nil {
			return err
		}
	}
	bw.WriteString("</data><strls>")
	if err := sp.rewind(); err != nil {
		return err
	}
	for o := range sp.rows {
		if err := sp.next(&r); err != nil {
			return err
		}
		for i := range vars {
			c := &r.cells[i]
			if vars[i].typ != dtaStrL || c.kind != cellText || c.end == c.start {
				continue
			}
			var g dtaBuf
			g.tag("GSO")
			g.u32(uint32(i + 1))
			g.u64(uint64(o + 1))
			g.b = append(g.b, 130) // text, with a terminating NUL
			g.u32(uint32(c.end - c.start + 1))
			bw.Write(g.b)
			bw.Write(r.bytes(c))
			if err := bw.WriteByte(0); err != nil {
				return err
			}
		}
	}
	bw.WriteString("</strls>")
	if _, err := bw.Write(tail.b); err != nil {
		return err
	}
	return bw.Flush()
}

// dtaStrLBytes is the size of the strL section's content: per non-empty
// text of a strL column, a 20-byte header, the text and a NUL.
func dtaStrLBytes(vars []dtaVar, sp *spool) uint64 {
	var n uint64
	for i := range vars {
		if vars[i].typ == dtaStrL {
			n += uint64(sp.sumText[i]) + uint64(sp.nonEmpty[i])*21
		}
	}
	return n
}

// dtaCell appends one value of observation o (0-based).
func dtaCell(b []byte, v *dtaVar, i, o int, r *row, c *cell) []byte {
	le := binary.LittleEndian
	switch v.typ {
	case dtaByte:
		n := int8(dtaMissByte)
		switch c.kind {
		case cellInt:
			n = int8(c.i)
			if k, ok := v.ext[c.i]; ok {
				n = dtaExtendedByte(k)
			}
		case cellNotShown:
			n = dtaExtendedByte(v.notShown)
		}
		return append(b, byte(n))
	case dtaInt:
		n := int16(dtaMissInt)
		switch c.kind {
		case cellInt:
			n = int16(c.i)
			if k, ok := v.ext[c.i]; ok {
				n = dtaExtendedInt(k)
			}
		case cellNotShown:
			n = dtaExtendedInt(v.notShown)
		}
		return le.AppendUint16(b, uint16(n))
	case dtaLong:
		n := int32(dtaMissLong)
		switch c.kind {
		case cellInt:
			n = int32(c.i)
			if k, ok := v.ext[c.i]; ok {
				n = dtaExtendedLong(k)
			}
		case cellNotShown:
			n = dtaExtendedLong(v.notShown)
		}
		return le.AppendUint32(b, uint32(n))
	case dtaDouble:
		f := dtaMissDouble
		switch c.kind {
		case cellNotShown:
			f = dtaExtendedDouble(v.notShown)
		case cellInt:
			f = float64(c.i)
			if k, ok := v.ext[c.i]; ok {
				f = dtaExtendedDouble(k)
			}
		case cellFloat:
			f = c.f
		case cellTime:
			f = float64(c.i*1000 - dtaEpochMS)
		case cellDate:
			f = float64(c.i + dtaEpochDays)
		}
		return le.AppendUint64(b, math.Float64bits(f))
	case dtaStrL:
		if c.kind != cellText || c.end == c.start {
			return append(b, 0, 0, 0, 0, 0, 0, 0, 0)
		}
		// (v, o) in format 118: v in 2 bytes, o in the next 6.
		b = le.AppendUint16(b, uint16(i+1))
		var ob [8]byte
		le.PutUint64(ob[:], uint64(o+1))
		return append(b, ob[:6]...)
	}
	var text []byte
	if c.kind == cellText {
		text = r.bytes(c)
	}
	b = append(b, text...)
	for range int(v.typ) - len(text) {
		b = append(b, 0)
	}
	return b
}

// dtaChar appends one characteristic.
func dtaChar(d *dtaBuf, varname, name, contents string) {
	d.tag("<ch>")
	d.u32(uint32(dtaNameField + dtaNameField + len(contents) + 1))
	d.field(varname, dtaNameField)
	d.field(name, dtaNameField)
	d.tag(contents)
	d.b = append(d.b, 0)
	d.tag("</ch>")
}

// dtaValueLabel appends one value-label table, its entries by value.
func dtaValueLabel(d *dtaBuf, name string, opts []survey.Option) {
	opts = slices.Clone(opts)
	slices.SortFunc(opts, func(a, b survey.Option) int { return cmp.Compare(a.Value, b.Value) })
	var txt []byte
	offs := make([]uint32, len(opts))
	for k, o := range opts {
		offs[k] = uint32(len(txt))
		txt = append(txt, truncateBytes(syntaxText(o.Label), 32000)...)
		txt = append(txt, 0)
	}
	d.tag("<lbl>")
	d.u32(uint32(8 + 8*len(opts) + len(txt)))
	d.field(name, dtaNameField)
	d.b = append(d.b, 0, 0, 0)
	d.u32(uint32(len(opts)))
	d.u32(uint32(len(txt)))
	for _, off := range offs {
		d.u32(off)
	}
	for _, o := range opts {
		d.u32(uint32(int32(o.Value)))
	}
	d.b = append(d.b, txt...)
	d.tag("</lbl>")
}
