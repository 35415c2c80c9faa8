-- Reading all of a survey's responses in arrival order (exports and
-- statistics with status=all) used responses_survey (survey_id, status,
-- seq), which leaves SQLite to sort every row by seq in a temporary B-tree.
-- This index gives that order directly.

-- +goose Up
CREATE INDEX responses_survey_seq ON responses (survey_id, seq);

-- +goose Down
DROP INDEX responses_survey_seq;
