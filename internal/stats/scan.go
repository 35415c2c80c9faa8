package stats

import (
	"context"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Scan adds every response that f selects, streamed from sc: the one way
// a report is computed from the store, shared by the statistics API and
// the researcher dashboard. Add keeps nothing of the response it is given,
// so the scanner may reuse it (and decode the next one on its own
// goroutine while this one counts).
func (b *Builder) Scan(ctx context.Context, sc survey.ResponseScanner, f survey.ExportFilter) error {
	return sc.ScanResponses(ctx, f, func(r *survey.Response) error {
		b.Add(r)
		return nil
	})
}
