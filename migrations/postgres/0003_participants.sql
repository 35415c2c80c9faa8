-- Participants, message templates, mailing schedules and the e-mail
-- outbox (../0007_participants.sql explains every column).

-- +goose Up
CREATE TABLE participants (
    id              text     PRIMARY KEY,
    survey_id       text     NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    email           text     NOT NULL,
    first_name      text     NOT NULL DEFAULT '',
    last_name       text     NOT NULL DEFAULT '',
    language        text     NOT NULL DEFAULT '',
    attributes      text     NOT NULL DEFAULT '{}',
    created_at      utc_time NOT NULL,
    invited_at      utc_time,
    reminders       integer  NOT NULL DEFAULT 0,
    last_contact_at utc_time,
    opted_out_at    utc_time,
    bounced_at      utc_time,
    UNIQUE (survey_id, email)
);

CREATE TABLE message_templates (
    survey_id  text     NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    kind       text     NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    language   text     NOT NULL DEFAULT '',
    subject    text     NOT NULL,
    text_body  text     NOT NULL,
    html_body  text     NOT NULL DEFAULT '',
    updated_at utc_time NOT NULL,
    PRIMARY KEY (survey_id, kind, language)
);

CREATE TABLE mailings (
    survey_id     text     PRIMARY KEY REFERENCES surveys (id) ON DELETE CASCADE,
    invite_at     utc_time,
    reminder_days integer  NOT NULL DEFAULT 0,
    max_reminders integer  NOT NULL DEFAULT 0,
    updated_at    utc_time NOT NULL
);

CREATE TABLE outbox (
    id             text     PRIMARY KEY,
    survey_id      text     NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    participant_id text     REFERENCES participants (id) ON DELETE CASCADE,
    kind           text     NOT NULL CHECK (kind IN ('invitation', 'reminder', 'test')),
    seq            integer  NOT NULL DEFAULT 0,
    to_addr        text     NOT NULL DEFAULT '',
    status         text     NOT NULL CHECK (status IN ('queued', 'sent', 'bounced', 'failed', 'cancelled')),
    attempts       integer  NOT NULL DEFAULT 0,
    next_at        utc_time NOT NULL,
    last_error     text     NOT NULL DEFAULT '',
    created_at     utc_time NOT NULL,
    sent_at        utc_time
);
CREATE UNIQUE INDEX outbox_once ON outbox (participant_id, kind, seq) WHERE participant_id IS NOT NULL;
CREATE INDEX outbox_due ON outbox (next_at) WHERE status = 'queued';
CREATE INDEX outbox_survey ON outbox (survey_id, status);

-- +goose Down
DROP TABLE outbox;
DROP TABLE mailings;
DROP TABLE message_templates;
DROP TABLE participants;
