package postgres

import "github.com/dyad-survey/dyad/internal/store/ormstore"

// The stored form of times is shared by every engine (ormstore/timefmt.go).
var (
	formatTime    = ormstore.FormatTime
	formatTimePtr = ormstore.FormatTimePtr
	parseTime     = ormstore.ParseTime
	parseTimePtr  = ormstore.ParseTimePtr
)
