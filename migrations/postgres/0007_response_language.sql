-- The language of the respondent interface in which a response was
-- answered (internal/web/lang.go; the SQLite migration 0011): set when the web form starts the
-- response and updated by each save, so that it is the language of the
-- last page saved (a respondent may switch on the way). '' for responses
-- that did not come through the respondent pages (the JSON API) and for
-- those stored before this column. Exports write it as the language
-- column.

-- +goose Up
ALTER TABLE responses ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE responses DROP COLUMN language;
