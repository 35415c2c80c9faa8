-- Researchers' accounts, studies and roles, API tokens, and the audit trail
-- (../0008_accounts.sql, which explains the columns). Ids are plain
-- bigints the store assigns (max(id)+1 in the inserting transaction), as on
-- SQLite, so that dyad migrate-db copies them without a sequence to reset.

-- +goose Up
CREATE TABLE studies (
    id         bigint   PRIMARY KEY,
    name       text     NOT NULL UNIQUE,
    created_at utc_time NOT NULL
);
CREATE TABLE users (
    id            bigint   PRIMARY KEY,
    email         text     NOT NULL UNIQUE,
    password_hash text     NOT NULL,
    admin         smallint NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    created_at    utc_time NOT NULL,
    totp_secret   text,
    totp_step     bigint
);
CREATE TABLE memberships (
    study_id bigint NOT NULL REFERENCES studies (id),
    user_id  bigint NOT NULL REFERENCES users (id),
    role     text   NOT NULL CHECK (role IN ('owner', 'editor', 'analyst', 'viewer')),
    PRIMARY KEY (study_id, user_id)
);
CREATE TABLE api_tokens (
    id         bigint   PRIMARY KEY,
    user_id    bigint   NOT NULL REFERENCES users (id),
    study_id   bigint   NOT NULL REFERENCES studies (id),
    name       text     NOT NULL,
    hash       bytea    NOT NULL UNIQUE,
    role       text     NOT NULL CHECK (role IN ('owner', 'editor', 'analyst', 'viewer')),
    created_at utc_time NOT NULL,
    expires_at utc_time NOT NULL,
    revoked_at utc_time
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE TABLE invites (
    hash       bytea PRIMARY KEY,
    study_id   bigint NOT NULL REFERENCES studies (id),
    role       text NOT NULL CHECK (role IN ('owner', 'editor', 'analyst', 'viewer')),
    created_by bigint REFERENCES users (id),
    created_at utc_time NOT NULL,
    expires_at utc_time NOT NULL,
    used_at    utc_time
);
ALTER TABLE sessions ADD COLUMN user_id bigint REFERENCES users (id);
CREATE TABLE audit_events (
    id         bigint   PRIMARY KEY,
    at         utc_time NOT NULL,
    actor      text     NOT NULL,
    action     text     NOT NULL,
    target     text     NOT NULL,
    details    text     NOT NULL,
    request_id text     NOT NULL,
    client     text     NOT NULL,
    status     integer  NOT NULL,
    prev_hash  bytea,
    hash       bytea    NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE invites;
DROP INDEX api_tokens_user;
ALTER TABLE sessions DROP COLUMN user_id;
DROP TABLE api_tokens;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE studies;
