-- Responses in progress abandoned for longer than the retention are
-- deleted by a periodic sweep, which releases the invitation codes they
-- held (internal/survey/abandoned.go).
--
-- invitations.hold_ref: while a web response in progress holds the code,
--   an HMAC of that response's hold_mark under a third key derived from
--   the invitation key. The sweep computes it from each response it
--   deletes and frees the invitation that carries it; without the key, no
--   stored value ties the invitation row to the response row. Erased when
--   the code is spent or released. NULL on codes held before this
--   migration: those stay held when their holder is deleted, and the
--   invitee can start over from the "code in use" page as before.
-- responses_in_progress: the sweep's search, rows in progress by their
--   last save (updated_at is set from the start), without scanning the
--   complete ones.

-- +goose Up
ALTER TABLE invitations ADD COLUMN hold_ref BLOB;
CREATE INDEX invitations_hold_ref ON invitations (survey_id, hold_ref) WHERE hold_ref IS NOT NULL;
CREATE INDEX responses_in_progress ON responses (updated_at) WHERE status = 'in_progress';

-- +goose Down
DROP INDEX responses_in_progress;
DROP INDEX invitations_hold_ref;
ALTER TABLE invitations DROP COLUMN hold_ref;
