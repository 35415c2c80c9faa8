-- Survey settings a researcher changes after deployment
-- (../0010_survey_settings.sql, internal/survey/settings.go): the public
-- title and description respondents see, the time zone plain dates are
-- read in, the end page's message or redirect; test mode (surveys.mode,
-- responses.test).

-- +goose Up
ALTER TABLE surveys ADD COLUMN public_title text NOT NULL DEFAULT '';
ALTER TABLE surveys ADD COLUMN public_description text NOT NULL DEFAULT '';
ALTER TABLE surveys ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
ALTER TABLE surveys ADD COLUMN end_message text NOT NULL DEFAULT '';
ALTER TABLE surveys ADD COLUMN end_redirect text NOT NULL DEFAULT '';
ALTER TABLE surveys ADD COLUMN mode text NOT NULL DEFAULT 'live' CHECK (mode IN ('live', 'test'));
ALTER TABLE responses ADD COLUMN test integer NOT NULL DEFAULT 0 CHECK (test IN (0, 1));
UPDATE surveys s SET public_title = i.title,
    public_description = coalesce(i.definition::jsonb ->> 'introduction', '')
    FROM instruments i WHERE i.key = s.instrument_key AND i.version = s.instrument_version;

-- +goose Down
ALTER TABLE responses DROP COLUMN test;
ALTER TABLE surveys DROP COLUMN mode;
ALTER TABLE surveys DROP COLUMN end_redirect;
ALTER TABLE surveys DROP COLUMN end_message;
ALTER TABLE surveys DROP COLUMN time_zone;
ALTER TABLE surveys DROP COLUMN public_description;
ALTER TABLE surveys DROP COLUMN public_title;
