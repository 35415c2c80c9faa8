-- Dashboard sessions in the database rather than in one process's memory,
-- so that a restart does not sign every researcher out and every instance
-- on the same database knows the same sign-ins (internal/admin/session.go).
--
-- id_hash: SHA-256 of the session id the browser's cookie holds; the id
--   itself is never stored, so a copy of the database (a backup) holds no
--   value that can be replayed as a cookie.
-- created_at, seen_at: sign-in and last use, in the fixed-width UTC layout
--   of 0001, so text order is time order. The lifetimes (idle and maximum)
--   are the dashboard's rule; expired rows are deleted at each sign-in, and
--   seen_at is indexed for that and for dropping the least recently used
--   session when the table is full.

-- +goose Up
CREATE TABLE sessions (
    id_hash    BLOB PRIMARY KEY,
    created_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_seen ON sessions (seen_at);

-- +goose Down
DROP TABLE sessions;
