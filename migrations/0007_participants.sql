-- Participants of invitation surveys, their messages' templates and
-- schedule, and the outbox of e-mails (internal/survey/participants.go,
-- mailing.go; docs/participants.md).
--
-- participants: one person invited to one survey. The participant's
--   personal invitation code is derived from the id under the server's
--   invitation key (kept apart from the database) and never stored; its
--   keyed hash is stored on an invitations row (inserted in the same
--   transaction) and deliberately NOT here: no column of a participant
--   equals anything in its invitations row, so the database alone cannot
--   say which row is whose (on PostgreSQL a response and the invitations
--   row it spends share xmin, and a shared hash would join a name to an
--   answer). The service derives the hash when it needs a participant's
--   state. There is no completion column and no completion time: whether
--   a participant completed is their invitations row being spent, read
--   when asked; started is the row being held or spent. The times kept are
--   those of Dyad's own contacts (invited_at, last_contact_at), an opt-out
--   and a bounce, none of which is an answer's time. A code's uniqueness
--   per survey is the invitations row's primary key.
-- message_templates: the researcher's invitation and reminder texts per
--   language ('' is the default), with {{merge_fields}}.
-- mailings: a survey's schedule: the invitation at invite_at (NULL: not
--   scheduled), then reminders every reminder_days days to those who have
--   not completed, at most max_reminders.
-- outbox: every message Dyad decided to send, queued in the transaction
--   that decided it. Nothing secret is stored: the body is rendered at
--   sending time, since it holds the personal link. (participant_id, kind,
--   seq) is unique so that a decision taken twice (a restart, two
--   instances) queues one message; id is the stable Message-ID, so a
--   message sent again after a crash between sending and marking is
--   recognisably the same one.

-- +goose Up
CREATE TABLE participants (
    id              TEXT PRIMARY KEY,
    survey_id       TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    first_name      TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT '',
    attributes      TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    invited_at      TEXT,
    reminders       INTEGER NOT NULL DEFAULT 0,
    last_contact_at TEXT,
    opted_out_at    TEXT,
    bounced_at      TEXT,
    UNIQUE (survey_id, email)
);

CREATE TABLE message_templates (
    survey_id  TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    language   TEXT NOT NULL DEFAULT '',
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (survey_id, kind, language)
) WITHOUT ROWID;

CREATE TABLE mailings (
    survey_id     TEXT PRIMARY KEY REFERENCES surveys (id) ON DELETE CASCADE,
    invite_at     TEXT,
    reminder_days INTEGER NOT NULL DEFAULT 0,
    max_reminders INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE outbox (
    id             TEXT PRIMARY KEY,
    survey_id      TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    participant_id TEXT REFERENCES participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'test')),
    seq            INTEGER NOT NULL DEFAULT 0,
    to_addr        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'bounced', 'failed', 'cancelled')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_at        TEXT NOT NULL,
    last_error     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    sent_at        TEXT
);
CREATE UNIQUE INDEX outbox_once ON outbox (participant_id, kind, seq) WHERE participant_id IS NOT NULL;
CREATE INDEX outbox_due ON outbox (next_at) WHERE status = 'queued';
CREATE INDEX outbox_survey ON outbox (survey_id, status);

-- +goose Down
DROP TABLE outbox;
DROP TABLE mailings;
DROP TABLE message_templates;
DROP TABLE participants;
