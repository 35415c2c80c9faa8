// Package migrations holds Dyad's versioned SQL schema, applied in order at
// start by the store drivers (with pressly/goose): the SQLite dialect's
// files here, at the top (internal/store/sqlite), and PostgreSQL's in
// postgres/ (internal/store/postgres). Files are never edited once
// released: a change to the schema is a new numbered file, in each
// dialect's folder.
package migrations

import (
	"embed"
	"io/fs"
)

// FS holds the SQLite dialect's NNNN_name.sql files.
//
//go:embed *.sql
var FS embed.FS

//go:embed postgres/*.sql
var postgresFiles embed.FS

// Postgres holds the PostgreSQL dialect's NNNN_name.sql files.
var Postgres fs.FS = mustSub(postgresFiles, "postgres")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a constant that the embed above names
	}
	return sub
}
