-- Save and resume for the respondent web form (internal/web).
--
-- A web respondent's response is a row of responses from the first page
-- on: status in_progress while they answer, turned complete in place when
-- they submit, so one respondent never makes two rows. 0001 keeps a
-- response's answers as one JSON object in its row; that still holds: each
-- saved page rewrites the whole object (a few hundred bytes to a few KB)
-- in one short UPDATE, and a complete row looks exactly like one submitted
-- through the API. Responses from the API leave the new columns NULL.
--
-- resume_hash: SHA-256 of the resume token the respondent holds (in a
--   link and a cookie). The token itself is never stored, so a copy of the
--   database cannot resume or read anyone's response through the form.
-- sealed_code: for an invitation survey, the invitation code encrypted
--   with a key derived from the resume token. Without the respondent's
--   token it cannot be opened, so the database holds no link between a
--   code and a response (the promise of the invitations table in 0001);
--   it is erased when the response completes and the code is spent.
-- updated_at: the time of the last save, for finding abandoned responses.

-- +goose Up
ALTER TABLE responses ADD COLUMN resume_hash BLOB;
ALTER TABLE responses ADD COLUMN sealed_code BLOB;
ALTER TABLE responses ADD COLUMN updated_at TEXT;
CREATE UNIQUE INDEX responses_resume ON responses (resume_hash) WHERE resume_hash IS NOT NULL;

-- +goose Down
DROP INDEX responses_resume;
ALTER TABLE responses DROP COLUMN updated_at;
ALTER TABLE responses DROP COLUMN sealed_code;
ALTER TABLE responses DROP COLUMN resume_hash;
