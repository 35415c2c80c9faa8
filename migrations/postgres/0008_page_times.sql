-- The time a web respondent spent on each page of the form (survey/pagetimes.go; the SQLite migration 0012):
-- a JSON object of section id to milliseconds, from each page's first view to
-- its save, added up over visits; written by every save of the web form. ''
-- for responses sent through the JSON API and for those stored before this
-- column. Exports write it as the duration_<section>_s columns, and the
-- speeder flag reads its total.

-- +goose Up
ALTER TABLE responses ADD COLUMN page_times TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE responses DROP COLUMN page_times;
