-- Dyad's first schema.
--
-- Timestamps are TEXT in a fixed-width UTC form (2006-01-02T15:04:05.000000Z)
-- so that string order is time order and exports copy them without parsing.
--
-- A response's answers are one JSON object (item id -> value) in the
-- responses row: a response is written once, read whole, and exported
-- whole, so one row per response makes the insert a single statement and
-- the export one sequential read. SQLite's json_extract (and PostgreSQL's
-- jsonb) still reach single answers where a query needs them.

-- +goose Up
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE instruments (
    key          TEXT    NOT NULL,
    version      INTEGER NOT NULL CHECK (version > 0),
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
    title        TEXT    NOT NULL,
    definition   TEXT    NOT NULL,  -- the instrument as JSON, in the format's own structure
    created_at   TEXT    NOT NULL,
    published_at TEXT,
    retired_at   TEXT,
    PRIMARY KEY (key, version)
);

CREATE TABLE surveys (
    id                 TEXT    PRIMARY KEY,
    instrument_key     TEXT    NOT NULL,
    instrument_version INTEGER NOT NULL,
    title              TEXT    NOT NULL,
    access             TEXT    NOT NULL CHECK (access IN ('open', 'invitation')),
    opens_at           TEXT,
    closes_at          TEXT,
    status             TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    created_at         TEXT    NOT NULL,
    closed_at          TEXT,
    -- RESTRICT: a version that a survey deploys cannot be deleted.
    FOREIGN KEY (instrument_key, instrument_version) REFERENCES instruments (key, version) ON DELETE RESTRICT
);
CREATE INDEX surveys_instrument ON surveys (instrument_key, instrument_version);

-- Invitation codes, stored as SHA-256 hashes. Deliberately no link to the
-- response a code admitted and no time of use: a spent flag alone cannot
-- tie an answer to an invitee.
CREATE TABLE invitations (
    survey_id TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    code_hash BLOB    NOT NULL,
    spent     INTEGER NOT NULL DEFAULT 0 CHECK (spent IN (0, 1)),
    PRIMARY KEY (survey_id, code_hash)
) WITHOUT ROWID;

CREATE TABLE responses (
    seq                INTEGER PRIMARY KEY,  -- arrival order: pagination cursor and export order
    id                 TEXT    NOT NULL UNIQUE,
    survey_id          TEXT    NOT NULL REFERENCES surveys (id) ON DELETE RESTRICT,
    instrument_key     TEXT    NOT NULL,
    instrument_version INTEGER NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('complete', 'in_progress')),
    answers            TEXT    NOT NULL,  -- JSON object: item id -> integer, string or list of integers
    digest             BLOB    NOT NULL,  -- SHA-256 of the canonical answers, to recognise a retry
    started_at         TEXT    NOT NULL,
    submitted_at       TEXT,
    FOREIGN KEY (instrument_key, instrument_version) REFERENCES instruments (key, version) ON DELETE RESTRICT
);
CREATE INDEX responses_survey ON responses (survey_id, status, seq);

-- +goose Down
DROP TABLE responses;
DROP TABLE invitations;
DROP TABLE surveys;
DROP TABLE instruments;
DROP TABLE settings;
