// Package migrations holds Dyad's versioned SQL schema, applied in order at
// start by the SQLite store driver (internal/store/sqlite, with
// pressly/goose). Files are never edited once released: a change to the
// schema is a new numbered file.
package migrations

import "embed"

// FS holds the NNNN_name.sql files.
//
//go:embed *.sql
var FS embed.FS
