-- Researchers' accounts, studies and roles, API tokens, and the audit trail
-- (internal/survey/accounts.go, audit.go).
--
-- Ids are integers the store assigns as max(id)+1 inside the inserting
-- transaction rather than engine sequences, so that dyad migrate-db copies
-- them as plain values and PostgreSQL needs no sequence to be reset after
-- the copy. No row is inserted here: the default study is made by the
-- first start (cmd/dyad/seed.go), so a migrated-to database stays empty.
--
-- users.password_hash: the PHC string of argon2id (docs/security.md).
-- users.totp_secret: the base32 TOTP secret of an account that set up the
--   second factor, NULL otherwise (internal/account/totp.go says why it is
--   not hashed); totp_step: the time step of the last code accepted, so
--   that no code is accepted twice.
-- api_tokens.hash: SHA-256 of the token, shown once at creation.
-- invites: one-time sign-up links an owner makes, by the SHA-256 of the
--   link's secret; used_at marks the one use.
-- sessions.user_id: the account of a dashboard session; NULL for a
--   session begun with the researcher (bootstrap) token.
-- audit_events: append-only (the triggers refuse UPDATE and DELETE); each
--   row holds the hash of the row before it (prev_hash) and its own hash
--   (survey.AuditHash), so `dyad audit verify` finds an edited or deleted
--   row even if someone drops the triggers first. client is the address of
--   the researcher's request: stored here only (docs/security.md).

-- +goose Up
CREATE TABLE studies (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    created_at    TEXT NOT NULL,
    totp_secret   TEXT,
    totp_step     INTEGER
);
CREATE TABLE memberships (
    study_id INTEGER NOT NULL REFERENCES studies (id),
    user_id  INTEGER NOT NULL REFERENCES users (id),
    role     TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'analyst', 'viewer')),
    PRIMARY KEY (study_id, user_id)
) WITHOUT ROWID;
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    study_id   INTEGER NOT NULL REFERENCES studies (id),
    name       TEXT NOT NULL,
    hash       BLOB NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'analyst', 'viewer')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE TABLE invites (
    hash       BLOB PRIMARY KEY,
    study_id   INTEGER NOT NULL REFERENCES studies (id),
    role       TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'analyst', 'viewer')),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) WITHOUT ROWID;
ALTER TABLE sessions ADD COLUMN user_id INTEGER REFERENCES users (id);
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    details    TEXT NOT NULL,
    request_id TEXT NOT NULL,
    client     TEXT NOT NULL,
    status     INTEGER NOT NULL,
    prev_hash  BLOB,
    hash       BLOB NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_events;
DROP TABLE invites;
DROP INDEX api_tokens_user;
ALTER TABLE sessions DROP COLUMN user_id;
DROP TABLE api_tokens;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE studies;
