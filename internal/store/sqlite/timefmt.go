package sqlite

import (
	"time"

	"github.com/dyad-survey/dyad/internal/store/ormstore"
)

// The stored form of times is shared by every engine (ormstore/timefmt.go).
var (
	formatTime   = ormstore.FormatTime
	parseTime    = ormstore.ParseTime
	parseTimePtr = ormstore.ParseTimePtr
)

// timeArg is the stored form of *t as a statement's argument, nil (NULL)
// for no time. Unlike a *string (ormstore.FormatTimePtr) it needs no
// reflection to bind.
func timeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}
