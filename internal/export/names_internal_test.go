package export

// Unexported helpers for the external tests.
var (
	StatNames    = statNames
	ReservedName = reservedName
)
