// Package instruments holds the instrument files Dyad ships, embedded in the
// binary. `dyad serve` loads each as a published version on a fresh
// database and opens a survey for the study instrument.
package instruments

import "embed"

// FS holds the shipped instrument files (*.yaml).
//
//go:embed *.yaml
var FS embed.FS

// Study is the key of the study instrument, the one `dyad serve` opens a
// survey for on a fresh database.
const Study = "ai-therapeutic-relationship"
