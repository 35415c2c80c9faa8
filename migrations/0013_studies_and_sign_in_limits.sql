-- Studies that group instruments and surveys (internal/survey/studies.go),
-- and failed-authentication budgets kept in the database, so that they hold
-- across instances and restarts (internal/survey/backoff.go).
--
-- auth_failures.key: the SHA-256 of what is counted ("client:" and the
--   client's address or /64 network, "acct:" and an e-mail address), never
--   the address or e-mail itself; until_us: the key's full-until time
--   (Backoff), in microseconds since 1970 UTC, an integer so that one
--   portable UPDATE applies a failure on both engines. A row is deleted
--   once its time has passed, within minutes of the last failure.
--
-- instrument_studies: the study an instrument key (all its versions)
--   belongs to, for keys of a study other than the default one (id 1);
--   a key with versions and no row here belongs to the default study, so
--   that every instrument stored before studies stays where it was. A
--   survey belongs to the study of its instrument's key.
-- studies.require_totp: 1 when the study's owner requires every member
--   to sign in with a second factor.

-- +goose Up
CREATE TABLE instrument_studies (
    key      TEXT    PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies (id)
) WITHOUT ROWID;
ALTER TABLE studies ADD COLUMN require_totp INTEGER NOT NULL DEFAULT 0 CHECK (require_totp IN (0, 1));
CREATE TABLE auth_failures (
    key      BLOB    PRIMARY KEY,
    until_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX auth_failures_until ON auth_failures (until_us);

-- +goose Down
DROP TABLE auth_failures;
ALTER TABLE studies DROP COLUMN require_totp;
DROP TABLE instrument_studies;
