-- Survey settings a researcher changes after deployment
-- (internal/survey/settings.go).
--
-- public_title, public_description: what respondents see instead of the
--   internal name (title). Surveys deployed before this migration take
--   their instrument's title and introduction, as new ones do by default.
-- time_zone: the IANA name plain dates are read in; UTC before this.
-- end_message, end_redirect: the end page's text, or the http(s) address
--   respondents are sent to after the last page ('' for none).
-- mode: 'test' while the researcher tries the survey out, else 'live'.
-- responses.test: 1 for a response created while its survey was in test
--   mode, decided from the survey row inside the inserting statement;
--   exports, statistics and lists leave these out unless asked.

-- +goose Up
ALTER TABLE surveys ADD COLUMN public_title TEXT NOT NULL DEFAULT '';
ALTER TABLE surveys ADD COLUMN public_description TEXT NOT NULL DEFAULT '';
ALTER TABLE surveys ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE surveys ADD COLUMN end_message TEXT NOT NULL DEFAULT '';
ALTER TABLE surveys ADD COLUMN end_redirect TEXT NOT NULL DEFAULT '';
ALTER TABLE surveys ADD COLUMN mode TEXT NOT NULL DEFAULT 'live' CHECK (mode IN ('live', 'test'));
ALTER TABLE responses ADD COLUMN test INTEGER NOT NULL DEFAULT 0 CHECK (test IN (0, 1));
UPDATE surveys SET
    public_title = (SELECT i.title FROM instruments i
        WHERE i.key = surveys.instrument_key AND i.version = surveys.instrument_version),
    public_description = coalesce((SELECT json_extract(i.definition, '$.introduction') FROM instruments i
        WHERE i.key = surveys.instrument_key AND i.version = surveys.instrument_version), '');

-- +goose Down
ALTER TABLE responses DROP COLUMN test;
ALTER TABLE surveys DROP COLUMN mode;
ALTER TABLE surveys DROP COLUMN end_redirect;
ALTER TABLE surveys DROP COLUMN end_message;
ALTER TABLE surveys DROP COLUMN time_zone;
ALTER TABLE surveys DROP COLUMN public_description;
ALTER TABLE surveys DROP COLUMN public_title;
