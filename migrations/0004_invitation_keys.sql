-- Invitation codes that a backup cannot tie to a response, and one
-- response in progress per code.
--
-- keyed: 1 for a code_hash that is an HMAC-SHA-256 of the survey id and
--   the code under the server's invitation key, which is kept in a file
--   apart from the database and never in it or in a backup
--   (internal/survey/secret.go). A researcher holds the list of codes they
--   issued; with plain SHA-256 hashes (0001) they could hash every code,
--   and two backups taken around a submission named the code whose row
--   turned spent, and so the invitee who answered. With keyed hashes the
--   row that turns spent belongs to no code one can compute without the
--   key. Rows from before this migration stay 0: their SHA-256 hashes are
--   still accepted (nobody could answer otherwise) and are not protected.
--   The table is WITHOUT ROWID, keyed by (survey_id, code_hash), and has
--   no time column, so neither its order nor anything else in it follows
--   the order in which codes were issued or used; new codes are inserted
--   in hash order, so not even the layout of the live file's pages does.
-- held: 1 while a web response in progress holds the code (started with
--   it and not yet submitted). A second start with the code, or a
--   submission of it through the API, is refused as "in use" instead of
--   making a second response; the code's holder can discard the holding
--   response and start over in the web form.
-- responses.hold_mark: on the response that holds a code, an HMAC of the
--   code under a second key derived from the invitation key, so that the
--   holding response can be found from the code (to discard it) while,
--   without the key, no stored value ties the response row to the
--   invitation row. It is erased when the response completes. Unique: one
--   response per code.

-- +goose Up
ALTER TABLE invitations ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0 CHECK (keyed IN (0, 1));
ALTER TABLE invitations ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1));
ALTER TABLE responses ADD COLUMN hold_mark BLOB;
CREATE UNIQUE INDEX responses_hold ON responses (hold_mark) WHERE hold_mark IS NOT NULL;

-- +goose Down
DROP INDEX responses_hold;
ALTER TABLE responses DROP COLUMN hold_mark;
ALTER TABLE invitations DROP COLUMN held;
ALTER TABLE invitations DROP COLUMN keyed;
