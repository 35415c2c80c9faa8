-- Failed-authentication budgets (../0013_studies_and_sign_in_limits.sql,
-- which explains the columns).

-- +goose Up
CREATE TABLE auth_failures (
    key      bytea  PRIMARY KEY,
    until_us bigint NOT NULL
);
CREATE INDEX auth_failures_until ON auth_failures (until_us);

-- +goose Down
DROP TABLE auth_failures;
