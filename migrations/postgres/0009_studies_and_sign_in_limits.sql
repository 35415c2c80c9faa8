-- Studies that group instruments and surveys, and failed-authentication
-- budgets (../0013_studies_and_sign_in_limits.sql,
-- which explains the columns).

-- +goose Up
CREATE TABLE instrument_studies (
    key      text   PRIMARY KEY,
    study_id bigint NOT NULL REFERENCES studies (id)
);
ALTER TABLE studies ADD COLUMN require_totp smallint NOT NULL DEFAULT 0 CHECK (require_totp IN (0, 1));
CREATE TABLE auth_failures (
    key      bytea  PRIMARY KEY,
    until_us bigint NOT NULL
);
CREATE INDEX auth_failures_until ON auth_failures (until_us);

-- +goose Down
DROP TABLE auth_failures;
ALTER TABLE studies DROP COLUMN require_totp;
DROP TABLE instrument_studies;
