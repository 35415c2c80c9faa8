-- Failed-authentication budgets kept in the database, so that they hold
-- across instances and restarts (internal/survey/backoff.go).
--
-- auth_failures.key: the SHA-256 of what is counted ("client:" and the
--   client's address or /64 network, "acct:" and an e-mail address), never
--   the address or e-mail itself; until_us: the key's full-until time
--   (Backoff), in microseconds since 1970 UTC, an integer so that one
--   portable UPDATE applies a failure on both engines. A row is deleted
--   once its time has passed, within minutes of the last failure.

-- +goose Up
CREATE TABLE auth_failures (
    key      BLOB    PRIMARY KEY,
    until_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX auth_failures_until ON auth_failures (until_us);

-- +goose Down
DROP TABLE auth_failures;
