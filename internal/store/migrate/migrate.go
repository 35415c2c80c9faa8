// Package migrate moves a study from a SQLite database to a PostgreSQL
// one (dyad migrate-db) and proves the copy: per table, the row count and
// a SHA-256 digest over the rows in primary-key order, computed by the
// same code from both databases.
//
// The shape, argued:
//   - The copy works on the tables, not on survey.Store: the store's
//     methods cannot write a response with its seq, an invitation with its
//     spent and held flags or a session with its timestamps as they are,
//     and going through them would re-decide what was decided once. The
//     two schemas (migrations/ and migrations/postgres/) keep the same
//     table and column names, so one list (Tables) says what is copied;
//     each column has a kind (integer, text, bytes) that fixes both how
//     it is written to PostgreSQL and how it enters the digest, so a
//     value that changed its type on the way would change the digest.
//   - Both schemas are first brought up to date by opening each database
//     through internal/store (the drivers' own migrations), then closed;
//     the rows move through plain database/sql handles (mattn's sqlite3,
//     read-only; pgx's stdlib). Nothing in the drivers had to be exported
//     for it, and a new column is one line in Tables (TestTablesCoverSchema
//     fails until it is there).
//   - One consistent pass: every source read, copy and digest, happens in
//     one SQLite read transaction (one snapshot); every target write and
//     its verification in one PostgreSQL transaction that first takes the
//     tables in EXCLUSIVE mode, checks they are empty, copies, computes
//     the digests and commits only if they equal the source's. A failure
//     anywhere leaves the target as it was.
//   - Re-running is safe: an empty target is copied into; a target whose
//     counts and digests equal the source's is reported as already
//     migrated; any other target is refused (ErrTargetDiffers), never
//     merged into or overwritten.
//
// Text keys are ordered with COLLATE "C" on PostgreSQL, byte order, which
// is SQLite's BINARY order for UTF-8 text, so both sides walk the rows in
// the same order whatever the server's default collation.
package migrate

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/store"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "github.com/mattn/go-sqlite3"    // the "sqlite3" database/sql driver
)

// Kind is how a column's values are written and digested.
type Kind int

// The kinds of column.
const (
	Int   Kind = iota // an integer: digested as its decimal digits
	Text              // text: digested as its UTF-8 bytes
	Bytes             // bytes (BLOB, bytea): digested as they are
)

// Column is one column of a table.
type Column struct {
	Name string
	Kind Kind
}

// Table is one table to copy: its columns, and how many of the first
// columns are its primary key (the digest's row order).
type Table struct {
	Name    string
	Columns []Column
	KeyLen  int
}

// Tables lists every table of a Dyad database, parents before children
// (the order of the inserts, for the foreign keys).
var Tables = []Table{
	{Name: "settings", KeyLen: 1, Columns: []Column{{"name", Text}, {"value", Bytes}}},
	{Name: "instruments", KeyLen: 2, Columns: []Column{{"key", Text}, {"version", Int}, {"status", Text}, {"title", Text},
		{"definition", Text}, {"created_at", Text}, {"published_at", Text}, {"retired_at", Text}}},
	{Name: "surveys", KeyLen: 1, Columns: []Column{{"id", Text}, {"instrument_key", Text}, {"instrument_version", Int},
		{"title", Text}, {"access", Text}, {"opens_at", Text}, {"closes_at", Text}, {"status", Text}, {"created_at", Text}, {"closed_at", Text},
		{"public_title", Text}, {"public_description", Text}, {"time_zone", Text}, {"end_message", Text}, {"end_redirect", Text},
		{"mode", Text}}},
	{Name: "invitations", KeyLen: 2, Columns: []Column{{"survey_id", Text}, {"code_hash", Bytes}, {"spent", Int},
		{"keyed", Int}, {"held", Int}, {"hold_ref", Bytes}}},
	{Name: "responses", KeyLen: 1, Columns: []Column{{"seq", Int}, {"id", Text}, {"survey_id", Text}, {"instrument_key", Text},
		{"instrument_version", Int}, {"status", Text}, {"answers", Text}, {"digest", Bytes}, {"started_at", Text},
		{"submitted_at", Text}, {"resume_hash", Bytes}, {"sealed_code", Bytes}, {"updated_at", Text}, {"hold_mark", Bytes}, {"test", Int}, {"language", Text},
		{"page_times", Text}}},
	{Name: "studies", KeyLen: 1, Columns: []Column{{"id", Int}, {"name", Text}, {"created_at", Text}, {"require_totp", Int}}},
	{Name: "instrument_studies", KeyLen: 1, Columns: []Column{{"key", Text}, {"study_id", Int}}},
	{Name: "users", KeyLen: 1, Columns: []Column{{"id", Int}, {"email", Text}, {"password_hash", Text}, {"admin", Int}, {"created_at", Text}, {"totp_secret", Text}, {"totp_step", Int}}},
	{Name: "memberships", KeyLen: 2, Columns: []Column{{"study_id", Int}, {"user_id", Int}, {"role", Text}}},
	{Name: "api_tokens", KeyLen: 1, Columns: []Column{{"id", Int}, {"user_id", Int}, {"study_id", Int}, {"name", Text},
		{"hash", Bytes}, {"role", Text}, {"created_at", Text}, {"expires_at", Text}, {"revoked_at", Text}}},
	{Name: "invites", KeyLen: 1, Columns: []Column{{"hash", Bytes}, {"study_id", Int}, {"role", Text}, {"created_by", Int},
		{"created_at", Text}, {"expires_at", Text}, {"used_at", Text}}},
	{Name: "sessions", KeyLen: 1, Columns: []Column{{"id_hash", Bytes}, {"created_at", Text}, {"seen_at", Text}, {"user_id", Int}}},
	{Name: "audit_events", KeyLen: 1, Columns: []Column{{"id", Int}, {"at", Text}, {"actor", Text}, {"action", Text},
		{"target", Text}, {"details", Text}, {"request_id", Text}, {"client", Text}, {"status", Int}, {"prev_hash", Bytes}, {"hash", Bytes}}},
	{Name: "participants", KeyLen: 1, Columns: []Column{{"id", Text}, {"survey_id", Text}, {"email", Text}, {"first_name", Text},
		{"last_name", Text}, {"language", Text}, {"attributes", Text}, {"created_at", Text},
		{"invited_at", Text}, {"reminders", Int}, {"last_contact_at", Text}, {"opted_out_at", Text}, {"bounced_at", Text}}},
	{Name: "message_templates", KeyLen: 3, Columns: []Column{{"survey_id", Text}, {"kind", Text}, {"language", Text},
		{"subject", Text}, {"text_body", Text}, {"html_body", Text}, {"updated_at", Text}}},
	{Name: "mailings", KeyLen: 1, Columns: []Column{{"survey_id", Text}, {"invite_at", Text}, {"reminder_days", Int},
		{"max_reminders", Int}, {"updated_at", Text}}},
	{Name: "outbox", KeyLen: 1, Columns: []Column{{"id", Text}, {"survey_id", Text}, {"participant_id", Text}, {"kind", Text},
		{"seq", Int}, {"to_addr", Text}, {"status", Text}, {"attempts", Int}, {"next_at", Text}, {"last_error", Text},
		{"created_at", Text}, {"sent_at", Text}}},
	// Failed-authentication budgets: minutes-long, copied so that a move
	// does not hand a guesser a fresh budget.
	{Name: "auth_failures", KeyLen: 1, Columns: []Column{{"key", Bytes}, {"until_us", Int}}},
}

// Sum is one table's row count and digest.
type Sum struct {
	Table  string
	Rows   int64
	Digest [sha256.Size]byte
}

// Result says what Run did.
type Result struct {
	// Copied is true when the rows were copied now; false when the target
	// already held exactly the same data.
	Copied bool
	// Sums are the tables' counts and digests, equal on both sides.
	Sums []Sum
}

// ErrTargetDiffers is returned when the target holds data other than the
// source's: migrate-db neither merges nor overwrites.
var ErrTargetDiffers = errors.New("the target database already holds different data")

// Run copies the SQLite database at from into the PostgreSQL database
// named by the URL to, and verifies the copy (see the package comment).
// Errors never repeat the URL.
func Run(ctx context.Context, from, to string) (Result, error) {
	if !store.IsPostgres(to) {
		return Result{}, errors.New("the target must be a postgres:// or postgresql:// URL")
	}
	if store.IsPostgres(from) || strings.Contains(from, "://") {
		return Result{}, errors.New("the source must be a SQLite database file")
	}
	// Bring both schemas up to date with the drivers' own migrations.
	for _, o := range []struct {
		dsn  string
		opts store.Options
	}{{from, store.Options{MustExist: true}}, {to, store.Options{}}} {
		db, err := store.Open(ctx, o.dsn, o.opts)
		if err != nil {
			return Result{}, fmt.Errorf("open %s: %w", store.Describe(o.dsn), err)
		}
		if err := db.Close(); err != nil {
			return Result{}, fmt.Errorf("close %s: %w", store.Describe(o.dsn), err)
		}
	}
	src, err := sql.Open("sqlite3", "file:"+url.PathEscape(from)+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return Result{}, err
	}
	defer src.Close()
	src.SetMaxOpenConns(1)
	dst, err := sql.Open("pgx", to)
	if err != nil {
		return Result{}, errors.New("open the target: the URL cannot be used")
	}
	defer dst.Close()

	stx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Result{}, fmt.Errorf("read %s: %w", from, err)
	}
	defer stx.Rollback()
	dtx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return Result{}, fmt.Errorf("open a transaction on the target: %w", err)
	}
	defer dtx.Rollback()
	names := make([]string, len(Tables))
	for i, t := range Tables {
		names[i] = t.Name
	}
	// Nobody writes the tables while we look and copy; readers may go on.
	if _, err := dtx.ExecContext(ctx, "LOCK TABLE "+strings.Join(names, ", ")+" IN EXCLUSIVE MODE"); err != nil {
		return Result{}, fmt.Errorf("lock the target's tables: %w", err)
	}
	srcSums, err := sums(ctx, stx, false)
	if err != nil {
		return Result{}, fmt.Errorf("read %s: %w", from, err)
	}
	dstSums, err := sums(ctx, dtx, true)
	if err != nil {
		return Result{}, fmt.Errorf("read the target: %w", err)
	}
	empty := true
	for _, s := range dstSums {
		empty = empty && s.Rows == 0
	}
	if !empty {
		if equal(srcSums, dstSums) {
			return Result{Sums: srcSums}, nil
		}
		return Result{}, fmt.Errorf("%w (tables that differ from the source: %s); nothing was changed. Migrate into an empty database",
			ErrTargetDiffers, strings.Join(differing(srcSums, dstSums), ", "))
	}
	for _, t := range Tables {
		if err := copyTable(ctx, stx, dtx, t); err != nil {
			return Result{}, fmt.Errorf("copy %s: %w; nothing was committed to the target", t.Name, err)
		}
	}
	// The next response the server stores gets the next seq.
	if _, err := dtx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('responses', 'seq'), max(seq)) FROM responses HAVING max(seq) IS NOT NULL`); err != nil {
		return Result{}, fmt.Errorf("set the responses' sequence: %w", err)
	}
	copied, err := sums(ctx, dtx, true)
	if err != nil {
		return Result{}, fmt.Errorf("verify the copy: %w", err)
	}
	if !equal(srcSums, copied) {
		return Result{}, fmt.Errorf("the copy does not verify (tables %s); nothing was committed", strings.Join(differing(srcSums, copied), ", "))
	}
	if err := dtx.Commit(); err != nil {
		return Result{}, fmt.Errorf("commit the copy: %w", err)
	}
	return Result{Copied: true, Sums: srcSums}, nil
}

// Sums computes every table's count and digest on an open database
// handle: postgres tells which dialect orders the keys.
func Sums(ctx context.Context, db *sql.DB, postgres bool) ([]Sum, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return sums(ctx, tx, postgres)
}

func equal(a, b []Sum) bool {
	return len(differing(a, b)) == 0
}

func differing(a, b []Sum) []string {
	var out []string
	for i := range a {
		if a[i] != b[i] {
			out = append(out, a[i].Table)
		}
	}
	return out
}

// selectSQL reads a table's rows in primary-key order.
func selectSQL(t Table, postgres bool) string {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c.Name
	}
	keys := make([]string, t.KeyLen)
	for i, c := range t.Columns[:t.KeyLen] {
		keys[i] = c.Name
		if postgres && c.Kind == Text {
			keys[i] += ` COLLATE "C"`
		}
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + t.Name + " ORDER BY " + strings.Join(keys, ", ")
}

// sums reads every table in key order, counting and digesting its rows.
func sums(ctx context.Context, tx *sql.Tx, postgres bool) ([]Sum, error) {
	out := make([]Sum, 0, len(Tables))
	for _, t := range Tables {
		s := Sum{Table: t.Name}
		h := sha256.New()
		err := eachRow(ctx, tx, t, postgres, func(row []cell) error {
			s.Rows++
			digestRow(h, row)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		copy(s.Digest[:], h.Sum(nil))
		out = append(out, s)
	}
	return out, nil
}

// eachRow calls fn with each row of t, in key order; the row's cells are
// reused between calls.
func eachRow(ctx context.Context, tx *sql.Tx, t Table, postgres bool, fn func([]cell) error) error {
	rows, err := tx.QueryContext(ctx, selectSQL(t, postgres))
	if err != nil {
		return err
	}
	defer rows.Close()
	row := make([]cell, len(t.Columns))
	dest := make([]any, len(row))
	for i := range row {
		row[i].kind = t.Columns[i].Kind
		dest[i] = &row[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// digestRow feeds one row to h: per cell, 0 for NULL, or 1, the length
// and the canonical bytes, so that no two different rows feed the same
// stream.
func digestRow(h hash.Hash, row []cell) {
	var n [9]byte
	for _, c := range row {
		if c.null {
			h.Write([]byte{0})
			continue
		}
		n[0] = 1
		binary.BigEndian.PutUint64(n[1:], uint64(len(c.b)))
		h.Write(n[:])
		h.Write(c.b)
	}
}

// batchRows is how many rows go in one INSERT (14 columns × 500 stays far
// below PostgreSQL's 65,535 parameters).
const batchRows = 500

// copyTable inserts every row of t from the source into the target, in
// key order, a multi-row INSERT at a time.
func copyTable(ctx context.Context, stx, dtx *sql.Tx, t Table) error {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c.Name
	}
	head := "INSERT INTO " + t.Name + " (" + strings.Join(cols, ", ") + ")"
	if t.Name == "responses" {
		head += " OVERRIDING SYSTEM VALUE" // keep seq: the export order
	}
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		for r := 0; r < len(args)/len(cols); r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				b.WriteString("$" + strconv.Itoa(r*len(cols)+c+1))
			}
			b.WriteByte(')')
		}
		_, err := dtx.ExecContext(ctx, b.String(), args...)
		args = args[:0]
		return err
	}
	err := eachRow(ctx, stx, t, false, func(row []cell) error {
		for _, c := range row {
			v, err := c.value()
			if err != nil {
				return err
			}
			args = append(args, v)
		}
		if len(args) >= batchRows*len(cols) {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// cell holds one column's value as read: NULL, or its canonical bytes
// for its kind (decimal digits, UTF-8 text, raw bytes).
type cell struct {
	kind Kind
	null bool
	b    []byte
}

// Scan implements sql.Scanner.
func (c *cell) Scan(src any) error {
	c.null = false
	c.b = c.b[:0]
	switch v := src.(type) {
	case nil:
		c.null = true
	case int64:
		if c.kind != Int {
			return fmt.Errorf("an integer where %s was expected", c.kind)
		}
		c.b = strconv.AppendInt(c.b, v, 10)
	case string:
		c.b = append(c.b, v...)
	case []byte:
		c.b = append(c.b, v...)
	default:
		return fmt.Errorf("unexpected value of type %T", src)
	}
	if c.kind == Int && !c.null {
		// Text that is an integer (SQLite keeps what it was given) is
		// written back as the canonical decimal.
		n, err := strconv.ParseInt(string(c.b), 10, 64)
		if err != nil {
			return fmt.Errorf("not an integer: %q", c.b)
		}
		c.b = strconv.AppendInt(c.b[:0], n, 10)
	}
	return nil
}

// value is the cell as a parameter for the target.
func (c *cell) value() (any, error) {
	if c.null {
		return nil, nil
	}
	switch c.kind {
	case Int:
		return strconv.ParseInt(string(c.b), 10, 64)
	case Text:
		return string(c.b), nil
	default:
		return append([]byte(nil), c.b...), nil
	}
}

// String names a kind.
func (k Kind) String() string {
	switch k {
	case Int:
		return "an integer"
	case Text:
		return "text"
	default:
		return "bytes"
	}
}
