package survey

import (
	"context"
	"time"
)

// Abandoned responses.
//
// A respondent who starts the web form and never comes back leaves a
// response in progress: answers kept in the database, and, for a survey by
// invitation, a code held so that nobody else starts with it. Kept for
// ever, these rows are respondent data nobody will use, and their holds
// keep an invitee who lost the link on the "code in use" page. So a
// response in progress that has not been saved for a retention period
// (90 days by default, cmd/dyad's --abandoned-after) is deleted, and the
// code it held is released: started or submitted again, it counts as new.
// Complete responses are never deleted this way.
//
// The store cannot tell which invitation a response holds (the mark on the
// response and the hash on the invitation are keyed so that nothing in the
// database ties them; secret.go), so the invitation row keeps a hold
// reference, a keyed hash of the holder's mark, and the sweep hands the
// store the function that computes it. A code held before references
// existed stays held when its holder is deleted; its invitee can still
// discard the (now missing) holder and start over from the "code in use"
// page.

// DefaultAbandonedAfter is the default retention of responses in progress.
const DefaultAbandonedAfter = 90 * 24 * time.Hour

// abandonedBatch bounds one deleting write, so that a first sweep over a
// large backlog holds the writer for milliseconds at a time.
const abandonedBatch = 500

// DeleteAbandoned deletes the responses in progress last saved before
// before, in writes of at most a few hundred, releases the invitation codes
// they held, and returns how many it deleted. It stops at ctx's end,
// returning what it had deleted so far.
func (s *Service) DeleteAbandoned(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		n, err := s.store.DeleteAbandoned(ctx, before.UTC(), abandonedBatch, s.holdRef)
		total += n
		if err != nil || n < abandonedBatch {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// holdRef is the reference a held code's invitation row keeps to the mark
// of the response holding it.
func (s *Service) holdRef(surveyID string, mark []byte) []byte {
	return keyedHash(s.keys.ref, surveyID, string(mark))
}
