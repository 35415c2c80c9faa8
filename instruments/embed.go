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

// StudyVersion is the version of the study instrument this release ships
// (TestStudyInstrument holds the file to it). A fresh database gets this
// version; a database that has an older one keeps it and gains this one
// (cmd/dyad's seed).
const StudyVersion = 2
