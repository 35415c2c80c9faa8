package export

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Cells of the wide layout, per column kind:
//
//   - likert, single choice: the option value (codes) or its label
//     (labels); empty when not answered or not shown;
//   - multiple choice: per option, 1 if selected and 0 if not, in both
//     modes; all of the item's columns are empty when the item was not
//     answered or not shown (never 0);
//   - integer: the number; text: the text, exactly;
//   - score_{subscale}: survey.Form.Score, the shortest decimal that reads
//     back as the same number; empty when there is no score;
//   - started_at, submitted_at: RFC 3339 UTC to the second; submitted_at
//     and duration_s are empty for a response in progress;
//   - duration_s: submitted_at − started_at in whole seconds (truncated).
//   - {section}__page, {item}__pos: the page or place, from 1, that the
//     response's randomised order gave (order.go); empty for a response
//     sent through the API.
//
// The long layout has the columns response_id, instrument_version, status,
// started_at, submitted_at, duration_s, item_id, value: one row per answer,
// in instrument order, with the value as in the wide layout (code or
// label). A multiple-choice item has one row per selected option, in the
// order of its options, with the option's value (or label); an item not
// answered or not shown has no row. Scores are in the wide layout only.

// Writer writes responses as CSV rows. Create it with NewWriter, call
// WriteHeader once, Write for each response, and Flush at the end.
//
// Each response's answers are first put in slots, one per item in
// instrument order, from Answers or (cheaper, as ScanResponses gives them
// with RawAnswers) straight from AnswersJSON; every cell is then read from
// its slot, without a map lookup.
type Writer struct {
	form   *survey.Form
	cols   []Column
	plan   []cellGroup
	opt    Options
	buf    *csvBuf
	cell   *csvBuf // scratch for the long layout's metadata
	meta   []byte  // the long layout's metadata prefix of the current row
	labels bool
	long   bool

	items    []*survey.Item
	slotOf   map[string]int
	byID     []string // item ids, sorted as stored answers are
	slotByID []int
	walk     int
	slots    []slot         // the current response's answers, by item
	src      []byte         // the texts the slots point into
	lists    []int64        // the lists the slots point into
	own      []byte         // src for answers decoded by encoding/json
	unesc    []byte         // scratch for an escaped text
	scratch  []survey.Value // one scorer's answers (Kind and Int only)
	fill     func(id []byte, a *survey.RawAnswer)
	raw      survey.RawAnswer // EachRawCanonicalAnswer's scratch
	decoded  survey.Answers   // fallback for answers not in the stored shape
	orders   orderCache       // the current response's order (order.go)
	quality  *survey.Quality  // the data-quality rules (quality.go)
	qvals    []survey.Value   // the slots as values, for the rules
}

// slot is one item's answer in the current response, without pointers
// (clearing and filling the slots of every row costs no write barriers):
// a text is src[start:end], JSON-escaped when esc; a list is
// lists[start:end].
type slot struct {
	kind       survey.ValueKind
	esc        bool
	int        int64
	start, end int
}

// cellGroup is a run of wide columns filled from one source: a metadata
// field, one item's slot (one column, or one per option of a
// multiple-choice item), or a subscale's scorer.
type cellGroup struct {
	cols   []Column
	slot   int
	scorer *survey.Scorer
	from   []int // the scorer's items' slots
}

// NewWriter returns a Writer of the form's responses to w.
func NewWriter(w io.Writer, f *survey.Form, opt Options) *Writer {
	wr := &Writer{
		form: f, cols: Columns(f), opt: opt, buf: newCSVBuf(w, opt),
		cell:   &csvBuf{excelSafe: opt.ExcelSafe, spaceBreak: opt.LineBreaks == LineBreaksSpace},
		labels: opt.Values == ValuesLabels, long: opt.Layout == LayoutLong,
		items: f.Items(), slotOf: map[string]int{}, quality: opt.Quality,
	}
	if wr.quality == nil {
		wr.quality = f.Quality(survey.DefaultSpeederFraction, 0) // no median: no speeder
	}
	for i, it := range wr.items {
		wr.slotOf[it.ID] = i
	}
	wr.slots = make([]slot, len(wr.items))
	for id := range wr.slotOf {
		wr.byID = append(wr.byID, id)
	}
	slices.Sort(wr.byID)
	for _, id := range wr.byID {
		wr.slotByID = append(wr.slotByID, wr.slotOf[id])
	}
	// Stored answers come with their ids sorted: one forward walk over the
	// sorted ids finds each slot without hashing; anything else falls back
	// to the map.
	wr.fill = func(id []byte, a *survey.RawAnswer) {
		if wr.walk < len(wr.byID) && wr.byID[wr.walk] == string(id) { // the usual case
			wr.setRaw(wr.slotByID[wr.walk], a)
			wr.walk++
			return
		}
		for wr.walk < len(wr.byID) && wr.byID[wr.walk] < string(id) {
			wr.walk++
		}
		if wr.walk < len(wr.byID) && wr.byID[wr.walk] == string(id) {
			wr.setRaw(wr.slotByID[wr.walk], a)
			wr.walk++
		} else if i, ok := wr.slotOf[string(id)]; ok {
			wr.setRaw(i, a)
		}
	}
	cols := wr.cols
	for i := 0; i < len(cols); {
		j := i + 1
		if cols[i].Kind == OptionColumn {
			for j < len(cols) && cols[j].Kind == OptionColumn && cols[j].Item == cols[i].Item {
				j++
			}
		}
		g := cellGroup{cols: cols[i:j], slot: -1}
		if it := cols[i].Item; it != nil {
			g.slot = wr.slotOf[it.ID]
		}
		if cols[i].Kind == ScoreColumn {
			g.scorer = f.Scorer(cols[i].Subscale.ID)
			for _, id := range g.scorer.ItemIDs() {
				g.from = append(g.from, wr.slotOf[id])
			}
			wr.scratch = make([]survey.Value, max(len(wr.scratch), len(g.from)))
		}
		wr.plan = append(wr.plan, g)
		i = j
	}
	return wr
}

// load puts r's answers in the slots.
func (w *Writer) load(r *survey.Response) {
	clear(w.slots)
	w.lists = w.lists[:0]
	w.walk = 0
	if r.AnswersJSON != nil {
		// Texts stay in the JSON: they are written from there.
		w.src = r.AnswersJSON
		if survey.EachRawCanonicalAnswer(r.AnswersJSON, &w.raw, w.fill) {
			return
		}
		clear(w.slots)
		w.lists = w.lists[:0]
		clear(w.decoded)
		if err := json.Unmarshal(r.AnswersJSON, &w.decoded); err == nil {
			w.fromMap(w.decoded)
			return
		}
	}
	w.fromMap(r.Answers)
}

func (w *Writer) setRaw(i int, a *survey.RawAnswer) {
	s := slot{kind: a.Kind, int: a.Int}
	switch a.Kind {
	case survey.TextValue:
		s.start, s.end, s.esc = a.Start, a.End, a.Escaped
	case survey.ListValue:
		s.start = len(w.lists)
		w.lists = append(w.lists, a.List...)
		s.end = len(w.lists)
	}
	w.slots[i] = s
}

func (w *Writer) fromMap(a survey.Answers) {
	w.own = w.own[:0]
	for id, v := range a {
		i, ok := w.slotOf[id]
		if !ok {
			continue
		}
		s := slot{kind: v.Kind, int: v.Int}
		switch v.Kind {
		case survey.TextValue:
			s.start = len(w.own)
			w.own = append(w.own, v.Text...)
			s.end = len(w.own)
		case survey.ListValue:
			s.start = len(w.lists)
			w.lists = append(w.lists, v.List...)
			s.end = len(w.lists)
		}
		w.slots[i] = s
	}
	w.src = w.own
}

// text returns a text slot's text, unescaped.
func (w *Writer) text(s *slot) []byte {
	raw := w.src[s.start:s.end]
	if !s.esc {
		return raw
	}
	w.unesc = survey.AppendUnescaped(w.unesc[:0], raw)
	return w.unesc
}

// Header returns the CSV header of a layout for the form.
func Header(f *survey.Form, layout string) []string {
	if layout == LayoutLong {
		return append(append([]string{}, metaNames...), "item_id", "value")
	}
	cols := Columns(f)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// WriteHeader writes the byte-order mark, when asked for, and the header
// row.
func (w *Writer) WriteHeader() error {
	if w.opt.BOM {
		w.buf.b = append(w.buf.b, 0xEF, 0xBB, 0xBF)
	}
	for i, name := range Header(w.form, w.opt.Layout) {
		if i > 0 {
			w.buf.comma()
		}
		w.buf.b = append(w.buf.b, name...)
	}
	return w.buf.endRecord()
}

// Write writes one response: one row (wide) or one row per answer
// (long).
func (w *Writer) Write(r *survey.Response) error {
	w.load(r)
	if w.long {
		return w.writeLong(r)
	}
	b := w.buf
	flags := w.flagCells(r)
	for i := range w.plan {
		g := &w.plan[i]
		if i > 0 {
			b.comma()
		}
		switch c := &g.cols[0]; c.Kind {
		case PageColumn:
			if s, ok := pageSeconds(r, c.Section.ID); ok {
				b.float(s)
			}
		case FlagColumn:
			if v := flags[flagIndex(c.Name)]; v >= 0 {
				b.int(int64(v))
			}
		case MetaColumn:
			w.appendMeta(b, c, r)
		case OptionColumn:
			v := &w.slots[g.slot]
			list := w.lists[v.start:v.end]
			for k := range g.cols {
				if k > 0 {
					b.comma()
				}
				if v.kind == survey.ListValue {
					b.b = append(b.b, selected(list, g.cols[k].Option.Value))
				}
			}
		case ItemColumn:
			w.appendItem(b, c, &w.slots[g.slot])
		case ScoreColumn:
			vals := w.scratch[:len(g.from)]
			for k, i := range g.from {
				// Kind and Int only: a score reads nothing else.
				vals[k].Kind, vals[k].Int = w.slots[i].kind, w.slots[i].int
			}
			if s, ok := g.scorer.ScoreValues(vals); ok {
				b.float(s)
			}
		case OrderColumn:
			if n, ok := w.orders.place(w.form, c, r); ok {
				b.int(n)
			}
		}
	}
	return b.endRecord()
}

// flagCells computes r's flag cells (quality.go) from the answers in
// the slots, by position: no map per row.
func (w *Writer) flagCells(r *survey.Response) [4]int8 {
	if r.Status != survey.ResponseComplete {
		return flagCells(w.quality, r, nil)
	}
	if len(w.qvals) != len(w.slots) {
		w.qvals = make([]survey.Value, len(w.slots))
	}
	for i := range w.slots {
		s := &w.slots[i]
		w.qvals[i] = survey.Value{Kind: s.kind, Int: s.int}
		if s.kind == survey.ListValue {
			w.qvals[i].List = w.lists[s.start:s.end]
		}
	}
	return flagCells(w.quality, r, w.qvals)
}

// selected returns '1' when v is in the list, '0' when not.
func selected(list []int64, v int64) byte {
	for _, x := range list {
		if x == v {
			return '1'
		}
	}
	return '0'
}

func (w *Writer) writeLong(r *survey.Response) error {
	// The metadata prefix once per response, then copied on each row.
	m := w.cell
	m.b = m.b[:0]
	for i := range w.cols[:len(metaNames)] {
		w.appendMeta(m, &w.cols[i], r)
		m.comma()
	}
	w.meta = append(w.meta[:0], m.b...)
	for i, it := range w.items {
		v := &w.slots[i]
		switch {
		case v.kind == 0:
		case it.Type == survey.MultipleChoice:
			if v.kind != survey.ListValue {
				continue
			}
			list := w.lists[v.start:v.end]
			for _, o := range w.form.Options(it.ID) { // with "Other, please specify"
				if selected(list, o.Value) == '1' {
					if err := w.longRow(it, &slot{kind: survey.IntValue, int: o.Value}); err != nil {
						return err
					}
				}
			}
		default:
			if err := w.longRow(it, v); err != nil {
				return err
			}
		}
	}
	return w.buf.err
}

// longRow writes one row of the long layout: metadata, item id, value.
func (w *Writer) longRow(it *survey.Item, v *slot) error {
	b := w.buf
	b.b = append(b.b, w.meta...)
	b.b = append(b.b, it.ID...)
	b.comma()
	switch v.kind {
	case survey.IntValue:
		if w.labels {
			if label, ok := optionLabel(w.form.Options(it.ID), v.int); ok {
				b.text(label)
				break
			}
		}
		b.int(v.int)
	case survey.TextValue:
		if d, ok := survey.ParseDecimal(string(w.text(v))); ok && it.Type == survey.Number {
			b.b = append(b.b, d...) // a decimal, as in the wide layout
			break
		}
		b.textBytes(w.text(v))
	}
	return b.endRecord()
}

func optionLabel(opts []survey.Option, v int64) (string, bool) {
	for _, o := range opts {
		if o.Value == v {
			return o.Label, true
		}
	}
	return "", false
}

// appendMeta appends a metadata cell.
func (w *Writer) appendMeta(b *csvBuf, c *Column, r *survey.Response) {
	switch c.Name {
	case colResponseID:
		b.text(r.ID)
	case colInstrumentVersion:
		b.int(int64(r.InstrumentVersion))
	case colStatus:
		b.text(r.Status)
	case colStartedAt:
		b.time(r.StartedAt)
	case colSubmittedAt:
		if r.SubmittedAt != nil {
			b.time(*r.SubmittedAt)
		}
	case colDuration:
		if r.SubmittedAt != nil {
			b.int(int64(r.SubmittedAt.Sub(r.StartedAt) / time.Second))
		}
	case colLanguage:
		b.text(r.Language)
	}
}

// appendItem appends an item's cell; nothing when it is unanswered.
func (w *Writer) appendItem(b *csvBuf, c *Column, v *slot) {
	switch {
	case v.kind == survey.IntValue && w.labels && c.Options != nil:
		if label, ok := optionLabel(c.Options, v.int); ok {
			b.text(label)
		} else {
			b.int(v.int) // not an option: never stored, but never lost either
		}
	case v.kind == survey.IntValue:
		b.int(v.int)
	case v.kind == survey.TextValue && c.Item != nil && c.Item.Type == survey.Number:
		// A decimal, written as a number in its canonical form (never
		// through a float); text that is not one (stored before a rule)
		// is written as text.
		if d, ok := survey.ParseDecimal(string(w.text(v))); ok {
			b.b = append(b.b, d...)
		} else {
			b.textBytes(w.text(v))
		}
	case v.kind == survey.TextValue:
		b.textBytes(w.text(v))
	}
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error { return w.buf.flush() }

// WriteCSV writes a whole export: the header, then every response scan
// yields, streaming. With zero responses the file is the header alone.
func WriteCSV(ctx context.Context, out io.Writer, f *survey.Form, opt Options, scan ScanFunc) error {
	w := NewWriter(out, f, opt)
	if err := w.WriteHeader(); err != nil {
		return err
	}
	if err := scan(ctx, w.Write); err != nil {
		return err
	}
	return w.Flush()
}
