-- Dyad's schema on PostgreSQL: the SQLite schema of ../0001..0005 as it
-- stands, in one file, since no PostgreSQL deployment predates it. From
-- here on the two dialects number their migrations apart, each change
-- made in both folders. Same tables, columns and constraints; the types
-- are PostgreSQL's where that changes nothing a reader of the data sees:
--
-- Timestamps: text in the same fixed-width UTC layout as on SQLite
--   (2006-01-02T15:04:05.000000Z), not timestamptz. Arguments: the store's
--   rules compare and order them as text (closes_at > submitted_at, the
--   close's max(submitted_at), the export's since/until), identical on
--   both engines; the export reader hands them on without formatting; a
--   study moved from SQLite (issue 13's migrate-db) copies and digests
--   them byte for byte. The utc_time domain holds the layout (a CHECK on
--   every value) and collates "C", so that order is byte order whatever
--   the database's default collation. What is given up: date arithmetic
--   in ad-hoc SQL needs a cast (submitted_at::timestamptz), which works.
-- Hashes and keys: bytea. Booleans kept as 0/1 smallints with the same
--   CHECKs, so that the store's statements read alike on both engines.
-- answers: text, not jsonb. The store writes the canonical JSON of the
--   answers (survey.Answers.Canonical) and the export streams those very
--   bytes (ExportFilter.RawAnswers, survey.EachCanonicalAnswer); jsonb
--   would store a parsed form and give back other bytes (its own key order
--   and spacing), and would cost a parse on every insert. The one query
--   that looks inside (text answers of an item) casts to jsonb.
-- seq: an identity column, arrival order. A sequence hands out numbers
--   before commit, so concurrent inserting transactions could commit out
--   of seq order and a reader paging by seq could skip a row; every
--   transaction that inserts into responses takes one advisory lock first
--   (internal/store/postgres, lockInserts), so seq order is commit order.

-- +goose Up
CREATE DOMAIN utc_time AS text COLLATE "C"
    CHECK (VALUE ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$');

CREATE TABLE settings (
    name  text  PRIMARY KEY,
    value bytea NOT NULL
);

CREATE TABLE instruments (
    key          text     NOT NULL,
    version      integer  NOT NULL CHECK (version > 0),
    status       text     NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
    title        text     NOT NULL,
    definition   text     NOT NULL,  -- the instrument as JSON, in the format's own structure
    created_at   utc_time NOT NULL,
    published_at utc_time,
    retired_at   utc_time,
    PRIMARY KEY (key, version)
);

CREATE TABLE surveys (
    id                 text     PRIMARY KEY,
    instrument_key     text     NOT NULL,
    instrument_version integer  NOT NULL,
    title              text     NOT NULL,
    access             text     NOT NULL CHECK (access IN ('open', 'invitation')),
    opens_at           utc_time,
    closes_at          utc_time,
    status             text     NOT NULL CHECK (status IN ('open', 'closed')),
    created_at         utc_time NOT NULL,
    closed_at          utc_time,
    FOREIGN KEY (instrument_key, instrument_version) REFERENCES instruments (key, version) ON DELETE RESTRICT
);
CREATE INDEX surveys_instrument ON surveys (instrument_key, instrument_version);

-- Invitation codes: keyed hashes, no time columns and no link to a
-- response (../0001_init.sql, ../0004_invitation_keys.sql).
CREATE TABLE invitations (
    survey_id text     NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    code_hash bytea    NOT NULL,
    spent     smallint NOT NULL DEFAULT 0 CHECK (spent IN (0, 1)),
    keyed     smallint NOT NULL DEFAULT 0 CHECK (keyed IN (0, 1)),
    held      smallint NOT NULL DEFAULT 0 CHECK (held IN (0, 1)),
    PRIMARY KEY (survey_id, code_hash)
);

CREATE TABLE responses (
    seq                bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- arrival order
    id                 text     NOT NULL UNIQUE,
    survey_id          text     NOT NULL REFERENCES surveys (id) ON DELETE RESTRICT,
    instrument_key     text     NOT NULL,
    instrument_version integer  NOT NULL,
    status             text     NOT NULL CHECK (status IN ('complete', 'in_progress')),
    answers            text     NOT NULL,  -- canonical JSON object: item id -> integer, string or list of integers
    digest             bytea    NOT NULL,  -- SHA-256 of the canonical answers, to recognise a retry
    started_at         utc_time NOT NULL,
    submitted_at       utc_time,
    -- Save and resume (../0002_progress.sql, ../0004_invitation_keys.sql).
    resume_hash        bytea,
    sealed_code        bytea,
    updated_at         utc_time,
    hold_mark          bytea,
    FOREIGN KEY (instrument_key, instrument_version) REFERENCES instruments (key, version) ON DELETE RESTRICT
);
CREATE INDEX responses_survey ON responses (survey_id, status, seq);
CREATE INDEX responses_survey_seq ON responses (survey_id, seq);
CREATE UNIQUE INDEX responses_resume ON responses (resume_hash) WHERE resume_hash IS NOT NULL;
CREATE UNIQUE INDEX responses_hold ON responses (hold_mark) WHERE hold_mark IS NOT NULL;

-- Dashboard sessions (../0005_sessions.sql).
CREATE TABLE sessions (
    id_hash    bytea    PRIMARY KEY,
    created_at utc_time NOT NULL,
    seen_at    utc_time NOT NULL
);
CREATE INDEX sessions_seen ON sessions (seen_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE responses;
DROP TABLE invitations;
DROP TABLE surveys;
DROP TABLE instruments;
DROP TABLE settings;
DROP DOMAIN utc_time;
