package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/dyad-survey/dyad/internal/store"
)

func cmdBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "dyad.db", "database file to copy (env DYAD_DB)")
	out := fs.String("out", "", "file to write the copy to; must not exist")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: dyad backup [--db FILE] --out FILE\n\nWrites a consistent copy of the database while the server keeps running\n(SQLite VACUUM INTO). The copy opens with dyad serve --db FILE.")
		fs.PrintDefaults()
	}
	if v := getenv("DYAD_DB"); v != "" {
		*db = v
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" {
		fs.Usage()
		return 2
	}
	if err := store.Backup(ctx, *db, *out); err != nil {
		fmt.Fprintf(stderr, "dyad backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", *db, *out)
	return 0
}
