package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
)

// Backup writes a consistent copy of the database to out, which must not
// exist, while the service keeps taking submissions. It uses VACUUM INTO on
// a read connection: the copy is one snapshot (every response committed
// before the backup's read began, none after), compacted, and a plain
// SQLite file that `dyad serve --db` opens as is.
func (s *Store) Backup(ctx context.Context, out string) error {
	// Not the read pool: its query_only setting refuses VACUUM INTO.
	return BackupFile(ctx, s.path, out)
}

// BackupFile copies the database at path to out, for `dyad backup` run
// beside a live server: it only reads, so it never blocks the server's
// writer.
func BackupFile(ctx context.Context, path, out string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	db, err := sql.Open("sqlite3", fmt.Sprintf("file:%s?mode=ro&_busy_timeout=5000", url.PathEscape(path)))
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", path, err)
	}
	defer db.Close()
	return vacuumInto(ctx, db, out)
}

func vacuumInto(ctx context.Context, db *sql.DB, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file name", out)
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		os.Remove(out)
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	return nil
}

// SetMaxSize caps the database file at about n bytes (SQLite's
// max_page_count on the writer's connection); 0 lifts the cap. Writes past
// the cap fail like a full disk: submissions get 503 and nothing already
// stored is touched. Operators can use it as a quota; tests use it to
// simulate a full disk.
func (s *Store) SetMaxSize(ctx context.Context, n int64) error {
	var pageSize int64
	if err := s.writeSQL.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return fmt.Errorf("page size: %w", err)
	}
	pages := int64(1 << 31) // SQLite's largest page count is 2^32-2
	if n > 0 {
		pages = max(1, n/pageSize)
	}
	_, err := s.writeSQL.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages))
	return err
}
