-- The sweep of abandoned responses in progress (../0006_abandoned.sql):
-- invitations.hold_ref, the keyed reference by which the sweep frees the
-- code an abandoned response held, and the sweep's index of rows in
-- progress by their last save.

-- +goose Up
ALTER TABLE invitations ADD COLUMN hold_ref bytea;
CREATE INDEX invitations_hold_ref ON invitations (survey_id, hold_ref) WHERE hold_ref IS NOT NULL;
CREATE INDEX responses_in_progress ON responses (updated_at) WHERE status = 'in_progress';

-- +goose Down
DROP INDEX responses_in_progress;
DROP INDEX invitations_hold_ref;
ALTER TABLE invitations DROP COLUMN hold_ref;
