package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/store/ormstore"
	"github.com/dyad-survey/dyad/internal/survey"
)

// Streaming export read.
//
// An export reads every response of a survey once, in arrival order, and
// must stay fast and flat in memory at any size (figures in
// ../shared/PERFORMANCE.md). So ScanResponses runs one SELECT on the read
// pool (one statement is one consistent snapshot in WAL mode, and never
// blocks the writer), reuses one Response and one Answers map for every
// row, and decodes the answers JSON with a small decoder written for the
// shape the store writes (a flat object of integers, strings and lists of
// integers). Anything else in the column falls back to encoding/json, so
// the fast path can only be faster, never different.

// ScanResponses implements survey.ResponseScanner.
//
// Two goroutines share the work, because an export has two halves of
// similar cost and a server has more than one core: this one reads rows
// from SQLite and decodes them into batches of responses, the caller's
// goroutine runs fn on them (formatting, in an export). Batches cycle
// through a fixed ring, so memory stays flat, and order is kept.
func (s *Store) ScanResponses(ctx context.Context, f survey.ExportFilter, fn func(*survey.Response) error) error {
	// Every column read costs mattn/go-sqlite3 a few cgo calls and a
	// string, a visible share of an export's time, so a row comes as one
	// text: a header of byte lengths and the instrument version,
	// "id,key,status,started,submitted,version;" ('-' for no submission
	// time), then those fields back to back, then the answers' JSON, which
	// is last so that SQLite copies it once. See split. The response's
	// language comes first, ended by '|', which a language tag (letters,
	// digits and '-', checked by the service) cannot hold; before it the
	// page times, also ended by '|' (a JSON object of section ids, which
	// are [a-z0-9_], and integers).
	q := `SELECT page_times || '|' || language || '|' || length(CAST(id AS BLOB)) || ',' || length(CAST(instrument_key AS BLOB)) || ','
		|| length(CAST(status AS BLOB)) || ',' || length(CAST(started_at AS BLOB)) || ','
		|| ifnull(length(CAST(submitted_at AS BLOB)), '-') || ',' || instrument_version || ';'
		|| id || instrument_key || status || started_at || ifnull(submitted_at, '') || answers
		FROM responses WHERE survey_id = ?`
	args := []any{f.SurveyID}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if !f.IncludeTest {
		q += ` AND test = 0` // responses made in test mode are left out unless asked for
	}
	// Timestamps are fixed-width UTC text, so text order is time order.
	if f.Since != nil {
		q += ` AND submitted_at >= ?`
		args = append(args, formatTime(*f.Since))
	}
	if f.Until != nil {
		q += ` AND submitted_at < ?`
		args = append(args, formatTime(*f.Until))
	}
	q += ` ORDER BY seq`
	rows, err := s.readSQL.QueryContext(ctx, q, args...)
	if err != nil {
		return classify(err, "export responses")
	}

	free := make(chan *scanBatch, scanRing)
	full := make(chan *scanBatch, scanRing) // never full: at most scanRing batches exist
	stop := make(chan struct{})
	for range scanRing {
		free <- newScanBatch(f.SurveyID)
	}
	go func() {
		defer close(full)
		defer rows.Close()
		d := rowDecoder{intern: map[string]string{}, raw: f.RawAnswers}
		for {
			var b *scanBatch
			select {
			case b = <-free:
			case <-stop:
				return
			}
			b.n, b.err = 0, nil
			for b.n < len(b.rs) && rows.Next() {
				if b.err = d.scan(rows, &b.rs[b.n], &b.sub[b.n]); b.err != nil {
					break
				}
				b.n++
			}
			if b.err != nil || b.n < len(b.rs) {
				if b.err == nil {
					b.err = rows.Err()
				}
				b.last = true
				full <- b
				return
			}
			full <- b
		}
	}()

	var ferr error
	for b := range full {
		for i := 0; i < b.n && ferr == nil; i++ {
			if ferr = ctx.Err(); ferr == nil { // rows of a batch read before a cancel are not sent
				ferr = fn(&b.rs[i])
			}
		}
		switch {
		case ferr != nil:
		case b.err != nil:
			ferr = b.err
			if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(ferr, ctxErr) {
				ferr = ctxErr
			} else if !isDecodeError(ferr) {
				ferr = classify(ferr, "export responses")
			}
		case b.last:
		default:
			free <- b
			continue
		}
		break
	}
	// Stop the reader and wait until it has closed the rows: the caller may
	// close the store as soon as this returns.
	close(stop)
	for range full {
	}
	if ferr != nil {
		return ferr
	}
	// database/sql may end the rows quietly when the context is cancelled
	// between rows; a cut-short export must not look complete.
	return ctx.Err()
}

// scanRing batches of scanBatchSize responses are in flight at most.
const (
	scanRing      = 3
	scanBatchSize = 256
)

type scanBatch struct {
	rs   []survey.Response
	sub  []time.Time // where rs[i].SubmittedAt points, when set
	n    int
	err  error
	last bool
}

func newScanBatch(surveyID string) *scanBatch {
	b := &scanBatch{rs: make([]survey.Response, scanBatchSize), sub: make([]time.Time, scanBatchSize)}
	for i := range b.rs {
		b.rs[i].SurveyID = surveyID
		b.rs[i].Answers = survey.Answers{}
	}
	return b
}

// rowDecoder turns result rows into responses, reusing what it can.
type rowDecoder struct {
	intern map[string]string
	last   rowMeta
	keys   knownKeys
	raw    bool             // keep the answers' JSON, undecoded
	pt     survey.PageTimes // reused for every row's page times
	row    string           // the row's one column, as the query joins it
}

// rowMeta is a row's instrument and status, kept from the row before:
// they are the same on nearly every row.
type rowMeta struct {
	key, status string
	version     int
}

// rowFields are a row's fields, sliced from its joined text.
type rowFields struct {
	id, key, status, started, submitted, answers string
	submittedSet                                 bool
	version                                      int
}

var errBadRow = errors.New("store: bad export row")

// split cuts a joined row (see ScanResponses) into its fields.
func split(row string) (f rowFields, err error) {
	var n [6]int
	i := 0
	for k := range n {
		neg, digits := false, 0
		if k == 4 && i < len(row) && row[i] == '-' { // no submission time
			n[k] = -1
			i++
		} else {
			if k == 5 && i < len(row) && row[i] == '-' { // a negative version
				neg = true
				i++
			}
			for ; i < len(row) && row[i] >= '0' && row[i] <= '9' && digits < 18; i, digits = i+1, digits+1 {
				n[k] = n[k]*10 + int(row[i]-'0')
			}
			if digits == 0 {
				return f, errBadRow
			}
			if neg {
				n[k] = -n[k]
			}
		}
		sep := byte(',')
		if k == 5 {
			sep = ';'
		}
		if i >= len(row) || row[i] != sep {
			return f, errBadRow
		}
		i++
	}
	field := func(l int) (string, bool) {
		if l < 0 || l > len(row)-i {
			return "", false
		}
		s := row[i : i+l]
		i += l
		return s, true
	}
	var ok [5]bool
	f.id, ok[0] = field(n[0])
	f.key, ok[1] = field(n[1])
	f.status, ok[2] = field(n[2])
	f.started, ok[3] = field(n[3])
	ok[4] = true
	if n[4] >= 0 {
		f.submitted, ok[4] = field(n[4])
		f.submittedSet = true
	}
	if !(ok[0] && ok[1] && ok[2] && ok[3] && ok[4]) {
		return f, errBadRow
	}
	f.version = n[5]
	f.answers = row[i:]
	return f, nil
}

type decodeError struct{ err error }

func (e decodeError) Error() string { return e.err.Error() }
func (e decodeError) Unwrap() error { return e.err }

func isDecodeError(err error) bool {
	var de decodeError
	return errors.As(err, &de)
}

// scan reads one row into r; sub is where r.SubmittedAt points when set.
func (d *rowDecoder) scan(rows *sql.Rows, r *survey.Response, sub *time.Time) error {
	if err := rows.Scan(&d.row); err != nil {
		return err
	}
	pageTimes, row, ok := strings.Cut(d.row, "|")
	if !ok {
		return errBadRow
	}
	lang, row, ok := strings.Cut(row, "|")
	if !ok {
		return errBadRow
	}
	f, err := split(row)
	if err != nil {
		return err
	}
	if lang != r.Language {
		r.Language = internString(d.intern, lang)
	}
	if f.key != d.last.key || f.status != d.last.status || f.version != d.last.version || d.last.key == "" {
		d.last = rowMeta{key: internString(d.intern, f.key), status: internString(d.intern, f.status), version: f.version}
	}
	r.ID = f.id
	r.InstrumentKey, r.InstrumentVersion, r.Status = d.last.key, d.last.version, d.last.status
	r.StartedAt = parseStoredTime(f.started)
	if r.PageTimes, err = survey.DecodePageTimesInto(&d.pt, []byte(pageTimes)); err != nil {
		return decodeError{fmt.Errorf("response %s: stored page times: %w", r.ID, err)}
	}
	r.SubmittedAt = nil
	if f.submittedSet {
		*sub = parseStoredTime(f.submitted)
		r.SubmittedAt = sub
	}
	if d.raw {
		r.AnswersJSON = append(r.AnswersJSON[:0], f.answers...)
		return nil
	}
	clear(r.Answers)
	if !decodeAnswersInto(r.Answers, f.answers, d.intern, &d.keys) {
		clear(r.Answers)
		if err := json.Unmarshal([]byte(f.answers), &r.Answers); err != nil {
			return decodeError{fmt.Errorf("response %s: stored answers: %w", r.ID, err)}
		}
	}
	return nil
}

// maxIntern bounds the strings kept for reuse (item ids, statuses): a
// survey has a few dozen, so only corrupt data could reach it.
const maxIntern = 4096

func internString(m map[string]string, s string) string {
	if v, ok := m[s]; ok {
		return v
	}
	if len(m) < maxIntern {
		s = strings.Clone(s) // s may share a whole row's memory
		m[s] = s
	}
	return s
}

// parseStoredTime reads the store's fixed layout (2006-01-02T15:04:05.000000Z)
// without time.Parse's generality, which is a visible share of an export's
// time; any other shape goes to parseTime.
func parseStoredTime(s string) time.Time {
	if len(s) != len(ormstore.TimeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return parseTime(s)
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	us, ok7 := num(20, 26)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return parseTime(s)
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, time.UTC)
}

// decodeAnswersInto decodes a stored answers object into dst and reports
// whether it could; on false, dst holds a partial result and the caller
// falls back to encoding/json. Keys go through intern, so the item ids of
// a million rows are allocated once. Text values without escapes share
// the memory of s.
func decodeAnswersInto(dst survey.Answers, s string, intern map[string]string, keys *knownKeys) bool {
	known := keys.walk()
	return survey.EachCanonicalAnswer([]byte(s), func(id []byte, v survey.Value) {
		dst[known.find(id, intern)] = v
	})
}

// knownKeys holds the answer keys seen so far, sorted. The store writes
// keys sorted (survey.Answers.Canonical, as encoding/json did before it),
// so one forward walk over this list per row finds each key's shared copy
// with a string comparison or two, cheaper than hashing it into intern.
type knownKeys struct{ sorted []string }

type keyWalk struct {
	k *knownKeys
	i int
}

func (k *knownKeys) walk() keyWalk { return keyWalk{k: k} }

// find returns the shared copy of key.
func (w *keyWalk) find(key []byte, intern map[string]string) string {
	ks := w.k.sorted
	for w.i < len(ks) && ks[w.i] < string(key) {
		w.i++
	}
	if w.i < len(ks) && ks[w.i] == string(key) {
		w.i++
		return ks[w.i-1]
	}
	// A new key (or keys out of order): intern it and, while the list is
	// small, insert it in place.
	shared, ok := intern[string(key)]
	if !ok {
		shared = string(key)
		if len(intern) < maxIntern {
			intern[shared] = shared
		}
	}
	if len(ks) < maxIntern && (w.i == len(ks) || ks[w.i] > shared) && (w.i == 0 || ks[w.i-1] < shared) {
		w.k.sorted = append(ks[:w.i], append([]string{shared}, ks[w.i:]...)...)
		w.i++
	}
	return shared
}

var _ survey.ResponseScanner = (*Store)(nil)
